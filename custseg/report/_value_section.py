"""The report's value part: expected next-year value per segment.

The BG/NBD purchase model and the Gamma-Gamma spend model
(:class:`~custseg.BetaGeoModel`, :class:`~custseg.GammaGammaModel`) are fitted
on the buy-till-you-die table of the same log (days, same reference date) and
turned into expected purchases, probability alive and expected value over the
next :data:`HORIZON_DAYS` days per customer, then per segment.

With ``value="auto"`` the models are fitted only on a log that can carry them:
a span of at least :data:`MIN_SPAN_DAYS` days from the first purchase to the
reference date (a forecast of a year from a few weeks of history is a guess)
and at least :data:`MIN_REPEAT_CUSTOMERS` customers with a repeat purchase
(the spend model is fitted on them alone).  A fit that fails or does not
converge, or parameters at the optimizer's bounds, leave the value out with
the reason; they never stop the report.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from custseg._aggregation import rfm_table
from custseg._base import segment_profiles
from custseg._tables import as_pandas_table
from custseg._value import BetaGeoModel, GammaGammaModel

__all__ = [
    "HORIZON_DAYS",
    "MIN_REPEAT_CUSTOMERS",
    "MIN_SPAN_DAYS",
    "VALUE_COLUMNS",
    "check_value_option",
    "segment_value",
    "value_section",
]

HORIZON_DAYS = 365
MIN_SPAN_DAYS = 180
MIN_REPEAT_CUSTOMERS = 50
# dimensionless parameters beyond these went to the optimizer's bounds
# (exp(+-20) in the rescaled problem): the likelihood has no interior optimum
_FAR = 1e7
VALUE_COLUMNS = (
    "expected_purchases",
    "expected_purchases_median",
    "expected_value",
    "expected_value_median",
    "expected_value_share",
    "expected_alive",
    "probability_alive_median",
    "repeat_buyers",
    "repeat_buyers_alive",
)


def check_value_option(value):
    """Raise TypeError unless ``value`` is "auto", True, False, None or a BetaGeoModel."""
    if value is None or value is False or value is True or value == "auto":
        return
    if not isinstance(value, BetaGeoModel):
        raise TypeError(
            "value must be 'auto', True, False or a BetaGeoModel (fitted or "
            f"not, with spend_model=GammaGammaModel() for value), got {value!r}."
        )


def _btyd_table(transactions, settings, reference):
    settings = {
        k: v
        for k, v in settings.items()
        if k not in ("period", "time_scaler", "attributes", "attribute_rule")
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = rfm_table(
            transactions,
            **settings,
            reference_date=reference,
            definition="btyd",
            period="D",
        )
    if not isinstance(table, pd.DataFrame):  # polars, lazy: collect to pandas
        table = as_pandas_table(table).set_index(settings["customer_col"])
    return table, caught


def _spend_repeaters(table):
    """Rows the spend model learns from: bought again, with a positive spend."""
    return table[(table["frequency"] > 0) & (table["monetary_value"] > 0)]


def _too_short(table):
    span = float(table["T"].max())
    repeat = len(_spend_repeaters(table))
    if span < MIN_SPAN_DAYS or repeat < MIN_REPEAT_CUSTOMERS:
        return (
            f"the log spans {span:.0f} days and {repeat} customers bought again; "
            f"the models need at least {MIN_SPAN_DAYS} days and "
            f"{MIN_REPEAT_CUSTOMERS} repeat customers (pass value=True to fit "
            "them anyway)"
        )
    return None


def _check_fit(model, caught, correlation):
    """Why a fitted model cannot be trusted (or None), and notes for the reader."""
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            return (
                f"the fit did not converge ({' '.join(str(w.message).split())})",
                [],
            )
    params = dict(model.params_)
    spend = {} if model.spend_model_ is None else dict(model.spend_model_.params_)
    shown = ", ".join(f"{k} = {x:.4g}" for k, x in (params | spend).items())
    diverged = f"the fit diverged ({shown}): the models do not describe this log"
    for name, v in (params | spend).items():
        if not np.isfinite(v):
            return diverged, []
        dimensionless = name not in ("alpha", "v", "p")
        if dimensionless and not 1 / _FAR < v < _FAR:
            return diverged, []
    notes = []
    dropout = params["a"] / (params["a"] + params["b"])
    if dropout < 0.01:
        notes.append(
            warnings.WarningMessage(
                "The purchase model sees almost no customer leave (mean dropout "
                f"probability after a purchase {dropout:.2%}): gaps between "
                "purchases on this log are explained by slow buying, so its "
                "customers still active are an upper bound.",
                UserWarning,
                __file__,
                0,
            )
        )
    if spend and not spend["p"] > 1 / _FAR:
        return diverged, []
    if spend and spend["p"] >= _FAR:
        # a boundary solution: the model's within-customer spread of spend
        # vanishes and a repeat buyer's expected spend is their own mean
        notes.append(
            warnings.WarningMessage(
                f"The spend model's p went to its bound ({spend['p']:.3g}): the "
                "Gamma-Gamma model does not describe how spend varies on this "
                "log (it assumes spend per purchase independent of how often a "
                "customer buys"
                + (
                    f"; among repeat buyers their rank correlation is {correlation:.2f}"
                    if np.isfinite(correlation)
                    else ""
                )
                + "), so a repeat buyer's expected spend is their own mean spend "
                "per purchase.",
                UserWarning,
                __file__,
                0,
            )
        )
    return None, notes


def value_section(transactions, settings, reference, value):
    """Fit (or use) the value models; the per-customer forecast and a summary.

    Returns ``(result, notes)``: ``result`` is a dict (``model``, ``table``:
    per customer, indexed by id, ``horizon_days``, ``customers``,
    ``repeat_customers``, ``expected_purchases``, ``expected_value`` (None
    without a spend model), ``expected_alive``, ``expected_alive_repeat``
    (among repeat buyers) and ``dropout`` (mean probability of leaving after a
    purchase)), ``notes`` the warnings of
    the BTYD aggregation and the spend model.  Raises ValueError with the
    reason when the value cannot be computed.
    """
    table, caught = _btyd_table(transactions, settings, reference)
    negative = table["monetary_value"] < 0
    if negative.any():
        # returns netted against repeat purchases: the spend model needs >= 0
        table = table.assign(monetary_value=table["monetary_value"].clip(lower=0))
        caught.append(
            warnings.WarningMessage(
                f"{int(negative.sum())} customers returned more than they bought "
                "on their repeat purchase days (net spend below 0); the value "
                "models read their mean repeat spend as 0.",
                UserWarning,
                __file__,
                0,
            )
        )
    fitted = isinstance(value, BetaGeoModel) and hasattr(value, "params_")
    if value == "auto":
        reason = _too_short(table)
        if reason:
            raise ValueError(reason)
    if fitted:
        model = value
    else:
        model = (
            clone(value)
            if isinstance(value, BetaGeoModel)
            else BetaGeoModel(GammaGammaModel())
        )
        with warnings.catch_warnings(record=True) as fit_caught:
            warnings.simplefilter("always")
            model.fit(table)
        repeat = _spend_repeaters(table)
        varies = min(repeat["frequency"].nunique(), repeat["monetary_value"].nunique())
        correlation = (
            repeat["frequency"].corr(repeat["monetary_value"], method="spearman")
            if varies > 1
            else np.nan
        )
        reason, notes = _check_fit(model, fit_caught, correlation)
        if reason:
            raise ValueError(reason)
        caught += [*fit_caught, *notes]
    # value_table flags repeat buyers: the BG/NBD counts a customer who never
    # bought again as alive, so "still active" is told for repeat buyers only
    per_customer = model.value_table(table, t=HORIZON_DAYS)
    forecast = per_customer.drop(columns="repeat_buyer").to_numpy(dtype=float)
    bad = int((~np.isfinite(forecast)).any(axis=1).sum())
    if bad:
        raise ValueError(
            f"the models give no finite forecast for {bad} customers "
            f"(parameters {model.params_})"
        )
    has_value = "expected_value" in per_customer
    return {
        "model": model,
        "table": per_customer,
        "horizon_days": HORIZON_DAYS,
        "customers": len(per_customer),
        "repeat_customers": int((table["frequency"] > 0).sum()),
        "expected_purchases": float(per_customer["expected_purchases"].sum()),
        "expected_value": float(per_customer["expected_value"].sum())
        if has_value
        else None,
        "expected_alive": float(per_customer["probability_alive"].sum()),
        # mean probability of leaving after a purchase, a / (a + b)
        "dropout": model.params_["a"] / (model.params_["a"] + model.params_["b"]),
        "expected_alive_repeat": float(
            per_customer["probability_alive"].where(per_customer["repeat_buyer"]).sum()
        ),
    }, caught


def segment_value(per_customer, X, labels, names):
    """The value columns per segment (:data:`VALUE_COLUMNS`), by label.

    Those of :func:`custseg.segment_profiles` with ``value`` (which counts
    ``repeat_buyers`` and their ``expected_alive``), plus
    ``repeat_buyers_alive``: ``expected_alive`` with 0 for a segment without
    repeat buyers, as the report states it ("0 of 0").

    ``per_customer`` is reindexed on the customers of ``X``; customers the
    BTYD table lacks raise ValueError (then the value is left out).
    """
    missing = int((~X.index.isin(per_customer.index)).sum())
    if missing:
        raise ValueError(
            f"{missing} customers of the RFM table are not in the BTYD table"
        )
    per_customer = per_customer.loc[X.index]
    profiles = segment_profiles(X, labels, names, features=[], value=per_customer)
    out = profiles[[c for c in VALUE_COLUMNS if c in profiles]].copy()
    out["repeat_buyers_alive"] = out["expected_alive"].fillna(0.0)
    return out

"""Compute a report's content once: aggregation, segments, validation, figures."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from custseg._evaluation import validate_segmentation
from custseg._learned import CustomerSegmenter
from custseg._rule_based import RFMSegmenter, UsageTiers
from custseg._tables import as_pandas_table
from custseg.report._figures import draw_figures

__all__ = ["METHODS", "build_content"]

logger = logging.getLogger("custseg")

METHODS = ("rfm", "tiers", "kmeans", "gmm")
RFM = ["recency", "frequency", "monetary"]


def _customer_table(transactions, aggregation):
    """The classic RFM table (pandas, indexed by customer) plus tenure."""
    if aggregation.definition != "classic" or aggregation.monetary != "sum":
        raise ValueError(
            "the report needs the classic RFM table with total spend: "
            f"definition={aggregation.definition!r} and "
            f"monetary={aggregation.monetary!r} are not supported here."
        )
    # the report reads recency, frequency, monetary and tenure only
    rfm = aggregation.set_params(extra_features=["tenure"])
    table = rfm.set_output(transform="pandas").fit_transform(transactions)
    if not isinstance(table, pd.DataFrame):
        table = as_pandas_table(table).set_index(aggregation.customer_col)
    return table, rfm.reference_date_


def _summary(transactions, table, reference, notes):
    first = reference - pd.Timedelta(days=int(table["tenure"].max()))
    last = reference - pd.Timedelta(days=int(table["recency"].min()))
    try:
        n_rows = len(transactions)
    except TypeError:  # lazy frames have no length
        n_rows = None
    return {
        "rows": n_rows,
        "customers": len(table),
        "orders": int(table["frequency"].sum()),
        "revenue": float(table["monetary"].sum()),
        "first_purchase": first.date().isoformat(),
        "last_purchase": last.date().isoformat(),
        "reference_date": reference.date().isoformat(),
        "excluded": list(notes),
    }


def _main_segmenter(method, random_state):
    if method == "kmeans":
        return CustomerSegmenter(n_bootstrap=0, random_state=random_state)
    return CustomerSegmenter(
        GaussianMixture(covariance_type="full", n_init=2),
        n_bootstrap=0,
        random_state=random_state,
    )


def _step(verbose, message, *args):
    if verbose:
        logger.info(message, *args)


def build_content(
    transactions,
    *,
    aggregation,
    method="kmeans",
    rules="putler",
    n_bootstrap=20,
    random_state=None,
    verbose=False,
):
    """Run the whole flow once; return the report's content as a dict.

    ``aggregation`` is an unfitted :class:`~custseg.RFMTransformer`.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    seed = np.random.RandomState(random_state).randint(2**31 - 1)
    _step(verbose, "aggregating the transaction log into one row per customer")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table, reference = _customer_table(transactions, aggregation)
    aggregation_notes = list(dict.fromkeys(str(w.message) for w in caught))
    X = table[RFM]
    summary = _summary(transactions, table, reference, aggregation_notes)
    _step(verbose, "%d customers; rule segments and usage tiers", len(X))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rule_segmenter = RFMSegmenter(rules).fit(X)
        tiers = UsageTiers("frequency").fit(X)
        if method in ("kmeans", "gmm"):
            _step(verbose, "learning segments (%s) and choosing k", method)
            segmenter = _main_segmenter(method, seed).fit(X)
        else:
            segmenter = rule_segmenter if method == "rfm" else tiers
        _step(verbose, "validating the segments (%d bootstrap refits)", n_bootstrap)
        validation = validate_segmentation(
            segmenter,
            X,
            n_bootstrap=n_bootstrap,
            sample_size=2000,
            random_state=seed,
        )
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    _step(verbose, "drawing the figures")
    figures = draw_figures(
        X,
        rules=rule_segmenter,
        tiers=tiers,
        segmenter=segmenter,
        validation=validation,
        main_is=method,
        random_state=seed,
    )
    assignments = X.copy()
    assignments["rfm_segment"] = rule_segmenter.segment_names_[rule_segmenter.labels_]
    assignments["usage_tier"] = tiers.segment_names_[tiers.labels_]
    assignments["segment"] = segmenter.segment_names_[segmenter.labels_]
    assignments["segment_label"] = segmenter.labels_
    for warning in [*aggregation_notes, *notes]:
        warnings.warn(warning, UserWarning, stacklevel=3)
    return {
        "summary": summary,
        "rfm_summary": X.describe().T,
        "rule_segments": rule_segmenter.profiles_,
        "tiers": tiers.tiers_,
        "gini": tiers.gini_,
        "method": method,
        "segments": segmenter.profiles_,
        "validation": validation,
        "figures": figures,
        "notes": notes,
        "assignments": assignments,
        "estimators": {
            "rules": rule_segmenter,
            "tiers": tiers,
            "segmenter": segmenter,
        },
    }

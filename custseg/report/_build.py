"""Compute a report's content once: aggregation, segments, validation, figures.

Every part after the aggregation is computed on its own: a part that cannot
be computed on the data at hand (two customers, every customer alike, one
segment only) is listed in ``unavailable`` with the reason, and the rest of
the report is still built.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from custseg._evaluation import validate_segmentation
from custseg._learned import CustomerSegmenter
from custseg._progress import step
from custseg._rule_based import RFMSegmenter, UsageTiers
from custseg._tables import as_pandas_table
from custseg._warnings import warn
from custseg.report._actions import suggest_actions
from custseg.report._figures import draw_figures
from custseg.report._findings import key_findings
from custseg.report._holdout import default_cutoff, holdout_section
from custseg.report._notes import (
    caught_notes,
    holdout_notes,
    reader_note,
    refit_notes,
)
from custseg.report._value_section import (
    check_value_option,
    segment_value,
    value_section,
)

__all__ = ["METHODS", "build_content"]

METHODS = ("kmeans", "gmm", "rfm", "tiers")
RFM = ["recency", "frequency", "monetary"]
MAIN = "segments of this report"

# Failures of a part of the report that come from the data, not from a bug:
# too few customers or segments for an index, a singular covariance.
_DATA_LIMITS = (ValueError, np.linalg.LinAlgError)


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


def _holdout_settings(aggregation):
    """The aggregation settings the holdout split takes (its cutoff is the reference)."""
    params = aggregation.get_params()
    dropped = {"reference_date", "definition", "monetary", "extra_features"}
    return {k: v for k, v in params.items() if k not in dropped}


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


# refits per round of the segmenter's choice of k: at least 5 (with none it
# would fall back to the silhouette vote, which picks two segments on real,
# unclustered data), at most the segmenter's default of 10 (the search is
# the slowest part of the report; a k near the band takes up to 5 rounds)
SEARCH_BOOTSTRAP = (5, 10)


def _main_segmenter(method, random_state, *, n_bootstrap, currency=None):
    low, high = SEARCH_BOOTSTRAP
    settings = {
        "n_bootstrap": min(max(n_bootstrap, low), high),
        "currency": currency,
        "random_state": random_state,
    }
    if method == "kmeans":
        return CustomerSegmenter(**settings)
    return CustomerSegmenter(
        GaussianMixture(covariance_type="full", n_init=2), **settings
    )


def _value_part(transactions, aggregation, reference, value, seen, X, segmenter, rules):
    """The value models' forecast, and both segment tables with its columns."""
    result, caught = value_section(
        transactions, _holdout_settings(aggregation), reference, value
    )
    # the BTYD aggregation repeats the notes of the classic one
    for w in caught:
        if reader_note(str(w.message)) not in seen:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    result["by_segment"] = tuple(
        s.profiles_.join(segment_value(result["table"], X, s.labels_, s.segment_names_))
        for s in (segmenter, rules)
    )
    return result


def build_content(
    transactions,
    *,
    aggregation,
    method="kmeans",
    rules="putler",
    n_bootstrap=20,
    holdout="auto",
    actions=None,
    currency=None,
    random_state=None,
    verbose=False,
    value="auto",
):
    """Run the whole flow once; return the report's content as a dict.

    ``aggregation`` is an unfitted :class:`~custseg.RFMTransformer`.
    """
    check_value_option(value)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if actions is not None and not isinstance(actions, Mapping):
        raise TypeError(
            "actions must be a mapping of segment name to action, got "
            f"{type(actions).__name__}."
        )
    seed = np.random.RandomState(random_state).randint(2**31 - 1)
    unavailable = []

    def attempt(what, compute):
        try:
            return compute()
        except _DATA_LIMITS as exc:
            unavailable.append(f"{what}: {' '.join(str(exc).split())}")
            return None

    step(verbose, "aggregating the transaction log into one row per customer")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table, reference = _customer_table(transactions, aggregation)
    aggregation_notes, passed_on = caught_notes(caught)
    X = table[RFM]
    summary = _summary(transactions, table, reference, aggregation_notes)
    step(verbose, "%d customers: rule segments and usage tiers", len(X))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rule_segmenter = RFMSegmenter(rules).fit(X)
        tiers = attempt("usage tiers", lambda: UsageTiers("frequency").fit(X))
        segmenter = {"rfm": rule_segmenter, "tiers": tiers}.get(method)
        if method in ("kmeans", "gmm"):
            step(verbose, "learning segments (%s) and choosing k", method)
            segmenter = attempt(
                f"learned segments ({method})",
                lambda: _main_segmenter(
                    method, seed, n_bootstrap=n_bootstrap, currency=currency
                ).fit(X),
            )
        main_method = method
        if segmenter is None:
            unavailable.append(
                "the report shows the RFM rule segments instead of the "
                f"{method} segmentation, which could not be computed"
            )
            segmenter, main_method = rule_segmenter, "rfm"
        step(verbose, "validating the segments (%d bootstrap refits)", n_bootstrap)
        with warnings.catch_warnings(record=True) as refit:
            warnings.simplefilter("always")
            validation = attempt(
                "validation",
                lambda: validate_segmentation(
                    segmenter,
                    X,
                    n_bootstrap=n_bootstrap,
                    sample_size=2000,
                    random_state=seed,
                    verbose=verbose,
                ),
            )
        # the validation's own notes are for the reader; the refits' tie notes
        # repeat those of the fit above and are counted in one line
        for note in refit_notes(refit, "validation refits"):
            if str(note.message).startswith("validation refits: "):
                passed_on.append(note)
            else:
                warn(str(note.message).split(": ", 1)[1])
        # a mapping naming no segment is the caller's error, raised as such
        suggested = suggest_actions(segmenter.profiles_, X, overrides=actions)
        holdout_result = None
        cutoff = holdout
        if holdout == "auto":
            first = pd.Timestamp(summary["first_purchase"])
            cutoff = default_cutoff(first, pd.Timestamp(summary["last_purchase"]))
        if cutoff is not None and holdout is not None:
            cutoff = pd.Timestamp(cutoff).normalize()
            step(verbose, "holdout: refitting on the log up to %s", cutoff.date())
            segmentations = {MAIN: segmenter}
            if main_method != "rfm":
                segmentations["RFM rule segments"] = rule_segmenter
            if main_method != "tiers" and tiers is not None:
                segmentations["usage tiers"] = tiers
            with warnings.catch_warnings(record=True) as refit:
                warnings.simplefilter("always")
                holdout_result = attempt(
                    "holdout (next-period) validation",
                    lambda: holdout_section(
                        transactions,
                        _holdout_settings(aggregation),
                        cutoff,
                        segmentations,
                        n_bootstrap=min(n_bootstrap, 10),
                        random_state=seed,
                    ),
                )
            # the calibration and holdout periods repeat the full log's
            # data policies with their own counts: only new ones are told
            shown = [*aggregation_notes, *caught_notes(caught)[0]]
            for note in holdout_notes(refit, cutoff.date(), shown):
                summary["excluded"].append(note)
                passed_on.append(
                    warnings.WarningMessage(note, UserWarning, __file__, 0)
                )
        elif holdout == "auto":
            unavailable.append(
                "holdout (next-period) validation: the log spans fewer than 180 "
                "days; pass a cutoff date to split it anyway"
            )
        value_result, segments, rule_segments = None, None, None
        if value is not None and value is not False:
            step(verbose, "expected value: fitting the purchase and spend models")
            value_result = attempt(
                "expected value (BG/NBD purchase and Gamma-Gamma spend models)",
                lambda: _value_part(
                    transactions, aggregation, reference, value, aggregation_notes,
                    X, segmenter, rule_segmenter,
                ),
            )  # fmt: skip
        if value_result is not None:
            segments, rule_segments = value_result.pop("by_segment")
            if value_result["expected_value"] is None:
                unavailable.append(
                    "expected value: the value model has no spend model "
                    "(BetaGeoModel(spend_model=GammaGammaModel())); expected "
                    "purchases and customers still active are shown"
                )
    notes, more = caught_notes(caught)
    passed_on += more
    segments = segmenter.profiles_ if segments is None else segments
    rule_segments = rule_segmenter.profiles_ if rule_segments is None else rule_segments
    step(verbose, "drawing the figures")
    figures = draw_figures(
        X,
        rules=rule_segmenter,
        tiers=tiers,
        segmenter=segmenter,
        validation=validation,
        main_is=main_method,
        random_state=seed,
        unavailable=unavailable,
        verbose=verbose,
    )
    findings = key_findings(
        X=X,
        profiles=segments,
        actions=suggested,
        validation=validation,
        holdout=holdout_result,
        main_name=MAIN,
        revenue=summary["revenue"],
        currency=currency,
        value=value_result,
    )
    assignments = X.copy()
    assignments["rfm_segment"] = rule_segmenter.segment_names_[rule_segmenter.labels_]
    if tiers is not None:
        assignments["usage_tier"] = tiers.segment_names_[tiers.labels_]
    assignments["segment"] = segmenter.segment_names_[segmenter.labels_]
    assignments["segment_label"] = segmenter.labels_
    if value_result is not None:
        per_customer = value_result["table"].reindex(X.index)
        for column in ("expected_purchases", "probability_alive", "expected_value"):
            if column in per_customer:
                assignments[column] = per_customer[column]
    for note in [*aggregation_notes, *notes]:
        warn(note)
    for w in passed_on:
        warn(str(w.message), w.category)
    return {
        "summary": summary,
        "findings": findings,
        "rfm_summary": X.describe().T,
        "rule_segments": rule_segments,
        "tiers": None if tiers is None else tiers.tiers_,
        "gini": None if tiers is None else float(tiers.gini_),
        "method": main_method,
        "segments": segments,
        "actions": suggested,
        "validation": validation,
        "holdout": holdout_result,
        "figures": figures,
        "notes": notes,
        "unavailable": unavailable,
        "currency": currency,
        "assignments": assignments,
        "estimators": {
            "rules": rule_segmenter,
            "tiers": tiers,
            "segmenter": segmenter,
            "value": None if value_result is None else value_result["model"],
        },
        "value": value_result,
    }

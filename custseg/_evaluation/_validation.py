"""``validate_segmentation``: is a segmentation real, stable and useful?

The validation runs as named steps (labels, defining columns, separation,
stability, indices, outcomes, verdicts); each computes data (DataFrames and
plain values) once, and :class:`custseg.ValidationReport` only renders it.
The input policy is in :mod:`custseg._evaluation._inputs`, the kinds of
hypothesis and the refit rule in :mod:`custseg._evaluation._hypothesis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from custseg._evaluation._hypothesis import (
    defining_columns,
    hypothesis_kind,
    reproduced_accuracy,
    segmenter_columns,
    segmenter_for_refit,
)
from custseg._evaluation._indices import internal_indices, model_space
from custseg._evaluation._inputs import (
    read_labels,
    read_outcome,
    read_table,
    stratified_sample,
)
from custseg._evaluation._intervals import bootstrap_counts
from custseg._evaluation._separation import (
    contrasts,
    feature_tests,
    merge_candidates,
    outcome_tests,
    pairwise_tests,
)
from custseg._evaluation._stability import bootstrap_stability, reference_model
from custseg._evaluation._validation_report import ValidationReport
from custseg._evaluation._verdicts import judge, segments_table
from custseg._progress import step
from custseg._sklearn_compat import Interval, StrOptions, validate_params
from custseg._tables import TableLike

__all__ = ["TREE_CUSTOMERS", "validate_segmentation"]

TREE_CUSTOMERS = 50_000


def _is_segmenter(obj):
    return hasattr(obj, "fit") and hasattr(obj, "predict")


def _is_fitted(segmenter):
    try:
        check_is_fitted(segmenter)
    except (NotFittedError, TypeError):
        return False
    return True


def _check_params(n_bootstrap, min_share, alpha, sample_size, max_customers):
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be an integer >= 0, got {n_bootstrap!r}.")
    if not 0 <= min_share < 1:
        raise ValueError(f"min_share must be in [0, 1), got {min_share!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    for name, value in (("sample_size", sample_size), ("max_customers", max_customers)):
        if value is not None and (
            not isinstance(value, (int, np.integer)) or value < 2
        ):
            raise ValueError(f"{name} must be an integer >= 2 or None, got {value!r}.")


# -- steps -----------------------------------------------------------------
def _labels_step(segmentation, table, seed, refit):
    """Labels, names, the segmenter (None for plain labels) and its refit model."""
    if not _is_segmenter(segmentation):
        labels, names = read_labels(segmentation, table)
        return labels, names, None, None
    if _is_fitted(segmentation):
        fitted = segmentation
        labels = np.asarray(fitted.predict(table))
    else:
        fitted = clone(segmentation)
        if fitted.get_params(deep=False).get("random_state", 0) is None:
            fitted.set_params(random_state=int(seed))
        fitted.fit(table)
        labels = np.asarray(fitted.labels_)
    if labels.size and labels.min() < 0:
        raise ValueError("The segmenter labelled some customers -1 (noise).")
    names = [str(n) for n in getattr(fitted, "segment_names_", [])]
    names += [f"segment {k}" for k in range(len(names), int(labels.max()) + 1)]
    return labels.astype(np.int64), names, fitted, segmenter_for_refit(fitted, refit)


def _defining_step(defined_by, segmenter, tested, labels, categorical):
    """The defining columns (a segmenter's own features, or found, or given)."""
    if defined_by is None:
        return []
    if not isinstance(defined_by, str):
        given = [str(c) for c in defined_by]
        unknown = [c for c in given if c not in tested.columns]
        if unknown:
            raise ValueError(
                f"defined_by names columns that are not tested in X: {unknown}."
            )
        return given
    if defined_by != "auto":
        raise ValueError(
            f"defined_by must be 'auto', None or a list of columns, got {defined_by!r}."
        )
    if segmenter is not None:
        used = segmenter_columns(segmenter)
        return [c for c in tested.columns if c in used]
    return defining_columns(tested, labels, categorical)


def _tree_rows(labels, seed):
    """Rows for the reference tree: a tree whose leaves hold 0.5% of the
    customers needs no more than TREE_CUSTOMERS of them (stratified)."""
    rows = stratified_sample(labels, TREE_CUSTOMERS, np.random.RandomState(seed))
    return slice(None) if rows is None else rows


def _stability_step(model, data, labels, n_segments, fit_labels, options):
    if not options["n_bootstrap"] or np.unique(labels).size < 2:
        empty = np.full((0, n_segments), np.nan)
        return empty, empty
    return bootstrap_stability(
        model,
        data,
        labels,
        n_segments=n_segments,
        fit_labels=fit_labels,
        n_bootstrap=options["n_bootstrap"],
        random_state=options["seed"],
        n_jobs=options["n_jobs"],
        verbose=options["verbose"],
        chance=True,
    )


def _refit_k(model):
    if model is None:
        return None
    k = model.get_params(deep=False).get("n_segments")
    return k if isinstance(k, (int, np.integer, str)) else None


def _stability_method(segmenter, kind, refit, numeric, n_bootstrap):
    if not n_bootstrap:
        return "not computed (n_bootstrap=0)"
    if segmenter is not None:
        kept = "chosen hyper-parameters kept" if refit == "fixed" else "full refit"
        return f"refit of the segmenter on bootstrap resamples ({kept})"
    if numeric.shape[1] == 0:
        return "not applicable: plain labels and no numeric feature to reproduce them"
    text = "decision tree reproducing the labels, refit on bootstrap resamples"
    if kind == "attribute":
        text += " (reported beside chance; not used for an attribute's verdict)"
    return text


@validate_params(
    {
        "segmentation": "no_validation",  # a segmenter or labels, checked inside
        "X": "no_validation",  # read by the customer-table reader
        "outcome": "no_validation",
        "defined_by": "no_validation",  # "auto", None or columns, checked inside
        "refit": [StrOptions({"fixed", "full"})],
        "categorical": ["array-like", None],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "min_share": [Interval(Real, 0, 1, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "sample_size": [Interval(Integral, 2, None, closed="left"), None],
        "max_customers": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def validate_segmentation(
    segmentation: Any,
    X: TableLike,
    *,
    outcome: TableLike | None = None,
    categorical: Sequence[str] | None = None,
    defined_by: Literal["auto"] | list[str] | None = "auto",
    refit: Literal["fixed", "full"] = "fixed",
    n_bootstrap: int = 100,
    min_share: float = 0.02,
    alpha: float = 0.05,
    sample_size: int | None = 5000,
    max_customers: int | None = 200_000,
    random_state: int | np.random.RandomState | None = None,
    n_jobs: int | None = None,
    verbose: bool | int = False,
) -> ValidationReport:
    """Check whether a segmentation is real, stable and useful.

    Parameters
    ----------
    segmentation : segmenter or array-like of shape (n_customers,)
        A segmenter following the custseg protocol (``fit``, ``labels_``,
        ``predict``, optionally ``segment_names_``).  A fitted segmenter
        labels ``X`` with ``predict``; an unfitted one is cloned and fitted on
        ``X`` (a ``random_state`` left at None is set from ``random_state``).
        Either is refitted on bootstrap resamples as ``refit`` says.  Or plain
        labels, a hypothesis (str or int per customer; a pandas Series is
        aligned with ``X`` by index; a column vector of shape (n, 1) is read
        as a vector; labels mixing numbers and text are compared as text).
    X : DataFrame or array-like of shape (n_customers, n_features)
        The customer table (pandas, polars or numpy), never modified.
        Columns named like customer ids (``id``, ``*_id``, ``CustomerID``;
        a polars table keeps the id as a column) are not tested and do not
        enter the indices or the reference tree, unless listed in
        ``categorical``.  A segmenter is fitted on the whole table.
    outcome : Series, DataFrame or array-like, optional
        Later-period outcomes per customer (next-period spend, bought again),
        aligned like plain labels.  Each is tested across segments.
    categorical : list of str, optional
        Columns to test as categorical.  Non-numeric and boolean columns
        always are.  Only numeric columns enter the indices, the reference
        clustering and the reference tree.
    defined_by : "auto", list of str or None, default="auto"
        The columns that define the hypothesis.  ``"auto"``: for plain
        labels, every column that alone reproduces them (balanced accuracy
        at least 0.95, e.g. ``Age`` for age bands, ``Gender`` for a gender
        split); for a segmenter, its own features.  The defining columns of
        plain labels are left out of the separation tests, the merge
        candidates and the stability model (a segmenter's are tested: its
        segments must differ in its own space).  Listed in
        ``report.defined_by`` and in the reasons.  None: no column.
    refit : {"fixed", "full"}, default="fixed"
        How a segmenter is refitted on each resample: ``"fixed"`` keeps the
        hyper-parameters its fit chose (the ``n_segments_`` of an
        ``n_segments="auto"`` search, the features used), ``"full"`` reruns
        the whole fit, search included.
    n_bootstrap : int, default=100
        Bootstrap resamples: refits for stability and percentile intervals
        of the effect sizes; 0 skips both.
    min_share : float, default=0.02
        Segments with a smaller share of customers are flagged too small.
    alpha : float, default=0.05
        Family-wise error rate of the Holm-corrected tests.
    sample_size : int or None, default=5000
        Customers sampled for the silhouette (None: all).
    max_customers : int or None, default=200_000
        Above this many customers the validation runs on a seeded random
        sample of this size, stratified by segment (every segment keeps its
        share); ``report.settings["n_validated"]`` gives its size.  A
        segmenter is still fitted on all customers.  None: all customers.
        The reference tree of plain labels uses at most 50,000 of them
        (stratified), as does the KMeans fit of the agreement indices.
    random_state : int, RandomState instance or None
        Makes bootstrap, silhouette sample and reference clustering reproducible.
    n_jobs : int or None
        Parallel bootstrap refits; the numbers do not depend on it.
    verbose : bool, default=False
        Show the steps and a progress bar of the bootstrap.

    Returns
    -------
    ValidationReport
        ``verdict`` (``"supported"``, ``"partially supported"`` or
        ``"not supported"``) and ``reasons``; ``kind`` (``"learned"``,
        ``"rule"`` or ``"attribute"``) and ``defined_by``; ``segments``
        (with ``stability`` beside ``stability_chance``, the value random
        labels of the same sizes get), ``features``, ``pairwise``,
        ``merge_candidates``, ``contrasts`` and ``outcomes`` DataFrames
        (effect sizes with bootstrap intervals ``effect_low``/``effect_high``);
        ``indices`` (silhouette, Calinski–Harabasz, Davies–Bouldin and the
        adjusted Rand index and adjusted mutual information against a KMeans
        clustering with as many segments).  The verdict rules are in
        :mod:`custseg._evaluation._verdicts`.

    Examples
    --------
    >>> from custseg.datasets import make_transactions
    >>> log, personas = make_transactions(500, random_state=0)
    >>> X = log.groupby("customer_id").agg(
    ...     orders=("order_id", "nunique"), spend=("amount", "sum"),
    ...     last=("date", "max"))
    >>> X["recency"] = (log["date"].max() - X.pop("last")).dt.days
    >>> report = validate_segmentation(personas, X, n_bootstrap=20, random_state=0)
    >>> report.verdict
    'supported'
    >>> report.segments[["name", "customers", "stability_band", "verdict"]]
                             name  customers stability_band    verdict
    segment
    0        at_risk_big_spenders         70  highly stable  supported
    1                   champions         60  highly stable  supported
    2                      lapsed        150  highly stable  supported
    3                         new         80  highly stable  supported
    4                  occasional        140  highly stable  supported
    """
    _check_params(n_bootstrap, min_share, alpha, sample_size, max_customers)
    if refit not in ("fixed", "full"):
        raise ValueError(f"refit must be 'fixed' or 'full', got {refit!r}.")
    table, tested, categorical = read_table(X, categorical)
    n_customers = len(table)
    seeds = check_random_state(random_state).randint(2**31 - 1, size=5)
    step(verbose, "validating a segmentation of %d customers", len(table))
    labels, names, segmenter, refit_model = _labels_step(
        segmentation, table, seeds[2], refit
    )
    outcomes_in = None if outcome is None else read_outcome(outcome, table)

    rows = stratified_sample(labels, max_customers, np.random.RandomState(seeds[3]))
    if rows is not None:
        step(verbose, "validating on a stratified sample of %d customers", rows.size)
        table, tested, labels = table.iloc[rows], tested.iloc[rows], labels[rows]
        if outcomes_in is not None:
            outcomes_in = outcomes_in.iloc[rows].reset_index(drop=True)

    defined = _defining_step(defined_by, segmenter, tested, labels, categorical)
    judged = tested if segmenter is not None else tested.drop(columns=defined)
    numeric = judged[[c for c in judged if c not in categorical]]
    tree_data = numeric.astype(float).fillna(numeric.median()).fillna(0.0)
    # trees cast to float32: a positive scale per column keeps every split and
    # keeps amounts near the float64 limit from overflowing in that cast
    tree_data = (tree_data / tree_data.abs().max().replace(0.0, 1.0)).to_numpy()
    accuracy = None
    if segmenter is None:
        rows = _tree_rows(labels, seeds[0])
        accuracy = reproduced_accuracy(
            tree_data[rows], labels[rows], reference_model(len(labels[rows])), seeds[4]
        )
    kind = hypothesis_kind(segmenter, accuracy)

    step(verbose, "separation tests with %d bootstrap intervals", n_bootstrap)
    counts = (
        bootstrap_counts(len(labels), n_bootstrap, seeds[4]) if n_bootstrap else None
    )
    features = feature_tests(judged, labels, categorical, alpha=alpha, counts=counts)
    pairwise = pairwise_tests(judged, labels, names, categorical, alpha=alpha)
    merges = merge_candidates(pairwise)
    contrast = contrasts(
        judged, outcomes_in, labels, names, categorical, alpha=alpha, counts=counts
    )

    options = {
        "n_bootstrap": n_bootstrap
        if (segmenter is not None or numeric.shape[1])
        else 0,
        "seed": seeds[1],
        "n_jobs": n_jobs,
        "verbose": verbose,
    }
    if segmenter is not None:
        data = table.reset_index(drop=True)
        jaccard, chance = _stability_step(
            refit_model, data, labels, len(names), False, options
        )
    else:
        rows = _tree_rows(labels, seeds[0])
        model = reference_model(len(labels[rows]))
        jaccard, chance = _stability_step(
            model, tree_data[rows], labels[rows], len(names), True, options
        )

    space = model_space(numeric) if numeric.shape[1] else None
    indices = internal_indices(
        space,
        labels,
        int(np.unique(labels).size),
        sample_size,
        np.random.RandomState(seeds[0]),
    )
    segments = segments_table(names, labels, jaccard, chance, kind, min_share)

    outcomes, replicates = None, {}
    if outcomes_in is not None:
        outcomes, means, replicates = outcome_tests(
            outcomes_in, labels, alpha=alpha, counts=counts
        )
        segments = segments.join(means)

    segments, verdict, reasons = judge(
        segments, merges, contrast, features, outcomes, kind, defined, min_share
    )
    return ValidationReport(
        verdict=verdict,
        reasons=tuple(reasons),
        kind=kind,
        defined_by=tuple(defined),
        segments=segments,
        features=features,
        pairwise=pairwise,
        merge_candidates=merges,
        contrasts=contrast,
        outcomes=outcomes,
        indices=indices,
        stability_method=_stability_method(
            segmenter, kind, refit, numeric, n_bootstrap
        ),
        bootstrap_jaccard=jaccard,
        bootstrap_chance=chance,
        outcome_replicates=pd.DataFrame(replicates) if replicates else None,
        settings={
            "n_customers": n_customers,
            "n_validated": int(len(labels)),
            "n_bootstrap": n_bootstrap,
            "min_share": min_share,
            "alpha": alpha,
            "sample_size": sample_size,
            "max_customers": max_customers,
            "refit": refit,
            "n_segments_refit": _refit_k(refit_model),
        },
    )

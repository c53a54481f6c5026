"""``validate_segmentation``: is a segmentation real, stable and useful?

The report's content is computed here, once, as data (DataFrames and
plain values); :class:`custseg._evaluation._validation_report.ValidationReport` only
renders it.
"""

from __future__ import annotations

import logging
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils import check_random_state

from custseg._evaluation._indices import internal_indices, model_space
from custseg._evaluation._separation import (
    feature_tests,
    is_categorical,
    merge_candidates,
    outcome_tests,
    pairwise_tests,
)
from custseg._evaluation._stability import (
    bootstrap_stability,
    reference_model,
    stability_band,
)
from custseg._evaluation._validation_report import ValidationReport
from custseg._evaluation._verdicts import overall_verdict, segment_verdicts
from custseg._sklearn_compat import Interval, validate_params
from custseg._tables import as_pandas_table, looks_like_id

__all__ = ["validate_segmentation"]

logger = logging.getLogger("custseg")


def _is_segmenter(obj):
    return hasattr(obj, "fit") and hasattr(obj, "predict")


def _aligned(values, table, what):
    """Return ``values`` in the row order of ``table``.

    A pandas ``values`` is aligned by index when its index holds the same
    customers as ``table``'s, and taken in row order when either index is a
    plain range (a numpy customer table, for example).
    """
    if isinstance(values, (str, bytes, dict)) or np.ndim(values) == 0:
        raise TypeError(
            f"{what} must be a segmenter or array-like with one value per "
            f"customer, got {type(values).__name__}."
        )
    if isinstance(values, (pd.Series, pd.DataFrame)) and not values.index.equals(
        table.index
    ):
        if values.index.has_duplicates or set(values.index) != set(table.index):
            positional = isinstance(values.index, pd.RangeIndex) or (
                isinstance(table.index, pd.RangeIndex)
            )
            if len(values) == len(table) and positional:
                # one side has no customer ids (a numpy table or a plain range)
                return values.set_axis(table.index)
            raise ValueError(
                f"{what} is indexed by other customers than X: align it with "
                "X's index, or pass a plain array in X's row order."
            )
        values = values.reindex(table.index)
    if len(values) != len(table):
        raise ValueError(
            f"{what} has {len(values)} entries but X has {len(table)} rows."
        )
    return values


def _labels_of(segmentation, table, seed):
    """Integer labels, segment names and the segmenter (None for plain labels)."""
    if _is_segmenter(segmentation):
        fitted = clone(segmentation)
        if fitted.get_params(deep=False).get("random_state", 0) is None:
            fitted.set_params(random_state=int(seed))
        fitted.fit(table)
        labels = np.asarray(fitted.labels_)
        if labels.min() < 0:
            raise ValueError("The segmenter labelled some customers -1 (noise).")
        names = [str(n) for n in getattr(fitted, "segment_names_", [])]
        names += [f"segment {k}" for k in range(len(names), int(labels.max()) + 1)]
        return labels.astype(np.int64), names, segmentation
    values = pd.Series(np.asarray(_aligned(segmentation, table, "segmentation")))
    if values.isna().any():
        raise ValueError(
            f"segmentation has {int(values.isna().sum())} missing labels; "
            "every customer needs a segment."
        )
    uniques, labels = np.unique(values.to_numpy(), return_inverse=True)
    if pd.api.types.is_numeric_dtype(values):
        names = [f"segment {u}" for u in uniques]
    else:
        names = [str(u) for u in uniques]
    return labels.astype(np.int64), names, None


def _check_params(n_bootstrap, min_share, alpha, sample_size):
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be an integer >= 0, got {n_bootstrap!r}.")
    if not 0 <= min_share < 1:
        raise ValueError(f"min_share must be in [0, 1), got {min_share!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")
    if sample_size is not None and (
        not isinstance(sample_size, (int, np.integer)) or sample_size < 2
    ):
        raise ValueError(
            f"sample_size must be an integer >= 2 or None, got {sample_size!r}."
        )


@validate_params(
    {
        "segmentation": "no_validation",  # a segmenter or labels, checked inside
        "X": "no_validation",  # read by the customer-table reader
        "outcome": "no_validation",
        "categorical": ["array-like", None],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "min_share": [Interval(Real, 0, 1, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "sample_size": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def validate_segmentation(
    segmentation,
    X,
    *,
    outcome=None,
    categorical=None,
    n_bootstrap=100,
    min_share=0.02,
    alpha=0.05,
    sample_size=5000,
    random_state=None,
    n_jobs=None,
    verbose=False,
):
    """Check whether a segmentation is real, stable and useful.

    Parameters
    ----------
    segmentation : segmenter or array-like of shape (n_customers,)
        A segmenter following the custseg protocol (``fit``, ``labels_``,
        ``predict``, optionally ``segment_names_``): it is cloned and fitted
        on ``X``, and refitted on bootstrap resamples (a ``random_state``
        parameter left at None is set from ``random_state``).  Or plain labels, a
        hypothesis (str or int per customer; a pandas Series is aligned with
        ``X`` by index): their stability is measured with a reference decision
        tree trained on each resample to reproduce them (see
        :mod:`custseg._evaluation._stability`).
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
    n_bootstrap : int, default=100
        Bootstrap refits for stability; 0 skips stability.
    min_share : float, default=0.02
        Segments with a smaller share of customers are flagged too small.
    alpha : float, default=0.05
        Family-wise error rate of the Holm-corrected tests.
    sample_size : int or None, default=5000
        Customers sampled for the silhouette (None: all).
    random_state : int, RandomState instance or None
        Makes bootstrap, silhouette sample and reference clustering reproducible.
    n_jobs : int or None
        Parallel bootstrap refits; the numbers do not depend on it.
    verbose : bool, default=False
        Log progress to the ``"custseg"`` logger at level INFO.

    Returns
    -------
    ValidationReport
        ``verdict`` (``"supported"``, ``"partially supported"`` or
        ``"not supported"``) and ``reasons``; ``segments``, ``features``,
        ``pairwise``, ``merge_candidates`` and ``outcomes`` DataFrames;
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
    _check_params(n_bootstrap, min_share, alpha, sample_size)
    table = as_pandas_table(X)
    if len(table) < 2 or table.shape[1] == 0:
        raise ValueError(
            f"X needs at least 2 customers and 1 feature, got shape {table.shape}."
        )
    categorical = set() if categorical is None else set(categorical)
    unknown = categorical - set(table.columns)
    if unknown:
        raise ValueError(
            f"categorical names columns that X does not have: {sorted(unknown)}."
        )
    # a customer id kept as a column (a polars table) is not a feature
    ids = [c for c in table if looks_like_id(c) and c not in categorical]
    tested = table.drop(columns=ids) if len(ids) < table.shape[1] else table
    categorical |= {c for c in tested if is_categorical(tested[c])}
    rng = check_random_state(random_state)
    seeds = rng.randint(2**31 - 1, size=3)

    labels, names, segmenter = _labels_of(segmentation, table, seeds[2])
    n_segments = len(names)
    counts = np.bincount(labels, minlength=n_segments)
    present = int((counts > 0).sum())
    logger.info(
        "validating %d segments of %d customers", present, len(table)
    ) if verbose else None

    features = feature_tests(tested, labels, categorical, alpha=alpha)
    pairwise = pairwise_tests(tested, labels, names, categorical, alpha=alpha)
    merges = merge_candidates(pairwise)

    numeric = tested[[c for c in tested if c not in categorical]]
    space = model_space(numeric) if numeric.shape[1] else None
    indices = internal_indices(
        space, labels, present, sample_size, np.random.RandomState(seeds[0])
    )

    jaccard = np.full((0, n_segments), np.nan)
    if segmenter is not None:
        method = "refit of the segmenter on bootstrap resamples"
    elif numeric.shape[1]:
        method = "decision tree reproducing the labels, refit on bootstrap resamples"
    else:
        method = "not applicable: plain labels and no numeric feature to reproduce them"
    if n_bootstrap and present >= 2 and not method.startswith("not applicable"):
        if verbose:
            logger.info("stability: %d bootstrap refits (%s)", n_bootstrap, method)
        model = segmenter if segmenter is not None else reference_model(len(table))
        data = (
            table
            if segmenter is not None
            else numeric.astype(float).fillna(numeric.median())
        )
        jaccard = bootstrap_stability(
            model,
            data,
            labels,
            n_segments=n_segments,
            fit_labels=segmenter is None,
            n_bootstrap=n_bootstrap,
            random_state=seeds[1],
            n_jobs=n_jobs,
            verbose=verbose,
        )
    elif not n_bootstrap:
        method = "not computed (n_bootstrap=0)"

    segments = pd.DataFrame(
        {"name": names, "customers": counts, "share": counts / counts.sum()},
        index=pd.RangeIndex(n_segments, name="segment"),
    )
    segments["too_small"] = segments["share"] < min_share
    with np.errstate(invalid="ignore"):
        segments["stability"] = jaccard.mean(axis=0) if len(jaccard) else np.nan
    segments["stability_band"] = [stability_band(j) for j in segments["stability"]]

    outcomes = None
    if outcome is not None:
        frame = _aligned(outcome, table, "outcome")
        if isinstance(frame, pd.Series):
            frame = frame.to_frame("outcome" if frame.name is None else str(frame.name))
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame({"outcome": np.asarray(frame)})
        frame = frame.reset_index(drop=True)
        outcomes, means = outcome_tests(frame, labels, alpha=alpha)
        segments = segments.join(means)

    segments = segment_verdicts(segments, merges, min_share)
    verdict, reasons = overall_verdict(segments, features, outcomes)
    return ValidationReport(
        verdict=verdict,
        reasons=reasons,
        segments=segments,
        features=features,
        pairwise=pairwise,
        merge_candidates=merges,
        outcomes=outcomes,
        indices=indices,
        stability_method=method,
        bootstrap_jaccard=jaccard,
        settings={
            "n_customers": len(table),
            "n_bootstrap": n_bootstrap,
            "min_share": min_share,
            "alpha": alpha,
            "sample_size": sample_size,
        },
    )

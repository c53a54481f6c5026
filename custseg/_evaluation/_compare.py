"""``compare_segmentations``: rank segmentations, baselines included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from custseg._evaluation._intervals import percentile_interval
from custseg._evaluation._validation import validate_segmentation
from custseg._evaluation._validation_report import ValidationReport
from custseg._evaluation._verdicts import VERDICTS
from custseg._progress import progress
from custseg._sklearn_compat import Interval, validate_params
from custseg._tables import TableLike, align_rows, read_table_for

__all__ = ["SORT_RULE", "compare_segmentations"]

SORT_RULE = (
    "best first: segmentations whose verdict is not 'not supported' first; "
    "then the larger effect size of the first outcome (when outcomes are given); "
    "then the verdict (supported before partially supported); then the larger "
    "mean stability; then the larger silhouette"
)


def _row(report):
    segments = report.segments
    present = segments[segments["customers"] > 0]
    row = {
        "segments": len(present),
        "smallest_share": float(present["share"].min()),
        "silhouette": report.indices["silhouette"],
        "stability": float(present["stability"].mean()),
        "supported_share": float(
            present.loc[present["verdict"] == "supported", "share"].sum()
        ),
        "merge_candidates": len(report.merge_candidates),
    }
    if report.outcomes is not None:
        for i, (name, out) in enumerate(report.outcomes.iterrows()):
            row[f"{name} effect"] = out["effect_size"]
            if i == 0:
                row[f"{name} effect_low"] = out["effect_low"]
                row[f"{name} effect_high"] = out["effect_high"]
            row[f"{name} measure"] = out["effect_measure"]
            row[f"{name} magnitude"] = out["magnitude"]
    row["verdict"] = report.verdict
    return row


@validate_params(
    {
        "segmentations": "no_validation",  # checked inside: a non-empty dict
        "X": "no_validation",  # read by the customer-table reader
        "outcome": "no_validation",
        "categorical": ["array-like", None],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "min_share": [Interval(Real, 0, 1, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "sample_size": [Interval(Integral, 2, None, closed="left"), None],
        "max_customers": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "return_reports": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def compare_segmentations(
    segmentations: Mapping[str, Any],
    X: TableLike,
    *,
    outcome: TableLike | None = None,
    categorical: Sequence[str] | None = None,
    n_bootstrap: int = 100,
    min_share: float = 0.02,
    alpha: float = 0.05,
    sample_size: int | None = 5000,
    random_state: int | np.random.RandomState | None = None,
    max_customers: int | None = 200_000,
    n_jobs: int | None = None,
    verbose: bool | int = False,
    return_reports: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, ValidationReport]]:
    """Validate several segmentations of the same customers and rank them.

    Each segmentation goes through :func:`custseg.validate_segmentation`
    with the same data, outcome and seed.

    Parameters
    ----------
    segmentations : dict of str to segmenter or array-like
        Name -> segmenter or plain labels.  Include baselines
        (:class:`custseg.RandomSegmenter`, :class:`custseg.QuantileSegmenter`).
    X : DataFrame or array-like of shape (n_customers, n_features)
        The customer table.
    outcome : Series, DataFrame or array-like, optional
        Later-period outcomes; the first one orders the ranking.
    categorical, n_bootstrap, min_share, alpha, sample_size, random_state, n_jobs
        As in :func:`custseg.validate_segmentation`.
    max_customers : int or None, default=200_000
        Above this many customers every segmentation is validated on the same
        seeded random sample of this size (segmenters are fitted on it), so
        that the bootstrap differences stay paired.
    verbose : bool, default=False
        Show a progress bar over the segmentations.
    return_reports : bool, default=False
        Also return the :class:`custseg.ValidationReport` of each segmentation.

    Returns
    -------
    table : pandas.DataFrame
        One row per segmentation (index ``segmentation``), sorted best first
        by the rule in ``table.attrs["sort_rule"]``: segmentations that are
        not "not supported" first; then the larger effect size of the first
        outcome (predictive validity is what makes segments useful); then
        the verdict (supported before partially supported), the mean
        stability and the silhouette.  Effect sizes tend to grow with the
        number of segments, so compare against the random baseline with the
        same number and sizes of segments.  Columns:
        ``segments`` (non-empty), ``smallest_share``, ``silhouette``,
        ``stability`` (mean over segments of the mean bootstrap Jaccard),
        ``supported_share`` (customers in supported segments),
        ``merge_candidates`` (pairs), per outcome ``"<outcome> effect"``,
        ``"<outcome> measure"`` and ``"<outcome> magnitude"``, for the first
        outcome its 95% bootstrap percentile interval
        (``"<outcome> effect_low"``, ``"<outcome> effect_high"``), and
        ``verdict``.  With an outcome and ``n_bootstrap > 0``, also the paired
        bootstrap interval of the leader's first-outcome effect minus this
        segmentation's (``difference_to_leader_low`` / ``_high``; every
        segmentation is validated on the same resamples of the same
        customers) and ``versus_leader``: ``"leader"``, ``"tied with the
        leader"`` when that interval contains 0, or ``"behind the leader"``.
    reports : dict of str to ValidationReport
        Only with ``return_reports=True``.

    Examples
    --------
    >>> from custseg import QuantileSegmenter, RandomSegmenter, compare_segmentations
    >>> from custseg.datasets import make_transactions
    >>> log, personas = make_transactions(400, random_state=0)
    >>> X = log.groupby("customer_id").agg(
    ...     frequency=("order_id", "nunique"), monetary=("amount", "sum"),
    ...     last=("date", "max"))
    >>> X["recency"] = (log["date"].max() - X.pop("last")).dt.days
    >>> table = compare_segmentations(
    ...     {"personas": personas, "spend thirds": QuantileSegmenter("monetary"),
    ...      "random": RandomSegmenter(3)}, X, n_bootstrap=10, random_state=0)
    >>> table[["segments", "verdict"]]
                  segments        verdict
    segmentation
    personas             5      supported
    spend thirds         3      supported
    random               3  not supported
    """
    _check(segmentations)
    table = read_table_for(X, "compare_segmentations", min_rows=2)
    if max_customers is not None and len(table) > max_customers:
        # one sample for all, so that the bootstrap differences stay paired
        rows = np.sort(
            np.random.RandomState(
                check_random_state(random_state).randint(2**31 - 1)
            ).choice(len(table), max_customers, replace=False)
        )
        X, outcome, segmentations = _subset(table, outcome, segmentations, rows)
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    rows, reports = {}, {}
    items = progress(
        segmentations.items(),
        total=len(segmentations),
        desc="compare segmentations",
        verbose=verbose,
    )
    for name, segmentation in items:
        report = validate_segmentation(
            segmentation,
            X,
            outcome=outcome,
            categorical=categorical,
            n_bootstrap=n_bootstrap,
            min_share=min_share,
            alpha=alpha,
            sample_size=sample_size,
            max_customers=None,
            random_state=seed,
            n_jobs=n_jobs,
            verbose=False,
        )
        rows[str(name)] = _row(report)
        reports[str(name)] = report
    table = _ranked(pd.DataFrame.from_dict(rows, orient="index"))
    table = _versus_leader(table, reports)
    table.attrs["sort_rule"] = SORT_RULE
    return (table, reports) if return_reports else table


def _check(segmentations):
    if not isinstance(segmentations, dict) or not segmentations:
        raise TypeError(
            "segmentations must be a non-empty dict mapping a name to a "
            f"segmenter or labels, got {type(segmentations).__name__}."
        )


def _subset(table, outcome, segmentations, rows):
    """X, outcome and plain labels restricted to the sampled rows."""

    def take(values, what):
        if values is None or hasattr(values, "fit"):
            return values
        return (
            align_rows(values, table, what).iloc[rows]
            if hasattr(values, "iloc")
            else np.asarray(values)[rows]
        )

    subset = {k: take(v, "segmentation") for k, v in segmentations.items()}
    return table.iloc[rows], take(outcome, "outcome"), subset


def _ranked(table):
    table.index.name = "segmentation"
    rank = table["verdict"].map({v: i for i, v in enumerate(VERDICTS)})
    keys = [(rank == VERDICTS.index("not supported")).astype(float)]
    effect = [c for c in table.columns if c.endswith(" effect")]
    if effect:
        keys.append(-table[effect[0]].astype(float).fillna(-np.inf))
    keys += [rank, -table["stability"].fillna(-np.inf)]
    keys.append(-table["silhouette"].fillna(-np.inf))
    order = np.lexsort([k.to_numpy(dtype=float) for k in reversed(keys)])
    return table.iloc[order]


def _versus_leader(table, reports):
    """Paired bootstrap difference of the first outcome's effect to the leader."""
    first = [r.outcome_replicates for r in reports.values()]
    if any(f is None or f.empty for f in first):
        return table
    outcome = first[0].columns[0]
    leader = table.index[0]
    lead = reports[leader].outcome_replicates[outcome].to_numpy()
    lows, highs, standing = [], [], []
    for name in table.index:
        other = reports[name].outcome_replicates
        if name == leader or outcome not in other:
            lows.append(np.nan), highs.append(np.nan)
            standing.append("leader" if name == leader else "n/a")
            continue
        low, high = percentile_interval(lead - other[outcome].to_numpy())
        lows.append(low), highs.append(high)
        if not np.isfinite(low):
            standing.append("n/a")
        elif low <= 0 <= high:
            standing.append("tied with the leader")
        else:
            standing.append("behind the leader" if low > 0 else "ahead of the leader")
    return table.assign(
        difference_to_leader_low=lows,
        difference_to_leader_high=highs,
        versus_leader=standing,
    )

"""Cut points fitted within groups (store, country): one fitted copy per group.

``RFMScorer(group_col=...)`` and ``UsageTiers(group_col=...)`` fit a copy of
themselves without ``group_col`` on each group's customers, so the result is
by construction the per-group loop a user would write.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from custseg._warnings import warn

__all__ = [
    "POOLED",
    "apply_by_group",
    "distinct_fits",
    "fit_by_group",
    "read_groups",
    "stack_labels",
]


def read_groups(
    named: bool, table: pd.DataFrame, group_col: str, owner: str
) -> np.ndarray:
    """The group of each row of ``table``, checked: a column with no missing value."""
    if not named:
        raise ValueError(
            f"{owner}: group_col={group_col!r} needs a table with named columns; "
            "got an array."
        )
    if group_col not in table.columns:
        raise ValueError(
            f"{owner}: group_col {group_col!r} is not a column of X (columns: "
            f"{list(table.columns)})."
        )
    groups = table[group_col]
    missing = int(groups.isna().sum())
    if missing:
        raise ValueError(
            f"{owner}: column {group_col!r} (group_col) has {missing} missing "
            "value(s); give those customers a group (e.g. 'Unknown') first."
        )
    return groups.to_numpy()


POOLED = "other groups"


def _fit(make, rows, what, owner):
    try:
        return make().fit(rows)
    except ValueError as error:
        raise ValueError(f"{owner}: {what} ({len(rows)} customers): {error}") from error


def fit_by_group(estimator: Any, table: Any) -> tuple[np.ndarray, dict, list]:
    """Fit a copy of ``estimator`` without ``group_col`` on each group's rows.

    Groups with fewer than ``estimator.min_group_size`` customers are fitted
    together (one fitted copy shared by all of them), with a warning: cut
    points learned on one or two customers put them all in one bin.  Returns
    the groups of the rows, the fitted copy of each group and the pooled
    groups.  Errors name the group.
    """
    owner, col = type(estimator).__name__, estimator.group_col
    frame = table.frame
    groups = read_groups(table.named, frame, col, owner)
    params = {**estimator.get_params(deep=False), "group_col": None}
    make = lambda: type(estimator)(**params)  # noqa: E731
    sizes = pd.Series(groups).value_counts(sort=False)
    minimum = estimator.min_group_size
    pooled = [g for g in pd.unique(groups) if sizes[g] < minimum]
    fitted = {}
    for group in pd.unique(groups):
        if sizes[group] >= minimum:
            what = f"group {group!r} of column {col!r}"
            fitted[group] = _fit(make, frame.loc[groups == group], what, owner)
    if pooled:
        rows = frame.loc[pd.Series(groups).isin(pooled).to_numpy()]
        what = (
            f"the {len(pooled)} group(s) of column {col!r} with fewer than "
            f"min_group_size={minimum} customers, pooled (e.g. {pooled[:5]}); "
            "lower min_group_size or merge groups"
        )
        pool = _fit(make, rows, what, owner)
        fitted.update(dict.fromkeys(pooled, pool))
        warn(
            f"{owner}: {len(pooled)} group(s) of column {col!r} have fewer than "
            f"min_group_size={minimum} customers ({len(rows)} customers in all, "
            f"e.g. {pooled[:5]}); they are fitted pooled together as "
            f"{POOLED!r} (pooled_groups_). Set min_group_size=1 to fit each apart."
        )
    return groups, fitted, pooled


def distinct_fits(fitted: dict, groups: np.ndarray, pooled: list):
    """``(key, fitted copy, row mask)`` per copy: the pooled groups once, as POOLED."""
    series = pd.Series(groups)
    for group, model in fitted.items():
        if group not in pooled:
            yield group, model, (series == group).to_numpy()
    if pooled:
        yield POOLED, fitted[pooled[0]], series.isin(pooled).to_numpy()


def stack_labels(fits: list, n_rows: int) -> np.ndarray:
    """The fitted ``labels_`` of each copy of :func:`distinct_fits`, in row order."""
    labels = np.empty(n_rows, dtype=np.int64)
    for _, model, mask in fits:
        labels[mask] = model.labels_
    return labels


def apply_by_group(
    fitted: dict[Any, Any],
    method: str,
    table: pd.DataFrame,
    groups: np.ndarray,
    *,
    owner: str,
    group_col: str,
) -> np.ndarray:
    """Stack ``getattr(fitted[g], method)(rows of g)`` back in row order."""
    present = pd.unique(groups)
    unseen = [g for g in present if g not in fitted]
    if unseen:
        raise ValueError(
            f"{owner}: column {group_col!r} has {len(unseen)} group(s) not seen in "
            f"fit, e.g. {unseen[:5]}; the cut points are fitted per group."
        )
    out = None
    for group in present:
        mask = groups == group
        part = np.asarray(getattr(fitted[group], method)(table.loc[mask]))
        if out is None:
            out = np.empty((len(table),) + part.shape[1:], dtype=part.dtype)
        out[mask] = part
    return out

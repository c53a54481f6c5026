"""Cut points fitted within groups (store, country): one fitted copy per group.

``RFMScorer(group_col=...)`` and ``UsageTiers(group_col=...)`` fit a copy of
themselves without ``group_col`` on each group's customers, so the result is
by construction the per-group loop a user would write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["apply_by_group", "fit_by_group", "read_groups"]


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


def fit_by_group(
    make: Callable[[], Any],
    table: pd.DataFrame,
    groups: np.ndarray,
    *,
    owner: str,
    group_col: str,
) -> dict[Any, Any]:
    """Fit ``make()`` on each group's rows; errors name the group."""
    fitted = {}
    for group in pd.unique(groups):
        rows = table.loc[groups == group]
        try:
            fitted[group] = make().fit(rows)
        except ValueError as error:
            raise ValueError(
                f"{owner}: group {group!r} of column {group_col!r} "
                f"({len(rows)} customers): {error}"
            ) from error
    return fitted


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

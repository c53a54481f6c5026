"""A suggested marketing action per segment, by a documented rule.

The rule reads three facts off each segment's profile, each against all
customers:

- *recent*: the segment's median recency is at most the median recency of all
  customers;
- *frequent*: its median frequency is above the median frequency of all
  customers;
- *valuable*: its share of revenue is at least its share of customers (without
  a monetary column: its median monetary is above the overall median).

and maps them to an action:

=========  =========  =========  ==============
recent     valuable   frequent   action
=========  =========  =========  ==============
yes        yes        yes        reward
yes        yes        no         retain
yes        no         yes        retain
yes        no         no         nurture
no         yes        either     win back
no         no         either     deprioritise
=========  =========  =========  ==============

Any segment's action can be replaced through a mapping ``{segment name:
action}``; the table then says the action was set by the user.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ACTIONS", "ACTION_RULE", "suggest_actions"]

ACTIONS = ("reward", "retain", "nurture", "win back", "deprioritise")

ACTION_RULE = (
    "recent and valuable and frequent: reward; recent and valuable, or recent "
    "and frequent: retain; recent only: nurture; not recent but valuable: win "
    "back; neither recent nor valuable: deprioritise. Recent: median recency at "
    "most that of all customers; frequent: median orders above that of all "
    "customers; valuable: share of revenue at least share of customers."
)


def _action(recent, valuable, frequent):
    if recent:
        if valuable and frequent:
            return "reward"
        if valuable or frequent:
            return "retain"
        return "nurture"
    return "win back" if valuable else "deprioritise"


def _why(recent, valuable, frequent):
    parts = [
        "bought recently" if recent else "has not bought for a while",
        "buys often" if frequent else "buys rarely",
        "brings more revenue than its size"
        if valuable
        else "brings less revenue than its size",
    ]
    return ", ".join(parts)


def suggest_actions(profiles, X, *, overrides=None):
    """One suggested action per non-empty segment (see the module docstring).

    Parameters
    ----------
    profiles : DataFrame
        A segmenter's ``profiles_`` (``name``, ``customers``, ``share``,
        ``revenue_share``, ``recency``, ``frequency``, ``monetary``).
    X : DataFrame
        The customer table the segments were fitted on (the medians of all
        customers come from it).
    overrides : mapping of str to str, default=None
        Segment name to the action to show instead of the rule's.

    Returns
    -------
    DataFrame
        Indexed by segment label: ``name``, ``action``, ``why``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"recency": [1, 2, 300, 400], "frequency": [9, 1, 8, 1],
    ...                   "monetary": [900.0, 10.0, 700.0, 5.0]})
    >>> profiles = pd.DataFrame({
    ...     "name": ["best", "new", "lapsing", "gone"], "customers": [1, 1, 1, 1],
    ...     "share": [0.25] * 4, "revenue_share": [0.56, 0.01, 0.43, 0.0],
    ...     "recency": [1, 2, 300, 400], "frequency": [9, 1, 8, 1],
    ...     "monetary": [900.0, 10.0, 700.0, 5.0]})
    >>> suggest_actions(profiles, X)["action"].tolist()
    ['reward', 'nurture', 'win back', 'deprioritise']
    >>> suggest_actions(profiles, X, overrides={"gone": "ignore"})["action"].tolist()
    ['reward', 'nurture', 'win back', 'ignore']
    """
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(map(str, profiles["name"])))
    if unknown:
        raise ValueError(
            f"actions names segment(s) {unknown} that are not in the segmentation; "
            f"its segments are {list(map(str, profiles['name']))}."
        )
    present = profiles[profiles["customers"] > 0]
    table = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)

    def above(column, *, strictly):
        if column not in present or column not in table:
            return pd.Series(False, index=present.index)
        overall = float(np.nanmedian(table[column].to_numpy(dtype=float)))
        values = present[column].astype(float)
        return values > overall if strictly else values >= overall

    recent = (
        ~above("recency", strictly=True)
        if "recency" in present
        else pd.Series(True, index=present.index)
    )
    frequent = above("frequency", strictly=True)
    if "revenue_share" in present:
        valuable = present["revenue_share"].astype(float) >= present["share"]
    else:
        valuable = above("monetary", strictly=True)
    rows = []
    for label in present.index:
        name = str(present.at[label, "name"])
        facts = (bool(recent[label]), bool(valuable[label]), bool(frequent[label]))
        if name in overrides:
            action, why = str(overrides[name]), "set by the user"
        else:
            action, why = _action(*facts), _why(*facts)
        rows.append({"name": name, "action": action, "why": why})
    return pd.DataFrame(rows, index=present.index)

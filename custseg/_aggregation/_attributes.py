"""Per-customer attributes (country, channel, ...) taken from the transaction log.

One narwhals implementation serves every engine (the pandas fast path hands
it a small pandas frame of its kept rows).  It uses only portable group-by
aggregates (len, max, min) and joins, like the aggregation itself.

Rules, per customer and attribute, over the customer's purchases kept by the
policies, missing values left out:

- ``"last"``: the value on the last purchase day (dates floored to the day,
  as for recency); when that day has several values, the most frequent of
  them, then the smallest;
- ``"mode"``: the most frequent value over all purchases; ties go to the value
  bought most recently, then to the smallest.

"Smallest" is the engine's ordering of the values (lexicographic for
strings), so the choice never depends on row order.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw

from custseg._aggregation._schema import AGG

__all__ = ["attribute_column", "attribute_values", "count_rows"]

_C, _DAY = AGG["customer"], AGG["day"]
_N, _LAST, _BEST, _BEST_LAST = "__cs_n_rows", "__cs_day_max", "__cs_best", "__cs_bl"


def attribute_column(i):
    """Internal name of the ``i``-th attribute column of a prepared log."""
    return f"__cs_attr_{i}"


def count_rows(frame):
    """Number of rows of a narwhals frame (collects a lazy one)."""
    out = frame.select(nw.len().alias("n"))
    if isinstance(out, nw.LazyFrame):
        out = out.collect()
    return int(out.item(0, "n"))


def _present(frame, column):
    expr = ~nw.col(column).is_null()
    if isinstance(frame.collect_schema()[column], (nw.Float32, nw.Float64)):
        expr = expr & ~nw.col(column).is_nan()
    return expr


def _keep_max(frame, value, alias):
    best = frame.group_by(_C).agg(nw.col(value).max().alias(alias))
    return frame.join(best, on=_C).filter(nw.col(value) == nw.col(alias)).drop(alias)


def attribute_values(rows, names, *, rule):
    """One value per customer for each attribute.

    Parameters
    ----------
    rows : native or narwhals frame
        The kept purchases: columns ``AGG["customer"]``, ``AGG["day"]`` and
        ``attribute_column(i)`` for each name.
    names : sequence of str
        The attributes' output names.
    rule : {"last", "mode"}

    Returns
    -------
    values : list of narwhals frames
        Per attribute, the customer and the chosen value (named as the
        attribute); customers with no value are absent.
    several : dict
        Per attribute, the number of customers with more than one value.
    """
    frame = rows if isinstance(rows, (nw.DataFrame, nw.LazyFrame)) else None
    if frame is None:
        frame = nw.from_native(rows)
    values, several = [], {}
    for i, name in enumerate(names):
        v = attribute_column(i)
        present = frame.select(_C, _DAY, v).filter(_present(frame, v))
        per_value = present.group_by(_C, v).agg(
            nw.len().alias(_N), nw.col(_DAY).max().alias(_LAST)
        )
        n_values = per_value.group_by(_C).agg(nw.len().alias(_BEST))
        several[name] = count_rows(n_values.filter(nw.col(_BEST) > 1))
        if rule == "last":
            candidates = (
                _keep_max(present, _DAY, _BEST_LAST)
                .group_by(_C, v)
                .agg(nw.len().alias(_N))
            )
            candidates = _keep_max(candidates, _N, _BEST)
        else:
            candidates = _keep_max(per_value, _N, _BEST)
            candidates = _keep_max(candidates, _LAST, _BEST_LAST)
        values.append(candidates.group_by(_C).agg(nw.col(v).min().alias(name)))
    return values, several

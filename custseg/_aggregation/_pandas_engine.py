"""Fast path of the aggregation for pandas transaction logs.

pandas' own group-by costs about three times DuckDB's time on a 10M-row log.
This module computes the same per-customer aggregates as
:func:`custseg._aggregation._narwhals_engine.aggregate_customers` with hash factorisation
(``pandas.factorize``) and numpy's ``bincount`` / ``ufunc.at`` on integer
codes, which is as fast as DuckDB on two cores.  Both paths are tested to give
identical results.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from custseg._aggregation._attributes import attribute_column, attribute_values
from custseg._aggregation._log_checks import (
    EPOCH_ORDINAL,
    LogAudit,
    check_columns_present,
    date_format_hint,
)
from custseg._aggregation._schema import AGG

__all__ = ["PandasLog", "day_ordinals"]


def day_ordinals(series, name):
    """Day ordinals (``date.toordinal()``) of a date column, and its missing mask."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)  # wall-clock day in the column's zone
    elif not pd.api.types.is_datetime64_any_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred == "string":
            try:
                series = pd.to_datetime(series, format="ISO8601")
            except (ValueError, TypeError) as exc:
                # pandas' own hint names arguments rfm_table does not have
                try:
                    parsed = pd.to_datetime(series, format="ISO8601", errors="coerce")
                except (ValueError, TypeError):  # several UTC offsets in one column
                    raise ValueError(
                        f"date column {name!r} cannot be read as one datetime column "
                        f"({exc}); convert it to one time zone (or to naive "
                        "timestamps) first."
                    ) from exc
                bad = series[parsed.isna() & series.notna()]
                example = bad.iloc[0] if len(bad) else series.dropna().iloc[0]
                raise ValueError(
                    f"date column {name!r} has strings that are not ISO-8601 dates. "
                    + date_format_hint(name, example)
                ) from exc
        elif inferred in ("date", "datetime", "datetime64", "empty"):
            try:
                series = pd.to_datetime(series)
            except (ValueError, TypeError) as exc:
                # e.g. time-zone-aware and naive timestamps mixed in one column
                raise ValueError(
                    f"date column {name!r} cannot be read as one datetime column "
                    f"({exc}); convert it to one time zone (or to naive "
                    "timestamps) first."
                ) from exc
        else:
            raise TypeError(
                f"date column {name!r} has dtype {dtype} (values of type {inferred}); "
                "expected datetime, date or ISO-8601 strings."
            )
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
    values = np.asarray(series.to_numpy())
    if values.dtype.kind != "M":
        # pandas 2 parses strings with several UTC offsets into an object column
        # of aware timestamps instead of raising, as pandas 3 does.
        try:
            values = pd.to_datetime(series).to_numpy()
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"date column {name!r} cannot be read as one datetime column ({exc});"
                " convert it to one time zone (or to naive timestamps) first."
            ) from exc
    missing = np.isnat(values)
    days = values.astype("datetime64[D]").view(np.int64) + EPOCH_ORDINAL
    # day ordinals fit in 32 bits; half the memory traffic in the group-bys
    return days.astype(np.int32), missing


def _amounts(series, name):
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise TypeError(
            f"amount column {name!r} has dtype {dtype}; expected a numeric dtype."
        )
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values, np.isnan(values)


class PandasLog:
    """A pandas transaction log as integer codes and numpy arrays.

    Implements :class:`custseg._aggregation._schema.TransactionLog`.
    """

    eager = True

    def __init__(self, frame, columns, *, attributes=()):
        check_columns_present(
            frame.columns,
            {
                **columns.as_params(),
                **{f"attributes[{i}]": a for i, a in enumerate(attributes)},
            },
        )
        used = {*columns.by_role().values(), *attributes}
        duplicated = sorted(
            {str(c) for c in frame.columns[frame.columns.duplicated()]} & used
        )
        if duplicated:
            raise ValueError(
                f"The transactions have several columns named {duplicated}; "
                "rename them so that each column name is unique."
            )
        self.columns = columns
        self.days, self.missing_date = day_ordinals(frame[columns.date], columns.date)
        self.amounts, self.missing_amount = _amounts(
            frame[columns.amount], columns.amount
        )
        self.codes, self.customers = _factorize(
            frame[columns.customer], columns.customer, "customer id"
        )
        self.order_codes = None
        if columns.order is not None:
            self.order_codes, _ = _factorize(
                frame[columns.order], columns.order, "order id"
            )
        # read only, never modified: the caller's columns
        self.attributes = {name: frame[name] for name in attributes}
        self.n_rows = len(frame)
        self._set_missing()

    def _set_missing(self):
        self.any_missing = bool(
            self.missing_date.any()
            or self.missing_amount.any()
            or (self.codes < 0).any()
            or (self.order_codes is not None and (self.order_codes < 0).any())
        )

    def restrict(self, *, after_day=None, through_day=None):
        """The rows dated in ``(after_day, through_day]`` (see ``TransactionLog``)."""
        mask = np.ones(self.n_rows, dtype=bool)
        if through_day is not None:
            mask &= self.missing_date | (self.days <= through_day)
        if after_day is not None:
            mask &= ~self.missing_date & (self.days > after_day)
        part = copy.copy(self)
        for name in ("days", "missing_date", "amounts", "missing_amount", "codes"):
            setattr(part, name, getattr(self, name)[mask])
        if self.order_codes is not None:
            part.order_codes = self.order_codes[mask]
        part.attributes = {k: v[mask] for k, v in self.attributes.items()}
        part.n_rows = int(np.count_nonzero(mask))
        part._set_missing()
        return part

    def _valid(self):
        if not self.any_missing:
            return np.ones(self.n_rows, dtype=bool)
        invalid = (self.codes < 0) | self.missing_date | self.missing_amount
        if self.order_codes is not None:
            invalid |= self.order_codes < 0
        return ~invalid

    def _keep(self, returns):
        keep = self._valid()
        if returns == "ignore":
            keep &= ~(self.amounts < 0)
        return keep

    def _purchases(self, reference_day, returns, net_returns):
        """Rows kept by the policies, and those among them that are purchases."""
        keep = self._keep(returns) & (self.days <= reference_day)
        purchase = keep & (self.amounts >= 0) if net_returns else keep
        return keep, purchase

    def customer_attributes(self, names, *, reference_day, returns, rule):
        """One value per customer and attribute (see ``attribute_values``)."""
        _, purchase = self._purchases(reference_day, returns, returns == "net")
        codes = self.codes[purchase]
        rows = pd.DataFrame(
            {
                AGG["customer"]: self.customers.take(codes),
                AGG["day"]: self.days[purchase],
                **{
                    attribute_column(i): self.attributes[name].to_numpy()[purchase]
                    for i, name in enumerate(names)
                },
            }
        )
        return attribute_values(rows, names, rule=rule)

    def audit(self, *, reference_day, returns):
        """Count rows by problem; the reference day defaults to the latest kept day."""
        valid = self._valid()
        keep = valid & ~(self.amounts < 0) if returns == "ignore" else valid
        with np.errstate(invalid="ignore"):
            negative = int(np.count_nonzero(valid & (self.amounts < 0)))
            infinite = int(np.count_nonzero(valid & np.isinf(self.amounts)))
        if reference_day is None and keep.any():
            everything = not self.any_missing and (returns != "ignore" or not negative)
            reference_day = int(
                self.days.max() if everything else self.days[keep].max()
            )
        overflow = not infinite and _sum_overflows(self.amounts, valid)
        after = 0
        if reference_day is not None:
            after = int(np.count_nonzero(keep & (self.days > reference_day)))
        audit = LogAudit(
            rows=self.n_rows,
            missing_customer=int(np.count_nonzero(self.codes < 0)),
            missing_date=int(np.count_nonzero(self.missing_date)),
            missing_amount=int(np.count_nonzero(self.missing_amount)),
            missing_order=0
            if self.order_codes is None
            else int(np.count_nonzero(self.order_codes < 0)),
            negative_amount=negative,
            infinite_amount=infinite,
            amount_overflow=int(overflow),
            after_reference=after,
            kept=int(np.count_nonzero(keep)) - after,
        )
        return audit, reference_day

    def aggregate_customers(
        self,
        *,
        reference_day,
        returns,
        net_returns,
        definition,
        period="D",
        active_days=False,
    ):
        """Per-customer aggregates (columns ``AGG[...]``) as a pandas DataFrame."""
        keep, purchase = self._purchases(reference_day, returns, net_returns)
        everything = bool(purchase.all())
        codes = self.codes if everything else self.codes[purchase]
        days = self.days if everything else self.days[purchase]
        amounts = self.amounts if everything else self.amounts[purchase]
        n_customers = len(self.customers)
        columns = {}
        if definition == "btyd":
            periods = days if period == "D" else (days - 1) // 7
            pair_customer, pair_period, pair_codes = _pairs(codes, periods)
            pair_total = np.bincount(
                pair_codes, weights=amounts, minlength=len(pair_customer)
            )
            n = np.bincount(pair_customer, minlength=n_customers)
            last, first = _max_min(pair_customer, pair_period, n_customers)
            total = np.bincount(
                pair_customer, weights=pair_total, minlength=n_customers
            )
            is_first = pair_period == first[pair_customer]
            columns[AGG["first_total"]] = np.bincount(
                pair_customer[is_first],
                weights=pair_total[is_first],
                minlength=n_customers,
            )
        else:
            if self.order_codes is not None:
                orders = self.order_codes if everything else self.order_codes[purchase]
                n = _distinct_per_customer(codes, orders, n_customers, nested_hint=True)
            else:
                n = np.bincount(codes, minlength=n_customers)
            last, first = _max_min(codes, days, n_customers)
            total = np.bincount(codes, weights=amounts, minlength=n_customers)
            if active_days:
                columns[AGG["active"]] = _distinct_per_customer(
                    codes, days, n_customers
                )
        columns.update(
            {AGG["last"]: last, AGG["first"]: first, AGG["n"]: n, AGG["total"]: total}
        )
        present = n > 0
        n_returns_only = 0
        if net_returns:
            is_return = keep & (self.amounts < 0)
            returned = np.bincount(
                self.codes[is_return],
                weights=self.amounts[is_return],
                minlength=n_customers,
            )
            has_return = np.bincount(self.codes[is_return], minlength=n_customers) > 0
            n_returns_only = int(np.count_nonzero(has_return & ~present))
            columns[AGG["returned"]] = returned
        out = pd.DataFrame({AGG["customer"]: self.customers[present]})
        for name, values in columns.items():
            out[name] = values[present]
        return out, n_returns_only


def _sum_overflows(amounts, valid, chunk=1 << 20):
    """Whether the absolute total of the valid amounts overflows float64.

    A cheap bound (largest magnitude times the number of rows) settles the
    usual case without a temporary array; only when the bound is too large is
    the exact total summed, chunk by chunk.
    """
    if amounts.size == 0:
        return False
    # fmax/fmin skip NaN without nanmax's "All-NaN slice" warning
    high, low = np.fmax.reduce(amounts), np.fmin.reduce(amounts)
    if np.isnan(high):
        return False
    with np.errstate(over="ignore"):  # the bound itself may overflow: inf
        bound = max(abs(high), abs(low)) * amounts.size
    if bound < np.finfo(np.float64).max:
        return False
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, amounts.size, chunk):
            part = amounts[start : start + chunk][valid[start : start + chunk]]
            total += float(np.abs(part).sum())
    return not np.isfinite(total)


def _factorize(series, name="customer_id", what="customer id"):
    """Integer codes of a column (-1 where missing) and the distinct values.

    Integer ids within a compact range are coded by their offset from the
    smallest id, without hashing, which is several times faster than
    ``pandas.factorize``; the distinct values are then the whole range, some
    of them unused.  Anything else is hashed into dense codes.

    Raises
    ------
    TypeError
        The ids are unhashable, or mix types that cannot be ordered (``1``
        and ``"1"``): the message names the column.
    """
    numpy_int = isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu"
    values = series.to_numpy() if numpy_int else None
    if values is not None and values.size:
        low = values.min()
        span = int(values.max()) - int(low) + 1
        if span <= 2 * values.size + 1024:
            # the offset is the code; offsets no row uses are customers with
            # no order, which the aggregation leaves out.  The subtraction
            # stays in the column's own dtype (no overflow: every value is at
            # least the smallest), so ids near 2**63 or above it (uint64)
            # never pass through float or a wider Python int
            codes = (values - low).astype(np.int64, copy=False)
            uniques = np.arange(span, dtype=values.dtype) + low
            return codes, pd.Index(uniques, dtype=series.dtype)
    try:
        codes, uniques = pd.factorize(series)
    except TypeError as exc:
        raise TypeError(
            f"{what} column {name!r} has values that cannot be compared as ids "
            f"({exc}); use int or str ids."
        ) from exc
    if series.dtype == object and len(uniques):
        kinds = pd.api.types.infer_dtype(uniques, skipna=True)
        if kinds.startswith("mixed") and kinds != "mixed-integer-float":
            types = sorted({type(v).__name__ for v in uniques})
            raise TypeError(
                f"{what} column {name!r} mixes value types {types}: the same id "
                "stored as int and str would count as two customers; convert "
                "the column to one type first."
            )
    return codes, uniques


def _max_min(codes, values, n_groups):
    limits = np.iinfo(values.dtype)
    last = np.full(n_groups, limits.min, dtype=values.dtype)
    first = np.full(n_groups, limits.max, dtype=values.dtype)
    np.maximum.at(last, codes, values)
    np.minimum.at(first, codes, values)
    return last, first


def _pairs(codes, values):
    """Distinct (code, value) pairs: the code and value of each, and each row's pair."""
    low = int(values.min()) if values.size else 0
    span = (int(values.max()) - low + 1) if values.size else 1
    keys = codes.astype(np.int64) * span + (values - low)
    pair_codes, unique_keys = pd.factorize(keys)
    unique_keys = np.asarray(unique_keys)
    return unique_keys // span, unique_keys % span + low, pair_codes


def _distinct_per_customer(codes, values, n_customers, *, nested_hint=False):
    """Number of distinct ``values`` per customer code (values are int codes)."""
    if values.size == 0:
        return np.zeros(n_customers, dtype=np.int64)
    if nested_hint and int(values.min()) >= 0:
        # order ids usually belong to one customer: then distinct pairs are
        # distinct orders, found without hashing the pairs
        owner = np.full(int(values.max()) + 1, -1, dtype=np.int64)
        owner[values[::-1]] = codes[::-1]
        if np.array_equal(owner[values], codes):
            owned = owner[owner >= 0]
            return np.bincount(owned, minlength=n_customers)
    pair_customer, _, _ = _pairs(codes, values)
    return np.bincount(pair_customer, minlength=n_customers)

"""The one reader of customer tables for every custseg estimator.

:func:`read_customer_table` converts the input once (:func:`as_pandas_table`),
refuses empty tables and transaction logs, records or checks the columns an
estimator reads (``feature_names_in_``, ``n_features_in_``) and reads them as
checked floats (:func:`check_numeric_columns`): a table by column name (other
columns are never read), an array by position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

from custseg._tables._columns import check_numeric_columns
from custseg._tables._convert import as_pandas_table, is_dataframe_library_object

__all__ = [
    "CustomerTable",
    "read_customer_table",
    "read_table_for",
    "resample_rows",
    "reset_fitted_attributes",
]

# marks a bootstrap resample, which repeats customers by design
_RESAMPLE = "custseg_resample"

# column names under which a transaction log keeps its customer ids
_CUSTOMER_KEYS = {"id", "customer", "customerid", "client", "clientid", "userid",
                  "user", "accountid", "memberid", "member"}  # fmt: skip


def _is_customer_key(name):
    return str(name).lower().replace("_", "").replace(" ", "") in _CUSTOMER_KEYS


@dataclass
class CustomerTable:
    """A customer table as read by :func:`read_customer_table`.

    Attributes
    ----------
    frame : pandas.DataFrame
        The whole table in original units, string column names; a pandas
        input keeps its index (customer ids), an array gets ``x0, x1, ...``
        (or the names a segmenter gives array columns).
    columns : list of str
        The input columns the segmenter reads (``feature_names_in_``).
    values : ndarray of float64 of shape (n_customers, len(columns)) or None
        Those columns, checked numeric and finite (``None`` for a segmenter
        that reads no value).
    named : bool
        Whether the input had column names (a DataFrame), not an array.
    """

    frame: pd.DataFrame
    columns: list
    values: np.ndarray | None
    named: bool


def resample_rows(frame, rows):
    """Rows of a customer table drawn with replacement, for a bootstrap refit.

    A resample repeats customers by design; it is marked so that the reader
    does not take it for a transaction log (a customer-id column that repeats).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customer_id": ["a", "b"], "x": [1.0, 2.0]})
    >>> resample_rows(table, [0, 0])["customer_id"].tolist()
    ['a', 'a']
    """
    out = frame.iloc[rows].reset_index(drop=True)
    out.attrs = {**out.attrs, _RESAMPLE: True}  # a new dict: frame's is unchanged
    return out


def _refuse_transaction_log(frame, owner):
    if frame.attrs.get(_RESAMPLE):
        return
    keys = [(c, frame[c]) for c in frame.columns if _is_customer_key(c)]
    if frame.index.name is not None and _is_customer_key(frame.index.name):
        keys.append((frame.index.name, frame.index.to_series()))
    for name, ids in keys:
        repeats = int(ids.duplicated().sum())
        if repeats:
            raise ValueError(
                f"{owner}: X looks like a transaction log, not a customer table: "
                f"{name!r} repeats {repeats} customer id(s) ({len(ids)} rows for "
                f"{len(ids) - repeats} customers). Aggregate it to one row per "
                "customer first, e.g. with custseg.rfm_table."
            )


def read_table_for(X, owner, *, min_rows=1):
    """Read a customer table for a function (not an estimator), with the same policy.

    The table is converted once (:func:`as_pandas_table`: any container, lazy
    frames collected once, duplicate column names refused); fewer than
    ``min_rows`` customers and a transaction log (a customer-id column or
    index that repeats ids) are refused, as :func:`read_customer_table` does
    for estimators.  Which columns are read, and how, is the caller's policy.

    Parameters
    ----------
    X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
    owner : str
        The function's name, prefixing the error messages.
    min_rows : int, optional

    Returns
    -------
    pandas.DataFrame
        A new object (the caller's is never modified).

    Examples
    --------
    >>> import pandas as pd
    >>> read_table_for(pd.DataFrame({"customer_id": [1, 1]}), "f")
    Traceback (most recent call last):
    ...
    ValueError: f: X looks like a transaction log, not a customer table: ...
    """
    frame = as_pandas_table(X)
    if len(frame) < min_rows:
        raise ValueError(
            f"{owner}: X has {len(frame)} row(s); at least {min_rows} customer(s) "
            "needed."
        )
    if _is_table(X):
        _refuse_transaction_log(frame, owner)
    return frame


def _array_frame(estimator, X, owner):
    array = check_array(
        X, dtype=None, ensure_all_finite=False, estimator=owner, input_name="X"
    )
    names = estimator._array_columns(array.shape[1])
    return pd.DataFrame(
        array, columns=names or [f"x{i}" for i in range(array.shape[1])]
    )


def _is_table(X):
    # no hasattr(X, "columns"): on a polars LazyFrame it resolves the schema
    if isinstance(X, np.ndarray | list | tuple):
        return False
    return isinstance(X, pd.DataFrame | pd.Series) or is_dataframe_library_object(X)


def read_customer_table(estimator, X, *, reset):
    """Read a customer table for a segmenter (or a transformer) once, with one policy.

    ``reset=True`` (fit) asks the estimator which columns it reads
    (``_input_columns(frame, named=...)``) and records ``feature_names_in_`` (tables)
    and ``n_features_in_``; ``reset=False`` (predict) checks ``X`` against
    them.  Tables are read by column name (extra columns are never read),
    arrays by position.  The columns read must be numeric and finite unless
    the estimator's ``_reads_values`` is False.

    Parameters
    ----------
    estimator : estimator with ``_input_columns`` and ``_array_columns``
    X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
    reset : bool

    Returns
    -------
    CustomerTable
    """
    owner = type(estimator).__name__
    named = _is_table(X)
    frame = as_pandas_table(X) if named else _array_frame(estimator, X, owner)
    if len(frame) == 0:
        raise ValueError(f"{owner}: X has 0 rows (0 samples); nothing to segment.")
    if named:
        _refuse_transaction_log(frame, owner)
    if reset:
        columns = [str(c) for c in estimator._input_columns(frame, named=named)]
        estimator.n_features_in_ = len(columns) if named else frame.shape[1]
        if named:
            estimator.feature_names_in_ = np.asarray(columns, dtype=object)
        estimator._columns_read_ = columns
    else:
        columns = estimator._columns_read_
        fitted_named = hasattr(estimator, "feature_names_in_")
        if named != fitted_named or not named:
            width = estimator.n_features_in_
            if frame.shape[1] != width:
                raise ValueError(
                    f"X has {frame.shape[1]} features, but {owner} is expecting "
                    f"{width} features as input."
                )
            if fitted_named:  # an array after a table: read in the fitted order
                frame.columns = columns
            elif named:  # a table after an array: read by position
                frame.columns = _array_frame(
                    estimator, np.zeros((1, width)), owner
                ).columns
    values = None
    if getattr(estimator, "_reads_values", True):
        values = check_numeric_columns(
            frame,
            columns,
            owner=owner,
            hint="Set the column parameters to the names your table uses.",
        )
    return CustomerTable(frame, columns, values, named)


def reset_fitted_attributes(estimator):
    """Delete every fitted attribute (``name_``), so a refit leaves no stale state."""
    for name in [
        k for k in vars(estimator) if k.endswith("_") and not k.startswith("__")
    ]:
        delattr(estimator, name)

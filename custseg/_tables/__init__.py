"""Reading customer tables: the one reader every customer-table entry point uses.

Customer tables (one row per customer) arrive as pandas, polars, pyarrow,
DuckDB, Dask or Spark frames (eager or lazy, e.g. what ``rfm_table`` returns
for each engine) or as numpy arrays.  This package turns them into pandas
(:func:`as_pandas_table`; lazy frames collected once through narwhals), reads
named columns as numbers with one policy (:func:`check_numeric_columns`),
aligns labels given beside a table (:func:`align_labels`) and reads a table
for an estimator (:func:`read_customer_table`).  It imports nothing else of
custseg.
"""

from custseg._tables._categories import category_modes
from custseg._tables._columns import (
    check_numeric_columns,
    column_as_float,
    is_numeric_column,
)
from custseg._tables._convert import as_pandas_table, duplicated_names, looks_like_id
from custseg._tables._labels import align_labels, align_to_table
from custseg._tables._reader import (
    CustomerTable,
    read_customer_table,
    reset_fitted_attributes,
)
from custseg._tables._typing import ArrayLike, DateLike, TableLike

__all__ = [
    "ArrayLike",
    "CustomerTable",
    "DateLike",
    "TableLike",
    "align_labels",
    "align_to_table",
    "as_pandas_table",
    "category_modes",
    "check_numeric_columns",
    "column_as_float",
    "duplicated_names",
    "is_numeric_column",
    "looks_like_id",
    "read_customer_table",
    "reset_fitted_attributes",
]

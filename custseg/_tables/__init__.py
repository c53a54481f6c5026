"""Reading customer tables: the one reader every customer-table entry point uses.

Customer tables (one row per customer) arrive as pandas, polars, pyarrow,
DuckDB, Dask or Spark frames (eager or lazy, e.g. what ``rfm_table`` returns
for each engine) or as numpy arrays.  This package turns them into pandas
(:func:`as_pandas_table`; lazy frames collected once through narwhals), reads
named columns as numbers with one policy (:func:`check_numeric_columns`),
aligns labels and outcomes given beside a table (:func:`align_rows`,
:func:`align_labels`, :func:`encode_labels`) and reads a table for an
estimator (:func:`read_customer_table`) or for a function
(:func:`read_table_for`).  It imports nothing else of
custseg.
"""

from custseg._tables._categories import MISSING_LEVEL, category_modes, level_codes
from custseg._tables._columns import (
    check_numeric_columns,
    column_as_float,
    finite_floats,
    is_numeric_column,
)
from custseg._tables._convert import as_pandas_table, duplicated_names, looks_like_id
from custseg._tables._labels import (
    align_labels,
    align_rows,
    align_to_table,
    encode_labels,
    label_series,
    refuse_missing_labels,
)
from custseg._tables._reader import (
    CustomerTable,
    read_customer_table,
    read_table_for,
    resample_rows,
    reset_fitted_attributes,
)
from custseg._tables._typing import ArrayLike, DateLike, TableLike

__all__ = [
    "MISSING_LEVEL",
    "ArrayLike",
    "CustomerTable",
    "DateLike",
    "TableLike",
    "align_labels",
    "align_rows",
    "align_to_table",
    "as_pandas_table",
    "category_modes",
    "check_numeric_columns",
    "column_as_float",
    "duplicated_names",
    "encode_labels",
    "finite_floats",
    "is_numeric_column",
    "label_series",
    "level_codes",
    "looks_like_id",
    "read_customer_table",
    "read_table_for",
    "resample_rows",
    "refuse_missing_labels",
    "reset_fitted_attributes",
]

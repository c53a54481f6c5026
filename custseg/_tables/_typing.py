"""Type aliases shared by the public signatures.

custseg reads tables from many containers (pandas, polars eager or lazy,
pyarrow, DuckDB relations, Dask, Spark, numpy) through narwhals, and none of
them shares a base class, so a table argument is typed as :data:`TableLike`,
an alias of ``Any`` whose name says what is expected.  ``ArrayLike`` is
numpy's: anything :func:`numpy.asarray` accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

#: A table in any container custseg reads: pandas, polars (eager or lazy),
#: pyarrow, DuckDB, Dask, Spark, or a 2-D numpy array.
TableLike: TypeAlias = Any

#: A day: an ISO string, a ``datetime.date`` / ``datetime.datetime`` (pandas
#: Timestamps included) or a ``numpy.datetime64``.
DateLike: TypeAlias = str | date | np.datetime64

__all__ = ["ArrayLike", "DateLike", "TableLike"]

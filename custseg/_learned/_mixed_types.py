"""Mixed numeric and categorical features: selection and encoding for clustering.

A customer table often holds attributes beside behaviour: a country, a
channel, a gender, a 0/1 flag.  :func:`select_mixed_features` picks the
feature columns (a non-numeric column is used when it is listed and named in
a warning when it is not, never dropped silently) and :class:`MixedEncoder`
turns them into one numeric matrix in which every variable weighs about the
same:

- numeric columns go through :class:`LogRobustScaler` (log of skewed money
  columns, then median / IQR scaling);
- each categorical column (text, category, boolean, or a numeric column whose
  only values are 0 and 1) becomes a one-hot block, scaled so that the block's
  total variance equals the median variance of the scaled numeric columns
  (1 when there is none), times ``categorical_weight`` (default 0.35).  A
  categorical thus weighs the same whatever its number of levels; without the scaling a
  0/1 flag scaled like a number (IQR 0, standard deviation 0.3) dominates
  every distance.

Rules: a missing value in a categorical column is a level of its own,
``"(missing)"``.  A level not seen in ``fit`` gets an all-zero block at
``transform`` (equally far from every known level) and a warning counts the
rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._learned._preprocessing import RFM
from custseg._tables import MISSING_LEVEL, check_numeric_columns, looks_like_id
from custseg._warnings import warn

__all__ = [
    "MISSING_LEVEL",
    "feature_block",
    "is_categorical",
    "mixed_table",
    "read_features",
    "select_mixed_features",
]


def _is_binary_number(series):
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    # min and max first: a quantity is told from a flag without hashing it
    low, high = series.min(), series.max()
    if not (low in (0, 1) and high in (0, 1)):
        return False
    values = series.dropna().unique()
    return values.size > 0 and bool(np.isin(values, (0, 1)).all())


def _object_numbers(series):
    """For an object column: how many non-missing values are numbers, of how many."""
    # parsed once per distinct value: a million rows hold few distinct levels
    counts = series.value_counts(dropna=True)
    numbers = pd.to_numeric(counts.index.to_series(), errors="coerce").notna()
    return int(counts[numbers.to_numpy()].sum()), int(counts.sum())


def is_categorical(series):
    """Whether a column is clustered as categories rather than as a number.

    Text, ``category``, boolean and 0/1 numeric columns are categorical; a
    0/1 column is a flag (present / absent), not a quantity.

    Examples
    --------
    >>> import pandas as pd
    >>> [is_categorical(pd.Series(v)) for v in (["a", "b"], [True, False],
    ...                                         [0, 1, 1], [0.5, 2.0])]
    [True, True, True, False]
    """
    if pd.api.types.is_bool_dtype(series) or _is_binary_number(series):
        return True
    if pd.api.types.is_object_dtype(series):
        numbers, total = _object_numbers(series)
        return numbers < total or total == 0
    return not pd.api.types.is_numeric_dtype(series)


_NUMBER_TEXT = r"^\s*[-+]?[$£€¥]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*$"


def _check_not_numbers_as_text(series, name, owner):
    """A text column of amounts ("$12.50", "1,234") is a number gone wrong."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return
    if isinstance(series.dtype, pd.CategoricalDtype):
        return
    values = pd.Series(series.dropna().unique()).astype(str)  # distinct values
    if values.size and values.str.match(_NUMBER_TEXT).all():
        raise TypeError(
            f"{owner}: column {name!r} holds numbers written as text (e.g. "
            f"{values.iloc[0]!r}); convert it to a numeric dtype to use it as a "
            "quantity, or to 'category' to use it as categories."
        )


def _check_not_date(table, columns):
    dates = [c for c in columns if pd.api.types.is_datetime64_any_dtype(table[c])]
    if dates:
        raise TypeError(
            f"features {dates} hold dates, which are neither numbers nor "
            "categories: convert them first (e.g. to days since a reference day)."
        )


def select_mixed_features(table, features=None, *, owner="CustomerSegmenter"):
    """Names of the feature columns of a customer table, numeric or categorical.

    Parameters
    ----------
    table : pandas.DataFrame
        The customer table; its index (customer ids) is never a feature.
    features : sequence of str, optional
        Columns to use, numeric or categorical.  Default: ``recency``,
        ``frequency`` and ``monetary`` when all are present, else every
        numeric column whose name does not look like an identifier.  Then
        every non-numeric column that is not an identifier and not used is
        named in a warning, so an attribute is never dropped silently.
    owner : str, default="CustomerSegmenter"
        Prefix of the messages.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        A named column is missing, a numeric one has missing or infinite
        values, or no column is left.
    TypeError
        A named column holds dates.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customer_id": [1, 2], "age": [30, 40],
    ...                       "city": ["a", "b"]})
    >>> select_mixed_features(table, ["age", "city"])
    ['age', 'city']
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     select_mixed_features(table)
    ['age']
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    CustomerSegmenter: column(s) ['city'] are not numeric and were not used as
    features; list them in features=[...] to cluster on them.
    """
    if features is None:
        if all(f in table for f in RFM):
            features = list(RFM)
            # behaviour columns are quantities: text there is an error
            check_numeric_columns(table, features, owner=owner)
        else:
            features = [
                str(c)
                for c in table.columns
                if pd.api.types.is_numeric_dtype(table[c])
                and not pd.api.types.is_bool_dtype(table[c])
                and not looks_like_id(c)
            ]
        unused = [
            str(c)
            for c in table.columns
            if str(c) not in features
            and not looks_like_id(c)
            and (
                not pd.api.types.is_numeric_dtype(table[c])
                or pd.api.types.is_bool_dtype(table[c])
            )
        ]
        if unused:
            warn(
                f"{owner}: column(s) {unused} are not numeric and were not used "
                "as features; list them in features=[...] to cluster on them."
            )
        if not features:
            raise ValueError(f"{owner}: X has no numeric column to use as a feature.")
    features = [str(f) for f in features]
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise ValueError(
            f"{owner}: column(s) {missing} not found in X; its columns are "
            f"{list(table.columns)}."
        )
    _check_not_date(table, features)
    for f in features:
        _check_not_numbers_as_text(table[f], f, owner)
        if pd.api.types.is_object_dtype(table[f]):
            numbers, total = _object_numbers(table[f])
            if 0 < numbers < total:
                raise TypeError(
                    f"{owner}: column {f!r} must be numeric or categorical, but it "
                    f"mixes {numbers} numbers with {total - numbers} text value(s); "
                    "clean it first."
                )
    numeric = [f for f in features if not is_categorical(table[f])]
    check_numeric_columns(table, numeric, owner=owner)
    return features


def mixed_table(table):
    """Whether a feature table has a categorical column (see :func:`is_categorical`)."""
    return any(is_categorical(table[c]) for c in table.columns)


def feature_block(frame, columns, named=True):
    """The features a segmenter clusters on, checked.

    A float array when every column is numeric (or the input was an array,
    read by position: arrays hold numbers only), else the DataFrame of the
    columns, for :class:`MixedEncoder`.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"CustomerSegmenter: column(s) {missing} not found in X; its columns "
            f"are {list(frame.columns)}."
        )
    table = frame[list(columns)]
    if named and mixed_table(table):
        numeric = [c for c in table.columns if not is_categorical(table[c])]
        check_numeric_columns(table, numeric, owner="CustomerSegmenter")
        return table
    return check_numeric_columns(table, list(columns), owner="CustomerSegmenter")


def read_features(table):
    """:func:`feature_block` of a :class:`custseg._tables.CustomerTable`."""
    return feature_block(table.frame, table.columns, table.named)

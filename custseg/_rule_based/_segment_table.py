"""segment_table: one row per customer with its segment (and RFM scores and code)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from custseg._rule_based._scoring import METRICS, customer_ids
from custseg._sklearn_compat import HasMethods, validate_params
from custseg._tables import as_pandas_table, looks_like_id

__all__ = ["segment_table"]


def _fitted(segmenter: Any, X: Any) -> tuple[Any, np.ndarray]:
    """The fitted segmenter and the labels of ``X``."""
    try:
        check_is_fitted(segmenter)
    except NotFittedError:
        fitted = clone(segmenter).fit(X)
        return fitted, np.asarray(fitted.labels_)
    return segmenter, np.asarray(segmenter.predict(X))


def _rfm_columns(segmenter: Any, X: Any, table: pd.DataFrame) -> dict[str, Any]:
    """Values, scores and code of an RFM segmenter's customers."""
    scorer = getattr(segmenter, "scorer_", None)
    columns: dict[str, Any] = {}
    if scorer is not None:
        names = [scorer.recency_col, scorer.frequency_col, scorer.monetary_col]
        if all(name in table.columns for name in names):
            for name in names:
                columns[name] = table[name].to_numpy()
        scores = np.asarray(scorer.transform(X), dtype=np.int64)
    else:  # passthrough: the table holds the scores
        scores = table[[f"{m}_score" for m in METRICS]].to_numpy(dtype=np.int64)
    for j, metric in enumerate(METRICS):
        columns[f"{metric}_score"] = scores[:, j]
    # one digit per score up to 9 bins ("545"); beyond, scores joined by "-"
    sep = "" if segmenter.n_bins_ <= 9 else "-"
    columns["rfm_code"] = [sep.join(map(str, row)) for row in scores.tolist()]
    return columns


@validate_params(
    {"segmenter": [HasMethods(["fit", "predict"])], "X": "no_validation"},
    prefer_skip_nested_validation=True,
)
def segment_table(segmenter: Any, X: Any) -> Any:
    """One row per customer: its segment label and name (and RFM scores and code).

    The per-customer table that PyMC-Marketing's ``rfm_segments`` and
    openretailscience's ``RFMSegmentation.df`` return, for any custseg
    segmenter.

    Parameters
    ----------
    segmenter : segmenter
        Any custseg segmenter (``RFMSegmenter``, ``UsageTiers``,
        ``CustomerSegmenter``, ...).  A fitted one labels ``X`` with
        ``predict``; an unfitted one is cloned and fitted on ``X`` (the
        object passed in is left unfitted).
    X : DataFrame or array-like of shape (n_customers, n_features)
        The customer table.

    Returns
    -------
    pandas.DataFrame or polars.DataFrame
        Indexed by customer id (the table's index, or its id-like column such
        as ``customer_id``; the row number for arrays), with ``label`` and
        ``segment`` (the name).  For an :class:`~custseg.RFMSegmenter`, also
        the recency, frequency and monetary values it read (not with
        ``scorer="passthrough"``), the three scores and ``rfm_code`` such as
        ``"545"`` (scores joined by ``"-"`` beyond 9 bins).  A polars input
        gives a polars frame with the id as its first column.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import RFMScorer, RFMSegmenter, segment_table
    >>> customers = pd.DataFrame(
    ...     {"recency": [2, 10, 40, 90, 300, 5],
    ...      "frequency": [9, 4, 3, 1, 1, 6],
    ...      "monetary": [900.0, 120.0, 80.0, 15.0, 20.0, 400.0]},
    ...     index=pd.Index(list("abcdef"), name="customer_id"))
    >>> seg = RFMSegmenter(n_bins=3, rules={"Best": {"recency": (3, 3)},
    ...                                     "Rest": {"recency": (1, 2)}})
    >>> segment_table(seg, customers)[["segment", "rfm_code"]]
                segment rfm_code
    customer_id
    a              Best      333
    b              Rest      222
    c              Rest      222
    d              Rest      111
    e              Rest      111
    f              Best      333
    """
    fitted, labels = _fitted(segmenter, X)
    table = as_pandas_table(X)
    ids = customer_ids(table)
    index_name = table.index.name
    if index_name is None:
        index_name = next(
            (name for name in table.columns if looks_like_id(name)), "customer"
        )
    names = np.asarray(fitted.segment_names_, dtype=object)
    columns: dict[str, Any] = {"label": labels, "segment": names[labels]}
    if hasattr(fitted, "n_bins_") and hasattr(fitted, "scorer_"):
        columns.update(_rfm_columns(fitted, X, table))
    out = pd.DataFrame(columns, index=pd.Index(ids, name=index_name))
    if type(X).__module__.split(".")[0] == "polars":
        import polars as pl

        return pl.from_pandas(out.reset_index())
    return out

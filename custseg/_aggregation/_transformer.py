"""The RFM aggregation as a scikit-learn transformer (first Pipeline step)."""

from __future__ import annotations

from typing import Any, Literal, Self

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from custseg._aggregation import _narwhals_engine as _dataframe
from custseg._aggregation._log_checks import day_number, ordinal_to_timestamp
from custseg._aggregation._rfm import (
    aggregate,
    check_settings,
    feature_names,
    open_audited_log,
)
from custseg._aggregation._schema import AGGREGATION_CONSTRAINTS, AGGREGATION_PARAMS
from custseg._sklearn_compat import fit_context, transform_output_setting
from custseg._tables import DateLike, TableLike

__all__ = ["RFMTransformer", "rfm_transformer_from"]


class RFMTransformer(TransformerMixin, BaseEstimator):
    """The RFM aggregation as the first step of a scikit-learn Pipeline.

    ``fit`` learns the reference date (the latest transaction day, unless
    ``reference_date`` is given); ``transform`` aggregates a transaction log
    into one row per customer with :func:`rfm_table`, as of that date, so a
    fitted pipeline scores a later log on the same "as of" day unless refit.
    Unlike most transformers it changes the number of rows: transactions in,
    customers out.

    Parameters
    ----------
    customer_col, date_col, amount_col, order_col, reference_date, definition, \
monetary, extra_features, period, time_scaler, include_first_transaction, \
attributes, attribute_rule, returns, missing
        As in :func:`rfm_table`.

    Attributes
    ----------
    reference_date_ : pandas.Timestamp
        The reference day used by ``transform``.
    feature_names_out_ : ndarray of str
        Names of the output columns.
    n_features_in_ : int
        Number of columns of the transaction log seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the transaction log seen in ``fit``.

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from custseg import RFMTransformer
    >>> from custseg.datasets import make_transactions
    >>> log, personas = make_transactions(300, random_state=0)
    >>> rfm = RFMTransformer(order_col="order_id")
    >>> customers = rfm.fit_transform(log)
    >>> customers.shape
    (300, 3)
    >>> rfm.get_feature_names_out().tolist()
    ['recency', 'frequency', 'monetary']
    >>> pipe = make_pipeline(RFMTransformer(), StandardScaler(), KMeans(5, random_state=0))
    >>> pipe.fit_predict(log).shape
    (300,)
    """

    _parameter_constraints = dict(AGGREGATION_CONSTRAINTS)

    def __init__(
        self,
        *,
        customer_col: str = "customer_id",
        date_col: str = "date",
        amount_col: str = "amount",
        order_col: str | None = None,
        reference_date: DateLike | None = None,
        definition: Literal["classic", "btyd"] = "classic",
        monetary: Literal["sum", "mean"] = "sum",
        extra_features: list[str] | tuple[str, ...] | Literal["all"] | None = None,
        period: Literal["D", "W"] = "D",
        time_scaler: float = 1.0,
        include_first_transaction: bool = False,
        attributes: list[str] | tuple[str, ...] | None = None,
        attribute_rule: Literal["last", "mode"] = "last",
        returns: Literal["net", "ignore", "raise"] = "net",
        missing: Literal["drop", "raise"] = "drop",
    ) -> None:
        self.customer_col = customer_col
        self.date_col = date_col
        self.amount_col = amount_col
        self.order_col = order_col
        self.reference_date = reference_date
        self.definition = definition
        self.monetary = monetary
        self.extra_features = extra_features
        self.period = period
        self.time_scaler = time_scaler
        self.include_first_transaction = include_first_transaction
        self.attributes = attributes
        self.attribute_rule = attribute_rule
        self.returns = returns
        self.missing = missing

    def aggregation_settings(self) -> dict[str, Any]:
        """The aggregation settings, as keyword arguments of :func:`rfm_table`."""
        return {name: getattr(self, name) for name in AGGREGATION_PARAMS}

    def _fit(self, X):
        """Set the fitted attributes; return the settings and the opened log.

        The log is opened and audited only when the reference date has to be
        learned from it (``None`` otherwise).
        """
        settings = check_settings(self.aggregation_settings(), "RFMTransformer")
        if isinstance(X, pd.DataFrame):
            # read directly: narwhals refuses duplicated names, which
            # rfm_table reports with its own error in transform
            columns = [str(c) for c in X.columns]
        else:
            columns = _dataframe.log_columns(_dataframe.from_native(X))
        self.feature_names_in_ = np.asarray(columns, dtype=object)
        self.n_features_in_ = len(columns)
        opened = None
        if self.reference_date is not None:
            day = day_number(self.reference_date)
        else:
            opened = open_audited_log(X, settings)
            day = opened[2]
        self.reference_date_ = ordinal_to_timestamp(day)
        self.feature_names_out_ = np.asarray(feature_names(settings), dtype=object)
        return settings, opened

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: TableLike, y: Any = None) -> Self:
        """Learn the reference date from the transaction log ``X``."""
        self._fit(X)
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: TableLike, y: Any = None) -> TableLike:
        """Fit and aggregate ``X``, reading and auditing it once.

        The policies' warnings are given once, not once per step.
        """
        settings, opened = self._fit(X)
        if opened is None:
            opened = open_audited_log(
                X, settings, reference_day=day_number(self.reference_date_)
            )
        log, audit, day = opened
        return self._output(aggregate(log, audit, settings, reference_day=day))

    def transform(self, X: TableLike) -> TableLike:
        """Aggregate the transaction log ``X`` as of ``reference_date_``.

        Returns
        -------
        DataFrame
            One row per customer, sorted by customer id.  Without
            ``set_output``: a polars log (eager or lazy) gives a polars
            DataFrame whose columns are ``get_feature_names_out()`` (as
            ``set_output(transform="polars")`` gives; :func:`rfm_table` keeps
            the id column); any other log a pandas DataFrame indexed by
            customer id.  ``set_output(transform=...)`` converts the pandas
            table as scikit-learn does.
        """
        check_is_fitted(self)
        settings = check_settings(self.aggregation_settings(), "RFMTransformer")
        day = day_number(self.reference_date_)
        log, audit, day = open_audited_log(X, settings, reference_day=day)
        return self._output(aggregate(log, audit, settings, reference_day=day))

    def _output(self, table):
        if isinstance(table, pd.DataFrame):
            return table
        frame = _dataframe.from_native(table)
        if isinstance(frame, nw.LazyFrame):
            # eager outputs come sorted from rfm_table; lazy ones do not
            frame = frame.collect().sort(self.customer_col)
        if frame.implementation.is_polars() and (
            transform_output_setting(self) == "default"
        ):
            # the columns are get_feature_names_out(), as set_output("polars")
            # gives, so the table feeds the next Pipeline step as it is
            return frame.drop(self.customer_col).to_native()
        return frame.to_pandas().set_index(self.customer_col)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the customer-table columns ``transform`` returns."""
        check_is_fitted(self)
        return self.feature_names_out_.copy()


def rfm_transformer_from(aggregation=None, settings=None, *, caller_name):
    """One unfitted :class:`RFMTransformer` from either form of the settings.

    Parameters
    ----------
    aggregation : RFMTransformer, optional
        Cloned (a fitted one is not modified).
    settings : dict, optional
        Keyword arguments of :func:`rfm_table`; not with ``aggregation``.
    caller_name : str
        The public function named in the errors.
    """
    settings = settings or {}
    if aggregation is None:
        settings = check_settings(settings, caller_name)
        return RFMTransformer(**settings)
    if settings:
        raise TypeError(
            f"{caller_name} takes the aggregation settings once: pass an "
            f"RFMTransformer as `aggregation` or keywords {sorted(settings)}, "
            "not both."
        )
    if not isinstance(aggregation, RFMTransformer):
        raise TypeError(
            f"aggregation must be an RFMTransformer, got {type(aggregation).__name__}."
        )
    return clone(aggregation)

"""The RFM aggregation as a scikit-learn transformer (first Pipeline step)."""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from custseg._aggregation import _narwhals_engine as _dataframe
from custseg._aggregation._log_checks import day_number, ordinal_to_timestamp
from custseg._aggregation._rfm import (
    RFM_CONSTRAINTS,
    feature_names,
    latest_transaction_day,
    rfm_table,
)
from custseg._sklearn_compat import fit_context

__all__ = ["RFMTransformer"]


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
monetary, extra_features, period, time_scaler, returns, missing
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

    _parameter_constraints = dict(RFM_CONSTRAINTS)

    def __init__(
        self,
        *,
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        order_col=None,
        reference_date=None,
        definition="classic",
        monetary="sum",
        extra_features=None,
        period="D",
        time_scaler=1.0,
        returns="net",
        missing="drop",
    ):
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
        self.returns = returns
        self.missing = missing

    def _table_params(self):
        return {k: getattr(self, k) for k in RFM_CONSTRAINTS}

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the reference date from the transaction log ``X``."""
        if isinstance(X, pd.DataFrame):
            # read directly: narwhals refuses duplicated names, which
            # rfm_table reports with its own error in transform
            columns = [str(c) for c in X.columns]
        else:
            columns = _dataframe.log_columns(_dataframe.from_native(X))
        self.feature_names_in_ = np.asarray(columns, dtype=object)
        self.n_features_in_ = len(columns)
        if self.reference_date is not None:
            day = day_number(self.reference_date)
        else:
            day = latest_transaction_day(
                X,
                customer_col=self.customer_col,
                date_col=self.date_col,
                amount_col=self.amount_col,
                order_col=self.order_col,
                returns=self.returns,
                missing=self.missing,
            )
        self.reference_date_ = ordinal_to_timestamp(day)
        self.feature_names_out_ = np.asarray(
            feature_names(self.definition, self.monetary, self.extra_features),
            dtype=object,
        )
        return self

    def transform(self, X):
        """Aggregate the transaction log ``X`` as of ``reference_date_``.

        Returns
        -------
        pandas.DataFrame
            One row per customer, indexed by customer id, sorted.
        """
        check_is_fitted(self)
        params = {**self._table_params(), "reference_date": self.reference_date_}
        table = rfm_table(X, **params)
        if isinstance(table, pd.DataFrame):
            return table
        frame = nw.from_native(table)
        if isinstance(frame, nw.LazyFrame):
            # eager outputs come sorted from rfm_table; lazy ones do not
            frame = frame.collect().sort(self.customer_col)
        return frame.to_pandas().set_index(self.customer_col)

    def get_feature_names_out(self, input_features=None):
        """Names of the customer-table columns ``transform`` returns."""
        check_is_fitted(self)
        return self.feature_names_out_.copy()

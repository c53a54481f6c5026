"""rfm_table and RFMTransformer: definitions, oracles, policies and bad input."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from custseg import RFMTransformer, rfm_table
from custseg.datasets import load_cdnow, load_online_retail, make_transactions


def small_log():
    # hand-worked example; reference day 2024-01-10
    return pd.DataFrame(
        {
            "cust": ["a", "a", "a", "b", "c", "c"],
            "order": [1, 1, 2, 3, 4, 5],
            "when": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 09:00",
                    "2024-01-10 23:59",
                    "2024-01-05",
                    "2024-01-02",
                    "2024-01-09",
                ],
                format="ISO8601",
            ),
            "value": [10.0, 5.0, 30.0, 7.0, 1.0, 3.0],
        }
    )


COLS = dict(customer_col="cust", date_col="when", amount_col="value")


def classic_by_hand(log, customer, date, amount, order=None, reference=None):
    """Slow, obvious classic RFM with plain pandas."""
    day = log[date].dt.normalize()
    reference = day.max() if reference is None else pd.Timestamp(reference)
    groups = log.assign(_day=day).groupby(customer)
    out = pd.DataFrame(
        {
            "recency": (reference - groups["_day"].max()).dt.days,
            "frequency": groups[order].nunique() if order else groups.size(),
            "monetary": groups[amount].sum(),
        }
    )
    return out.sort_index()


class TestClassicHandWorked:
    def test_rows_as_orders(self):
        got = rfm_table(small_log(), **COLS)
        assert got.index.tolist() == ["a", "b", "c"]
        assert got.index.name == "cust"
        assert got["recency"].tolist() == [0, 5, 1]
        assert got["frequency"].tolist() == [3, 1, 2]
        assert got["monetary"].tolist() == [45.0, 7.0, 4.0]

    def test_distinct_orders(self):
        got = rfm_table(small_log(), order_col="order", **COLS)
        assert got["frequency"].tolist() == [2, 1, 2]

    def test_monetary_mean_is_average_order_value(self):
        got = rfm_table(small_log(), order_col="order", monetary="mean", **COLS)
        assert got["monetary"].tolist() == [22.5, 7.0, 2.0]

    def test_extra_features(self):
        got = rfm_table(small_log(), order_col="order", extra_features="all", **COLS)
        assert got.columns.tolist() == [
            "recency",
            "frequency",
            "monetary",
            "tenure",
            "avg_order_value",
            "active_days",
            "mean_days_between_orders",
        ]
        assert got["tenure"].tolist() == [9, 5, 8]
        assert got["avg_order_value"].tolist() == [22.5, 7.0, 2.0]
        assert got["active_days"].tolist() == [2, 1, 2]
        # a: 9 days over 1 gap; b: one order; c: 7 days over 1 gap
        assert got["mean_days_between_orders"].iloc[0] == 9.0
        assert np.isnan(got["mean_days_between_orders"].iloc[1])
        assert got["mean_days_between_orders"].iloc[2] == 7.0

    def test_reference_date(self):
        with pytest.warns(UserWarning, match="Excluded 1 transactions dated after"):
            got = rfm_table(small_log(), reference_date="2024-01-09", **COLS)
        assert got["recency"].tolist() == [8, 4, 0]
        assert got["frequency"].tolist() == [2, 1, 2]

    def test_iso_strings_are_parsed(self):
        log = small_log()
        log["when"] = log["when"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        pd.testing.assert_frame_equal(
            rfm_table(log, **COLS), rfm_table(small_log(), **COLS)
        )


class TestBTYDHandWorked:
    def test_daily(self):
        got = rfm_table(small_log(), definition="btyd", **COLS)
        # a: days 1 and 10 (15 then 30); b: day 5; c: days 2 and 9 (1 then 3)
        assert got.columns.tolist() == ["frequency", "recency", "T", "monetary_value"]
        assert got["frequency"].tolist() == [1.0, 0.0, 1.0]
        assert got["recency"].tolist() == [9.0, 0.0, 7.0]
        assert got["T"].tolist() == [9.0, 5.0, 8.0]
        assert got["monetary_value"].tolist() == [30.0, 0.0, 3.0]

    def test_weekly_buckets_start_on_monday(self):
        # 2024-01-01 is a Monday: days 1..7 are week 0, 8..14 week 1
        got = rfm_table(small_log(), definition="btyd", period="W", **COLS)
        assert got["frequency"].tolist() == [1.0, 0.0, 1.0]
        assert got["recency"].tolist() == [1.0, 0.0, 1.0]
        assert got["T"].tolist() == [1.0, 1.0, 1.0]

    def test_time_scaler(self):
        got = rfm_table(small_log(), definition="btyd", time_scaler=7, **COLS)
        assert got["T"].tolist() == pytest.approx([9 / 7, 5 / 7, 8 / 7])


class TestPolicies:
    def test_returns_net(self):
        log = small_log()
        log.loc[len(log)] = ["b", 6, pd.Timestamp("2024-01-08"), -2.0]
        with pytest.warns(UserWarning, match="1 rows with a negative amount"):
            got = rfm_table(log, order_col="order", **COLS)
        # the return lowers b's monetary but is neither an order nor a date
        assert got.loc["b"].tolist() == [5, 1, 5.0]

    def test_returns_ignore_and_raise(self):
        log = small_log()
        log.loc[len(log)] = ["b", 6, pd.Timestamp("2024-01-08"), -2.0]
        with pytest.warns(UserWarning, match="Ignored 1 rows with a negative amount"):
            got = rfm_table(log, returns="ignore", **COLS)
        assert got.loc["b", "monetary"] == 7.0
        with pytest.raises(ValueError, match="'value' has 1 negative"):
            rfm_table(log, returns="raise", **COLS)

    def test_returns_only_customer_is_counted(self):
        log = small_log()
        log.loc[len(log)] = ["z", 9, pd.Timestamp("2024-01-08"), -2.0]
        with pytest.warns(UserWarning, match="1 customers have only returns"):
            got = rfm_table(log, **COLS)
        assert "z" not in got.index

    def test_missing_values_dropped_with_counts(self):
        log = small_log()
        log["cust"] = log["cust"].astype(object)
        log.loc[0, "cust"] = None
        log.loc[3, "when"] = pd.NaT
        with pytest.warns(UserWarning) as record:
            got = rfm_table(log, **COLS)
        message = str(record[0].message)
        assert "1 with a missing customer id (column 'cust')" in message
        assert "1 with a missing date (column 'when')" in message
        assert "b" not in got.index
        assert got.loc["a", "frequency"] == 2
        with pytest.raises(ValueError, match="missing customer id"):
            rfm_table(log, missing="raise", **COLS)


class TestBadInput:
    def test_missing_column_named_with_suggestion(self):
        with pytest.raises(ValueError, match=r"date_col='wen'.*Did you mean 'when'"):
            rfm_table(
                small_log(), customer_col="cust", date_col="wen", amount_col="value"
            )

    def test_dates_as_integers(self):
        log = small_log()
        log["when"] = 20240101
        with pytest.raises(TypeError, match="date column 'when'"):
            rfm_table(log, **COLS)

    def test_amounts_as_strings(self):
        log = small_log()
        log["value"] = log["value"].astype(str)
        with pytest.raises(TypeError, match="amount column 'value'"):
            rfm_table(log, **COLS)

    def test_unparseable_dates(self):
        log = small_log()
        log["when"] = "not a date"
        with pytest.raises(ValueError, match="date column 'when'"):
            rfm_table(log, **COLS)

    def test_empty_log(self):
        with pytest.raises(ValueError, match="empty"):
            rfm_table(small_log().iloc[:0], **COLS)

    def test_not_a_dataframe(self):
        with pytest.raises(TypeError, match="transactions must be a DataFrame"):
            rfm_table([1, 2, 3], **COLS)

    def test_bad_parameter(self):
        with pytest.raises(ValueError, match="definition"):
            rfm_table(small_log(), definition="RFM", **COLS)

    def test_input_not_modified(self):
        log = small_log()
        log.loc[len(log)] = ["b", 6, pd.Timestamp("2024-01-08"), -2.0]
        before = log.copy(deep=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rfm_table(log, order_col="order", extra_features="all", **COLS)
            rfm_table(log, definition="btyd", **COLS)
        pd.testing.assert_frame_equal(log, before)


def test_synthetic_matches_plain_pandas():
    log, _ = make_transactions(500, random_state=1)
    got = rfm_table(log, order_col="order_id")
    expected = classic_by_hand(log, "customer_id", "date", "amount", "order_id")
    pd.testing.assert_frame_equal(got, expected, check_names=False, check_dtype=False)


@pytest.mark.slow
class TestRealData:
    def test_cdnow_classic_matches_plain_pandas(self, cdnow_master_path):
        log = load_cdnow(cdnow_master_path)
        got = rfm_table(log)
        expected = classic_by_hand(log, "customer_id", "date", "amount")
        pd.testing.assert_frame_equal(
            got, expected, check_names=False, check_dtype=False
        )

    def test_online_retail_classic_matches_plain_pandas(self, online_retail_path):
        with pytest.warns(UserWarning, match="dropped 135080 rows"):
            log = load_online_retail(online_retail_path)
        got = rfm_table(log, order_col="order_id")
        expected = classic_by_hand(log, "customer_id", "date", "amount", "order_id")
        assert len(got) == 4339  # published count of customers with a purchase
        pd.testing.assert_frame_equal(
            got, expected, check_names=False, check_dtype=False
        )

    @pytest.mark.parametrize("period", ["D", "W"])
    def test_cdnow_btyd_equals_lifetimes(self, cdnow_master_path, period):
        lifetimes_utils = pytest.importorskip("lifetimes.utils")
        log = load_cdnow(cdnow_master_path)
        expected = lifetimes_utils.summary_data_from_transaction_data(
            log, "customer_id", "date", "amount", freq=period
        ).sort_index()
        got = rfm_table(log, definition="btyd", period=period)
        assert got.index.tolist() == expected.index.tolist()
        np.testing.assert_allclose(
            got[expected.columns].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9
        )

    def test_online_retail_btyd_equals_lifetimes(self, online_retail_path):
        lifetimes_utils = pytest.importorskip("lifetimes.utils")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            log = load_online_retail(online_retail_path)
        expected = lifetimes_utils.summary_data_from_transaction_data(
            log, "customer_id", "date", "amount", freq="D"
        ).sort_index()
        got = rfm_table(log, definition="btyd")
        assert got.index.tolist() == expected.index.tolist()
        np.testing.assert_allclose(
            got[expected.columns].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-9
        )

    def test_cdnow_weekly_reproduces_fader_hardie(
        self, cdnow_sample_path, cdnow_summary_path
    ):
        log = load_cdnow(cdnow_sample_path)
        published = pd.read_csv(cdnow_summary_path).set_index("ID").sort_index()
        with pytest.warns(UserWarning, match="dated after the reference date"):
            got = rfm_table(
                log,
                customer_col="sample_id",
                definition="btyd",
                reference_date="1997-09-30",
                time_scaler=7,
            )
        got.index = got.index.astype(int)
        assert got.index.tolist() == published.index.tolist()
        for ours, theirs in [
            ("frequency", "x"),
            ("recency", "t_x"),
            ("T", "T"),
            ("monetary_value", "zbar"),
        ]:
            # the published figures are rounded to 2 decimals
            np.testing.assert_allclose(
                got[ours], published[theirs], rtol=0, atol=0.005 + 1e-9
            )


class TestRFMTransformer:
    def test_pipeline_on_transaction_log(self):
        log, personas = make_transactions(400, random_state=0)
        pipe = make_pipeline(
            RFMTransformer(order_col="order_id"),
            StandardScaler(),
            KMeans(5, n_init=3, random_state=0),
        )
        labels = pipe.fit_predict(log)
        assert labels.shape == (400,)
        assert set(labels) == set(range(5))

    def test_reference_date_learned_and_reused(self):
        log = small_log()
        rfm = RFMTransformer(**COLS).fit(log)
        assert rfm.reference_date_ == pd.Timestamp("2024-01-10")
        later = log.copy()
        later["when"] = later["when"] - pd.Timedelta(days=3)
        got = rfm.transform(later)
        # same reference day: every recency grows by 3 days
        assert (got["recency"] - rfm_table(log, **COLS)["recency"]).tolist() == [
            3,
            3,
            3,
        ]

    def test_matches_rfm_table_and_feature_names(self):
        log, _ = make_transactions(200, random_state=3)
        rfm = RFMTransformer(order_col="order_id", extra_features=["tenure"])
        out = rfm.fit_transform(log)
        pd.testing.assert_frame_equal(
            out, rfm_table(log, order_col="order_id", extra_features=["tenure"])
        )
        assert rfm.get_feature_names_out().tolist() == out.columns.tolist()

    def test_set_output_polars(self):
        pl = pytest.importorskip("polars")
        log, _ = make_transactions(100, random_state=3)
        out = RFMTransformer().set_output(transform="polars").fit_transform(log)
        assert isinstance(out, pl.DataFrame)
        assert out.columns == ["recency", "frequency", "monetary"]
        assert out["frequency"].to_list() == rfm_table(log)["frequency"].tolist()

    def test_clone_and_pickle(self):
        log, _ = make_transactions(100, random_state=3)
        rfm = RFMTransformer(order_col="order_id", reference_date="2025-12-31")
        assert clone(rfm).get_params() == rfm.get_params()
        fitted = pickle.loads(pickle.dumps(rfm.fit(log)))
        pd.testing.assert_frame_equal(fitted.transform(log), rfm.transform(log))

    def test_invalid_parameter_raises_in_fit(self):
        rfm = RFMTransformer(returns="keep")
        with pytest.raises(ValueError, match="returns"):
            rfm.fit(small_log())

    def test_not_fitted(self):
        from sklearn.exceptions import NotFittedError

        with pytest.raises(NotFittedError):
            RFMTransformer().transform(small_log())

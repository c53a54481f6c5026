"""Adversarial inputs: every case has a documented outcome (docs/bad_inputs.md).

The outcome is either a ``ValueError`` / ``TypeError`` whose message names the
column and the problem, or a documented handling with a warning that counts
the rows affected.  No other exception type escapes, and the caller's frame
is unmodified after every call.  Expected tables are worked out by hand.
"""

import re
import warnings

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from custseg import (
    AttributeSegmenter,
    BetaGeoModel,
    CustomerSegmenter,
    LogRobustScaler,
    QuantileSegmenter,
    RandomSegmenter,
    RFMScorer,
    RFMSegmenter,
    RFMTransformer,
    UsageTiers,
    calibration_holdout_split,
    cohort_retention,
    compare_segmentations,
    lifecycle_stages,
    name_personas,
    rfm_table,
    segment_migration,
    segment_profiles,
    segment_table,
    validate_segmentation,
)
from custseg import cli as custseg_cli

pytestmark = pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning"
)


def base_log():
    """Hand-worked log; latest day 2024-01-10.

    a: 2024-01-01 (10), 2024-01-10 (30)  -> recency 0, frequency 2, monetary 40
    b: 2024-01-05 (5)                    -> recency 5, frequency 1, monetary 5
    c: 2024-01-08 (2), 2024-01-08 (3)    -> recency 2, frequency 2, monetary 5
    """
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c"],
            "date": pd.to_datetime(
                [
                    "2024-01-01 08:00",
                    "2024-01-10 23:59",
                    "2024-01-05",
                    "2024-01-08 10:00",
                    "2024-01-08 11:00",
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 30.0, 5.0, 2.0, 3.0],
        }
    )


BASE_EXPECTED = {"a": (0, 2, 40.0), "b": (5, 1, 5.0), "c": (2, 2, 5.0)}


def snapshot(frame):
    """A deep copy to compare with after the call."""
    if isinstance(frame, pd.DataFrame):
        return frame.copy(deep=True)
    if hasattr(frame, "clone"):  # polars
        return frame.clone()
    return frame


def assert_unmodified(frame, before):
    if isinstance(frame, pd.DataFrame):
        pd.testing.assert_frame_equal(frame, before)
    elif hasattr(frame, "equals") and hasattr(frame, "clone"):
        assert frame.equals(before)


def as_rows(table, customer_col="customer_id"):
    """{customer: (recency, frequency, monetary)} of any returned table."""
    if not isinstance(table, pd.DataFrame):
        frame = nw.from_native(table)
        if isinstance(frame, nw.LazyFrame):
            frame = frame.collect()
        table = frame.to_pandas().set_index(customer_col)
    return {
        k: (int(r), int(f), float(m))
        for k, (r, f, m) in table[["recency", "frequency", "monetary"]].iterrows()
    }


def _copy(data):
    if isinstance(data, np.ndarray):
        return data.copy()
    return snapshot(data)


def _assert_same(data, before):
    if isinstance(data, np.ndarray):
        np.testing.assert_array_equal(data, before)
    elif isinstance(data, pd.Series):
        pd.testing.assert_series_equal(data, before)
    else:
        assert_unmodified(data, before)


def checked_call(call, data, *, raises=None, match=None, warns=None, quiet=False):
    """``call(data)``: the expected outcome, no RuntimeWarning, data unmodified.

    ``warns``: a pattern one warning must match; ``quiet``: a result comes with
    no UserWarning.
    """
    before = _copy(data)
    out = None
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            out = call(data)
        except (ValueError, TypeError) as exc:
            assert raises is not None, f"unexpected {exc!r}"
            assert isinstance(exc, raises), f"{exc!r} is not {raises}"
            assert re.search(match, str(exc)), f"{exc} !~ {match}"
        else:
            assert raises is None, f"expected {raises}, got {type(out).__name__}"
    _assert_same(data, before)
    runtime = [str(w.message) for w in record if w.category is RuntimeWarning]
    assert not runtime, runtime
    messages = [str(w.message) for w in record if issubclass(w.category, UserWarning)]
    if warns is not None:
        assert any(re.search(warns, m) for m in messages), messages
    if quiet and raises is None:
        assert not messages, f"unexpected warnings {messages}"
    return out


def call_rfm(log, *, warns=None, raises=None, match=None, **kwargs):
    """Run rfm_table and RFMTransformer on ``log``; check outcome and no mutation.

    Without ``warns``, a table comes with no UserWarning at all.
    """
    results = []
    for call in (
        lambda L: rfm_table(L, **kwargs),
        lambda L: RFMTransformer(**kwargs).fit(L).transform(L),
    ):
        out = checked_call(
            call, log, raises=raises, match=match, warns=warns, quiet=warns is None
        )
        if raises is None:
            results.append(out)
    return results


# --- columns and dtypes -------------------------------------------------------


def test_misspelled_column_named_with_suggestion():
    call_rfm(
        base_log(),
        amount_col="amout",
        raises=ValueError,
        match=r"amount_col='amout' is not a column.*Did you mean 'amount'",
    )


def test_column_name_not_a_string():
    call_rfm(
        base_log(), customer_col=0, raises=(TypeError, ValueError), match="customer_col"
    )


def test_duplicate_column_names():
    log = base_log()
    log.columns = ["customer_id", "date", "date"]
    call_rfm(
        log,
        amount_col="date",
        raises=ValueError,
        match=r"several columns named \['date'\]",
    )


@pytest.mark.parametrize(
    "dates, error, match",
    [
        ([20240101] * 5, TypeError, "date column 'date' has dtype int64"),
        ([1.5] * 5, TypeError, "date column 'date' has dtype float64"),
        ([np.nan] * 5, TypeError, "date column 'date' has dtype float64"),
        (["2024-01-01", 5, "x", 1, 2], TypeError, "date column 'date'"),
        (
            ["2024-01-01", "31/12/2023", "2024-01-02", "2024-01-03", "2024-01-04"],
            ValueError,
            "date column 'date' has strings that are not ISO-8601",
        ),
        (["not a date"] * 5, ValueError, "date column 'date'"),
    ],  # fmt: skip
    ids=["ints", "floats", "all-nan-floats", "mixed-objects", "dd/mm", "garbage"],
)
def test_bad_dates(dates, error, match):
    call_rfm(base_log().assign(date=dates), raises=error, match=match)


@pytest.mark.parametrize(
    "amounts, error, match",
    [
        (["10", "30", "5", "2", "3"], TypeError, "amount column 'amount' has dtype"),
        (
            [True, False, True, True, False],
            TypeError,
            "amount column 'amount' has dtype bool",
        ),
        (pd.to_datetime(["2024-01-01"] * 5), TypeError, "amount column 'amount'"),
    ],  # fmt: skip
    ids=["strings", "bools", "datetimes"],
)
def test_bad_amount_dtypes(amounts, error, match):
    call_rfm(base_log().assign(amount=amounts), raises=error, match=match)


def test_not_a_dataframe():
    call_rfm({"a": [1]}, raises=TypeError, match="transactions must be a DataFrame")


# --- missing values -------------------------------------------------------------


def test_missing_value_in_each_column_dropped_and_counted():
    log = base_log()
    log["order_id"] = [1, 2, 3, 4, 5]
    log["customer_id"] = log["customer_id"].astype(object)
    log.loc[0, "customer_id"] = None  # a's first purchase
    log.loc[2, "date"] = pd.NaT  # b's only purchase
    log.loc[3, "amount"] = np.nan  # one of c's
    log["order_id"] = log["order_id"].astype("Int64")
    log.loc[4, "order_id"] = pd.NA  # the other of c's
    (table, _) = call_rfm(
        log,
        order_col="order_id",
        warns=(
            r"1 with a missing customer id \(column 'customer_id'\), 1 with a "
            r"missing date \(column 'date'\), 1 with a missing amount \(column "
            r"'amount'\), 1 with a missing order id \(column 'order_id'\)"
        ),
    )
    assert as_rows(table) == {"a": (0, 1, 30.0)}
    call_rfm(
        log, order_col="order_id", missing="raise", raises=ValueError, match="missing"
    )


def test_everything_missing_is_an_error():
    log = base_log().assign(amount=np.nan)
    call_rfm(log, raises=ValueError, match="No transaction is left")


# --- amounts ----------------------------------------------------------------


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_amount(value):
    log = base_log()
    log.loc[1, "amount"] = value
    call_rfm(log, raises=ValueError, match="amount column 'amount' has 1 infinite")


def test_huge_amounts_summed_exactly_when_total_fits():
    log = base_log().assign(amount=[1e300, 2e300, 5.0, 2.0, 3.0])
    (table, _) = call_rfm(log)
    assert as_rows(table)["a"] == (0, 2, 3e300)


def test_amounts_whose_total_overflows():
    log = base_log().assign(amount=[1e308, 1e308, 5.0, 2.0, 3.0])
    call_rfm(log, raises=ValueError, match="amount column 'amount'.*overflows float64")


def test_zero_amounts_are_purchases():
    (table, _) = call_rfm(base_log().assign(amount=0.0))
    assert as_rows(table) == {"a": (0, 2, 0.0), "b": (5, 1, 0.0), "c": (2, 2, 0.0)}


def test_negative_amounts_follow_returns_policy():
    log = base_log()
    log.loc[2, "amount"] = -5.0  # b's only row is a return
    (table, _) = call_rfm(log, warns="1 customers have only returns")
    assert as_rows(table) == {"a": (0, 2, 40.0), "c": (2, 2, 5.0)}
    call_rfm(log, returns="raise", raises=ValueError, match="'amount' has 1 negative")


def test_integer_amounts_beyond_float_precision():
    # 2**53 + 1 is not representable in float64: documented as float64 sums
    log = base_log().assign(amount=[2**53, 1, 5, 2, 3])
    (table, _) = call_rfm(log)
    assert as_rows(table)["a"][2] == float(2**53)


# --- time zones --------------------------------------------------------------


def test_tz_aware_column_uses_wall_clock_day():
    log = base_log()
    # 23:59 in New York on 2024-01-10 is 2024-01-11 in UTC: the day stays the 10th
    log["date"] = log["date"].dt.tz_localize("America/New_York")
    (table, _) = call_rfm(log)
    assert as_rows(table) == BASE_EXPECTED


def test_mixed_aware_and_naive_timestamps():
    log = base_log()
    stamps = list(log["date"])
    stamps[0] = stamps[0].tz_localize("UTC")
    log["date"] = pd.Series(stamps, dtype=object)
    call_rfm(
        log, raises=ValueError, match="date column 'date' cannot be read.*time zone"
    )


def test_mixed_offsets_in_strings():
    log = base_log()
    log["date"] = log["date"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    log.loc[0, "date"] += "+02:00"
    log.loc[1, "date"] += "-05:00"
    call_rfm(log, raises=ValueError, match="date column 'date'")


# --- customer ids -------------------------------------------------------------


@pytest.mark.parametrize(
    "ids, expected_keys",
    [
        (pd.Categorical(["a", "a", "b", "c", "c"]), ["a", "b", "c"]),
        (pd.array(["a", "a", "b", "c", "c"], dtype="string"), ["a", "b", "c"]),
        (pd.array([1, 1, 2, 3, 3], dtype="Int64"), [1, 2, 3]),
        ([1.0, 1.0, 2.0, 3.0, 3.0], [1.0, 2.0, 3.0]),
        ([10**15, 10**15, 5, -3, -3], [-3, 5, 10**15]),
    ],
    ids=["categorical", "string-dtype", "nullable-Int64", "float", "sparse-ints"],
)
def test_id_dtypes(ids, expected_keys):
    (table, _) = call_rfm(base_log().assign(customer_id=ids))
    assert table.index.tolist() == expected_keys
    assert sorted(as_rows(table).values()) == sorted(BASE_EXPECTED.values())


@pytest.mark.parametrize(
    "ids",
    [
        pd.Categorical(["a", "a", None, "c", "c"]),
        pd.array([1, 1, None, 3, 3], dtype="Int64"),
        [1.0, 1.0, np.nan, 3.0, 3.0],
        pd.array(["a", "a", None, "c", "c"], dtype="string"),
    ],
    ids=["categorical", "nullable-Int64", "float-nan", "string-dtype"],
)
def test_missing_ids_in_every_id_dtype(ids):
    (table, _) = call_rfm(
        base_log().assign(customer_id=ids),
        warns=r"1 with a missing customer id \(column 'customer_id'\)",
    )
    assert sorted(as_rows(table).values()) == [(0, 2, 40.0), (2, 2, 5.0)]


def test_ids_mixing_int_and_str():
    log = base_log().assign(customer_id=[1, "1", 2, 3, 3])
    call_rfm(log, raises=TypeError, match=r"customer id column 'customer_id' mixes")


def test_unhashable_ids():
    log = base_log().assign(customer_id=[[1], [1], [2], [3], [3]])
    call_rfm(log, raises=TypeError, match="customer id column 'customer_id'")


# --- shapes ---------------------------------------------------------------------


def test_empty_log():
    call_rfm(base_log().iloc[:0], raises=ValueError, match="empty")


def test_one_transaction():
    (table, _) = call_rfm(base_log().iloc[[2]])
    assert as_rows(table) == {"b": (0, 1, 5.0)}


def test_one_customer():
    (table, _) = call_rfm(base_log().iloc[:2])
    assert as_rows(table) == {"a": (0, 2, 40.0)}


def test_duplicated_rows_count_as_separate_rows_unless_orders_dedup():
    log = pd.concat([base_log(), base_log()])  # duplicated index too
    (table, _) = call_rfm(log)
    assert as_rows(table) == {"a": (0, 4, 80.0), "b": (5, 2, 10.0), "c": (2, 4, 10.0)}
    log["order_id"] = [1, 2, 3, 4, 5] * 2
    (table, _) = call_rfm(log, order_col="order_id")
    assert as_rows(table) == {"a": (0, 2, 80.0), "b": (5, 1, 10.0), "c": (2, 2, 10.0)}


def test_all_customers_identical():
    log = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "date": pd.Timestamp("2024-03-01"),
            "amount": 9.5,
        }
    )
    (table, _) = call_rfm(log)
    assert as_rows(table) == dict.fromkeys("abcd", (0, 1, 9.5))


# --- reference date -------------------------------------------------------------


def test_transactions_after_reference_date_are_counted():
    (table, _) = call_rfm(
        base_log(),
        reference_date="2024-01-07",
        warns="Excluded 3 transactions dated after the reference date",
    )
    assert as_rows(table) == {"a": (6, 1, 10.0), "b": (2, 1, 5.0)}


def test_reference_date_before_all_data():
    call_rfm(
        base_log(),
        reference_date="2023-12-31",
        raises=ValueError,
        match="reference_date 2023-12-31 is before every transaction: all 5",
    )


@pytest.mark.parametrize("value", ["yesterday", pd.NaT, [2024, 1, 1]])
def test_reference_date_not_a_date(value):
    call_rfm(
        base_log(), reference_date=value, raises=ValueError, match="reference_date"
    )


# --- the same cases on the other engines -------------------------------------


def to_engine(name, log):
    if name == "polars":
        return pytest.importorskip("polars").from_pandas(log)
    if name == "polars-lazy":
        return pytest.importorskip("polars").from_pandas(log).lazy()
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(log, preserve_index=False)
    if name == "pyarrow":
        return table
    if name == "duckdb":
        return pytest.importorskip("duckdb").from_arrow(table)
    if name == "dask":
        return pytest.importorskip("dask.dataframe").from_pandas(log, npartitions=2)
    raise AssertionError(name)


ENGINES = ["polars", "polars-lazy", "pyarrow", "duckdb", "dask"]


def engine_call(native, **kwargs):
    """rfm_table on another engine, collected to {customer: (r, f, m)}."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        out = rfm_table(native, **kwargs)
    messages = [str(w.message) for w in record if issubclass(w.category, UserWarning)]
    return as_rows(out), messages


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_parse_iso_string_variants(engine):
    log = base_log()
    log["date"] = ["2024-01-01", "2024-01-10T23:59:00", "2024-01-05 00:00:00",
                   "2024-01-08T10:00:00.000", "2024-01-08 11:00"]  # fmt: skip
    rows, _ = engine_call(to_engine(engine, log))
    assert rows == BASE_EXPECTED


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_unparseable_date_strings(engine):
    log = base_log()
    log["date"] = log["date"].dt.strftime("%Y-%m-%d")
    log.loc[3, "date"] = "garbage"
    with pytest.raises(ValueError, match="date column 'date'"):
        rfm_table(to_engine(engine, log))


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_nulls_in_every_column(engine):
    log = base_log()
    log["customer_id"] = log["customer_id"].astype(object)
    log.loc[0, "customer_id"] = None
    log.loc[2, "date"] = pd.NaT
    log.loc[3, "amount"] = np.nan
    rows, messages = engine_call(to_engine(engine, log))
    assert rows == {"a": (0, 1, 30.0), "c": (2, 1, 3.0)}
    assert any(
        "1 with a missing customer id" in m
        and "1 with a missing date" in m
        and "1 with a missing amount" in m
        for m in messages
    ), messages


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "change, match",
    [
        (dict(amount=[1.0, np.inf, 5.0, 2.0, 3.0]), "1 infinite"),
        (dict(amount=[1e308, 1e308, 5.0, 2.0, 3.0]), "overflows float64"),
        (dict(amount=["1", "2", "3", "4", "5"]), "amount column 'amount' has dtype"),
        (dict(date=[20240101] * 5), "date column 'date' has dtype"),
    ],
    ids=["inf", "overflow", "str-amount", "int-date"],
)
def test_engines_bad_values(engine, change, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rfm_table(to_engine(engine, base_log().assign(**change)))


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_reference_date_before_all_data(engine):
    with pytest.raises(ValueError, match="before every transaction"):
        rfm_table(to_engine(engine, base_log()), reference_date="2020-01-01")


def test_polars_categorical_ids_and_input_unmodified():
    pl = pytest.importorskip("polars")
    log = pl.from_pandas(base_log()).with_columns(
        pl.col("customer_id").cast(pl.Categorical)
    )
    before = log.clone()
    rows, _ = engine_call(log)
    assert rows == BASE_EXPECTED
    assert log.equals(before)


# --- estimators on bad customer tables ----------------------------------------


def customers(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recency": rng.integers(0, 300, n),
            "frequency": rng.integers(1, 20, n),
            "monetary": np.round(rng.gamma(2.0, 50.0, n), 2),
        },
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )


ESTIMATORS = {
    "RFMScorer": lambda: RFMScorer(n_bins=3),
    "RFMSegmenter": lambda: RFMSegmenter(),
    "UsageTiers": lambda: UsageTiers(),
    "CustomerSegmenter": lambda: CustomerSegmenter(
        n_segments=3, random_state=0, n_bootstrap=0
    ),
    "QuantileSegmenter": lambda: QuantileSegmenter(column="monetary"),
}


def fit_checked(make, X):
    """Fit; only ValueError/TypeError may escape; X is unmodified."""
    before = snapshot(X)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = make().fit(X)
    finally:
        assert_unmodified(X, before)
    return est


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize(
    "problem, change",
    [
        ("nan", lambda X: X.assign(monetary=np.r_[np.nan, X["monetary"].iloc[1:]])),
        ("inf", lambda X: X.assign(monetary=np.r_[np.inf, X["monetary"].iloc[1:]])),
        (
            "frequency-nan",
            lambda X: X.assign(
                frequency=pd.array([None, *X["frequency"].iloc[1:]], dtype="Int64")
            ),
        ),
    ],  # fmt: skip
)
def test_estimators_refuse_missing_or_infinite(name, problem, change):
    X = change(customers())
    col = "frequency" if problem.startswith("frequency") else "monetary"
    reads = {
        "RFMScorer": True,
        "RFMSegmenter": True,
        "CustomerSegmenter": True,
        "UsageTiers": col == "frequency",
        "QuantileSegmenter": col == "monetary",
    }[name]
    if not reads:  # the estimator does not read that column: it fits
        fit_checked(ESTIMATORS[name], X)
        return
    with pytest.raises(ValueError, match=f"'{col}'"):
        fit_checked(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_polars_nulls(name):
    pl = pytest.importorskip("polars")
    X = pl.from_pandas(customers().reset_index()).with_columns(
        monetary=pl.when(pl.int_range(pl.len()) == 3)
        .then(None)
        .otherwise(pl.col("monetary")),
        frequency=pl.when(pl.int_range(pl.len()) == 4)
        .then(None)
        .otherwise(pl.col("frequency")),
    )
    with pytest.raises(ValueError, match="'(monetary|frequency)'"):
        fit_checked(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_string_column(name):
    X = customers().assign(monetary=lambda d: d["monetary"].map("${:.2f}".format))
    if name == "UsageTiers":  # reads frequency only
        fit_checked(ESTIMATORS[name], X)
        return
    with pytest.raises((TypeError, ValueError), match="monetary"):
        fit_checked(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_missing_column(name):
    X = customers().drop(columns=["monetary", "frequency"])
    if name == "CustomerSegmenter":  # clusters on whatever numeric columns exist
        est = fit_checked(ESTIMATORS[name], X)
        assert list(est.feature_names_in_) == ["recency"]
        return
    with pytest.raises(ValueError, match="(monetary|frequency)"):
        fit_checked(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_empty_table(name):
    with pytest.raises(ValueError, match="0 (rows|sample)"):
        fit_checked(ESTIMATORS[name], customers().iloc[:0])


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_one_customer(name):
    X = customers().iloc[:1]
    if name in ("RFMScorer", "RFMSegmenter", "CustomerSegmenter"):
        with pytest.raises(ValueError, match="(at least 2 customers|n_samples=1)"):
            fit_checked(ESTIMATORS[name], X)
        return
    est = fit_checked(ESTIMATORS[name], X)
    assert est.labels_.shape == (1,)
    np.testing.assert_array_equal(est.predict(X), est.labels_)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimators_all_customers_identical(name):
    X = pd.DataFrame(
        {"recency": [7] * 12, "frequency": [3] * 12, "monetary": [25.0] * 12}
    )
    est = fit_checked(ESTIMATORS[name], X)
    if name == "RFMScorer":
        scores = est.transform(X)
        assert (scores == scores[0]).all()
        return
    # every quantile ties: everyone lands in one segment, and predict agrees
    assert np.unique(est.labels_).size == 1
    np.testing.assert_array_equal(est.predict(X), est.labels_)


def test_usage_tiers_negative_usage_is_counted():
    X = customers().assign(frequency=lambda d: d["frequency"] - 5)
    negative = int((X["frequency"] < 0).sum())
    with pytest.warns(UserWarning, match=f"column 'frequency' has {negative} negative"):
        tiers = UsageTiers().fit(X)
    assert (tiers.labels_[X["frequency"].to_numpy() < 0] == 2).all()


def test_random_segmenter_ignores_values_by_design():
    X = customers().assign(monetary=np.nan)
    est = fit_checked(lambda: RandomSegmenter(n_segments=2, random_state=0), X)
    assert np.bincount(est.labels_).tolist() == [20, 20]


# --- the command line ---------------------------------------------------------


def test_cli_segment_bad_inputs(tmp_path, capsys):
    bad = tmp_path / "log.csv"
    base_log().assign(amount="x").to_csv(bad, index=False)
    code = custseg_cli.main(
        ["segment", str(bad), "--customer-col", "customer_id",
         "--date-col", "date", "--amount-col", "amount",
         "--out", str(tmp_path / "out"), "--quiet"]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "custseg: error:" in err and "amount" in err


# --- every public entry point against one table of bad inputs ------------------
# Each entry point that takes data meets the same cases (docs/bad_inputs.md,
# "Every public entry point"): a refusal names the column or argument, a
# documented handling warns with a count; no other exception type escapes, no
# RuntimeWarning leaks and the caller's data is unmodified (deep copy compared).


def labels_for(X):
    return np.arange(len(X)) % 3


def _fitted(make):
    return make().fit(customers())


def _plotting(name):
    pytest.importorskip("matplotlib").use("Agg")
    import matplotlib.pyplot as plt

    import custseg

    plt.close("all")
    return getattr(custseg, name)


def _kmeans():
    return CustomerSegmenter(n_segments=3, random_state=0, n_bootstrap=0)


# name -> call on a customer table; the cases refuse by default (BAD_TABLES)
TABLE_ENTRY_POINTS = {
    "segment_profiles": lambda X: segment_profiles(X, labels_for(X)),
    "segment_table": lambda X: segment_table(_fitted(QuantileSegmenter), X),
    "validate_segmentation(labels)": lambda X: validate_segmentation(
        labels_for(X), X, n_bootstrap=0
    ),
    "validate_segmentation(segmenter)": lambda X: validate_segmentation(
        QuantileSegmenter(), X, n_bootstrap=2, random_state=0
    ),
    "compare_segmentations": lambda X: compare_segmentations(
        {"spend": QuantileSegmenter()}, X, n_bootstrap=2, random_state=0
    ),
    "name_personas": lambda X: name_personas(
        segment_profiles(customers(), labels_for(customers())), X
    ),
    "AttributeSegmenter": lambda X: AttributeSegmenter("monetary", bins=3).fit(X),
    "LogRobustScaler": lambda X: LogRobustScaler().fit(X),
    "RFMSegmenter.predict": lambda X: _fitted(RFMSegmenter).predict(X),
    "CustomerSegmenter.predict": lambda X: _fitted(_kmeans).predict(X),
    "LorenzCurveDisplay": lambda X: _plotting("LorenzCurveDisplay").from_estimator(
        _fitted(QuantileSegmenter), X
    ),
    "SilhouetteDisplay": lambda X: _plotting("SilhouetteDisplay").from_estimator(
        _fitted(_kmeans), X
    ),
    "RFMHeatmapDisplay": lambda X: _plotting("RFMHeatmapDisplay").from_estimator(
        _fitted(RFMSegmenter), X
    ),
    "SegmentProfileDisplay": lambda X: _plotting(
        "SegmentProfileDisplay"
    ).from_estimator(_fitted(_kmeans), X),
    "SegmentSizesDisplay": lambda X: _plotting("SegmentSizesDisplay").from_estimator(
        _fitted(_kmeans), X
    ),
    "StabilityDisplay": lambda X: _plotting("StabilityDisplay").from_estimator(
        _fitted(QuantileSegmenter), X, n_bootstrap=2, random_state=0
    ),
    "MigrationDisplay": lambda X: _plotting("MigrationDisplay").from_estimator(
        _fitted(QuantileSegmenter), X, X
    ),
}

BAD_TABLES = {
    "empty": (lambda X: X.iloc[:0], ValueError, r"0 (row|sample)"),
    "all-nan": (
        lambda X: X.assign(monetary=np.nan),
        ValueError,
        r"'monetary' has 40 missing or infinite",
    ),
    "inf": (
        lambda X: X.assign(monetary=np.r_[np.inf, X["monetary"].iloc[1:]]),
        ValueError,
        r"'monetary' has 1 missing or infinite",
    ),
    "text": (
        lambda X: X.assign(monetary=X["monetary"].map("${:.2f}".format)),
        TypeError,
        r"'monetary' must be numeric",
    ),
    "duplicate-ids": (
        lambda X: pd.concat([X.reset_index(), X.reset_index().iloc[:3]]),
        ValueError,
        r"transaction log.*'customer_id' repeats 3 customer id",
    ),
}

# documented handling instead of a refusal: (warning or None, check of the result)
HANDLED = {
    ("segment_profiles", "all-nan"): (
        None,
        lambda out: (
            out[["monetary", "revenue_share", "avg_order_value"]].isna().all().all()
        ),
    ),
    ("segment_profiles", "inf"): (
        r"infinite values \('monetary': 1\) are left out",
        lambda out: np.isclose(out["revenue_share"].sum(), 1.0),
    ),
    ("segment_profiles", "text"): (
        None,  # text is a category: its most common level and share
        lambda out: out["monetary"].str.startswith("$").all(),
    ),
    ("validate_segmentation(labels)", "all-nan"): (
        r"\['monetary'\] have no value",
        lambda out: "monetary" not in out.features.index,
    ),
    ("validate_segmentation(labels)", "inf"): (
        r"'monetary': 1 customers",
        lambda out: "monetary" in out.features.index,
    ),
    ("validate_segmentation(labels)", "text"): (
        None,  # a category with one level per customer predicts any labels
        lambda out: out.defined_by == ("monetary",),
    ),
    ("AttributeSegmenter", "all-nan"): (
        None,  # a missing value is a level of its own
        lambda out: list(out.segment_names_) == ["(missing)"],
    ),
    ("AttributeSegmenter", "inf"): (
        r"infinite values \('monetary': 1\)",  # the profiles leave it out
        lambda out: out.labels_[0] == out.n_segments_ - 1,  # the top band
    ),
    ("AttributeSegmenter", "text"): (
        None,  # a text column is used as categories, one segment per level
        lambda out: out.n_segments_ == 40,
    ),
}


# another refusal than the default one
REFUSED = {
    # a transformer of numeric columns: the id column is named as text
    ("LogRobustScaler", "duplicate-ids"): (TypeError, "'customer_id' must be numeric"),
}


@pytest.mark.parametrize("case", list(BAD_TABLES))
@pytest.mark.parametrize("entry", list(TABLE_ENTRY_POINTS))
def test_entry_points_on_bad_tables(entry, case):
    make, error, match = BAD_TABLES[case]
    error, match = REFUSED.get((entry, case), (error, match))
    X = make(customers())
    if (entry, case) in HANDLED:
        warns, check = HANDLED[entry, case]
        out = checked_call(TABLE_ENTRY_POINTS[entry], X, warns=warns)
        assert check(out)
        return
    checked_call(TABLE_ENTRY_POINTS[entry], X, raises=error, match=match)


def to_table_engine(name, X):
    flat = X.reset_index()  # polars and pyarrow keep the id as a column
    if name == "polars":
        return pytest.importorskip("polars").from_pandas(flat)
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pandas(flat, preserve_index=False)


# the same result as on pandas, compared by what each returns
SAME_AS_PANDAS = {
    "segment_profiles": lambda a, b: pd.testing.assert_frame_equal(a, b),
    "segment_table": lambda a, b: np.testing.assert_array_equal(
        np.asarray(a["segment"]), np.asarray(b["segment"])
    ),
    "validate_segmentation(labels)": lambda a, b: np.testing.assert_allclose(
        a.features["p_value"], b.features["p_value"]
    ),
    "validate_segmentation(segmenter)": lambda a, b: np.testing.assert_allclose(
        a.segments["customers"], b.segments["customers"]
    ),
    "compare_segmentations": lambda a, b: np.testing.assert_array_equal(
        a["verdict"], b["verdict"]
    ),
    "name_personas": lambda a, b: np.testing.assert_array_equal(a["name"], b["name"]),
    "AttributeSegmenter": lambda a, b: np.testing.assert_array_equal(
        a.labels_, b.labels_
    ),
    "RFMSegmenter.predict": np.testing.assert_array_equal,
    "CustomerSegmenter.predict": np.testing.assert_array_equal,
}


@pytest.mark.parametrize("engine", ["polars", "pyarrow"])
@pytest.mark.parametrize("entry", list(TABLE_ENTRY_POINTS))
def test_entry_points_on_polars_and_pyarrow_tables(entry, engine):
    X = to_table_engine(engine, customers())
    if entry == "LogRobustScaler":  # scales every column it is given
        checked_call(
            TABLE_ENTRY_POINTS[entry],
            X,
            raises=TypeError,
            match="column 'customer_id' must be numeric.*select the feature columns",
        )
        return
    out = checked_call(TABLE_ENTRY_POINTS[entry], X)
    if entry in SAME_AS_PANDAS:
        expected = TABLE_ENTRY_POINTS[entry](customers())
        if entry == "segment_profiles":  # the id column is not profiled
            expected = expected.loc[:, list(out.columns)]
        SAME_AS_PANDAS[entry](out, expected)


def btyd_table(n=40):
    rng = np.random.default_rng(1)
    frequency = rng.integers(0, 6, n).astype(float)
    T = rng.integers(30, 100, n).astype(float)
    recency = np.where(frequency > 0, np.floor(T * rng.uniform(0.2, 1.0, n)), 0.0)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": recency,
            "T": T,
            "monetary_value": np.where(frequency > 0, rng.gamma(3.0, 20.0, n), 0.0),
        },
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )


# each model is spoilt in a column it reads
VALUE_MODELS = {"BetaGeoModel": "T", "GammaGammaModel": "monetary_value"}


@pytest.mark.parametrize("model", list(VALUE_MODELS))
@pytest.mark.parametrize(
    "case, change, error, match",
    [
        ("empty", lambda X, c: X.iloc[:0], ValueError, "X has no rows"),
        (
            "all-nan",
            lambda X, c: X.assign(**{c: np.nan}),
            ValueError,
            "'{c}' has 40 missing or infinite",
        ),
        (
            "inf",
            lambda X, c: X.assign(**{c: np.r_[np.inf, X[c].iloc[1:]]}),
            ValueError,
            "'{c}' has 1 missing or infinite",
        ),
        (
            "numeric-text",
            lambda X, c: X.assign(**{c: X[c].astype(str)}),
            TypeError,
            "'{c}' must be numeric, got dtype .* text",
        ),
        (
            "duplicate-ids",
            lambda X, c: pd.concat([X.reset_index(), X.reset_index().iloc[:3]]),
            ValueError,
            "'customer_id' repeats 3 customer id",
        ),
    ],  # fmt: skip
    ids=["empty", "all-nan", "inf", "numeric-text", "duplicate-ids"],
)
def test_value_models_on_bad_tables(model, case, change, error, match):
    import custseg

    column = VALUE_MODELS[model]
    X = change(btyd_table(), column)
    checked_call(
        lambda D: getattr(custseg, model)().fit(D),
        X,
        raises=error,
        match=match.format(c=column),
    )


@pytest.mark.parametrize("engine", ["polars", "pyarrow"])
def test_value_models_on_polars_and_pyarrow_tables(engine):
    X = btyd_table()
    expected = BetaGeoModel().fit(X)
    out = checked_call(lambda D: BetaGeoModel().fit(D), to_table_engine(engine, X))
    assert out.params_ == pytest.approx(expected.params_)


def small_log():
    from custseg.datasets import make_transactions

    log, _ = make_transactions(40, random_state=0)
    return log


LOG_ENTRY_POINTS = {
    "lifecycle_stages": lambda L: lifecycle_stages(L, periods="Q"),
    "cohort_retention": lambda L: cohort_retention(L, periods="Q"),
    "calibration_holdout_split": lambda L: calibration_holdout_split(L, "2025-06-30"),
    "CohortDisplay": lambda L: _plotting("CohortDisplay").from_transactions(L),
    "segmentation_report": lambda L: __import__(
        "custseg.report", fromlist=["segmentation_report"]
    ).segmentation_report(L, method="rfm", n_bootstrap=0, holdout=None),
}

BAD_LOGS = {
    "empty": (lambda L: L.iloc[:0], None, ValueError, "log is empty"),
    "all-nan": (
        lambda L: L.assign(amount=np.nan),
        r"\d+ with a missing amount \(column 'amount'\)",
        ValueError,
        "No transaction is left",
    ),
    "inf": (
        lambda L: L.assign(amount=np.r_[np.inf, L["amount"].iloc[1:]]),
        None,
        ValueError,
        "amount column 'amount' has 1 infinite",
    ),
    "text": (
        lambda L: L.assign(amount=L["amount"].map("${:.2f}".format)),
        None,
        TypeError,
        "amount column 'amount' has dtype",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LOGS))
@pytest.mark.parametrize("entry", list(LOG_ENTRY_POINTS))
def test_log_entry_points_on_bad_logs(entry, case):
    make, warns, error, match = BAD_LOGS[case]
    if entry == "calibration_holdout_split" and case in ("empty", "all-nan"):
        # the holdout is read first: nothing is left after the cutoff
        warns, match = None, "The log has no transaction after the cutoff"
    if entry == "segmentation_report":
        warns = None  # the report records the warnings it shows
    checked_call(
        LOG_ENTRY_POINTS[entry], make(small_log()), warns=warns, raises=error,
        match=match,
    )  # fmt: skip


def _frames_equal(a, b):
    if isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            _frames_equal(x, y)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
        )
    else:  # a result object of tables
        for name in ("stages", "counts", "retention", "sizes"):
            if hasattr(a, name):
                _frames_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("engine", ["polars", "pyarrow"])
@pytest.mark.parametrize(
    "entry", ["lifecycle_stages", "cohort_retention", "calibration_holdout_split"]
)
def test_log_entry_points_on_polars_and_pyarrow_logs(entry, engine):
    log = small_log()
    out = checked_call(LOG_ENTRY_POINTS[entry], to_engine(engine, log))
    expected = LOG_ENTRY_POINTS[entry](log)
    if entry == "calibration_holdout_split":
        out = tuple(as_frame(part) for part in out)
    _frames_equal(out, expected)


def as_frame(table):
    if isinstance(table, pd.DataFrame):
        return table
    return nw.from_native(table).lazy().collect().to_pandas().set_index("customer_id")


# --- labels beside a table, at every entry point that takes them -------------

LABEL_ENTRY_POINTS = {
    "segment_profiles": lambda y: segment_profiles(customers(), y),
    "validate_segmentation": lambda y: validate_segmentation(
        y, customers(), n_bootstrap=0
    ),
    "compare_segmentations": lambda y: compare_segmentations(
        {"given": y}, customers(), n_bootstrap=0
    ),
    "name_personas": lambda y: name_personas(
        segment_profiles(customers(), labels_for(customers())), customers(), labels=y
    ),
    "segment_migration": lambda y: segment_migration(y, labels_for(customers())),
}
GOOD_LABELS = labels_for(customers())
BAD_LABELS = {
    "short": (GOOD_LABELS[:-1], ValueError, r"has 39 entries but X has 40 rows"),
    "long": (np.r_[GOOD_LABELS, 0], ValueError, r"has 41 entries but X has 40 rows"),
    "2-d": (np.c_[GOOD_LABELS, GOOD_LABELS], ValueError, r"one label per customer"),
    "missing": (
        np.where(GOOD_LABELS == 2, np.nan, GOOD_LABELS),
        ValueError,
        r"has 13 missing labels; every customer needs a segment",
    ),
    "scalar": (3, TypeError, r"array-like with one value per customer, got int"),
}


@pytest.mark.parametrize("case", list(BAD_LABELS))
@pytest.mark.parametrize("entry", list(LABEL_ENTRY_POINTS))
def test_label_entry_points_on_bad_labels(entry, case):
    labels, error, match = BAD_LABELS[case]
    if entry == "segment_migration" and case in ("short", "long"):
        match = "arrays are matched by position"
    name = {"validate_segmentation": "segmentation", "compare_segmentations":
            "segmentation", "segment_migration": "labels_before"}.get(entry, "labels")  # fmt: skip
    match = f"{name} .*{match}"
    if entry == "name_personas" and case == "scalar":  # checked by validate_params
        match = "'labels' parameter of name_personas must be an array-like"
    checked_call(LABEL_ENTRY_POINTS[entry], labels, raises=error, match=match)


@pytest.mark.parametrize("entry", list(LABEL_ENTRY_POINTS))
def test_label_entry_points_take_a_polars_series_in_row_order(entry):
    pl = pytest.importorskip("polars")
    out = checked_call(LABEL_ENTRY_POINTS[entry], pl.Series(GOOD_LABELS))
    expected = LABEL_ENTRY_POINTS[entry](GOOD_LABELS)
    if entry == "validate_segmentation":
        out, expected = out.segments, expected.segments
    elif entry == "segment_migration":
        out, expected = out.counts, expected.counts
    pd.testing.assert_frame_equal(out, expected)


# --- LogRobustScaler reads a table with the reader's numeric policy -------------


@pytest.mark.parametrize(
    "change",
    [
        lambda X: X.assign(monetary=X["monetary"].astype(str)),  # "12.5": text
        lambda X: X.assign(monetary=X["monetary"] + 1j),
        lambda X: X.assign(monetary=pd.Timestamp("2024-01-01")),
    ],
    ids=["numeric-text", "complex", "dates"],
)
def test_log_robust_scaler_refuses_with_the_readers_message(change):
    from custseg._tables import as_pandas_table, check_numeric_columns

    X = change(customers())
    with pytest.raises(TypeError) as reader:
        check_numeric_columns(as_pandas_table(X), X.columns, owner="LogRobustScaler")
    for call in (
        lambda D: LogRobustScaler().fit(D),
        lambda D: LogRobustScaler().fit(customers()).transform(D),
    ):
        checked_call(
            call,
            X,
            raises=TypeError,
            match="^" + re.escape(str(reader.value)) + ".*select the feature columns",
        )


def test_log_robust_scaler_arrays_and_object_numbers():
    X = customers()
    expected = LogRobustScaler().fit_transform(X)
    # numbers held as objects are numbers, as everywhere else
    np.testing.assert_allclose(
        LogRobustScaler().fit_transform(X.astype(object)), expected
    )
    # arrays go to scikit-learn's validate_data, with its own messages
    np.testing.assert_allclose(LogRobustScaler().fit_transform(X.to_numpy()), expected)
    with pytest.raises(ValueError, match="NaN"):
        LogRobustScaler().fit(np.array([[np.nan], [1.0], [2.0]]))


# --- rule segments no customer falls in ----------------------------------------


def test_empty_rule_segments_keep_their_row_and_say_so():
    from custseg import get_rule_preset

    # a closed cohort, like CDNOW: whoever bought once did so long ago, so no
    # recent customer has a single order and "New" (recent, one order) is empty
    n = 50
    rng = np.random.default_rng(0)
    recency = np.arange(n) * 10
    frequency = np.where(recency >= 400, 1, rng.integers(2, 12, n))
    X = pd.DataFrame(
        {"recency": recency, "frequency": frequency, "monetary": rng.gamma(2, 40, n)}
    )
    seg = RFMSegmenter().fit(X)
    profiles = seg.profiles_
    # one row per named segment, in label order, as segment_profiles gives them
    assert profiles.index.tolist() == list(range(seg.n_segments_))
    assert profiles["name"].tolist() == list(seg.segment_names_)
    expected = segment_profiles(X, seg.labels_, seg.segment_names_)
    pd.testing.assert_frame_equal(
        profiles[["name", "customers", "share"]],
        expected[["name", "customers", "share"]],
    )
    counts = np.bincount(seg.labels_, minlength=seg.n_segments_)
    empty = counts == 0
    assert profiles.loc[empty, "name"].str.fullmatch("New").any()
    preset = get_rule_preset("putler").set_index("segment")["description"]
    for label, row in profiles.iterrows():
        own = preset[row["name"]]
        if empty[label]:
            assert row["description"] == f"No customer when fitted. {own}"
            assert row["customers"] == 0 and np.isnan(row["monetary"])
        else:
            assert row["description"] == own

"""rfm_table(attributes=...): one value per customer, by a stated rule, on every engine."""

import warnings

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from custseg import RFMTransformer, rfm_table
from custseg.datasets import load_online_retail, make_transactions


def hand_log():
    rows = [
        # customer a: UK twice early, FR once on its last day
        ("a", "2024-01-01", 5.0, "UK"),
        ("a", "2024-01-01", 5.0, "UK"),
        ("a", "2024-01-04", 5.0, "FR"),
        # customer b: one value per day, two values on its last day (a tie)
        ("b", "2024-01-02", 5.0, "UK"),
        ("b", "2024-01-06", 5.0, "DE"),
        ("b", "2024-01-06 18:00", 5.0, "AT"),
        # customer c: FR and UK once each (mode tie: the most recent wins)
        ("c", "2024-01-02", 5.0, "FR"),
        ("c", "2024-01-05", 5.0, "UK"),
        # customer d: one value, and a missing one on its last day
        ("d", "2024-01-01", 5.0, "NL"),
        ("d", "2024-01-03", 5.0, None),
        # customer e: no value at all
        ("e", "2024-01-03", 5.0, None),
    ]
    log = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "country"])
    log["date"] = pd.to_datetime(log["date"], format="ISO8601")
    log["channel"] = ["web"] * 6 + ["app"] * 5
    return log


def test_last_rule_by_hand():
    with pytest.warns(UserWarning, match=r"'country': 3 customers have several"):
        got = rfm_table(hand_log(), attributes=["country"])
    assert got.columns.tolist() == ["recency", "frequency", "monetary", "country"]
    assert got["country"].iloc[:4].tolist() == ["FR", "AT", "UK", "NL"]
    assert pd.isna(got.loc["e", "country"])


def test_mode_rule_by_hand():
    with pytest.warns(UserWarning, match="most frequent value"):
        got = rfm_table(hand_log(), attributes=["country"], attribute_rule="mode")
    # a: UK twice; b: three values once each -> the most recent day, then the
    # smallest (AT); c: tie -> most recent (UK)
    assert got["country"].iloc[:4].tolist() == ["UK", "AT", "UK", "NL"]


def test_no_warning_when_every_customer_has_one_value():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = rfm_table(hand_log(), attributes=["channel"])
    assert got["channel"].tolist() == ["web", "web", "app", "app", "app"]


def test_row_order_does_not_matter():
    log = hand_log()
    shuffled = log.sample(frac=1.0, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rule in ("last", "mode"):
            a = rfm_table(log, attributes=["country"], attribute_rule=rule)
            b = rfm_table(shuffled, attributes=["country"], attribute_rule=rule)
            pd.testing.assert_frame_equal(a, b)


def test_bad_attribute_names():
    log = hand_log()
    with pytest.raises(ValueError, match=r"attributes\[0\]='contry'"):
        rfm_table(log, attributes=["contry"])
    with pytest.raises(ValueError, match="also the name of an output column"):
        rfm_table(log.rename(columns={"country": "recency"}), attributes=["recency"])
    with pytest.raises(ValueError, match="repeated"):
        rfm_table(log, attributes=["country", "country"])
    with pytest.raises(TypeError, match="column names"):
        rfm_table(log, attributes=[3])


def by_hand(log, column, rule):
    """Slow, obvious per-customer loop over the documented rules."""
    out = {}
    log = log.assign(day=log["date"].dt.normalize())
    for customer, rows in log.groupby("customer_id"):
        rows = rows[rows[column].notna()]
        if rows.empty:
            continue
        if rule == "last":
            last = rows[rows["day"] == rows["day"].max()]
            counts = last[column].value_counts()
            best = counts[counts == counts.max()].index
            out[customer] = min(best)
        else:
            stats = rows.groupby(column)["day"].agg(["size", "max"])
            top = stats[stats["size"] == stats["size"].max()]
            top = top[top["max"] == top["max"].max()]
            out[customer] = min(top.index)
    return pd.Series(out, dtype=object)


def random_log(seed=0):
    log, _ = make_transactions(150, random_state=seed)
    rng = np.random.default_rng(seed)
    log["region"] = rng.choice(["north", "south", "east", "west"], len(log))
    log.loc[rng.choice(len(log), 30, replace=False), "region"] = None
    return log


@pytest.mark.parametrize("rule", ["last", "mode"])
def test_matches_an_independent_loop(rule):
    log = random_log()
    with pytest.warns(UserWarning) as record:
        got = rfm_table(log, attributes=["region"], attribute_rule=rule)
    expected = by_hand(log, "region", rule)
    assert got["region"].dropna().to_dict() == expected.to_dict()
    several = (log.dropna(subset=["region"]).groupby("customer_id")["region"]).nunique()
    message = [str(w.message) for w in record if "'region'" in str(w.message)][0]
    assert message.startswith(f"attribute 'region': {int((several > 1).sum())} ")


ENGINES = ["narwhals-pandas", "polars", "polars-lazy", "pyarrow", "duckdb", "dask"]


def to_engine(name, log):
    if name == "narwhals-pandas":
        return nw.from_native(log)
    if name.startswith("polars"):
        pl = pytest.importorskip("polars")
        frame = pl.from_pandas(log)
        return frame.lazy() if name == "polars-lazy" else frame
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(log, preserve_index=False)
    if name == "duckdb":
        return pytest.importorskip("duckdb").from_arrow(table)
    if name == "dask":
        dd = pytest.importorskip("dask.dataframe")
        return dd.from_pandas(log.sample(frac=1.0, random_state=1), npartitions=3)
    return table


def collected(result):
    if isinstance(result, pd.DataFrame):
        return result
    if hasattr(result, "compute"):  # Dask
        return result.compute().set_index("customer_id").sort_index()
    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas().set_index("customer_id").sort_index()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", ["last", "mode"])
def test_engines_agree(engine, rule):
    log = random_log(1)
    log["date"] = log["date"].astype("datetime64[us]")
    params = dict(order_col="order_id", attributes=["region"], attribute_rule=rule)
    with pytest.warns(UserWarning) as expected_record:
        expected = rfm_table(log, **params)
    with pytest.warns(UserWarning) as record:
        got = collected(rfm_table(to_engine(engine, log), **params))
    assert [str(w.message) for w in record] == [str(w.message) for w in expected_record]
    assert got.index.tolist() == expected.index.tolist()
    assert got["region"].fillna("-").tolist() == expected["region"].fillna("-").tolist()


def test_categorical_attribute_and_transformer():
    log = hand_log()
    log["country"] = log["country"].astype("category")
    rfm = RFMTransformer(attributes=["country"])
    with pytest.warns(UserWarning, match="several values"):
        got = rfm.fit_transform(log)
    assert got["country"].iloc[:4].tolist() == ["FR", "AT", "UK", "NL"]
    assert rfm.get_feature_names_out().tolist() == got.columns.tolist()


def test_joining_a_separate_customer_table():
    """The documented recipe: a plain join by customer id."""
    log = hand_log()
    demographics = pd.DataFrame(
        {"customer_id": ["a", "b", "c", "z"], "age": [31, 45, 27, 60]}
    ).set_index("customer_id")
    customers = rfm_table(log).join(demographics, how="left")
    assert customers["age"].tolist()[:3] == [31, 45, 27]
    assert customers["age"].isna().sum() == 2  # d and e have no row in it


@pytest.mark.slow
def test_online_retail_country(online_retail_path):
    with pytest.warns(UserWarning, match="load_online_retail dropped"):
        log = load_online_retail(online_retail_path)
    with pytest.warns(UserWarning) as record:
        got = rfm_table(log, order_col="order_id", attributes=["country"])
    expected = by_hand(log, "country", "last")
    assert got["country"].to_dict() == expected.to_dict()
    several = log.groupby("customer_id")["country"].nunique()
    n_several = int((several > 1).sum())
    assert n_several > 0  # a few customers ordered from two countries
    assert any(f"'country': {n_several} customers" in str(w.message) for w in record)

"""Peer recipes reproduce the peers' own output for every customer.

- PyMC-Marketing 0.19 ``rfm_segments`` -> ``RFMSegmenter("pymc")`` on its features;
- PyPI ``rfm`` 1.0.9 scoring and segments -> ``RFMSegmenter("pypi_rfm")``;
- openretailscience ``RFMSegmentation`` (``NTILE``) -> ``RFMScorer(method="ntile")``.

Each runs on CDNOW and Online Retail and skips, saying why, when the peer or
the data is absent.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import custseg
from custseg import RFMScorer, RFMSegmenter, UsageTiers, segment_table
from custseg.datasets import load_cdnow, load_online_retail

DATASETS = ["cdnow", "online_retail"]


@pytest.fixture(scope="module")
def logs(cdnow_master_path, online_retail_path):
    """The two real logs, cleaned as the loaders document (returns dropped)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted cleaning warnings
        return {
            "cdnow": load_cdnow(cdnow_master_path),
            "online_retail": load_online_retail(online_retail_path),
        }


def _classic(log):
    return custseg.rfm_table(
        log, customer_col="customer_id", date_col="date", amount_col="amount"
    )


@pytest.mark.parametrize("name", DATASETS)
def test_pymc_preset_reproduces_rfm_segments(logs, name):
    utils = pytest.importorskip(
        "pymc_marketing.clv.utils", reason="pymc-marketing is not installed"
    )
    log = logs[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyMC's "score <= 2" note
        peer = utils.rfm_segments(log, "customer_id", "date", "amount")
    peer = peer.set_index("customer_id")
    features = peer[["frequency", "recency", "monetary_value"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties collapse bins: counted
        table = segment_table(RFMSegmenter("pymc"), features)
    assert table.index.equals(peer.index)
    # the code and the segment of every customer
    assert (table["rfm_code"] == peer["rfm_score"]).all()
    assert (table["segment"] == peer["segment"]).all()
    # ties do merge quartiles here, so the relabelling is exercised
    assert table["frequency_score"].max() < 4
    # end to end: custseg's own table with PyMC's definition gives the same
    ours = custseg.rfm_table(
        log,
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        definition="btyd",
        include_first_transaction=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        end_to_end = segment_table(RFMSegmenter("pymc"), ours).loc[peer.index]
    assert (end_to_end["segment"] == peer["segment"]).all()


def test_pymc_relabelling_by_hand():
    """Frequency quartile edges 1, 1, 1, 2.25, 9: qcut keeps 2 bins, scored 1, 2."""
    X = pd.DataFrame(
        {
            "recency": [5.0, 1, 30, 12, 8, 50, 2, 9],
            "frequency": [1.0, 1, 1, 1, 1, 2, 3, 9],
            "monetary_value": [10.0, 20, 30, 40, 50, 60, 70, 80],
        }
    )
    with pytest.warns(UserWarning, match="'frequency'"):
        scorer = RFMScorer(4, method="qcut", monetary_col="monetary_value").fit(X)
    scores = scorer.transform(X)
    assert scorer.thresholds_["frequency"].tolist() == [2.25]
    assert scores[:, 1].tolist() == [1, 1, 1, 1, 1, 1, 2, 2]
    expected = pd.qcut(X["frequency"], 4, labels=False, duplicates="drop") + 1
    assert scores[:, 1].tolist() == expected.tolist()
    # recency: lower is better, labels reversed over the bins left (4 here)
    expected_r = 4 - pd.qcut(X["recency"], 4, labels=False, duplicates="drop")
    assert scores[:, 0].tolist() == expected_r.tolist()


@pytest.mark.parametrize("name", DATASETS)
def test_pypi_rfm_preset_reproduces_rfm(logs, name):
    # PyPI rfm calls warnings.filterwarnings("ignore") at import: keep it local
    with warnings.catch_warnings():
        rfm = pytest.importorskip("rfm", reason="PyPI rfm is not installed")
    # rfm 1.0.9's own aggregation fails on pandas >= 2 (drop(columns=, axis=));
    # its scoring and segment rules run on the customer table, as it builds
    # it: one row per customer sorted by the id as a string
    features = _classic(logs[name]).rename(columns={"monetary": "monetary_value"})
    features.index = features.index.astype(str)
    features = features.sort_index()
    peer_model = rfm.RFM(
        logs[name].head(0),
        customer_id="customer_id",
        transaction_date="date",
        amount="amount",
        automated=False,
    )
    peer = peer_model.find_segments(
        peer_model.calculate_rfm_score(features.reset_index())
    ).set_index("customer_id")
    peer = peer.loc[features.index]
    table = segment_table(RFMSegmenter("pypi_rfm"), features)
    codes = peer["r"].astype(str) + peer["f"].astype(str) + peer["m"].astype(str)
    assert (table["rfm_code"] == codes).all()
    named = peer["segment"].map(lambda s: isinstance(s, str))  # else a code list
    assert (table["segment"] == peer["segment"].where(named, "Other")).all()
    # some equal frequencies get different scores: ties are split, not kept
    split = table.groupby(features["frequency"])["frequency_score"].nunique()
    assert split.max() > 1


def _sql_ntile(table, column, n, *, descending):
    """DuckDB's NTILE over (value, customer id), as openretailscience's SQL."""
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed")
    frame = table[[column]].reset_index()  # noqa: F841 (read by DuckDB)
    order = "DESC" if descending else "ASC"
    query = (
        f"SELECT customer_id, NTILE({n}) OVER (ORDER BY {column} {order}, "
        f"customer_id ASC) AS score FROM frame"
    )
    out = duckdb.sql(query).df().set_index("customer_id")["score"]
    return out.loc[table.index].to_numpy()


@pytest.mark.parametrize("name", DATASETS)
def test_ntile_matches_sql_ntile(logs, name):
    table = _classic(logs[name])
    table.index = table.index.astype(str)
    scores = RFMScorer(10, method="ntile").fit_transform(table)
    assert (scores[:, 0] == _sql_ntile(table, "recency", 10, descending=True)).all()
    assert (scores[:, 1] == _sql_ntile(table, "frequency", 10, descending=False)).all()
    assert (scores[:, 2] == _sql_ntile(table, "monetary", 10, descending=False)).all()


@pytest.mark.parametrize("name", DATASETS)
def test_ntile_matches_openretailscience(logs, name):
    segmentation = pytest.importorskip(
        "openretailscience.segmentation.rfm",
        reason="openretailscience 0.48 pins pandas<3 and duckdb<1.6, which "
        "conflict with custseg's test environment; test_ntile_matches_sql_ntile "
        "checks the same NTILE query on DuckDB",
    )
    log = logs[name].copy()
    if "order_id" in log:
        log["transaction_id"] = log["order_id"]
    else:  # CDNOW: one row per order
        log["transaction_id"] = np.arange(len(log))
    log = log.rename(columns={"date": "transaction_date", "amount": "unit_spend"})
    current = log["transaction_date"].max().date()
    peer = segmentation.RFMSegmentation(log, current_date=current).df
    order_col = "order_id" if "order_id" in logs[name] else None
    table = custseg.rfm_table(
        logs[name],
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        order_col=order_col,
    )
    scores = RFMScorer(10, method="ntile").fit_transform(table.loc[peer.index])
    for j, col in enumerate(["r_score", "f_score", "m_score"]):
        assert (scores[:, j] == peer[col].to_numpy() + 1).all()


def test_rank_and_ntile_split_ties_by_customer_id():
    X = pd.DataFrame(
        {
            "recency": [3.0, 3, 3, 3, 1, 9],
            "frequency": [1.0, 1, 1, 1, 2, 5],
            "monetary": [5.0, 5, 5, 5, 5, 5],
        },
        index=pd.Index(["d", "b", "a", "c", "f", "e"], name="customer_id"),
    )
    ntile = RFMScorer(3, method="ntile").fit(X)
    # frequency ordered a, b, c, d (ties by id), f, e: NTILE(3) = 2, 2, 2 rows
    assert ntile.transform(X)[:, 1].tolist() == [2, 1, 1, 2, 3, 3]
    # recency ordered oldest first: e (9), then 3s by id a, b, c, d, then f
    assert ntile.transform(X)[:, 0].tolist() == [3, 2, 1, 2, 3, 1]
    rank = RFMScorer(3, method="rank").fit(X)
    # pandas qcut of rank(method="first"): positions 1..6, edges 2.67 and 4.33
    first = X["frequency"].sort_index().rank(method="first").loc[X.index]
    expected = pd.qcut(first, 3, labels=False) + 1
    assert rank.transform(X)[:, 1].tolist() == expected.tolist()
    # a new customer equal to a boundary value is placed by its id
    new = pd.DataFrame(
        {"recency": [3.0], "frequency": [1.0], "monetary": [5.0]},
        index=pd.Index(["bb"], name="customer_id"),
    )
    # frequency boundaries: "b" (last of bin 1) and "d" (last of bin 2)
    assert ntile.transform(new)[0, 1] == 2


def _sql_hml(table, column):
    """openretailscience's HML rule as its SQL: PERCENT_RANK over (value, id)."""
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed")
    frame = table[[column]].reset_index()  # noqa: F841 (read by DuckDB)
    query = (
        f"SELECT customer_id, CASE WHEN {column} = 0 THEN 'Zero' ELSE "
        f"CASE WHEN p <= 0.5 THEN 'Light' WHEN p <= 0.8 THEN 'Medium' "
        f"ELSE 'Heavy' END END AS segment FROM (SELECT *, CASE WHEN {column} = 0 "
        f"THEN NULL ELSE PERCENT_RANK() OVER (PARTITION BY {column} = 0 ORDER BY "
        f"{column}, customer_id) END AS p FROM frame)"
    )
    out = duckdb.sql(query).df().set_index("customer_id")["segment"]
    return out.loc[table.index].to_numpy()


@pytest.mark.parametrize("name", DATASETS)
def test_usage_tiers_split_matches_hml_percent_rank(logs, name):
    table = _classic(logs[name])
    table.index = table.index.astype(str)
    tiers = UsageTiers(
        "monetary",
        ties="split",
        tier_names=("Heavy", "Medium", "Light"),
        zero_tier="Zero",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # negative totals, counted
        tiers.fit(table)
    names = tiers.segment_names_[tiers.labels_]
    assert (names == _sql_hml(table, "monetary")).all()
    # the fitted customers keep their tiers through predict
    assert (tiers.predict(table) == tiers.labels_).all()

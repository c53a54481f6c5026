"""Cut points fitted within groups equal a per-group loop (Online Retail by country)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import custseg
from custseg import RFMScorer
from custseg.datasets import load_online_retail


@pytest.fixture(scope="module")
def retail_by_country(online_retail_path):
    """Online Retail customers with the country of their last purchase."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted cleaning warnings
        log = load_online_retail(online_retail_path)
    table = custseg.rfm_table(
        log,
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        order_col="order_id",
    )
    country = log.sort_values("date").groupby("customer_id")["country"].last()
    table["country"] = country.loc[table.index].to_numpy()
    sizes = table["country"].value_counts()
    # a group needs 2 customers to have cut points; the singletons are
    # checked separately below
    return table[table["country"].map(sizes) >= 2], sizes


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties in small countries
        return func(*args)


@pytest.mark.parametrize("method", ["quantile", "ntile", "jenks"])
def test_rfm_scorer_by_country_equals_a_loop(retail_by_country, method):
    table, _ = retail_by_country
    assert table["country"].nunique() > 20
    grouped = _quiet(RFMScorer(4, method=method, group_col="country").fit, table)
    scores = grouped.transform(table)
    for country, rows in table.groupby("country"):
        alone = _quiet(RFMScorer(4, method=method).fit, rows)
        mask = (table["country"] == country).to_numpy()
        np.testing.assert_array_equal(scores[mask], alone.transform(rows))
        for metric in ("recency", "frequency", "monetary"):
            np.testing.assert_array_equal(
                grouped.thresholds_[country][metric], alone.thresholds_[metric]
            )
    # the scales differ: the UK's monetary cut points are not Germany's
    uk = grouped.thresholds_["United Kingdom"]["monetary"]
    assert not np.array_equal(uk, grouped.thresholds_["Germany"]["monetary"])


def test_group_errors_name_the_group_and_column(retail_by_country):
    table, sizes = retail_by_country
    scorer = _quiet(RFMScorer(4, group_col="country").fit, table)
    single = sizes[sizes == 1].index[0]
    new = table.iloc[:1].assign(country=single)
    with pytest.raises(ValueError, match=f"'country'.*not seen in fit.*{single}"):
        scorer.transform(new)
    uk = table[table["country"] == "United Kingdom"].iloc[:5]
    one = pd.concat([uk, new.set_axis(["zz"])])
    with pytest.raises(ValueError, match=f"group '{single}' of column 'country'"):
        _quiet(RFMScorer(4, group_col="country").fit, one)
    with pytest.raises(ValueError, match="'region' is not a column"):
        RFMScorer(4, group_col="region").fit(table)
    with pytest.raises(ValueError, match="group_col='country' needs a table"):
        RFMScorer(4, group_col="country").fit(
            table[["recency", "frequency", "monetary"]].to_numpy()
        )
    missing = table.assign(country=table["country"].where(table["frequency"] > 1))
    with pytest.raises(ValueError, match="'country'.*missing value"):
        RFMScorer(4, group_col="country").fit(missing)


@pytest.mark.parametrize(
    "params",
    [{"method": "rank"}, {"method": "rank", "ties": "split"}, {"method": "pareto"}],
    ids=["rank", "rank-split", "pareto"],
)
def test_usage_tiers_by_country_equals_a_loop(retail_by_country, params):
    table, _ = retail_by_country
    grouped = _quiet(
        custseg.UsageTiers("monetary", group_col="country", **params).fit, table
    )
    for country, rows in table.groupby("country"):
        alone = _quiet(custseg.UsageTiers("monetary", **params).fit, rows)
        mask = (table["country"] == country).to_numpy()
        np.testing.assert_array_equal(grouped.labels_[mask], alone.labels_)
        np.testing.assert_array_equal(grouped.predict(rows), alone.labels_)
        np.testing.assert_array_equal(grouped.thresholds_[country], alone.thresholds_)
        pd.testing.assert_frame_equal(grouped.tiers_.loc[country], alone.tiers_)
    assert list(grouped.segment_names_) == ["heavy", "medium", "light"]
    # per-country tiers are not the global ones: the UK's heavy tier differs
    overall = _quiet(custseg.UsageTiers("monetary", **params).fit, table)
    assert not np.array_equal(grouped.labels_, overall.labels_)

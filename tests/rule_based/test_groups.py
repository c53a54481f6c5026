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
    # a group fitted apart needs 2 customers to have cut points; the
    # singletons are checked separately below
    return table[table["country"].map(sizes) >= 2], sizes, table


def _quiet(func, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties in small countries
        return func(*args)


@pytest.mark.parametrize("method", ["quantile", "ntile", "jenks"])
def test_rfm_scorer_by_country_equals_a_loop(retail_by_country, method):
    table, _, _ = retail_by_country
    assert table["country"].nunique() > 20
    scorer = RFMScorer(4, method=method, group_col="country", min_group_size=1)
    grouped = _quiet(scorer.fit, table)
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
    table, sizes, _ = retail_by_country
    scorer = _quiet(RFMScorer(4, group_col="country").fit, table)
    single = sizes[sizes == 1].index[0]
    new = table.iloc[:1].assign(country=single)
    with pytest.raises(ValueError, match=f"'country'.*not seen in fit.*{single}"):
        scorer.transform(new)
    uk = table[table["country"] == "United Kingdom"].iloc[:5]
    one = pd.concat([uk, new.set_axis(["zz"])])
    with pytest.raises(ValueError, match=f"group '{single}' of column 'country'"):
        _quiet(RFMScorer(4, group_col="country", min_group_size=1).fit, one)
    # pooled on its own, the single customer still cannot be scored: the
    # error names the pool and the remedy
    with pytest.raises(ValueError, match=rf"min_group_size=5.*{single}.*lower"):
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
    table, _, _ = retail_by_country
    tiers = custseg.UsageTiers(
        "monetary", group_col="country", min_group_size=1, **params
    )
    grouped = _quiet(tiers.fit, table)
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


@pytest.mark.parametrize("kind", ["scorer", "tiers"])
def test_groups_under_min_group_size_are_fitted_pooled(retail_by_country, kind):
    _, sizes, full = retail_by_country
    small = sizes[sizes < 5].index
    assert 10 <= len(small) < sizes.size  # Online Retail: 1-4 customer countries
    if kind == "scorer":
        grouped, alone = RFMScorer(4, group_col="country"), RFMScorer(4)
    else:
        grouped = custseg.UsageTiers("monetary", group_col="country")
        alone = custseg.UsageTiers("monetary")
    count = rf"{len(small)} group\(s\) of column 'country' have fewer than "
    count += rf"min_group_size=5 customers \({sizes[small].sum()} customers in all"
    with pytest.warns(UserWarning, match=count):
        grouped.fit(full)
    assert sorted(grouped.pooled_groups_) == sorted(small)
    # the small groups together equal one fit on their customers; the others
    # still equal their own fit
    pooled = full["country"].isin(small).to_numpy()
    for mask in (pooled, (full["country"] == "Germany").to_numpy()):
        rows = full[mask]
        _quiet(alone.fit, rows)
        if kind == "scorer":
            got, want = grouped.transform(full)[mask], alone.transform(rows)
            assert grouped.thresholds_[rows["country"].iloc[0]][
                "monetary"
            ].tolist() == (alone.thresholds_["monetary"].tolist())
        else:
            got, want = grouped.labels_[mask], alone.labels_
            np.testing.assert_array_equal(grouped.predict(rows), want)
        np.testing.assert_array_equal(got, want)
        if kind == "tiers" and mask is pooled:
            block = grouped.tiers_.loc["other groups"]
            pd.testing.assert_frame_equal(block, alone.tiers_)
    if kind == "tiers":
        assert not set(small) & set(grouped.tiers_.index.get_level_values("group"))
        # Singapore's only customer (top 2% overall) is no longer "light" by
        # being alone in its group
        singapore = (full["country"] == "Singapore").to_numpy()
        assert sizes["Singapore"] == 1
        assert grouped.segment_names_[grouped.labels_[singapore]].tolist() == ["heavy"]

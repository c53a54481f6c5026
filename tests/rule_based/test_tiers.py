"""UsageTiers against hand-built distributions and slow reference code."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from custseg import UsageTiers
from custseg._rule_based._tiers import gini


def _frame(values, column="frequency"):
    return pd.DataFrame({column: values})


def _tier_names(tiers, X=None):
    labels = tiers.labels_ if X is None else tiers.predict(X)
    return list(tiers.segment_names_[labels])


def test_rank_shares_match_the_cuts():
    X = _frame(np.arange(1, 21))  # 20 distinct values
    tiers = UsageTiers().fit(X)
    names = _tier_names(tiers)
    assert names == ["light"] * 10 + ["medium"] * 6 + ["heavy"] * 4
    assert tiers.tiers_["share"].tolist() == [0.2, 0.3, 0.5]
    assert tiers.thresholds_.tolist() == [17.0, 11.0]
    custom = UsageTiers(shares=(0.1, 0.25)).fit(X)
    assert custom.tiers_["customers"].tolist() == [2, 3, 15]


def test_rank_ties_at_a_boundary_go_down_with_a_warning():
    # sorted down: 5 4 3 2 1 1 1 1 1 1; the 5th and 6th customers tie at 1
    X = _frame([1] * 6 + [2, 3, 4, 5])
    with pytest.warns(UserWarning, match="6 customers share the value 1"):
        tiers = UsageTiers().fit(X)
    assert tiers.tiers_["customers"].tolist() == [2, 2, 6]
    assert set(tiers.labels_[:6]) == {2}


def _pareto_slow(values, share):
    """Fewest top customers whose total reaches ``share`` of the sum."""
    desc = sorted(values, reverse=True)
    total = sum(desc)
    for k in range(1, len(desc) + 1):
        if sum(desc[:k]) >= share * total - 1e-9:
            return k
    return len(desc)


def test_pareto_hand_built():
    values = [50, 20, 10, 5, 5, 4, 3, 2, 1]  # total 100
    tiers = UsageTiers("monetary", method="pareto", shares=(0.5, 0.8)).fit(
        _frame(values, "monetary")
    )
    assert _tier_names(tiers) == ["heavy", "medium", "medium"] + ["light"] * 6
    assert tiers.tiers_["value_share"].tolist() == pytest.approx([0.5, 0.3, 0.2])
    assert tiers.thresholds_.tolist() == [50.0, 10.0]


@pytest.mark.parametrize("seed", range(5))
def test_pareto_heavy_tier_is_the_fewest_customers_reaching_the_share(seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.pareto(1.5, 200) * 100, 2) + 1  # distinct, skewed
    tiers = UsageTiers("spend", method="pareto").fit(_frame(values, "spend"))
    heavy = values[tiers.labels_ == 0]
    assert heavy.sum() >= 0.8 * values.sum() - 1e-9
    assert heavy.size == _pareto_slow(list(values), 0.8)
    both = values[tiers.labels_ <= 1]
    assert both.size == _pareto_slow(list(values), 0.95)


def test_pareto_ties_keep_equal_values_together_and_the_share():
    values = [40, 20, 20, 10, 10]  # 40 < 50, 40 + 20 >= 50, but 20 is tied
    tiers = UsageTiers("spend", method="pareto", shares=(0.5, 0.9)).fit(
        _frame(values, "spend")
    )
    assert tiers.labels_.tolist() == [0, 0, 0, 1, 1]
    assert tiers.tiers_.loc[0, "value_share"] == 0.8


def test_fixed_thresholds_and_natural_breaks():
    X = _frame([0, 3, 5, 10, 11])
    fixed = UsageTiers(method="thresholds", thresholds=(10, 3)).fit(X)
    assert _tier_names(fixed) == ["light", "medium", "medium", "heavy", "heavy"]
    clustered = _frame([1, 2, 3, 10, 11, 12, 30, 31])
    jenks = UsageTiers(method="jenks").fit(clustered)
    assert _tier_names(jenks) == ["light"] * 3 + ["medium"] * 3 + ["heavy"] * 2
    assert jenks.thresholds_.tolist() == [30.0, 10.0]


def test_fitted_bounds_are_reused_at_predict():
    tiers = UsageTiers().fit(_frame(np.arange(1, 11)))  # bounds 9, 6
    new = _frame([100, 9, 8.5, 6, 5.9, 0])
    assert _tier_names(tiers, new) == [
        "heavy",
        "heavy",
        "medium",
        "medium",
        "light",
        "light",
    ]


def test_zero_tier_and_custom_names():
    values = [0, 0, 0, 0] + list(range(1, 11))
    tiers = UsageTiers(tier_names=("H", "M", "L"), zero_tier="none").fit(_frame(values))
    positives = UsageTiers().fit(_frame(list(range(1, 11))))
    np.testing.assert_array_equal(tiers.thresholds_, positives.thresholds_)
    assert list(tiers.segment_names_) == ["H", "M", "L", "none"]
    assert tiers.tiers_["customers"].tolist() == [2, 3, 5, 4]
    assert set(tiers.labels_[:4]) == {3}
    four = UsageTiers(tier_names=list("abcd"), shares=(0.1, 0.3, 0.6)).fit(
        _frame(np.arange(1, 11))
    )
    assert four.tiers_["customers"].tolist() == [1, 2, 3, 4]


def _gini_slow(values):
    x = np.asarray(values, dtype=float)
    diffs = sum(abs(a - b) for a in x for b in x)
    return diffs / (2 * len(x) ** 2 * x.mean())


def test_gini_and_tier_summary_against_slow_code():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 50, 80)
    assert gini(values) == pytest.approx(_gini_slow(values))
    with pytest.warns(UserWarning, match="3 customers share the value 23"):
        tiers = UsageTiers().fit(_frame(values))
    assert tiers.gini_ == pytest.approx(_gini_slow(values))
    summary = tiers.tiers_
    assert summary["customers"].sum() == 80
    for label, row in summary.iterrows():
        members = values[tiers.labels_ == label]
        assert row["value_share"] == pytest.approx(members.sum() / values.sum())
        assert row["min"] == members.min() and row["max"] == members.max()


def test_protocol_containers_and_inputs_untouched():
    pl = pytest.importorskip("polars")
    X = pd.DataFrame(
        {"frequency": [1, 5, 2, 9, 3, 7], "monetary": [10.0, 80, 15, 200, 30, 90]},
        index=pd.Index(list("abcdef"), name="customer_id"),
    )
    before = X.copy()
    tiers = UsageTiers().fit(X)
    pd.testing.assert_frame_equal(X, before)
    assert tiers.labels_.dtype == np.int64
    np.testing.assert_array_equal(tiers.predict(X), tiers.labels_)
    np.testing.assert_array_equal(tiers.fit_predict(X), tiers.labels_)
    assert tiers.profiles_["customers"].tolist() == tiers.tiers_["customers"].tolist()
    assert "revenue_share" in tiers.profiles_.columns
    as_polars = pl.from_pandas(X.reset_index())
    np.testing.assert_array_equal(UsageTiers().fit(as_polars).labels_, tiers.labels_)
    by_position = UsageTiers(column=0).fit(X.to_numpy())
    np.testing.assert_array_equal(by_position.labels_, tiers.labels_)
    one_column = UsageTiers().fit(X[["frequency"]].to_numpy())
    np.testing.assert_array_equal(one_column.labels_, tiers.labels_)


def test_negative_usage_is_counted_and_tiered_lightest():
    # a net-spend column from rfm_table has customers whose returns exceed
    # their purchases: they are tiered, not refused, and the warning counts them
    with pytest.warns(UserWarning, match="column 'frequency' has 2 negative") as rec:
        tiers = UsageTiers(shares=(0.2, 0.4)).fit(
            _frame([-5, 1, 2, 3, 4, 5, 6, 7, 8, -2])
        )
    assert rec[0].filename == __file__  # points at the caller, not into custseg
    assert tiers.labels_[[0, 9]].tolist() == [2, 2]
    # negative usage counts as no value: shares over 1+..+8 = 36
    expected = [(7 + 8) / 36, (5 + 6) / 36, (1 + 2 + 3 + 4) / 36]
    np.testing.assert_allclose(tiers.tiers_["value_share"], expected)


def test_errors():
    with pytest.raises(ValueError, match="shares must be 2 increasing values"):
        UsageTiers(shares=(0.5, 0.2)).fit(_frame([1, 2, 3]))
    with pytest.raises(ValueError, match="needs thresholds"):
        UsageTiers(method="thresholds").fit(_frame([1, 2, 3]))
    with pytest.raises(ValueError, match="strictly decreasing"):
        UsageTiers(method="thresholds", thresholds=(2, 5)).fit(_frame([1, 2, 3]))
    with pytest.raises(ValueError, match="give column as an int position"):
        UsageTiers().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"column\(s\) \['visits'\] not found"):
        UsageTiers("visits").fit(_frame([1, 2, 3]))
    with pytest.raises(ValueError, match="4 tiers need explicit shares"):
        UsageTiers(tier_names=list("abcd")).fit(_frame([1, 2, 3]))
    with pytest.raises(NotFittedError):
        UsageTiers().predict(_frame([1, 2, 3]))

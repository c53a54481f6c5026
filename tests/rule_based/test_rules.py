"""RFMSegmenter, rule presets and rule diagnostics.

Expectations come from hand-enumerated code lists and from slow, obvious
re-implementations of the original tools' assignment loops (R rfm's and
PyMC-Marketing's), written from their published rule tables.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from custseg import (
    RFMScorer,
    RFMSegmenter,
    diagnose_rules,
    get_rule_preset,
    list_rule_presets,
    rfm_table,
)

CODES5 = list(itertools.product(range(1, 6), repeat=3))
CODES4 = list(itertools.product(range(1, 5), repeat=3))


def _scores_frame(codes):
    codes = np.asarray(codes)
    return pd.DataFrame(
        {
            "recency_score": codes[:, 0],
            "frequency_score": codes[:, 1],
            "monetary_score": codes[:, 2],
        }
    )


def _names(rules, codes, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        seg = RFMSegmenter(rules, scorer="passthrough", **kwargs).fit(
            _scores_frame(codes)
        )
    return list(seg.segment_names_[seg.labels_])


# --- the Putler-style default ------------------------------------------------


def _putler_by_hand(r, f, m):
    """The documented 11-segment map, as a plain if-chain."""
    if r >= 4 and f >= 4 and m >= 4:
        return "Champions"
    if r >= 3 and f >= 3:
        return "Loyal"
    if r >= 4 and f == 2:
        return "Potential Loyalist"
    if r == 5 and f == 1:
        return "New"
    if r == 4 and f == 1:
        return "Promising"
    if r == 3 and f == 2:
        return "Need Attention"
    if r == 3 and f == 1:
        return "About to Sleep"
    if r <= 2 and f >= 4 and m >= 4:
        return "Can't Lose Them"
    if r <= 2 and f >= 3:
        return "At Risk"
    if r == 2 and f <= 2:
        return "Hibernating"
    if r == 1 and f <= 2:
        return "Lost"
    return None


def test_putler_preset_covers_all_125_codes_without_shadowing():
    by_hand = [_putler_by_hand(*c) for c in CODES5]
    assert None not in by_hand  # the hand map covers every code
    assert _names("putler", CODES5) == by_hand
    diag = diagnose_rules("putler")
    assert diag.n_covered == 125 and diag.uncovered == [] and diag.shadowed == []
    counts = pd.Series(by_hand).value_counts()
    assert dict(zip(diag.rules["segment"], diag.rules["n_reachable"], strict=True)) == (
        counts.to_dict()
    )
    assert counts.to_dict() == {
        "Loyal": 37,
        "At Risk": 22,
        "Potential Loyalist": 10,
        "Hibernating": 10,
        "Lost": 10,
        "Champions": 8,
        "Can't Lose Them": 8,
        "New": 5,
        "Promising": 5,
        "Need Attention": 5,
        "About to Sleep": 5,
    }
    # the only overlaps are the intended ones: Champions inside Loyal, and
    # Can't Lose Them inside At Risk (first match wins)
    pairs = set(
        zip(diag.overlaps["segment"], diag.overlaps["later_segment"], strict=True)
    )
    assert pairs == {("Champions", "Loyal"), ("Can't Lose Them", "At Risk")}


def test_every_preset_segment_has_a_description():
    for preset in list_rule_presets().index:
        table = get_rule_preset(preset)
        assert table["description"].str.len().gt(10).all(), preset
        # scores rank customers against each other: no description promises
        # an absolute time ("not long ago" meant 340 days on CDNOW)
        absolute = r"long ago|a while|very recently|not long|for a long time"
        assert not table["description"].str.contains(absolute).any(), preset


# --- PyMC-Marketing ----------------------------------------------------------

# pymc_marketing.clv.utils._default_rfm_segment_config, copied as data
PYMC_CONFIG = {
    "Premium Customer": ["334", "443", "444", "344", "434", "433", "343", "333"],
    "Repeat Customer": ["244", "234", "232", "332", "143", "233", "243"],
    "Top Spender": "424 414 144 314 324 124 224 423 413 133 323 313 134".split(),
    "At Risk Customer": "422 223 212 122 222 132 322 312 412 123 214".split(),
    "Inactive Customer": ["411", "111", "113", "114", "112", "211", "311"],
}
PYMC_UNCOVERED = (
    "121 131 141 142 213 221 231 241 242 321 331 341 342 421 431 432 441 442".split()
)


def _pymc_loop(code):
    segment = "Other"  # PyMC's loop: start at Other, later keys overwrite
    for name, codes in PYMC_CONFIG.items():
        if code in codes:
            segment = name
    return segment


def test_pymc_preset_reports_its_18_uncovered_codes():
    all_codes = {"".join(map(str, c)) for c in CODES4}
    listed = set().union(*map(set, PYMC_CONFIG.values()))
    assert sorted(all_codes - listed) == PYMC_UNCOVERED
    diag = diagnose_rules("pymc")
    assert diag.n_codes == 64 and diag.uncovered == PYMC_UNCOVERED
    assert diag.shadowed == [] and diag.overlaps.empty
    expected = [_pymc_loop("".join(map(str, c))) for c in CODES4]
    assert _names("pymc", CODES4) == expected


# --- R rfm -------------------------------------------------------------------

R_CURRENT = {  # rfm_segment's documented example (current version)
    "names": [
        "Champions", "Potential Loyalist", "Loyal Customers", "Promising",
        "New Customers", "Can't Lose Them", "At Risk", "Need Attention",
        "About To Sleep", "Lost",
    ],
    "bounds": [
        [5, 3, 2, 3, 4, 1, 1, 1, 2, 1], [5, 5, 4, 4, 5, 2, 2, 3, 3, 1],
        [5, 3, 2, 1, 1, 3, 2, 3, 1, 1], [5, 5, 4, 3, 3, 4, 5, 5, 3, 5],
        [5, 2, 2, 3, 1, 4, 4, 3, 1, 1], [5, 5, 4, 5, 5, 5, 5, 5, 4, 5],
    ],
}  # fmt: skip
R_LEGACY = {  # the vignette example of rfm <= 0.2.x
    "names": [
        "Champions", "Loyal Customers", "Potential Loyalist", "New Customers",
        "Promising", "Need Attention", "About To Sleep", "At Risk",
        "Can't Lose Them", "Lost",
    ],
    "bounds": [
        [4, 2, 3, 4, 3, 2, 2, 1, 1, 1], [5, 5, 5, 5, 4, 3, 3, 2, 1, 2],
        [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
        [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
    ],
}  # fmt: skip


def _r_loop(table, code, *, overwrite):
    """R's rfm_segment loop; ``overwrite=True`` is the rfm <= 0.2.x bug."""
    rl, ru, fl, fu, ml, mu = table["bounds"]
    segment = "Others"
    r, f, m = code
    for i, name in enumerate(table["names"]):
        hit = rl[i] <= r <= ru[i] and fl[i] <= f <= fu[i] and ml[i] <= m <= mu[i]
        if hit and (overwrite or segment == "Others"):
            segment = name
    return segment


def test_r_rfm_preset_matches_r_first_match_loop():
    expected = [_r_loop(R_CURRENT, c, overwrite=False) for c in CODES5]
    assert _names("r_rfm", CODES5) == expected
    diag = diagnose_rules("r_rfm")
    uncovered = sorted(
        "".join(map(str, c))
        for c, e in zip(CODES5, expected, strict=True)
        if e == "Others"
    )
    assert diag.uncovered == uncovered
    assert len(uncovered) == 10 and diag.shadowed == []


def test_r_rfm_legacy_preset_reproduces_champions_never_assigned():
    expected = [_r_loop(R_LEGACY, c, overwrite=True) for c in CODES5]
    assert "Champions" not in expected  # the defect, in R's own semantics
    assert _names("r_rfm_legacy", CODES5) == expected
    diag = diagnose_rules("r_rfm_legacy")
    assert diag.shadowed == ["Champions"]
    row = diag.rules.set_index("segment").loc["Champions"]
    assert row["n_codes"] == 8 and row["n_reachable"] == 0
    assert row["shadowed_by"] == ["Loyal Customers"]
    assert len(diag.uncovered) == sum(e == "Others" for e in expected) == 36


# --- custom rules and diagnostics --------------------------------------------


def test_custom_rules_diagnostics_hand_example():
    rules = {
        "A": {"recency": (4, 5)},  # 2 * 5 * 5 = 50 codes
        "B": {"recency": 5, "frequency": 5},  # 5 codes, all inside A
        "C": ["111"],
    }
    diag = diagnose_rules(rules)
    assert diag.shadowed == ["B"]
    assert len(diag.uncovered) == 125 - 50 - 1
    assert diag.overlaps[["segment", "later_segment", "n_shared"]].values.tolist() == [
        ["A", "B", 5]
    ]
    with pytest.warns(UserWarning, match=r"\['B'\] can never match"):
        RFMSegmenter(rules, scorer="passthrough").fit(
            _scores_frame([(5, 5, 5), (1, 1, 1)])
        )


def test_dataframe_dict_and_preset_forms_agree():
    putler = _names("putler", CODES5)
    assert _names(get_rule_preset("putler"), CODES5) == putler
    as_dict = {
        row.segment: {
            m: (getattr(row, f"{m}_lower"), getattr(row, f"{m}_upper"))
            for m in ("recency", "frequency", "monetary")
        }
        for row in get_rule_preset("putler").itertuples()
    }
    assert _names(as_dict, CODES5) == putler
    pymc = get_rule_preset("pymc")
    assert _names(pymc, CODES4, n_bins=4) == _names("pymc", CODES4)
    as_strings = pymc.assign(codes=pymc["codes"].map(" ".join))
    assert _names(as_strings, CODES4, n_bins=4) == _names("pymc", CODES4)


def test_catch_all_share_and_warning_count_customers():
    X = _scores_frame([(4, 4, 4), (1, 2, 1), (1, 1, 1), (1, 1, 1)])  # 121 uncovered
    with pytest.warns(UserWarning, match=r"1 of 4 customers \(25.0%\) match no rule"):
        seg = RFMSegmenter("pymc", scorer="passthrough").fit(X)
    assert seg.diagnostics_.catch_all_share == 0.25
    assert list(seg.segment_names_[seg.labels_]) == [
        "Premium Customer", "Other", "Inactive Customer", "Inactive Customer",
    ]  # fmt: skip
    assert seg.segment_names_[-1] == "Other"
    renamed = RFMSegmenter("pymc", scorer="passthrough", default_segment="Unassigned")
    with pytest.warns(UserWarning):
        assert renamed.fit(X).segment_names_[-1] == "Unassigned"


# --- raw tables, scorer ownership, protocol ----------------------------------


def _raw(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recency": rng.integers(0, 400, n),
            "frequency": rng.integers(1, 30, n),
            "monetary": rng.gamma(2.0, 80.0, n).round(2),
        },
        index=pd.Index([f"c{i}" for i in range(n)], name="customer_id"),
    )


def test_raw_table_is_scored_by_an_owned_scorer_and_reused_at_predict():
    X, later = _raw(seed=0), _raw(seed=1)
    before = X.copy()
    seg = RFMSegmenter().fit(X)
    pd.testing.assert_frame_equal(X, before)  # input untouched
    scorer = RFMScorer(n_bins=5).fit(X)
    for name in ("recency", "frequency", "monetary"):
        np.testing.assert_array_equal(
            seg.scorer_.thresholds_[name], scorer.thresholds_[name]
        )
    # predicting a later period uses the first period's cut points
    scores_later = pd.DataFrame(
        scorer.transform(later), columns=seg.scorer_.get_feature_names_out()
    )
    expected = [_putler_by_hand(*row) for row in scores_later.to_numpy()]
    assert list(seg.segment_names_[seg.predict(later)]) == expected


def test_protocol_and_profiles():
    X = _raw()
    seg = RFMSegmenter().fit(X)
    assert seg.labels_.dtype == np.int64 and seg.labels_.shape == (len(X),)
    np.testing.assert_array_equal(seg.predict(X), seg.labels_)
    np.testing.assert_array_equal(seg.fit_predict(X), seg.labels_)
    assert list(seg.segment_names_) == [r[0] for r in get_rule_preset("putler").values]
    prof = seg.profiles_
    assert prof["customers"].sum() == len(X)
    assert prof["description"].iloc[0] == get_rule_preset("putler")["description"][0]
    champions = X[seg.labels_ == 0]
    assert prof.loc[0, "monetary"] == champions["monetary"].median()
    assert prof.loc[0, "revenue_share"] == pytest.approx(
        champions["monetary"].sum() / X["monetary"].sum()
    )


def test_custom_scorer_columns_and_polars_input():
    pl = pytest.importorskip("polars")
    X = _raw().rename(columns={"recency": "days", "monetary": "spend"})
    scorer = RFMScorer(recency_col="days", monetary_col="spend")
    seg = RFMSegmenter(scorer=scorer).fit(X)
    assert scorer.__dict__.get("thresholds_") is None  # the given scorer is cloned
    # a polars customer table keeps the id as its first column
    as_polars = pl.from_pandas(X.reset_index())
    seg_pl = RFMSegmenter(scorer=scorer).fit(as_polars)
    np.testing.assert_array_equal(seg_pl.labels_, seg.labels_)
    np.testing.assert_array_equal(seg_pl.predict(as_polars), seg.labels_)
    assert "spend" in seg.profiles_.columns
    assert seg.profiles_["revenue_share"].sum() == pytest.approx(1.0)


def test_errors():
    with pytest.raises(ValueError, match="Unknown rule preset 'nope'"):
        RFMSegmenter("nope", scorer="passthrough").fit(_scores_frame(CODES5))
    with pytest.raises(ValueError, match=r"Rule 'x': code '69' is not three scores"):
        diagnose_rules({"x": ["69"]})
    with pytest.raises(ValueError, match=r"Rule 'x': frequency range \(4, 2\)"):
        diagnose_rules({"x": {"frequency": (4, 2)}})
    with pytest.raises(ValueError, match="Preset 'pymc' is defined on 4 scores"):
        RFMSegmenter("pymc", n_bins=5).fit(_raw())
    with pytest.raises(ValueError, match=r"scorer gives 5 scores .* rules use 4"):
        RFMSegmenter("pymc", scorer=RFMScorer(n_bins=5)).fit(_raw())
    bad = _scores_frame([(5, 5, 5), (6, 1, 1)])
    with pytest.raises(ValueError, match="'recency_score' has 1 value"):
        RFMSegmenter(scorer="passthrough").fit(bad)
    with pytest.raises(ValueError, match=r"column\(s\) \['monetary'\] not found"):
        RFMSegmenter().fit(_raw().drop(columns="monetary"))
    with pytest.raises(NotFittedError):
        RFMSegmenter().predict(_raw())


def test_resolved_number_of_scores_is_a_fitted_attribute():
    with pytest.warns(UserWarning, match="match no rule"):
        seg = RFMSegmenter("pymc", scorer="passthrough").fit(_scores_frame(CODES4))
    assert seg.n_bins_ == 4 and seg.n_bins is None
    assert RFMSegmenter().fit(_raw()).n_bins_ == 5


def test_btyd_table_is_refused_by_classic_presets_and_read_by_pymc():
    # two customers bought on days 0 and 90 (one twice); a log ending on day 100
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c", "d"],
            "date": pd.to_datetime(
                ["2020-01-01", "2020-03-31", "2020-01-01", "2020-02-01",
                 "2020-04-09", "2020-04-01"]
            ),
            "amount": [10.0, 20.0, 5.0, 8.0, 9.0, 30.0],
        }
    )  # fmt: skip
    btyd = rfm_table(log, definition="btyd")
    assert "T" in btyd.columns
    for rules in ("putler", "r_rfm", "pypi_rfm", {"All": {"recency": (1, 5)}}):
        with pytest.raises(
            ValueError, match=r"BTYD table.*'T'.*definition=\"classic\""
        ):
            RFMSegmenter(rules).fit(btyd)
    # the preset defined on the BTYD table reads it, like an explicit scorer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties on 4 customers
        assert RFMSegmenter("pymc").fit(btyd).labels_.size == 4
        scorer = RFMScorer(2, monetary_col="monetary_value")
        assert RFMSegmenter({"All": {}}, scorer=scorer).fit(btyd).n_segments_ == 1
    assert list_rule_presets()["table"].to_dict()["pymc"] == "btyd"
    assert set(list_rule_presets()["table"].drop("pymc")) == {"classic"}
    # the scorer alone: refused with its default columns, read when named
    with pytest.raises(ValueError, match="RFMScorer: X looks like a BTYD table"):
        RFMScorer(2).fit(btyd)
    RFMScorer(2, monetary_col="monetary_value").fit(btyd)
    classic = rfm_table(log)
    assert RFMSegmenter(scorer=RFMScorer(2), n_bins=2, rules={"x": {}}).fit(classic)

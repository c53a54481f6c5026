"""Expected value per segment: segment_profiles(value=...), tiers on value, CDNOW holdout."""

import numpy as np
import pandas as pd
import pytest

from custseg import (
    BetaGeoModel,
    GammaGammaModel,
    RFMSegmenter,
    UsageTiers,
    rfm_table,
    segment_profiles,
)
from custseg.datasets import load_cdnow, make_transactions


@pytest.fixture(scope="module")
def synthetic():
    log, _ = make_transactions(400, random_state=1)
    btyd = rfm_table(log, order_col="order_id", definition="btyd", time_scaler=7)
    classic = rfm_table(log, order_col="order_id")
    model = BetaGeoModel(GammaGammaModel(), horizon=26).fit(btyd)
    return classic, btyd, model


def test_value_columns_equal_a_plain_groupby(synthetic):
    classic, btyd, model = synthetic
    seg = RFMSegmenter().fit(classic)
    per_customer = model.value_table(btyd)
    got = segment_profiles(classic, seg.labels_, seg.segment_names_, value=per_customer)
    frame = per_customer.assign(label=seg.labels_)
    by_hand = frame.groupby("label")
    present = by_hand.size().index
    np.testing.assert_allclose(
        got.loc[present, "expected_value"], by_hand["expected_value"].sum()
    )
    np.testing.assert_allclose(
        got.loc[present, "expected_purchases_median"],
        by_hand["expected_purchases"].median(),
    )
    # active customers are counted among repeat buyers only (frequency > 0 on
    # the BTYD table): the model keeps every one-time buyer alive
    repeat = frame[btyd["frequency"].to_numpy() > 0].groupby("label")
    np.testing.assert_array_equal(
        got.loc[present, "repeat_buyers"],
        repeat.size().reindex(present, fill_value=0),
    )
    np.testing.assert_allclose(
        got.loc[present, "expected_alive"],
        repeat["probability_alive"].sum().reindex(present),
    )
    np.testing.assert_allclose(
        got.loc[present, "probability_alive_median"],
        repeat["probability_alive"].median().reindex(present),
    )
    assert got["expected_value_share"].sum() == pytest.approx(1.0)
    # segments named by the rules but without customers: zero value, no median
    empty = got["customers"] == 0
    assert (got.loc[empty, "expected_value"] == 0).all()
    assert got.loc[empty, "expected_value_median"].isna().all()


def test_one_time_buyers_do_not_count_as_alive(synthetic):
    _, btyd, model = synthetic
    one_time = (btyd["frequency"] == 0).to_numpy()
    assert one_time.any() and (~one_time).any()
    got = segment_profiles(btyd, one_time.astype(int), ["repeat", "once"], value=model)
    # every one-time buyer has probability alive 1 in the BG/NBD; a segment of
    # them has no active customers to tell, not "all of them active"
    assert got.loc[1, "repeat_buyers"] == 0
    assert np.isnan(got.loc[1, "expected_alive"])
    assert np.isnan(got.loc[1, "probability_alive_median"])
    alive = model.probability_alive(btyd)[~one_time]
    assert got.loc[0, "repeat_buyers"] == (~one_time).sum()
    assert got.loc[0, "expected_alive"] == pytest.approx(alive.sum())
    assert got.loc[0, "probability_alive_median"] == pytest.approx(np.median(alive))


def test_value_table_without_repeat_flag_is_refused(synthetic):
    _, btyd, model = synthetic
    table = model.value_table(btyd).drop(columns="repeat_buyer")
    with pytest.raises(ValueError, match="repeat_buyer"):
        segment_profiles(btyd, np.zeros(len(btyd), dtype=int), value=table)


def test_model_evaluated_on_x_and_rows_matched_by_customer_id(synthetic):
    _, btyd, model = synthetic
    labels = (btyd["frequency"] > 2).astype(int).to_numpy()
    from_model = segment_profiles(btyd, labels, value=model)
    shuffled = model.value_table(btyd).sample(frac=1.0, random_state=0)
    from_table = segment_profiles(btyd, labels, value=shuffled)
    pd.testing.assert_frame_equal(from_model, from_table)


def test_value_for_other_customers_is_refused(synthetic):
    _, btyd, model = synthetic
    table = model.value_table(btyd).iloc[:-3]
    with pytest.raises(ValueError, match="no row for 3 customers"):
        segment_profiles(btyd, np.zeros(len(btyd), dtype=int), value=table)


def test_classic_table_refused_by_the_model(synthetic):
    classic, _, model = synthetic
    with pytest.raises(ValueError, match=r"no column \['T'\]"):
        segment_profiles(classic, np.zeros(len(classic), dtype=int), value=model)


def test_usage_tiers_on_expected_value(synthetic):
    # the documented recipe: a column of expected value, tiered by Pareto share
    _, btyd, model = synthetic
    X = btyd.assign(expected_value=model.customer_value(btyd))
    tiers = UsageTiers(column="expected_value", method="pareto").fit(X)
    value = X["expected_value"].to_numpy()
    heavy = tiers.labels_ == 0
    assert value[heavy].sum() / value.sum() >= 0.8
    assert value[heavy].min() >= value[~heavy].max()


def test_cdnow_holdout_purchases_per_segment(cdnow_master_path):
    """Calibration to 1997-09-30, holdout to 1998-06-30 (39 weeks each)."""
    log = load_cdnow(cdnow_master_path)
    cutoff = pd.Timestamp("1997-09-30")
    calibration = log[log["date"] <= cutoff]
    btyd = rfm_table(
        calibration, definition="btyd", reference_date=cutoff, time_scaler=7
    )
    classic = rfm_table(calibration, reference_date=cutoff)
    holdout = log[log["date"] > cutoff]
    # BG/NBD counts purchase days (repeat periods), not rows
    actual = (
        holdout.groupby("customer_id")["date"]
        .nunique()
        .reindex(btyd.index, fill_value=0)
    )
    model = BetaGeoModel(horizon=39).fit(btyd)
    predicted = model.predict_purchases(btyd)
    # The issue asked for the total within 5%.  The correctly fitted model
    # (equal to lifetimes' to 1e-6) underpredicts the 39-week holdout by 14%:
    # 16,874 predicted vs 19,684 purchase days.  This is the model's forecast,
    # not a counting error: the published model on the published 1/10 summary
    # is 12% under too (next test), the unconditional cohort forecast of the
    # paper's tracking plot is as low (below), and the time unit changes
    # nothing (days give the same total).
    assert actual.sum() == 19684
    assert predicted.sum() / actual.sum() == pytest.approx(0.857, abs=0.01)
    r, alpha, a, b = (model.params_[k] for k in ("r", "alpha", "a", "b"))

    def unconditional(t):  # E[X(t)], equation 9 of FHL (2005)
        from scipy.special import hyp2f1

        z = t / (alpha + t)
        return (
            (a + b - 1)
            / (a - 1)
            * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )

    T = btyd["T"].to_numpy()
    cohort = unconditional(T + 39) - unconditional(T)
    assert cohort.sum() / actual.sum() == pytest.approx(0.856, abs=0.01)
    daily = rfm_table(calibration, definition="btyd", reference_date=cutoff)
    in_days = BetaGeoModel().fit(daily).predict_purchases(daily, 273)
    assert in_days.sum() == pytest.approx(predicted.sum(), rel=1e-4)
    with pytest.warns(UserWarning, match="ties in column 'frequency'"):
        seg = RFMSegmenter().fit(classic)
    table = (
        pd.DataFrame(
            {"segment": seg.segment_names_[seg.labels_], "p": predicted, "a": actual}
        )
        .groupby("segment")
        .agg(customers=("p", "size"), predicted=("p", "sum"), actual=("a", "sum"))
    )
    close = (table["predicted"] / table["actual"] - 1).abs() <= 0.10
    # Champions, Lost, Hibernating, About to Sleep are within 10%; Loyal
    # (one or two calibration repeats, 18% of customers) is 33% under
    assert table.loc[close, "customers"].sum() / len(btyd) > 0.70
    assert set(table.index[close]) >= {"Champions", "Lost", "Hibernating"}


def _conditional_expectation(params, t, x, t_x, T):
    """Equation 10 of Fader, Hardie and Lee (2005), written out with scipy."""
    from scipy.special import hyp2f1

    r, alpha, a, b = params
    term = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + T + t)
    )
    odds = np.where(
        x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0
    )
    return (a + b + x - 1) / (a - 1) * term / (1 + odds)


def test_cdnow_sample_holdout_with_the_published_model(
    cdnow_summary_path, cdnow_sample_path
):
    """The 14% underprediction is the model's, not custseg's counting.

    Everything here is external to custseg: Fader and Hardie's own weekly
    calibration summary, their published estimates (Table 1 of FHL 2005), the
    paper's equation 10, and the holdout purchase days of the raw 1/10 sample.
    The published model predicts 1,653 repeat purchase days for weeks 40-78;
    the customers made 1,882 (-12%).
    """
    summary = pd.read_csv(cdnow_summary_path)
    raw = pd.read_csv(
        cdnow_sample_path, sep=r"\s+", header=None, dtype=str,
        names=["customer_id", "ID", "date", "n_cds", "amount"],
    )  # fmt: skip
    raw["ID"] = raw["ID"].astype(int)
    holdout = raw[raw["date"] > "19970930"]
    actual = (
        holdout.groupby("ID")["date"].nunique().reindex(summary["ID"], fill_value=0)
    )
    published = (0.243, 4.414, 0.793, 2.426)
    x, t_x, T = (summary[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    predicted = _conditional_expectation(published, 39.0, x, t_x, T)
    assert actual.sum() == 1882
    assert predicted.sum() == pytest.approx(1653, abs=2)
    # custseg's own fit on its own table gives the same forecast
    log = load_cdnow(cdnow_sample_path)
    cutoff = pd.Timestamp("1997-09-30")
    btyd = rfm_table(
        log[log["date"] <= cutoff], definition="btyd", reference_date=cutoff,
        time_scaler=7,
    )  # fmt: skip
    ours = BetaGeoModel().fit(btyd).predict_purchases(btyd, 39)
    assert ours.sum() == pytest.approx(predicted.sum(), rel=2e-3)

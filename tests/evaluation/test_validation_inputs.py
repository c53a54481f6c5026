"""validate_segmentation on imperfect inputs: one policy, each case tested."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custseg import CustomerSegmenter, rfm_table, validate_segmentation

N = 200


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    labels = np.repeat(["a", "b"], N // 2)
    X = pd.DataFrame(
        {
            "spend": np.r_[rng.normal(10, 2, N // 2), rng.normal(14, 2, N // 2)],
            "visits": rng.poisson(3, N).astype(float),
        }
    )
    return X, labels


def test_threaded_validation_leaves_the_warning_filters_alone():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"x": rng.rand(300), "y": rng.rand(300)})
    before = list(warnings.filters)
    validate_segmentation(
        CustomerSegmenter(n_segments=3, n_bootstrap=0, random_state=0),
        X,
        n_bootstrap=8,
        n_jobs=2,
        random_state=0,
    )
    assert warnings.filters == before
    log = pd.DataFrame(
        {
            "customer_id": ["a", None, "b"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    with pytest.warns(UserWarning, match="1"):
        rfm_table(log)


def test_missing_feature_values_are_counted_and_left_out_of_their_tests(table):
    X, labels = table
    X_nan = X.copy()
    X_nan.loc[:9, "spend"] = np.nan
    X_nan.loc[150, "spend"] = np.inf
    before = X_nan.copy()
    with pytest.warns(UserWarning, match=r"'spend': 11 customers"):
        report = validate_segmentation(labels, X_nan, n_bootstrap=0, defined_by=None)
    pd.testing.assert_frame_equal(X_nan, before)
    keep = np.isfinite(X_nan["spend"].to_numpy())
    spend = X_nan["spend"].to_numpy()
    expected = stats.kruskal(
        spend[keep & (labels == "a")], spend[keep & (labels == "b")]
    ).pvalue
    assert report.features.loc["spend", "p_value"] == pytest.approx(expected)


def test_all_missing_column_is_skipped_with_a_warning(table):
    X, labels = table
    X = X.assign(mean_days_between_orders=np.nan)
    with pytest.warns(
        UserWarning, match=r"\['mean_days_between_orders'\] have no value"
    ):
        report = validate_segmentation(labels, X, n_bootstrap=2, random_state=0)
    assert "mean_days_between_orders" not in report.features.index


def test_duplicate_column_names_are_refused(table):
    X, labels = table
    X = pd.concat([X, X[["spend"]]], axis=1)
    with pytest.raises(ValueError, match=r"duplicate column names \['spend'\]"):
        validate_segmentation(labels, X, n_bootstrap=0)
    outcome = pd.DataFrame(np.ones((N, 2)), columns=["o", "o"])
    with pytest.raises(ValueError, match=r"outcome has duplicate column names"):
        validate_segmentation(labels, table[0], outcome=outcome, n_bootstrap=0)


def test_labels_mixing_numbers_and_text_compare_as_text(table):
    X, _ = table
    mixed = np.array([1, "1", "x", "x"] * (N // 4), dtype=object)
    report = validate_segmentation(mixed, X, n_bootstrap=0)
    assert report.segments["name"].tolist() == ["1", "x"]
    assert report.segments["customers"].tolist() == [N // 2, N // 2]


def test_column_vector_of_labels_is_a_vector(table):
    X, labels = table
    flat = validate_segmentation(labels, X, n_bootstrap=0)
    column = validate_segmentation(labels.reshape(-1, 1), X, n_bootstrap=0)
    pd.testing.assert_frame_equal(flat.features, column.features)
    with pytest.raises(ValueError, match="one label per customer"):
        validate_segmentation(np.c_[labels, labels], X, n_bootstrap=0)


def test_missing_and_all_missing_outcomes(table):
    X, labels = table
    rng = np.random.RandomState(1)
    spend = pd.Series(rng.rand(N))
    spend[:5] = np.nan
    outcome = pd.DataFrame({"next_spend": spend, "empty": np.nan})
    with pytest.warns(UserWarning) as caught:
        report = validate_segmentation(labels, X, outcome=outcome, n_bootstrap=0)
    text = " ".join(str(w.message) for w in caught)
    assert "['empty'] have no value" in text
    assert "'next_spend': 5 customers" in text
    assert report.outcomes.index.tolist() == ["next_spend"]
    keep = spend.notna().to_numpy()
    values = spend.to_numpy()
    expected = stats.kruskal(
        values[keep & (labels == "a")], values[keep & (labels == "b")]
    ).pvalue
    assert report.outcomes.loc["next_spend", "p_value"] == pytest.approx(expected)


def test_categorical_missing_for_a_whole_segment_is_not_separating(table):
    X, labels = table
    channel = np.where(np.arange(N) % 2, "web", "store").astype(object)
    channel[labels == "b"] = None
    X = X.assign(channel=channel)
    with pytest.warns(UserWarning, match="'channel': 100 customers"):
        report = validate_segmentation(labels, X, n_bootstrap=0, defined_by=None)
    row = report.features.loc["channel"]
    assert row["magnitude"] == "n/a" and not row["separates"]
    assert np.isnan(row["effect_size"])


def test_refit_warnings_are_shown_once_not_per_resample():
    from custseg import RFMSegmenter
    from custseg.datasets import make_travel_bookings

    customers, _, _ = make_travel_bookings(600, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate_segmentation(
            RFMSegmenter("putler"), customers, n_bootstrap=6, n_jobs=2, random_state=0
        )
    ties = [w for w in caught if "collapse the 5 quantile bins" in str(w.message)]
    assert len(ties) == 1  # the fit on all customers; none from the 6 refits
    assert ties[0].filename == __file__


# --- one alignment rule for every entry point (custseg._tables) ---------------


@pytest.mark.parametrize(
    "labels",
    [
        np.zeros(N - 1, dtype=int),
        np.zeros((N, 2), dtype=int),
        np.r_[np.nan, np.zeros(N - 1)],
        pd.Series(np.zeros(N, dtype=int), index=[f"z{i}" for i in range(N)]),
        5,
    ],
    ids=["length", "2-d", "missing", "other-customers", "scalar"],
)
def test_labels_are_refused_with_the_readers_message(table, labels):
    """validate_segmentation and segment_profiles read labels by one rule."""
    from custseg import segment_profiles

    X, _ = table
    X = X.set_axis([f"c{i}" for i in range(N)])  # indexed by customer id
    errors = []
    for call, name in (
        (lambda: validate_segmentation(labels, X, n_bootstrap=0), "segmentation"),
        (lambda: segment_profiles(X, labels), "labels"),
    ):
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        message = str(info.value)
        assert message.startswith(f"{name} "), message
        errors.append((info.type, message.removeprefix(name)))
    (type_v, text_v), (type_p, text_p) = errors
    assert type_v is type_p
    if not isinstance(labels, int):  # validate_segmentation also takes segmenters
        assert text_v == text_p


def test_object_column_of_numbers_is_tested_as_numbers(table):
    # the reader's numeric policy: numbers held as objects are numbers
    X, labels = table
    as_objects = X.astype({"spend": object})
    report = validate_segmentation(labels, as_objects, n_bootstrap=0)
    expected = validate_segmentation(labels, X, n_bootstrap=0)
    assert report.features.loc["spend", "kind"] == "numeric"
    assert report.features.loc["spend", "p_value"] == pytest.approx(
        expected.features.loc["spend", "p_value"]
    )


def test_numeric_looking_text_is_a_category_and_complex_is_refused(table):
    X, labels = table
    text = X.assign(visits=X["visits"].astype(int).astype(str))
    report = validate_segmentation(labels, text, n_bootstrap=0)
    assert report.features.loc["visits", "kind"] != "numeric"
    with pytest.raises(TypeError, match="column 'spend' must be numeric, got complex"):
        validate_segmentation(labels, X.assign(spend=X["spend"] + 1j), n_bootstrap=0)


def test_a_polars_outcome_keeps_its_column_names(table):
    pl = pytest.importorskip("polars")
    X, labels = table
    spend = np.random.RandomState(2).rand(N)
    report = validate_segmentation(
        labels, X, outcome=pl.DataFrame({"next_spend": spend}), n_bootstrap=0
    )
    expected = validate_segmentation(
        labels, X, outcome=pd.DataFrame({"next_spend": spend}), n_bootstrap=0
    )
    pd.testing.assert_frame_equal(report.outcomes, expected.outcomes)

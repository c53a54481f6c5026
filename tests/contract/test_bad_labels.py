"""Labels given beside a table: segment_profiles and segment_migration.

Each case is a row of docs/bad_inputs.md; expected tables are worked out by
hand or with plain pandas.
"""

import numpy as np
import pandas as pd
import pytest

from custseg import segment_migration, segment_profiles

# --- segment_profiles -----------------------------------------------------------


@pytest.fixture
def table():
    return pd.DataFrame(
        {"frequency": [1, 2, 3, 4], "monetary": [10.0, 20.0, 30.0, 140.0]},
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )


def test_profiles_align_a_labels_series_by_customer_id(table):
    # the same labels, listed in another order: a, b -> 0; c, d -> 1
    labels = pd.Series([1, 0, 1, 0], index=["d", "b", "c", "a"])
    out = segment_profiles(table, labels)
    assert out["monetary"].tolist() == [15.0, 85.0]
    np.testing.assert_allclose(out["revenue_share"], [30 / 200, 170 / 200])
    positional = segment_profiles(table, [0, 0, 1, 1])
    pd.testing.assert_frame_equal(out, positional)


def test_profiles_take_a_range_indexed_series_in_row_order(table):
    out = segment_profiles(table, pd.Series([0, 0, 1, 1]))
    assert out["monetary"].tolist() == [15.0, 85.0]


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (["x", "x", "y", "y"], TypeError, "labels must be integer segment labels"),
        ([0, -1, 1, 1], ValueError, "1 negative label"),
        ([0, 0.5, 1, 1], ValueError, "not whole numbers"),
        ([0, np.nan, 1, 1], ValueError, "1 missing label"),
        ([0, None, 1, 1], ValueError, "1 missing label"),
        ([0, 1, 1], ValueError, "labels has 3 entries but X has 4 rows"),
        (np.zeros((4, 2)), ValueError, "one-dimensional"),
        ("0011", TypeError, "array-like"),
    ],
)
def test_profiles_refuse_bad_labels(table, labels, error, match):
    with pytest.raises(error, match=match):
        segment_profiles(table, labels)


def test_profiles_refuse_a_series_indexed_by_other_customers(table):
    labels = pd.Series([0, 0, 1, 1], index=["a", "b", "c", "zz"])
    with pytest.raises(ValueError, match="indexed by other customers"):
        segment_profiles(table, labels)


def test_profiles_of_a_huge_label_allocate_one_row_per_label(table):
    out = segment_profiles(table, [0, 0, 10**9, 10**9])
    assert out.index.tolist() == [0, 10**9]
    assert out["customers"].tolist() == [2, 2]
    with pytest.raises(ValueError, match="label 1000000000 but segment_names"):
        segment_profiles(table, [0, 0, 10**9, 10**9], ["a", "b"])


def test_profiles_of_an_n_by_1_column_of_labels(table):
    out = segment_profiles(table, np.array([[0], [0], [1], [1]]))
    assert out["customers"].tolist() == [2, 2]


def test_profiles_of_amounts_near_the_float_limit_are_finite(table):
    huge = table.assign(monetary=[1e308, 1e308, 1.0, 1.0])
    out = segment_profiles(huge, [0, 0, 1, 1])
    np.testing.assert_allclose(out["revenue_share"], [1.0, 1e-308 / 1.0], atol=1e-300)
    assert np.isfinite(out["revenue_share"]).all()


# --- segment_migration ----------------------------------------------------------


def test_migration_refuses_ids_of_different_types():
    before = pd.Series([0, 1, 1], index=[1, 2, 3])
    after = pd.Series([1, 1, 0], index=["1", "2", "3"])
    with pytest.raises(ValueError, match=r"int64 \(numbers.*\(text"):
        segment_migration(before, after)


def test_migration_refuses_an_array_beside_keyed_labels():
    before = pd.Series([0, 1, 1], index=["a", "b", "c"])
    with pytest.raises(ValueError, match="labels_after is a plain array"):
        segment_migration(before, np.array([1, 1, 0]))
    with pytest.raises(ValueError, match="labels_before is a plain array"):
        segment_migration([0, 1, 1], {"a": 0, "b": 1, "c": 1})


def test_migration_of_a_range_indexed_series_beside_an_array_is_by_position():
    mig = segment_migration(pd.Series([0, 1, 1]), np.array([1, 1, 0]))
    assert mig.n_matched == 3
    assert mig.counts.loc[0, 1] == 1 and mig.counts.loc[1, 1] == 1
    assert mig.counts.loc[1, 0] == 1


@pytest.mark.parametrize("which", ["names_before", "names_after"])
def test_migration_refuses_duplicate_names(which):
    with pytest.raises(ValueError, match=rf"{which} has duplicate names \['x'\]"):
        segment_migration([0, 1], [1, 0], **{which: ["x", "x"]})


def test_migration_input_is_not_modified():
    before = pd.Series([0, 1, 1], index=["a", "b", "c"])
    after = pd.Series([1, 1], index=["a", "d"])
    copies = before.copy(), after.copy()
    mig = segment_migration(before, after, names_before=["p", "q"])
    pd.testing.assert_series_equal(before, copies[0])
    pd.testing.assert_series_equal(after, copies[1])
    assert (mig.n_matched, mig.n_new, mig.n_gone) == (1, 1, 2)


@pytest.mark.parametrize(
    "before, after, match",
    [
        ([0, 1, 1], [0, 1], "arrays are matched by position"),
        (pd.Series([0, 1], index=["a", "a"]), {"a": 0}, "1 duplicated customer id"),
        (pd.Series([0, None], index=["a", "b"]), {"a": 0}, "1 missing label"),
    ],
)
def test_migration_other_refusals(before, after, match):
    with pytest.raises(ValueError, match=match):
        segment_migration(before, after)
    with pytest.raises(ValueError, match="labels outside 0..1"):
        segment_migration([0, 2], [1, 0], names_before=["p", "q"])


# --- name_personas: labels read like segment_profiles' --------------------------


def test_personas_align_labels_by_customer_id_and_refuse_missing_ones():
    from custseg import name_personas

    X = pd.DataFrame(
        {"plan": ["pro", "pro", "free", "free"], "spend": [50.0, 60.0, 5.0, 6.0]},
        index=pd.Index(["a", "b", "c", "d"], name="customer_id"),
    )
    profiles = segment_profiles(X, [0, 0, 1, 1])
    positional = name_personas(profiles, X, labels=[0, 0, 1, 1])
    # the same labels listed in another customer order
    keyed = name_personas(
        profiles, X, labels=pd.Series([1, 0, 1, 0], index=["d", "b", "c", "a"])
    )
    pd.testing.assert_frame_equal(keyed, positional)
    with pytest.raises(ValueError, match="labels has 1 missing label;"):
        name_personas(profiles, X, labels=[0, 0, 1, np.nan])
    with pytest.raises(ValueError, match="one-dimensional, one label per customer"):
        name_personas(profiles, X, labels=np.zeros((4, 2)))

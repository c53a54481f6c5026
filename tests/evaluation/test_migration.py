"""segment_migration against hand-worked tables and a slow counting loop."""

import numpy as np
import pandas as pd
import pytest

from custseg import segment_migration


def test_hand_worked_with_new_and_gone_customers():
    before = pd.Series({"a": "A", "b": "A", "c": "B", "d": "B"})
    after = pd.Series({"a": "A", "b": "B", "c": "B", "e": "A"})
    mig = segment_migration(before, after)
    assert mig.counts.index.tolist() == ["A", "B", "(new)"]
    assert mig.counts.columns.tolist() == ["A", "B", "(gone)"]
    assert mig.counts.to_numpy().tolist() == [[1, 1, 0], [0, 1, 1], [1, 0, 0]]
    assert (mig.n_matched, mig.n_new, mig.n_gone) == (3, 1, 1)
    assert mig.shares.loc["A"].tolist() == [0.5, 0.5, 0.0]
    assert mig.shares.loc["(new)"].tolist() == [1.0, 0.0, 0.0]


def test_int_labels_with_names_keep_empty_segments():
    before = pd.Series([0, 0, 1], index=["x", "y", "z"])
    after = pd.Series([2, 0, 0], index=["x", "y", "z"])
    mig = segment_migration(
        before, after, names_before=["lo", "hi", "mid"], names_after=["p", "q", "r"]
    )
    assert mig.counts.index.tolist() == ["lo", "hi", "mid", "(new)"]
    assert mig.counts.columns.tolist() == ["p", "q", "r", "(gone)"]
    assert mig.counts.loc["lo"].tolist() == [1, 0, 1, 0]
    assert mig.counts.loc["mid"].tolist() == [0, 0, 0, 0]
    assert mig.shares.loc["mid"].tolist() == [0.0] * 4


def test_random_segmentations_against_a_counting_loop():
    rng = np.random.default_rng(0)
    ids_before = rng.choice(300, 200, replace=False)
    ids_after = rng.choice(300, 220, replace=False)
    before = {int(i): f"s{rng.integers(4)}" for i in ids_before}
    after = {int(i): f"t{rng.integers(3)}" for i in ids_after}
    mig = segment_migration(before, after)
    counts = {}
    for cid in set(before) | set(after):
        key = (before.get(cid, "(new)"), after.get(cid, "(gone)"))
        counts[key] = counts.get(key, 0) + 1
    for (row, col), n in counts.items():
        assert mig.counts.loc[row, col] == n
    assert mig.counts.to_numpy().sum() == len(set(before) | set(after))
    assert mig.n_new == len(set(after) - set(before))
    assert mig.n_gone == len(set(before) - set(after))
    nonempty = mig.counts.sum(axis=1) > 0
    np.testing.assert_allclose(mig.shares[nonempty].sum(axis=1), 1.0)


def test_positional_arrays_and_polars_frames():
    mig = segment_migration(np.array([0, 1, 1]), np.array([1, 1, 0]))
    assert mig.counts.loc[1, 1] == 1 and mig.n_new == 0 and mig.n_gone == 0
    with pytest.raises(ValueError, match="matched by position"):
        segment_migration([0, 1], [0, 1, 1])
    pl = pytest.importorskip("polars")
    before = pl.DataFrame({"customer_id": ["a", "b"], "segment": ["x", "y"]})
    after = pl.DataFrame({"customer_id": ["b", "c"], "segment": ["x", "x"]})
    mig = segment_migration(before, after)
    assert mig.counts.loc["y", "x"] == 1 and mig.counts.loc["x", "(gone)"] == 1
    assert mig.counts.loc["(new)", "x"] == 1


def test_errors_and_inputs_untouched():
    before = pd.Series({"a": "A", "b": "B"})
    copy = before.copy()
    segment_migration(before, before)
    pd.testing.assert_series_equal(before, copy)
    with pytest.raises(ValueError, match="1 duplicated customer id"):
        segment_migration(pd.Series(["A", "B"], index=["a", "a"]), before)
    with pytest.raises(ValueError, match="1 missing label"):
        segment_migration(pd.Series({"a": "A", "b": None}), before)
    with pytest.raises(ValueError, match="labels outside 0..1"):
        segment_migration([0, 2], [0, 1], names_before=["p", "q"])

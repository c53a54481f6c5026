"""The shared warning and progress helpers."""

import logging
import warnings

from custseg._progress import progress, step
from custseg._warnings import find_stack_level, warn


def test_warning_points_at_the_calling_test_file():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn("2 customers affected")
    assert len(caught) == 1
    assert caught[0].filename == __file__
    assert caught[0].category is UserWarning


def test_stack_level_is_one_outside_the_package():
    # Called from this test module, the first frame outside custseg is the caller.
    assert find_stack_level() == 1


def test_progress_yields_every_item_in_order_whatever_verbose():
    items = ["a", "b", "c"]
    assert list(progress(iter(items), total=3, desc="x", verbose=True)) == items
    assert list(progress(items, desc="x", verbose=False)) == items


def test_step_logs_only_when_verbose(caplog):
    with caplog.at_level(logging.INFO, logger="custseg"):
        step(False, "quiet %d", 1)
        step(True, "loud %d", 2)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["loud 2"]


def test_warning_through_a_pipeline_points_at_the_caller():
    import pandas as pd
    from sklearn.pipeline import make_pipeline

    from custseg import RFMTransformer

    log = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, None],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-01-05"] * 1 + ["2024-01-07"]
            ),
            "amount": [10.0, 20.0, 5.0, 7.0],
        }
    )
    pipeline = make_pipeline(RFMTransformer())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.fit_transform(log)
    ours = [w for w in caught if "missing" in str(w.message)]
    assert ours, [str(w.message) for w in caught]
    assert all(w.filename == __file__ for w in ours)

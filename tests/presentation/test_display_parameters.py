"""Display parameters are named as scikit-learn names them, and do what they say.

scikit-learn's Displays take ``ax`` on every constructor and on ``plot``, and
the heatmaps (``ConfusionMatrixDisplay``) also take ``cmap`` and ``colorbar``
by name; ``from_estimator(estimator, X, ...)`` gets the data to plot.
"""

import inspect

import pandas as pd
import pytest

import custseg.plotting as plotting
from custseg import RFMSegmenter, cohort_retention, rfm_table, segment_migration
from custseg.datasets import make_transactions

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DISPLAYS = [getattr(plotting, name) for name in plotting.__all__]
HEATMAPS = [
    plotting.CohortDisplay,
    plotting.MigrationDisplay,
    plotting.RFMHeatmapDisplay,
    plotting.SegmentProfileDisplay,
]
# the k search is a fitted attribute of the estimator, not a function of data
FROM_ESTIMATOR_WITHOUT_DATA = {plotting.KSelectionDisplay}


def _constructors(display):
    return [
        getattr(display, name)
        for name in dir(display)
        if name.startswith("from_") and callable(getattr(display, name))
    ]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_every_constructor_and_plot_take_ax(display):
    assert _constructors(display), f"{display.__name__} has no from_* constructor"
    for method in [*_constructors(display), display.plot]:
        parameter = inspect.signature(method).parameters.get("ax")
        assert parameter is not None, f"{method.__qualname__} has no ax"
        assert parameter.default is None


@pytest.mark.parametrize("display", HEATMAPS, ids=lambda d: d.__name__)
def test_heatmaps_name_cmap_and_colorbar(display):
    for method in [*_constructors(display), display.plot]:
        parameters = inspect.signature(method).parameters
        assert "cmap" in parameters, method.__qualname__
        assert parameters["colorbar"].default is True, method.__qualname__


@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_from_estimator_takes_the_data_after_the_estimator(display):
    if not hasattr(display, "from_estimator"):
        pytest.skip(f"{display.__name__} is built from a result, not an estimator")
    names = list(inspect.signature(display.from_estimator).parameters)
    assert names[0] == "estimator"
    if display in FROM_ESTIMATOR_WITHOUT_DATA:
        return
    assert names[1].startswith("X"), names


@pytest.fixture(scope="module")
def log():
    return make_transactions(300, random_state=1)[0]


def test_cohort_display_cmap_and_colorbar_reach_the_image(log):
    retention = cohort_retention(log, periods="Q")
    default = plotting.CohortDisplay.from_retention(retention)
    assert default.image_.get_cmap().name == "Greens"
    assert len(default.figure_.axes) == 2  # the heatmap and its colour bar
    plain = plotting.CohortDisplay.from_transactions(
        log, periods="Q", cmap="magma", colorbar=False
    )
    assert plain.image_.get_cmap().name == "magma"
    assert len(plain.figure_.axes) == 1


def test_migration_display_cmap_and_colorbar_reach_the_image(log):
    customers = rfm_table(log, order_col="order_id")
    rules = RFMSegmenter().fit(customers)
    labels = pd.Series(rules.segment_names_[rules.labels_], index=customers.index)
    migration = segment_migration(labels, labels.iloc[::-1])
    disp = plotting.MigrationDisplay.from_migration(migration)
    assert disp.image_.get_cmap().name == "Blues"
    assert len(disp.figure_.axes) == 2
    disp = plotting.MigrationDisplay.from_estimator(
        rules, customers, customers, cmap="PuRd", colorbar=False
    )
    assert disp.image_.get_cmap().name == "PuRd"
    assert len(disp.figure_.axes) == 1
    # plot() names them too, with the Display's own colour map by default
    replot = disp.plot(colorbar=True)
    assert replot.image_.get_cmap().name == "Blues"
    assert len(replot.figure_.axes) == 2

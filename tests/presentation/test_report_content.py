"""The report as a deliverable: formatting rules, actions, findings, holdout,
degenerate data.  Each formatting rule of the rendered page has a test."""

import html
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from custseg._format import (
    column_kind,
    format_money,
    format_p_value,
    format_share,
    format_table,
    header,
)
from custseg.datasets import make_transactions
from custseg.plotting._silhouette import stratified_sample
from custseg.report import segmentation_report
from custseg.report._actions import suggest_actions

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _quiet_report(log, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return segmentation_report(log, **kwargs)


@pytest.fixture(scope="module")
def log():
    log, _ = make_transactions(400, random_state=3)
    return log


@pytest.fixture(scope="module")
def rfm_report(log):
    # the rule preset names 11 segments; some are empty on this data
    return _quiet_report(
        log, order_col="order_id", method="rfm", n_bootstrap=3, currency="£",
        random_state=0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def page(rfm_report):
    return rfm_report.to_html()


# -- the formatter, rule by rule ---------------------------------------------


def test_shares_are_percentages():
    assert format_share(0.125) == "12.5%"
    assert format_share(1.0) == "100.0%"
    assert format_share(0.0) == "0.0%"
    assert format_share(0.0002) == "< 0.1%"  # not zero, so not "0.0%"
    assert format_share(float("nan")) == ""


def test_money_has_separators_and_currency():
    assert format_money(1234567.891) == "1,234,568"
    assert format_money(61.084) == "61.08"
    assert format_money(3723.4, "£") == "£3,723"
    assert format_money(3723.4, "GBP") == "3,723 GBP"
    assert format_money(-250.0, "$") == "-$250"
    assert format_money(2.68e5) == "268,000"  # never scientific notation
    assert format_money(float("-inf")) == "none"


def test_p_values_never_print_as_zero():
    assert format_p_value(0.0) == "< 0.001"
    assert format_p_value(1.9e-31) == "< 0.001"
    assert format_p_value(0.0123) == "0.012"
    assert format_p_value(1.0) == "1.000"


def test_headers_are_readable():
    assert header("revenue_share") == "Share of revenue"
    assert header("p_adjusted") == "p-value (adjusted)"
    assert header("stability_band") == "Stability band"
    assert header("some_new_column") == "Some new column"


def test_column_kinds_and_table():
    frame = pd.DataFrame(
        {
            "name": ["a"],
            "customers": [1234],
            "share": [0.5],
            "monetary": [98765.4],
            "p_value": [0.0],
            "stability": [1.0],
            "lower_bound": [-np.inf],
        }  # fmt: skip
    )
    out = format_table(frame, currency="€")
    assert out.iloc[0].tolist() == [
        "a", "1,234", "50.0%", "€98,765", "< 0.001", "1.00", "none"
    ]  # fmt: skip
    assert column_kind("spend (mean)") == "money"
    assert column_kind("spend effect") == "measure"


# -- the rendered page -------------------------------------------------------


def _headers(page):
    return re.findall(r"<th[^>]*>(.*?)</th>", page)


def test_no_raw_snake_case_headers(page):
    headers = _headers(page)
    assert headers
    assert not [h for h in headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)]
    assert "Share of revenue" in headers and "Share of customers" in headers


def test_no_infinite_bounds_anywhere(rfm_report, page):
    assert "inf" not in re.sub(r"<img[^>]*>", "", page).replace("info", "")
    assert "-inf" not in rfm_report.to_markdown(images=False)
    # the light tier starts at the lowest count, not at minus infinity
    assert re.search(r"<td[^>]*>light</td><td[^>]*>1 to \d+</td>", page)


def test_p_values_and_shares_in_the_page(rfm_report, page):
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    assert "&lt; 0.001" in cells  # significant features: never "0"
    present = rfm_report.segments[rfm_report.segments["customers"] > 0]
    for share in present["share"]:
        assert f"{share:.1%}" in cells


def test_money_with_currency_in_the_page(rfm_report, page):
    revenue = rfm_report.summary["revenue"]
    assert f"£{revenue:,.0f}" in page


def test_empty_segments_folded_into_one_line(rfm_report, page):
    profiles = rfm_report.segments
    empty = list(profiles.loc[profiles["customers"] == 0, "name"])
    assert empty, "the preset should leave some segments empty on this data"
    rows = re.search(r'<table id="segments">.*?</table>', page, re.S).group(0)
    assert rows.count("<tr>") - 1 == len(profiles) - len(empty)
    line = f"{len(empty)} segment(s) of the rules have no customer: " + ", ".join(empty)
    assert line in page.replace("&#x27;", "'")


def test_findings_come_first_and_notes_are_for_readers(rfm_report, page):
    assert page.index('id="findings"') < page.index('id="segment-section"')
    assert rfm_report.findings and all(f.endswith(".") for f in rfm_report.findings)
    # no developer-worded tie message reaches the reader
    assert "at the boundary below" not in page


def test_every_segment_has_an_action(rfm_report):
    present = rfm_report.segments[rfm_report.segments["customers"] > 0]
    assert list(rfm_report.actions.index) == list(present.index)
    assert set(rfm_report.actions["action"]) <= {
        "reward", "retain", "nurture", "win back", "deprioritise"
    }  # fmt: skip


def test_lapsing_finding_matches_the_segments(rfm_report):
    actions, profiles = rfm_report.actions, rfm_report.segments
    lapsing = actions.index[actions["action"] == "win back"]
    finding = [f for f in rfm_report.findings if f.startswith("Valuable customers")]
    assert bool(len(lapsing)) == bool(finding)
    if len(lapsing):
        customers = int(profiles.loc[lapsing, "customers"].sum())
        share = profiles.loc[lapsing, "revenue_share"].sum()
        assert f"{customers:,} customers" in finding[0]
        assert f"({share:.1%} of revenue)" in finding[0]


# -- the action rule -----------------------------------------------------------


@pytest.mark.parametrize(
    ("recency", "frequency", "revenue_share", "expected"),
    [
        (1, 9, 0.5, "reward"),  # recent, frequent, valuable
        (1, 1, 0.5, "retain"),  # recent, valuable
        (1, 9, 0.1, "retain"),  # recent, frequent
        (1, 1, 0.1, "nurture"),  # recent only
        (300, 9, 0.5, "win back"),  # lapsing but valuable
        (300, 1, 0.1, "deprioritise"),
    ],
)
def test_action_rule(recency, frequency, revenue_share, expected):
    # all customers: median recency 50, median frequency 2
    X = pd.DataFrame({"recency": [1, 50, 50, 400], "frequency": [1, 2, 2, 9],
                      "monetary": [1.0, 2.0, 3.0, 4.0]})  # fmt: skip
    profiles = pd.DataFrame(
        {
            "name": ["s"],
            "customers": [10],
            "share": [0.25],
            "revenue_share": [revenue_share],
            "recency": [recency],
            "frequency": [frequency],
            "monetary": [1.0],
        }  # fmt: skip
    )
    assert suggest_actions(profiles, X)["action"].tolist() == [expected]


def test_actions_are_editable(log):
    first = _quiet_report(log, order_col="order_id", method="tiers", n_bootstrap=0,
                          holdout=None, random_state=0)  # fmt: skip
    report = _quiet_report(
        log, order_col="order_id", method="tiers", n_bootstrap=0, holdout=None,
        actions={"light": "send the newsletter"}, random_state=0,
    )  # fmt: skip
    actions = report.actions.set_index("name")
    assert actions.at["light", "action"] == "send the newsletter"
    assert actions.at["light", "why"] == "set by the user"
    other = first.actions.set_index("name")
    assert actions.at["heavy", "action"] == other.at["heavy", "action"]
    with pytest.raises(ValueError, match="'platinum'"):
        _quiet_report(log, order_col="order_id", method="tiers", n_bootstrap=0,
                      holdout=None, actions={"platinum": "x"})  # fmt: skip


# -- holdout -------------------------------------------------------------------


def test_holdout_section_compares_with_baselines(rfm_report):
    holdout = rfm_report.holdout
    assert holdout is not None  # the synthetic log spans two years
    table = holdout["table"]
    assert "baseline: spend thirds" in table.index
    assert any(name.startswith("baseline: random") for name in table.index)
    assert "segments of this report" in table.index
    assert {"spend effect", "bought_again effect"} <= set(table.columns)


def test_holdout_skipped_on_a_short_log_and_said_so(log):
    short = log[log["date"] >= log["date"].max() - pd.Timedelta(days=90)]
    report = _quiet_report(short, order_col="order_id", method="rfm",
                           n_bootstrap=0, random_state=0)  # fmt: skip
    assert report.holdout is None
    assert any("fewer than 180 days" in u for u in report.unavailable)
    assert _quiet_report(short, order_col="order_id", method="rfm", n_bootstrap=0,
                         holdout=None).unavailable == []  # fmt: skip


# -- degenerate data ------------------------------------------------------------


def _degenerate(case):
    n = {"bought_once": 40, "identical": 30, "two_customers": 2}[case]
    frame = pd.DataFrame(
        {
            "customer_id": range(n),
            "date": pd.date_range("2024-01-01", periods=n),
            "amount": np.arange(1.0, n + 1),
        }  # fmt: skip
    )
    if case == "identical":
        frame["date"] = pd.Timestamp("2024-01-01")
        frame["amount"] = 10.0
    return frame


@pytest.mark.parametrize(
    ("case", "method"),
    [
        ("bought_once", "tiers"),
        ("identical", "rfm"),
        ("two_customers", "kmeans"),
        ("two_customers", "rfm"),
    ],  # fmt: skip
)
def test_degenerate_data_says_what_could_not_be_computed(case, method):
    report = _quiet_report(_degenerate(case), method=method, n_bootstrap=2,
                           random_state=0)  # fmt: skip
    assert report.unavailable
    page = html.unescape(report.to_html())
    assert 'id="unavailable"' in page
    for item in report.unavailable:
        assert item.split(":")[0] in page
    if case == "two_customers" and method == "kmeans":
        assert report.method == "rfm"  # the fallback is said, not hidden
        assert any("instead of the kmeans" in u for u in report.unavailable)


def test_silhouette_sample_keeps_every_segment():
    labels = np.array([0] * 5000 + [1] * 3 + [2] * 1)
    rows = stratified_sample(labels, 1000, random_state=0)
    counts = np.bincount(labels[rows], minlength=3)
    assert counts.tolist() == [999, 2, 1]
    assert np.unique(rows).size == rows.size


def test_report_with_a_tiny_segment_has_its_silhouette(log):
    """A segment of a handful of customers among thousands is still drawn."""
    big, _ = make_transactions(1500, random_state=4)
    whale = big[big["customer_id"] == big["customer_id"].iloc[0]].copy()
    whale["amount"] *= 1000
    report = _quiet_report(
        pd.concat([big[big["customer_id"] != whale["customer_id"].iloc[0]], whale]),
        order_col="order_id", method="rfm", n_bootstrap=0, holdout=None,
        random_state=0,
    )  # fmt: skip
    assert "silhouette" in report.figures


def test_actions_must_be_a_mapping(log):
    with pytest.raises(TypeError, match="actions must be a mapping"):
        segmentation_report(log, order_col="order_id", actions=["reward"])


def test_verbose_shows_progress_and_changes_nothing(log, capsys):
    quiet = _quiet_report(log, order_col="order_id", method="rfm", n_bootstrap=2,
                          holdout=None, random_state=0)  # fmt: skip
    capsys.readouterr()
    loud = _quiet_report(log, order_col="order_id", method="rfm", n_bootstrap=2,
                         holdout=None, random_state=0, verbose=True)  # fmt: skip
    shown = "".join(capsys.readouterr())
    assert "aggregating the transaction log" in shown
    assert "drawing the figures" in shown
    pd.testing.assert_frame_equal(loud.assignments, quiet.assignments)
    assert loud.findings == quiet.findings

"""The report as a deliverable: formatting rules, actions, findings, holdout,
degenerate data.  Each formatting rule of the rendered page has a test."""

import html
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import BetaGeoModel, GammaGammaModel, rfm_table, segment_profiles
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
        # with the value models: "x% of past revenue", else "(x% of revenue)"
        assert f"{share:.1%} of past revenue" in finding[0]


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
    # 89 days: too short for the value models too, and said so
    assert any(u.startswith("expected value") and "89 days" in u
               for u in report.unavailable)  # fmt: skip
    assert _quiet_report(short, order_col="order_id", method="rfm", n_bootstrap=0,
                         holdout=None, value=False).unavailable == []  # fmt: skip


def test_ambiguous_holdout_cutoff_is_refused_before_any_work(log):
    from custseg.report import segmentation_report

    # '01/02/2011' is 2 January to pandas, 1 February to a British reader
    with pytest.raises(ValueError, match=r"holdout='01/02/2025' is not an ISO-8601"):
        segmentation_report(log, order_col="order_id", holdout="01/02/2025")


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


# -- expected value --------------------------------------------------------------


@pytest.fixture(scope="module")
def independent_value(log, rfm_report):
    """segment_profiles(value=...) computed apart from the report."""
    reference = rfm_report.summary["reference_date"]
    btyd = rfm_table(log, order_col="order_id", definition="btyd",
                     reference_date=reference)  # fmt: skip
    model = BetaGeoModel(GammaGammaModel()).fit(btyd)
    classic = rfm_table(log, order_col="order_id", reference_date=reference)
    seg = rfm_report.estimators["segmenter"]
    assert classic.index.equals(rfm_report.assignments.index)
    per_customer = model.value_table(btyd, t=365).loc[classic.index]
    profiles = segment_profiles(
        classic, seg.labels_, seg.segment_names_, value=per_customer
    )
    return model, per_customer, profiles, btyd.loc[classic.index]


def test_value_columns_equal_segment_profiles(rfm_report, independent_value):
    model, per_customer, expected, _ = independent_value
    got = rfm_report.segments
    for name, value in model.params_.items():
        assert rfm_report.value["model"].params_[name] == pytest.approx(value)
    for column in ("expected_value", "expected_value_share", "expected_alive",
                   "expected_purchases", "probability_alive_median",
                   "repeat_buyers"):  # fmt: skip
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-9)
    # the report's "still active" is segment_profiles' count, 0 for "0 of 0"
    np.testing.assert_allclose(
        got["repeat_buyers_alive"], expected["expected_alive"].fillna(0.0)
    )
    assert rfm_report.value["expected_value"] == pytest.approx(
        per_customer["expected_value"].sum()
    )
    np.testing.assert_allclose(
        rfm_report.assignments["expected_value"], per_customer["expected_value"]
    )
    # on this synthetic log the spend model's p goes to its bound (spend and
    # frequency are correlated by design): the value is kept, with a note
    boundary = model.spend_model_.params_["p"] >= 1e7
    noted = any("spend model's p went to its bound" in n for n in rfm_report.notes)
    assert boundary and noted


def test_value_findings_quote_the_independent_numbers(rfm_report, independent_value):
    _, per_customer, expected, btyd = independent_value
    present = expected[expected["customers"] > 0]
    findings = rfm_report.findings
    # who holds the expected value: the largest excess over its size
    top = present.loc[(present["expected_value_share"] - present["share"]).idxmax()]
    holds = [f for f in findings if "holds the most expected value" in f]
    assert len(holds) == 1
    assert holds[0].startswith(f"'{top['name']}'")
    assert format_share(top["expected_value_share"]) in holds[0]
    assert format_money(top["expected_value"], "£") in holds[0]
    # the lapsing segments: size, past revenue and expected value side by side
    lapsing = rfm_report.actions.index[rfm_report.actions["action"] == "win back"]
    assert len(lapsing)  # this log has lapsing valuable customers
    rows = expected.loc[lapsing]
    finding = next(f for f in findings if f.startswith("Valuable customers"))
    repeat = btyd["frequency"].to_numpy() > 0
    in_lapsing = np.isin(rfm_report.estimators["segmenter"].labels_, lapsing)
    alive = per_customer["probability_alive"].to_numpy()[repeat & in_lapsing].sum()
    for text in (
        f"{format_share(rows['share'].sum())} of customers",
        f"{format_share(rows['revenue_share'].sum())} of past revenue",
        f"{format_share(rows['expected_value_share'].sum())} of the expected value "
        "of the next 365 days",
        format_money(rows["expected_value"].sum(), "£"),
        f"of their {int((repeat & in_lapsing).sum()):,} customers who bought more "
        f"than once, an expected {alive:,.0f}",
    ):
        assert text in finding
    total = next(f for f in findings if f.startswith("The purchase and spend"))
    assert format_money(per_customer["expected_value"].sum(), "£") in total


def test_value_in_the_page_and_json(rfm_report):
    page = html.unescape(rfm_report.to_html())
    assert "Share of expected value" in _headers(page)
    assert "Repeat buyers still active" in _headers(page)
    assert "Expected value: of the next 365 days" in page
    data = json.loads(rfm_report.to_json())
    assert set(data["value"]["params"]) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert data["value"]["horizon_days"] == 365


def test_value_off_leaves_the_tables_as_they_were(log, rfm_report):
    report = _quiet_report(
        log, order_col="order_id", method="rfm", n_bootstrap=3, currency="£",
        random_state=0, value=False,
    )  # fmt: skip
    assert report.value is None and report.estimators["value"] is None
    assert not any("expected" in c for c in report.segments.columns)
    assert not any("expected value" in f for f in report.findings)
    # everything else is the same report
    shared = [c for c in report.segments.columns]
    pd.testing.assert_frame_equal(report.segments, rfm_report.segments[shared])
    assert report.findings[0] == rfm_report.findings[0]


def test_value_with_a_given_model(log, rfm_report, independent_value):
    model, _, expected, _ = independent_value
    unfitted = BetaGeoModel(GammaGammaModel(), tol=1e-10)
    report = _quiet_report(log, order_col="order_id", method="rfm", n_bootstrap=0,
                           holdout=None, random_state=0, value=unfitted)  # fmt: skip
    assert not hasattr(unfitted, "params_")  # cloned, never fitted in place
    assert report.value["model"].tol == 1e-10
    # a fitted model is used as it is: the same object, no refit
    report = _quiet_report(log, order_col="order_id", method="rfm", n_bootstrap=0,
                           holdout=None, random_state=0, value=model)  # fmt: skip
    assert report.estimators["value"] is model
    np.testing.assert_allclose(
        report.segments["expected_value"], expected["expected_value"], rtol=1e-12
    )
    # purchases only: the value is said to be missing, the rest is shown
    btyd = rfm_table(log, order_col="order_id", definition="btyd",
                     reference_date=rfm_report.summary["reference_date"])  # fmt: skip
    purchases_only = BetaGeoModel().fit(btyd)
    report = _quiet_report(log, order_col="order_id", method="rfm", n_bootstrap=0,
                           holdout=None, random_state=0,
                           value=purchases_only)  # fmt: skip
    assert any("no spend model" in u for u in report.unavailable)
    assert "expected_alive" in report.segments
    assert "expected_value" not in report.segments
    report.to_html()


def _regular_buyers():
    """Every customer buys every 10 days, same amount: the models have no optimum."""
    days = np.arange(40) * 10
    return pd.DataFrame(
        {
            "customer_id": np.repeat(np.arange(100), days.size),
            "date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(np.tile(days, 100), unit="D"),
            "amount": 10.0,
        }
    )


@pytest.mark.parametrize(
    ("frame", "value", "reason"),
    [
        (_degenerate("bought_once"), True, "at least 2 customers with frequency > 0"),
        (_degenerate("bought_once"), "auto", "0 customers bought again"),
        (_regular_buyers(), "auto", "diverged|no finite forecast|did not converge"),
    ],
)
def test_value_failures_are_listed_never_raised(frame, value, reason):
    report = _quiet_report(frame, method="rfm", n_bootstrap=0, holdout=None,
                           random_state=0, value=value)  # fmt: skip
    assert report.value is None
    said = [u for u in report.unavailable if u.startswith("expected value")]
    assert len(said) == 1 and re.search(reason, said[0])
    assert html.unescape(report.to_html()).count("expected value (BG/NBD") == 1


def test_value_option_is_checked(log):
    with pytest.raises(TypeError, match="value must be 'auto', True, False or a"):
        segmentation_report(log, order_col="order_id", value="yes")


def test_value_with_returns_beyond_repeat_purchases(log):
    """Net spend below 0 on repeat days: read as 0 by the models, and counted."""
    first = log.groupby("customer_id")["date"].transform("min")
    repeat = log[log["date"] > first].drop_duplicates("customer_id").head(3)
    returns = repeat.assign(amount=-1e6, order_id=repeat["order_id"] + "-R")
    report = _quiet_report(
        pd.concat([log, returns]), order_col="order_id", method="rfm",
        n_bootstrap=0, holdout=None, random_state=0,
    )  # fmt: skip
    assert report.value is not None
    assert any(
        n.startswith("3 customers returned more than they bought") for n in report.notes
    )


def test_value_fading_names_a_valuable_segment_losing_share():
    from custseg.report._findings import key_findings

    profiles = pd.DataFrame(
        {
            "name": ["leader", "fading", "small", "rest"],
            "customers": [10, 20, 30, 40],
            "share": [0.1, 0.2, 0.3, 0.4],
            "revenue_share": [0.5, 0.3, 0.1, 0.1],
            "expected_value_share": [0.7, 0.22, 0.03, 0.05],
            "expected_value": [70.0, 22.0, 3.0, 5.0],
            "repeat_buyers": [10, 8, 0, 4],
            "repeat_buyers_alive": [9.0, 2.0, 0.0, 1.0],
        }
    )
    value = {"horizon_days": 365, "expected_value": 100.0, "customers": 100,
             "expected_purchases": 50.0, "repeat_customers": 22,
             "expected_alive_repeat": 12.0}  # fmt: skip
    X = pd.DataFrame({"monetary": np.arange(1.0, 101.0)})
    findings = key_findings(X=X, profiles=profiles, actions=None, validation=None,
                            holdout=None, main_name="x", revenue=100.0,
                            currency=None, value=value)  # fmt: skip
    fading = [f for f in findings if f.startswith("Past revenue overstates")]
    # 'leader' gains share; 'small' and 'rest' lose 7 and 5 points but brought
    # less revenue than their size; 'fading' loses 8 and brought more
    assert fading == [
        "Past revenue overstates 'fading': it brought 30.0% of past revenue but "
        "holds 22.0% of the expected value of the next 365 days; of its 8 "
        "customers who bought more than once, an expected 2 (25.0%) are still "
        "active."
    ]
    assert findings[1].startswith("'leader' holds the most expected value")
    total = findings[-1]
    assert "of the 22 customers who bought more than once, an expected 12" in total
    # a model that sees almost no dropout says its "still active" is an upper bound
    value["dropout"] = 0.0005
    findings = key_findings(X=X, profiles=profiles, actions=None, validation=None,
                            holdout=None, main_name="x", revenue=100.0,
                            currency=None, value=value)  # fmt: skip
    assert findings[-1].endswith(
        "an upper bound here: it sees almost no customer leave, a mean dropout "
        "probability after a purchase of 0.05%)."
    )


def test_cli_no_value_flag():
    from custseg.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["demo", "--no-value"]).no_value is True
    assert parser.parse_args(["demo"]).no_value is False

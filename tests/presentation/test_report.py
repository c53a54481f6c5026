"""Tests of the standalone report: content, renderings, a real browser, no network."""

import base64
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from custseg.datasets import make_transactions
from custseg.report import SegmentationReport, segmentation_report

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def log():
    log, _ = make_transactions(300, random_state=1)
    # one row without a customer id: the aggregation drops it and says so
    extra = pd.DataFrame(
        {
            "customer_id": [None],
            "order_id": ["X1"],
            "date": [log["date"].iloc[0]],
            "amount": [10.0],
        }  # fmt: skip
    )
    return pd.concat([log, extra], ignore_index=True)


@pytest.fixture(scope="module")
def report(log):
    with pytest.warns(UserWarning):
        return segmentation_report(
            log, order_col="order_id", n_bootstrap=3, random_state=0
        )


def test_summary_computed_from_the_log(log, report):
    kept = log.dropna(subset=["customer_id"])
    summary = report.summary
    assert summary["rows"] == len(log)
    assert summary["customers"] == kept["customer_id"].nunique()
    assert summary["orders"] == kept.groupby("customer_id")["order_id"].nunique().sum()
    assert summary["revenue"] == pytest.approx(kept["amount"].sum())
    assert summary["first_purchase"] == f"{kept['date'].min():%Y-%m-%d}"
    assert summary["last_purchase"] == f"{kept['date'].max():%Y-%m-%d}"
    assert summary["reference_date"] == summary["last_purchase"]
    assert len(summary["excluded"]) == 1
    assert "1" in summary["excluded"][0] and "customer" in summary["excluded"][0]


def test_report_content_is_consistent(report):
    segmenter = report.estimators["segmenter"]
    assert report.method == "kmeans"
    assert list(report.segments["name"]) == list(segmenter.segment_names_)
    assignments = report.assignments
    assert len(assignments) == report.summary["customers"]
    np.testing.assert_array_equal(
        assignments["segment"], segmenter.segment_names_[segmenter.labels_]
    )
    counts = assignments["segment"].value_counts()
    for _, row in report.segments.iterrows():
        assert row["customers"] == counts.get(row["name"], 0)
    assert set(assignments["usage_tier"]) <= {"heavy", "medium", "light"}
    assert report.validation.verdict in {
        "supported",
        "partially supported",
        "not supported",
    }
    assert set(report.figures) == {
        "rfm_heatmap", "rule_sizes", "lorenz", "segment_sizes", "profiles",
        "k_selection", "silhouette", "stability",
    }  # fmt: skip
    for figure in report.figures.values():
        assert figure.png.startswith(PNG_SIGNATURE)


def test_html_is_one_self_contained_page(report):
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('<table id="segments">') == 1
    for name in report.segments["name"]:
        assert name in page
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == len(report.figures)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    assert report.validation.verdict in page
    for reason in report.validation.reasons:
        assert reason.replace("'", "&#x27;") in page
    assert report.summary["excluded"][0].split(" ")[0] in page


def test_html_references_no_network_resource(report):
    page = report.to_html()
    assert not re.search(r"https?://", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<script" not in page and "<link" not in page


def test_markdown_and_json_renderings(report):
    text = report.to_markdown()
    assert text.startswith(f"# {report.title}")
    assert f"**Verdict: {report.validation.verdict}**" in text
    assert text.count("](data:image/png;base64,") == len(report.figures)
    plain = report.to_markdown(images=False)
    assert "data:image" not in plain
    for name in report.segments["name"]:
        assert name in plain
    data = json.loads(report.to_json())
    assert data["summary"]["customers"] == report.summary["customers"]
    assert [s["name"] for s in data["segments"]] == list(report.segments["name"])
    assert data["validation"]["verdict"] == report.validation.verdict
    assert "png_base64" not in data["figures"]["profiles"]
    with_images = report.to_dict(images=True)
    assert base64.b64decode(
        with_images["figures"]["profiles"]["png_base64"]
    ).startswith(PNG_SIGNATURE)


def test_repr_html_is_a_fragment(report):
    fragment = report._repr_html_()
    assert "<html" not in fragment and '<table id="segments">' in fragment
    assert fragment == report._repr_html_()  # nothing is recomputed
    assert "SegmentationReport" in repr(report)


@pytest.mark.parametrize("method", ["rfm", "tiers"])
def test_rule_and_tier_methods(log, method):
    with pytest.warns(UserWarning):
        report = segmentation_report(
            log, order_col="order_id", method=method, n_bootstrap=2, random_state=0
        )
    expected = {"rfm": "rules", "tiers": "tiers"}[method]
    assert report.estimators["segmenter"] is report.estimators[expected]
    assert "k_selection" not in report.figures
    assert ("segment_sizes" in report.figures) == (method != "rfm")


def test_unknown_method(log):
    with pytest.raises(ValueError, match="method must be one of"):
        segmentation_report(log, method="dbscan")


def test_write_html(tmp_path, report):
    path = report.write_html(tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") == report.to_html()
    assert isinstance(report, SegmentationReport)


# -- a real browser ----------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHECK_SCRIPT = """
<script>
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter(img => !img.complete || img.naturalWidth === 0);
  const table = document.getElementById("segments");
  const rows = table ? table.tBodies[0].rows.length : -1;
  const visible = table ? table.getBoundingClientRect().height > 0 : false;
  const network = performance.getEntriesByType("resource")
    .map(r => r.name).filter(n => !n.startsWith("data:"));
  const out = document.createElement("pre");
  out.id = "custseg-check";
  out.textContent = JSON.stringify({images: images.length, broken: broken.length,
    rows: rows, visible: visible, errors: window.__errors, network: network});
  document.body.appendChild(out);
});
</script>
"""


def _chromium_dump(html_path, profile):
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        # no network at all: every host resolves to nothing, no proxy works
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
        "--virtual-time-budget=5000", "--dump-dom", html_path.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CUSTSEG_REQUIRE_CHROMIUM"),
    reason="chromium is not installed (CI installs it and sets CUSTSEG_REQUIRE_CHROMIUM)",
)
def test_report_renders_in_headless_chromium_without_network(tmp_path, report):
    assert CHROMIUM is not None, (
        "CUSTSEG_REQUIRE_CHROMIUM is set but chromium is missing"
    )
    page = report.to_html().replace("</body>", CHECK_SCRIPT + "</body>")
    html_path = tmp_path / "report.html"
    html_path.write_text(page, encoding="utf-8")
    dom = _chromium_dump(html_path, tmp_path / "profile")
    found = re.search(r'<pre id="custseg-check">(.*?)</pre>', dom, re.S)
    assert found, "the page did not finish loading"
    check = json.loads(found.group(1).replace("&quot;", '"'))
    assert check["errors"] == []
    assert check["images"] == len(report.figures) and check["broken"] == 0
    present = report.segments[report.segments["customers"] > 0]
    assert check["rows"] == len(present) and check["visible"]
    assert check["network"] == []
    for name in present["name"]:
        assert name in dom


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_screenshot_is_drawn(tmp_path, report):
    """A screenshot of the top of the page: the findings and the segment table."""
    html_path = tmp_path / "report.html"
    report.write_html(html_path)
    shot = tmp_path / "report.png"
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars",
        "--window-size=1200,1600", f"--screenshot={shot}", html_path.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = (
        int.from_bytes(data[16:20], "big"),
        int.from_bytes(data[20:24], "big"),
    )
    assert (width, height) == (1200, 1600)
    # a blank page compresses to a few kB; text, tables and a figure do not
    assert len(data) > 50_000

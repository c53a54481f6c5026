"""Tests of the ``custseg`` console script, run as a subprocess."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from custseg.datasets import make_transactions

SCRIPT = shutil.which("custseg", path=str(Path(sys.executable).parent)) or shutil.which(
    "custseg"
)
pytestmark = pytest.mark.skipif(SCRIPT is None, reason="console script not installed")


def run(*args, timeout=300):
    return subprocess.run(
        [SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"MPLBACKEND": "Agg", "PATH": str(Path(sys.executable).parent)},
    )


def assert_user_error(done, *fragments):
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("custseg: error: ")
    assert [line for line in lines if line.startswith("custseg: error")] == [lines[-1]]
    for fragment in fragments:
        assert fragment in lines[-1]


@pytest.fixture(scope="module")
def renamed_log():
    log, _ = make_transactions(150, random_state=2)
    return log.rename(
        columns={
            "customer_id": "cust",
            "order_id": "invoice",
            "date": "ts",
            "amount": "value",
        }  # fmt: skip
    )


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory, renamed_log):
    path = tmp_path_factory.mktemp("data") / "log.csv"
    renamed_log.to_csv(path, index=False)
    return path


def test_demo_writes_report_and_segments(tmp_path):
    out = tmp_path / "demo"
    done = run("demo", "--out", out, "--n-customers", 250, "--n-bootstrap", 2)
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<table id="segments">' in page
    segments = pd.read_csv(out / "segments.csv", index_col="customer_id")
    assert len(segments) == 250 and segments.index.is_unique
    assert {"recency", "frequency", "monetary", "rfm_segment", "usage_tier",
            "segment", "segment_label"} <= set(segments.columns)  # fmt: skip
    assert "250 customers" in done.stdout and "Validation:" in done.stdout
    for name in segments["segment"].unique():
        assert name in done.stdout
    assert "aggregating" in done.stderr  # progress goes to stderr


def test_segment_csv_with_rules(tmp_path, csv_path, renamed_log):
    out = tmp_path / "rfm"
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--order-col", "invoice", "--method", "rfm",
        "--n-bootstrap", 2, "--out", out, "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    segments = pd.read_csv(out / "segments.csv", index_col="cust")
    assert sorted(segments.index) == sorted(renamed_log["cust"].unique())
    orders = renamed_log.groupby("cust")["invoice"].nunique()
    assert (segments["frequency"] == orders.reindex(segments.index)).all()
    assert (segments["segment"] == segments["rfm_segment"]).all()
    assert "aggregating" not in done.stderr  # --quiet
    assert (out / "report.html").exists()


def test_segment_parquet_tiers_with_reference_date(tmp_path, renamed_log):
    pytest.importorskip("pyarrow")
    path = tmp_path / "log.parquet"
    renamed_log.to_parquet(path)
    out = tmp_path / "tiers"
    done = run(
        "segment", path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--method", "tiers", "--reference-date",
        "2025-06-30", "--n-bootstrap", 2, "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    later = int((renamed_log["ts"] >= "2025-07-01").sum())
    assert later > 0 and f"{later}" in done.stderr  # excluded rows are counted
    segments = pd.read_csv(out / "segments.csv")
    assert set(segments["segment"]) <= {"heavy", "medium", "light"}
    assert "2025-06-30" in (out / "report.html").read_text(encoding="utf-8")


def test_missing_file(tmp_path):
    done = run(
        "segment", tmp_path / "nope.csv", "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "no such file", "nope.csv")


def test_wrong_column_name(tmp_path, csv_path):
    done = run(
        "segment", csv_path, "--customer-col", "customer", "--date-col", "ts",
        "--amount-col", "value", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'customer'", "not found", "cust, invoice")


def test_unparseable_dates(tmp_path):
    path = tmp_path / "bad_dates.csv"
    pd.DataFrame(
        {"c": ["a", "b"], "d": ["2024-01-05", "yesterday"], "a": [1.0, 2.0]}
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'d'", "not dates", "'yesterday'", "--date-format")


def test_date_format_option(tmp_path):
    path = tmp_path / "uk_dates.csv"
    log, _ = make_transactions(60, random_state=0)
    log.assign(date=log["date"].dt.strftime("%d/%m/%Y")).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "customer_id", "--date-col", "date",
        "--amount-col", "amount", "--date-format", "%d/%m/%Y", "--method", "rfm",
        "--n-bootstrap", 0, "--out", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "60 customers" in done.stdout


def test_non_numeric_amount(tmp_path):
    path = tmp_path / "bad_amount.csv"
    pd.DataFrame(
        {"c": ["a", "b"], "d": ["2024-01-05", "2024-02-01"], "a": ["ten", "2"]}
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'a'", "numeric")


def test_bad_reference_date(tmp_path, csv_path):
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--reference-date", "someday", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "--reference-date", "someday")


def test_unreadable_file(tmp_path):
    path = tmp_path / "log.parquet"
    path.write_text("not a parquet file")
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "cannot read", "log.parquet")


def test_usage_errors_and_help():
    done = run("segment", "x.csv")
    assert done.returncode == 2 and "--customer-col" in done.stderr
    assert "Traceback" not in done.stderr
    done = run("--help")
    assert done.returncode == 0 and "demo" in done.stdout and "segment" in done.stdout

"""Tests of the ``custseg`` command.

The command is run in-process through ``main(argv)`` (starting a Python
process per test cost about 1.5 minutes); one smoke test runs the installed
console script as a subprocess.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from custseg.cli import main
from custseg.datasets import make_transactions

SCRIPT = shutil.which("custseg", path=str(Path(sys.executable).parent)) or shutil.which(
    "custseg"
)


class Done:
    """What a run of the command left: exit status, stdout, stderr."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run(capsys):
    """Run ``custseg ARGS`` in this process (``main(argv)``), as the shell would."""

    def run(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors, --help, --version
            code = exc.code
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


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


def test_demo_writes_report_and_segments(run, tmp_path):
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
    assert "aggregating" not in done.stdout


def test_segment_csv_with_rules(run, tmp_path, csv_path, renamed_log):
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


def test_segment_parquet_tiers_with_reference_date(run, tmp_path, renamed_log):
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


def test_missing_file(run, tmp_path):
    done = run(
        "segment", tmp_path / "nope.csv", "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "no such file", "nope.csv")


def test_wrong_column_name(run, tmp_path, csv_path):
    done = run(
        "segment", csv_path, "--customer-col", "customer", "--date-col", "ts",
        "--amount-col", "value", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'customer'", "not a column", "cust, invoice")
    assert "did you mean 'cust'?" in done.stderr


def test_unparseable_dates(run, tmp_path):
    path = tmp_path / "bad_dates.csv"
    pd.DataFrame(
        {"c": ["a", "b"], "d": ["2024-01-05", "yesterday"], "a": [1.0, 2.0]}
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'d'", "not dates", "'yesterday'", "--date-format")


def test_date_format_option(run, tmp_path):
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


def test_non_numeric_amount(run, tmp_path):
    path = tmp_path / "bad_amount.csv"
    pd.DataFrame(
        {"c": ["a", "b"], "d": ["2024-01-05", "2024-02-01"], "a": ["ten", "2"]}
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "'a'", "numeric")


def test_bad_reference_date(run, tmp_path, csv_path):
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--reference-date", "someday", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "--reference-date", "someday")


def test_unreadable_file(run, tmp_path):
    path = tmp_path / "log.parquet"
    path.write_text("not a parquet file")
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "cannot read", "log.parquet")


def test_usage_errors_and_help(run):
    done = run("segment", "x.csv")
    assert done.returncode == 2 and "--customer-col" in done.stderr
    assert "Traceback" not in done.stderr
    done = run("--help")
    assert done.returncode == 0 and "demo" in done.stdout and "segment" in done.stdout


def test_version(run):
    from custseg import __version__

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"custseg {__version__}"


def test_quantity_times_price_is_the_amount(run, tmp_path):
    rows = pd.DataFrame(
        {
            "InvoiceNo": ["1", "1", "2", "3", "4"],
            "Quantity": [2, 3, 1, 4, -1],
            "UnitPrice": [1.5, 2.0, 10.0, 0.25, 10.0],
            "CustomerID": ["a", "a", "a", "b", "a"],
            "InvoiceDate": [
                "2024-01-01",
                "2024-01-01",
                "2024-02-01",
                "2024-03-01",
                "2024-03-02",
            ],
        }  # fmt: skip
    )
    path = tmp_path / "retail.csv"
    rows.to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "CustomerID", "--date-col",
        "InvoiceDate", "--quantity-col", "Quantity", "--price-col", "UnitPrice",
        "--order-col", "InvoiceNo", "--method", "rfm", "--n-bootstrap", 0,
        "--out", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    segments = pd.read_csv(tmp_path / "out" / "segments.csv", index_col="CustomerID")
    # a: 2*1.5 + 3*2 + 1*10 - 1*10 (a return) = 9; b: 4*0.25 = 1
    assert segments.loc["a", "monetary"] == pytest.approx(9.0)
    assert segments.loc["b", "monetary"] == pytest.approx(1.0)
    assert segments.loc["a", "frequency"] == 2


def test_quantity_without_price_is_a_usage_error(run, csv_path, tmp_path):
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--quantity-col", "value", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "--quantity-col and --price-col")
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "--amount-col")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (["12346.0", "12347.0", "12348.0"], ["12346", "12347", "12348"]),
        (["00042", "00043", "7"], ["00042", "00043", "7"]),
        (["A-1.0", "12.0", "13.0"], ["A-1.0", "12.0", "13.0"]),
    ],
)
def test_ids_are_written_as_read(run, tmp_path, written, expected):
    path = tmp_path / "ids.csv"
    pd.DataFrame(
        {
            "c": written,
            "d": ["2024-01-05", "2024-02-01", "2024-03-01"],
            "a": [1.0, 2.0, 3.0],
        }  # fmt: skip
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--method", "rfm", "--n-bootstrap", 0,
        "--out", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "out" / "segments.csv").read_text().splitlines()
    assert sorted(line.split(",")[0] for line in text[1:]) == sorted(expected)
    assert ("written without the .0" in done.stderr) == (written != expected)


def test_columns_are_checked_before_the_rows_are_read(run, monkeypatch, csv_path,
                                                      tmp_path):  # fmt: skip
    calls = []
    real = pd.read_csv

    def spy(*args, **kwargs):
        calls.append(kwargs.get("nrows"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "valeu", "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "--amount-col 'valeu'", "did you mean 'value'?")
    assert calls == [0]  # only the header was read


def test_holdout_section(run, tmp_path, csv_path):
    out = tmp_path / "holdout"
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--order-col", "invoice", "--method", "rfm",
        "--n-bootstrap", 2, "--holdout", "2025-06-30", "--out", out, "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="holdout"' in page and "2025-06-30" in page
    assert "baseline: spend thirds" in page
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--holdout", "soon", "--out", out,
    )  # fmt: skip
    assert_user_error(done, "--holdout", "'soon'")


def _never_called(*args, **kwargs):
    raise AssertionError("the report was computed before the output was checked")


def test_output_checked_before_computing(run, monkeypatch, tmp_path, csv_path):
    import custseg.report

    monkeypatch.setattr(custseg.report, "segmentation_report", _never_called)
    out = tmp_path / "out"
    (out / "report.html").mkdir(parents=True)
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--out", out,
    )  # fmt: skip
    assert_user_error(done, "report.html", "is a directory")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = run("demo", "--out", blocker / "sub")
    assert_user_error(done, "cannot create the output directory")


def test_write_error_is_one_line(run, monkeypatch, tmp_path, csv_path):
    from custseg.report import SegmentationReport

    def full_disk(self, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(SegmentationReport, "write_html", full_disk)
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--method", "rfm", "--n-bootstrap", 0,
        "--out", tmp_path / "out", "--quiet",
    )  # fmt: skip
    assert_user_error(done, "report.html", "No space left on device")


def _write(tmp_path, frame):
    path = tmp_path / "log.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("case", "method"),
    [
        ("bought_once", "tiers"),
        ("identical", "rfm"),
        ("two_customers", "kmeans"),
        ("two_customers", "rfm"),
    ],  # fmt: skip
)
def test_degenerate_data_gives_a_report_not_a_traceback(run, tmp_path, case, method):
    n = {"bought_once": 40, "identical": 30, "two_customers": 2}[case]
    dates = pd.date_range("2024-01-01", periods=n).strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "c": [f"id{i}" for i in range(n)],
            "d": dates,
            "a": [10.0] * n if case == "identical" else list(range(1, n + 1)),
        }  # fmt: skip
    )
    if case == "identical":
        frame["d"] = "2024-01-01"
    path = _write(tmp_path, frame)
    out = tmp_path / "out"
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--method", method, "--n-bootstrap", 2,
        "--out", out, "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Not computed:" in done.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="unavailable"' in page
    assert len(pd.read_csv(out / "segments.csv")) == n


@pytest.mark.skipif(SCRIPT is None, reason="console script not installed")
def test_console_script_smoke(tmp_path):
    """The installed ``custseg`` script starts and runs the demo end to end."""
    out = tmp_path / "demo"
    done = subprocess.run(
        [
            SCRIPT,
            "demo",
            "--out",
            str(out),
            "--n-customers",
            "120",
            "--n-bootstrap",
            "0",
            "--method",
            "rfm",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
        # PYTHONPATH passed on, so a checkout under test runs its own code
        env={
            "MPLBACKEND": "Agg",
            "PATH": str(Path(sys.executable).parent),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        },  # fmt: skip
    )
    assert done.returncode == 0, done.stderr
    assert "120 customers" in done.stdout
    assert (out / "report.html").exists() and (out / "segments.csv").exists()


DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
RETAIL = DATA / "online_retail_I.csv.gz"


@pytest.mark.skipif(
    not RETAIL.exists(), reason=f"the Online Retail file is not in {DATA}"
)
def test_online_retail_quantity_times_price(run, tmp_path):
    """Online Retail's own columns, as exported: ids like 17850.0, no amount."""
    raw = pd.read_csv(RETAIL, nrows=20000, dtype={"InvoiceNo": str})
    path = tmp_path / "retail_head.csv"
    raw.to_csv(path, index=False)
    out = tmp_path / "out"
    done = run(
        "segment", path, "--customer-col", "CustomerID", "--date-col",
        "InvoiceDate", "--quantity-col", "Quantity", "--price-col", "UnitPrice",
        "--order-col", "InvoiceNo", "--method", "rfm", "--n-bootstrap", 0,
        "--currency", "£", "--out", out, "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    segments = pd.read_csv(out / "segments.csv", dtype={"CustomerID": str})
    assert not segments["CustomerID"].str.endswith(".0").any()
    # net spend per customer, computed independently from the raw rows
    known = raw.dropna(subset=["CustomerID"])
    spend = (
        (known["Quantity"] * known["UnitPrice"])
        .groupby(known["CustomerID"].astype(int).astype(str))
        .sum()
    )
    mine = segments.set_index("CustomerID")["monetary"]
    pd.testing.assert_series_equal(
        mine.sort_index(), spend.reindex(mine.index).sort_index(),
        check_names=False, rtol=1e-9,
    )  # fmt: skip
    assert "missing customer id" in done.stderr  # dropped rows are counted
    assert "£" in (out / "report.html").read_text(encoding="utf-8")


def test_id_note_only_when_the_log_passes_its_checks(run, tmp_path):
    path = tmp_path / "ids.csv"
    pd.DataFrame(
        {"c": ["12346.0", "12347.0"], "d": ["05/01/2024", "06/01/2024"], "a": [1, 2]}
    ).to_csv(path, index=False)
    done = run(
        "segment", path, "--customer-col", "c", "--date-col", "d",
        "--amount-col", "a", "--out", tmp_path / "out",
    )  # fmt: skip
    assert_user_error(done, "not dates")
    assert "written without the .0" not in done.stderr


def test_reference_date_must_be_iso(run, tmp_path, csv_path):
    done = run(
        "segment", csv_path, "--customer-col", "cust", "--date-col", "ts",
        "--amount-col", "value", "--reference-date", "01/02/2024",
        "--out", tmp_path,
    )  # fmt: skip
    assert_user_error(done, "01/02/2024", "YYYY-MM-DD")

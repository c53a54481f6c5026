"""Shared fixtures: paths to the real public datasets in ../shared/data/."""

import os
import sys
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _require(name):
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(
            f"real dataset {name} not found at {path}: the shared data folder is "
            "present in CI but not in a user's fresh clone"
        )
    return path


@pytest.fixture(scope="session")
def cdnow_master_path():
    return _require("cdnow_master.txt")


@pytest.fixture(scope="session")
def cdnow_sample_path():
    return _require("cdnow_sample.txt")


@pytest.fixture(scope="session")
def cdnow_summary_path():
    return _require("cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="session")
def online_retail_path():
    return _require("online_retail_I.csv.gz")


@pytest.fixture(scope="session")
def mall_customers_path():
    return _require("mall_customers.csv")


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run (a JVM start costs ~10 s)."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    # Python workers (mapInPandas) must import custseg: use this interpreter
    previous = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("custseg-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    yield session
    session.stop()
    if previous is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = previous

"""Every benchmark runs once at a smoke size (timings are printed, not tested)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load_bench_rfm():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_rfm
    finally:
        sys.path.pop(0)
    return bench_rfm


@pytest.mark.parametrize("with_orders", [False, True], ids=["rows", "orders"])
def test_bench_rfm_implementations_agree(with_orders):
    """The implementations the benchmark races compute the same table."""
    pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    bench = load_bench_rfm()
    log = bench.make_log(5000, seed=3)
    frames = {"pandas": log, "polars": pl.from_pandas(log)}
    impls = bench.implementations(with_orders)
    ours = impls["custseg (pandas)"](frames).sort_index()
    duck = impls["DuckDB SQL"](frames).set_index("customer_id").sort_index()
    plain = impls["pandas groupby"](frames).sort_index()
    polars_out = impls["custseg (polars)"](frames).to_pandas().set_index("customer_id")
    for other in (duck, plain, polars_out.sort_index()):
        assert other.index.tolist() == ours.index.tolist()
        for column in ("recency", "frequency", "monetary"):
            np.testing.assert_allclose(
                other[column].to_numpy(dtype=float), ours[column].to_numpy(dtype=float)
            )


@pytest.mark.slow
@pytest.mark.parametrize(
    "script", sorted(p.name for p in BENCHMARKS.glob("bench_*.py")), ids=str
)
def test_benchmark_smoke_run(script):
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=BENCHMARKS.parent,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), f"{script} printed no table"

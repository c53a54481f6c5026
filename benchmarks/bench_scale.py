"""The 50M-transaction run of the RFM aggregation, with its two acceptance checks.

Run ``python benchmarks/bench_scale.py`` (50M rows, median of 3 runs; about
15 GB of free memory needed for the frame and the reference engines) or
``--smoke`` for a seconds-long check.  It reuses ``bench_rfm``'s log, timer
and memory sampler, measures custseg on pandas against DuckDB SQL (and
polars) in the same run on the same frame, and checks:

- custseg on pandas takes at most 1.25x DuckDB's time;
- its peak extra memory is under 2x the size of the input frame.

The exit status is 1 when a check fails, so the run can gate a CI job.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_rfm  # noqa: E402

MAX_TIME_RATIO = 1.25
MAX_MEMORY_RATIO = 2.0


def check(table):
    """Return the failed acceptance checks (empty list: all pass)."""
    failures = []
    for rows, group in table.groupby("rows", sort=False):
        row = group.set_index("implementation").loc["custseg (pandas)"]
        if row["time / DuckDB"] > MAX_TIME_RATIO:
            failures.append(
                f"{rows} rows: custseg (pandas) takes {row['time / DuckDB']}x "
                f"DuckDB's time (limit {MAX_TIME_RATIO}x)"
            )
        if row["peak / input"] >= MAX_MEMORY_RATIO:
            failures.append(
                f"{rows} rows: custseg (pandas) peaks at {row['peak / input']}x "
                f"the input (limit {MAX_MEMORY_RATIO}x)"
            )
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--orders", action="store_true", help="count distinct order ids"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=["pandas groupby", "lifetimes"],
        help="skip implementations by name part (the slow references by default)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny size, one repeat")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat = [20_000], 1
    table = bench_rfm.run(args.sizes, args.repeat, args.orders, args.skip)
    kind = "distinct orders" if args.orders else "rows as orders"
    print(
        f"RFM aggregation at scale ({kind}); {os.cpu_count()} cores; "
        f"median of {args.repeat} runs"
    )
    print(table.to_string(index=False))
    failures = [] if args.smoke else check(table)
    for failure in failures:
        print(f"FAILED: {failure}")
    if not args.smoke and not failures:
        print(
            f"OK: custseg (pandas) within {MAX_TIME_RATIO}x DuckDB's time and "
            f"under {MAX_MEMORY_RATIO}x the input's memory."
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

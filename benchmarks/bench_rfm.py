"""Speed and memory of the RFM aggregation against reference implementations.

Run ``python benchmarks/bench_rfm.py`` (sizes 1M and 10M transactions) or
``--smoke`` for a seconds-long check.  Every implementation is measured in the
same run on the same frame; each figure is the median of ``--repeat`` runs.
Peak memory is the highest resident memory above the level before the call,
sampled every 2 ms from /proc (so engines outside Python's allocator count).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
import warnings

import numpy as np
import pandas as pd

from custseg import rfm_table

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class PeakMemory:
    """Highest resident memory above the starting level, sampled in a thread."""

    def __enter__(self):
        gc.collect()
        self.start = rss_bytes()
        self.peak = self.start
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())
        self.extra = self.peak - self.start


def make_log(n_rows, seed=0):
    """A synthetic log: 10 rows per customer on average, orders nested in customers."""
    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    customer = rng.integers(0, n_customers, n_rows)
    order = customer * 4 + rng.integers(0, 4, n_rows)
    seconds = rng.integers(0, 730 * 86400, n_rows).astype("timedelta64[s]")
    date = (np.datetime64("2024-01-01T00:00:00", "s") + seconds).astype(
        "datetime64[us]"
    )
    return pd.DataFrame(
        {
            "customer_id": customer,
            "order_id": order,
            "date": date,
            "amount": np.round(rng.gamma(2.0, 20.0, n_rows), 2),
        }
    )


def implementations(with_orders):
    import duckdb

    order = "order_id" if with_orders else None

    def custseg_pandas(frames):
        return rfm_table(frames["pandas"], order_col=order)

    def custseg_polars(frames):
        return rfm_table(frames["polars"], order_col=order)

    con = duckdb.connect()

    def duckdb_sql(frames):
        df = frames["pandas"]  # noqa: F841 (DuckDB scans the local frame)
        if with_orders:
            query = """
                with per_order as (
                    select customer_id, order_id, max(date) as last, sum(amount) as total
                    from df group by customer_id, order_id)
                select customer_id,
                       date_diff('day', max(last)::date, (select max(date)::date from df)) as recency,
                       count(*) as frequency, sum(total) as monetary
                from per_order group by customer_id"""
        else:
            query = """
                select customer_id,
                       date_diff('day', max(date)::date, (select max(date)::date from df)) as recency,
                       count(*) as frequency, sum(amount) as monetary
                from df group by customer_id"""
        return con.sql(query).df()

    def polars_lazy(frames):
        import polars as pl

        lf = frames["polars"].lazy()
        ref = pl.col("date").max().cast(pl.Date)
        if with_orders:
            lf = lf.group_by("customer_id", "order_id").agg(
                pl.col("date").max(), pl.col("amount").sum()
            )
        return (
            lf.with_columns(ref=ref)
            .group_by("customer_id")
            .agg(
                (pl.col("ref").first() - pl.col("date").max().cast(pl.Date))
                .dt.total_days()
                .alias("recency"),
                pl.len().alias("frequency"),
                pl.col("amount").sum().alias("monetary"),
            )
            .collect()
        )

    def pandas_groupby(frames):
        df = frames["pandas"]
        day = df["date"].dt.normalize()
        groups = df.assign(day=day).groupby("customer_id")
        out = groups.agg(last=("day", "max"), monetary=("amount", "sum"))
        out["frequency"] = (
            groups["order_id"].nunique() if with_orders else groups.size()
        )
        out["recency"] = (day.max() - out["last"]).dt.days
        return out

    def lifetimes_summary(frames):
        from lifetimes.utils import summary_data_from_transaction_data

        return summary_data_from_transaction_data(
            frames["pandas"], "customer_id", "date", "amount", freq="D"
        )

    return {
        "custseg (pandas)": custseg_pandas,
        "custseg (polars)": custseg_polars,
        "DuckDB SQL": duckdb_sql,
        "polars lazy": polars_lazy,
        "pandas groupby": pandas_groupby,
        "lifetimes summary (BTYD)": lifetimes_summary,
    }


def measure(func, frames, repeat):
    times, peaks = [], []
    for _ in range(repeat):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with PeakMemory() as memory:
                start = time.perf_counter()
                result = func(frames)
                elapsed = time.perf_counter() - start
        del result
        times.append(elapsed)
        peaks.append(memory.extra)
    return statistics.median(times), max(peaks)


def run(sizes, repeat, with_orders, skip):
    import polars as pl

    rows = []
    for n in sizes:
        log = make_log(n)
        frames = {"pandas": log, "polars": pl.from_pandas(log)}
        input_bytes = int(log.memory_usage(deep=True).sum())
        results = {}
        for name, func in implementations(with_orders).items():
            if any(s in name for s in skip):
                continue
            reps = 1 if name.startswith("lifetimes") else repeat
            results[name] = measure(func, frames, reps)
        duck = results["DuckDB SQL"][0]
        for name, (seconds, peak) in results.items():
            rows.append(
                {
                    "rows": f"{n:,}",
                    "implementation": name,
                    "median s": round(seconds, 3),
                    "rows/s (M)": round(n / seconds / 1e6, 1),
                    "peak extra MiB": round(peak / 2**20),
                    "peak / input": round(peak / input_bytes, 2),
                    "time / DuckDB": round(seconds / duck, 2),
                }
            )
        del frames, log
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--orders", action="store_true", help="count distinct order ids"
    )
    parser.add_argument(
        "--skip", nargs="*", default=[], help="skip implementations by name part"
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repeat = [20_000], 1
    table = run(args.sizes, args.repeat, args.orders, args.skip)
    kind = "distinct orders" if args.orders else "rows as orders"
    print(
        f"RFM aggregation ({kind}); {os.cpu_count()} cores; median of {args.repeat} runs"
    )
    print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    main()

"""Mixed numeric + categorical segmentation beside the numeric-only case.

The customer table holds recency, frequency and monetary drawn from the five
planted personas of :data:`custseg.datasets.PERSONAS`, plus two categorical
attributes: ``channel`` (5 levels, mix depending on the persona) and ``city``
(40 levels, drawn uniformly).  Each case is one ``CustomerSegmenter`` fit
with ``n_segments="auto"`` over k = 2..10 (the search runs on a 100k subset,
then the chosen k is refitted on everyone), timed end to end (wall and CPU
seconds, median of ``--repeats`` alternating fits); one more fit under
tracemalloc (which sees numpy's buffers) gives the peak memory.

The target: mixed data at most 3x the numeric-only time.  k-means receives
the one-hot blocks as a sparse matrix (one stored value per categorical and
customer instead of 45 dense columns), see ``MixedEncoder(sparse_output=)``.

Run ``python benchmarks/bench_mixed.py`` (1M customers) or ``--smoke``.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np
import pandas as pd
from _markdown import markdown
from sklearn.metrics import adjusted_rand_score

from custseg import CustomerSegmenter
from custseg.datasets import PERSONAS

RFM = ["recency", "frequency", "monetary"]


def customer_table(n, seed=0):
    """RFM per planted persona, a 5-level channel and a 40-level city."""
    rng = np.random.RandomState(seed)
    p = PERSONAS
    persona = rng.choice(len(p), size=n, p=p["share"] / p["share"].sum())
    pick = p.iloc[persona]
    recency = rng.randint(pick["recency_low"], pick["recency_high"].to_numpy() + 1)
    frequency = rng.randint(pick["orders_low"], pick["orders_high"].to_numpy() + 1)
    value = pick["order_value"].to_numpy() * rng.lognormal(0.0, 0.25, n)
    # the persona's own channel 60% of the time, any of the 5 otherwise
    channel = np.where(rng.uniform(size=n) < 0.6, persona, rng.randint(0, 5, n))
    table = pd.DataFrame(
        {
            "recency": recency,
            "frequency": frequency,
            "monetary": frequency * value,
            "channel": pd.Categorical.from_codes(
                channel, ["store", "web", "app", "phone", "partner"]
            ),
            "city": np.array([f"city {i:02d}" for i in range(40)])[
                rng.randint(0, 40, n)
            ],
        },
        index=pd.RangeIndex(n, name="customer_id"),
    )
    return table, persona


def fit_seconds(features, table):
    """Wall and CPU (all threads) seconds of one fit, and the fitted segmenter."""
    segmenter = CustomerSegmenter(features=features, random_state=0)
    start, cpu = time.perf_counter(), time.process_time()
    segmenter.fit(table)
    return time.perf_counter() - start, time.process_time() - cpu, segmenter


def peak_mb(features, table):
    """Peak traced memory of one fit (tracemalloc sees numpy's buffers)."""
    tracemalloc.start()
    CustomerSegmenter(features=features, random_state=0).fit(table)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_cases(cases, table, truth, repeats):
    """Time every case ``repeats`` times, alternating them, then measure memory.

    The fits are timed without tracemalloc, whose bookkeeping of every
    allocation would slow the allocation-heavy encoding more than the numeric
    case.  Alternating the cases and taking medians keeps a burst of load on
    the shared machine from landing on one case only.
    """
    wall = {name: [] for name, _ in cases}
    cpu = {name: [] for name, _ in cases}
    fitted = {}
    for _ in range(repeats):
        for name, features in cases:
            w, c, fitted[name] = fit_seconds(features, table)
            wall[name].append(w)
            cpu[name].append(c)
    rows = []
    for name, features in cases:
        segmenter = fitted[name]
        rows.append(
            {
                "case": name,
                "customers": len(table),
                "encoded columns": segmenter.estimator_.n_features_in_,
                "chosen k": segmenter.n_segments_,
                "ARI vs planted": round(
                    adjusted_rand_score(truth, segmenter.labels_), 3
                ),
                "seconds": round(float(np.median(wall[name])), 1),
                "CPU seconds": round(float(np.median(cpu[name])), 1),
                "peak MB": round(peak_mb(features, table)),
            }
        )
    return pd.DataFrame(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="20k customers")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed fits per case (median)"
    )
    args = parser.parse_args()
    n = 20_000 if args.smoke else args.customers
    table, truth = customer_table(n)
    print(
        f"CustomerSegmenter, n_segments='auto' (k = 2..10), {n:,} customers, "
        f"{os.cpu_count()} CPUs, load average before the run "
        f"{os.getloadavg()[0]:.1f} (the machine is shared), median of "
        f"{args.repeats} alternating fits per case\n"
    )
    cases = [
        ("numeric only (3 columns)", RFM),
        ("mixed: 3 numeric + channel (5) + city (40)", [*RFM, "channel", "city"]),
    ]
    rows = run_cases(cases, table, truth, args.repeats)
    rows["x numeric time"] = (rows["seconds"] / rows["seconds"].iloc[0]).round(2)
    rows["x numeric CPU"] = (rows["CPU seconds"] / rows["CPU seconds"].iloc[0]).round(2)
    print(markdown(rows))
    print(f"\nload average after the run {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

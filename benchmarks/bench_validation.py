"""Speed of ``validate_segmentation`` with bootstrap refits of a KMeans segmenter.

Run ``python benchmarks/bench_validation.py`` (100,000 synthetic customers,
100 bootstrap refits of ``CustomerSegmenter`` with KMeans and 5 segments,
``n_jobs=2``; target under 60 s on 2 cores) or ``--smoke`` for a
seconds-long check.  Progress is logged (``verbose=True``) to stderr.
"""

from __future__ import annotations

import argparse
import logging
import time

import pandas as pd

from custseg import CustomerSegmenter, rfm_table, validate_segmentation
from custseg.datasets import make_transactions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-customers", type=int, default=100_000)
    parser.add_argument("--n-bootstrap", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n_customers, args.n_bootstrap = 2_000, 5
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    timings = {}
    start = time.perf_counter()
    log, _ = make_transactions(args.n_customers, random_state=0)
    X = rfm_table(log, order_col="order_id")
    timings["customer table (make_transactions + rfm_table)"] = (
        time.perf_counter() - start
    )

    segmenter = CustomerSegmenter(n_segments=5, random_state=0)
    start = time.perf_counter()
    segmenter.fit(X)
    timings["one CustomerSegmenter fit"] = time.perf_counter() - start

    start = time.perf_counter()
    report = validate_segmentation(
        segmenter,
        X,
        n_bootstrap=args.n_bootstrap,
        random_state=0,
        n_jobs=args.n_jobs,
        verbose=True,
    )
    elapsed = time.perf_counter() - start
    timings[
        f"validate_segmentation ({args.n_bootstrap} refits, n_jobs={args.n_jobs})"
    ] = elapsed

    print(f"\n{len(X):,} customers, {len(log):,} order lines\n")
    table = pd.Series(timings, name="seconds").round(2).to_frame()
    table.index.name = "step"
    print(table.to_string())
    print(f"\nverdict: {report.verdict}")
    cols = ["name", "customers", "share", "stability", "stability_band", "verdict"]
    print(report.segments[cols].round(3).to_string())
    if not args.smoke:
        status = "OK" if elapsed < 60 else "SLOWER THAN TARGET"
        print(f"\ntarget < 60 s: {elapsed:.1f} s ({status})")


if __name__ == "__main__":
    main()

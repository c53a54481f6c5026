"""Speed of ``validate_segmentation``: refits of segmenters, attribute labels, scale.

Run ``python benchmarks/bench_validation.py`` for the full table (2 cores,
``n_jobs=2``), or ``--smoke`` for a seconds-long check.  Rows:

- a fitted ``CustomerSegmenter`` (k chosen by its search) with 100 bootstrap
  refits at 100,000 customers, k kept; target: within 1.5x the time of a
  ``CustomerSegmenter(n_segments=5)`` validated the same way;
- plain attribute labels with 100 bootstraps at 1,000,000 customers
  (``max_customers=None``: every customer);
- 10,000,000 customers through the default sample (``max_customers=200_000``).

The 100k table comes from the synthetic order log; the 1M and 10M tables are
drawn directly as customer tables (recency, frequency, monetary) with an
attribute that shifts spend a little.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from custseg import CustomerSegmenter, rfm_table, validate_segmentation
from custseg.datasets import make_transactions

MAX_RATIO = 1.5


def customer_table(n, seed=0):
    """A customer table of ``n`` rows and a two-valued attribute (weak effect)."""
    rng = np.random.RandomState(seed)
    attribute = np.where(rng.rand(n) < 0.3, "app", "web")
    monetary = rng.lognormal(5.0, 1.0, n) * np.where(attribute == "app", 1.5, 1.0)
    X = pd.DataFrame(
        {
            "recency": rng.randint(0, 700, n),
            "frequency": rng.poisson(2.0, n) + 1,
            "monetary": monetary,
        }
    )
    return X, attribute


def timed(label, timings, func):
    start = time.perf_counter()
    result = func()
    timings[label] = time.perf_counter() - start
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-refit", type=int, default=100_000)
    parser.add_argument("--n-attribute", type=int, default=1_000_000)
    parser.add_argument("--n-sampled", type=int, default=10_000_000)
    parser.add_argument("--n-bootstrap", type=int, default=100)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n_refit, args.n_attribute, args.n_sampled = 2_000, 5_000, 20_000
        args.n_bootstrap = 5
    max_customers = 2_000 if args.smoke else 200_000
    boot = {"n_bootstrap": args.n_bootstrap, "random_state": 0, "n_jobs": args.n_jobs}

    timings = {}
    log, _ = make_transactions(args.n_refit, random_state=0)
    X = rfm_table(log, order_col="order_id")
    fitted = CustomerSegmenter(random_state=0).fit(X)
    k = fitted.n_segments_
    fixed = CustomerSegmenter(n_segments=5, random_state=0)
    rows = [
        (
            f"CustomerSegmenter(n_segments=5), {len(X):,} customers, "
            f"{args.n_bootstrap} refits",
            lambda: validate_segmentation(fixed, X, **boot),
        ),
        (
            f"fitted CustomerSegmenter (k={k} kept), {len(X):,} customers, "
            f"{args.n_bootstrap} refits",
            lambda: validate_segmentation(fitted, X, **boot),
        ),
    ]
    A, attribute = customer_table(args.n_attribute)
    rows.append(
        (
            f"attribute labels, {len(A):,} customers, {args.n_bootstrap} bootstraps",
            lambda: validate_segmentation(attribute, A, max_customers=None, **boot),
        )
    )
    B, attribute_b = customer_table(args.n_sampled, seed=1)
    rows.append(
        (
            f"attribute labels, {len(B):,} customers through the default sample "
            f"({max_customers:,}), {args.n_bootstrap} bootstraps",
            lambda: validate_segmentation(
                attribute_b, B, max_customers=max_customers, **boot
            ),
        )
    )
    reports = [timed(label, timings, func) for label, func in rows]

    table = pd.Series(timings, name="seconds").round(2).to_frame()
    table.index.name = "validation"
    table["verdict"] = [r.verdict for r in reports]
    table["customers validated"] = [r.settings["n_validated"] for r in reports]
    print(table.to_string())
    ratio = timings[rows[1][0]] / timings[rows[0][0]]
    status = "OK" if ratio <= MAX_RATIO else "SLOWER THAN TARGET"
    print(f"\nfitted (k kept) / fixed k: {ratio:.2f} (target <= {MAX_RATIO}: {status})")


if __name__ == "__main__":
    main()

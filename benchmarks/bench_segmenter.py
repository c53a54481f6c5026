"""Speed of CustomerSegmenter's choice of k on a large customer table.

The customer table (recency, frequency, monetary) is drawn directly from the
five planted personas of :data:`custseg.datasets.PERSONAS` (generating and
aggregating a 1M-customer order log would measure the aggregation instead).
Cases, each timed once end to end (preprocessing, the search over k = 2..10,
criteria, bootstrap stability, refit, personas):

- KMeans, defaults (the search runs on a 100k subset, refit on everyone),
  with n_jobs=1 and n_jobs=2;
- KMeans with ``search_size=None`` (every fit on all customers);
- GaussianMixture (full covariance), defaults.

A second table compares the silhouette on a sample: sklearn's
``silhouette_score(sample_size=...)`` per k against custseg's
``silhouette_many``, which shares the sample's distances across all k, and
the score on the sample against a 2x larger sample.

Run ``python benchmarks/bench_segmenter.py`` (1M customers) or ``--smoke``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
from _markdown import markdown
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

from custseg import CustomerSegmenter
from custseg._learned._k_selection import silhouette_many
from custseg.datasets import PERSONAS


def customer_table(n, seed=0):
    """Draw recency, frequency and monetary per planted persona."""
    rng = np.random.RandomState(seed)
    p = PERSONAS
    persona = rng.choice(len(p), size=n, p=p["share"] / p["share"].sum())
    pick = p.iloc[persona]
    recency = rng.randint(pick["recency_low"], pick["recency_high"].to_numpy() + 1)
    frequency = rng.randint(pick["orders_low"], pick["orders_high"].to_numpy() + 1)
    value = pick["order_value"].to_numpy() * rng.lognormal(0.0, 0.25, n)
    table = pd.DataFrame(
        {"recency": recency, "frequency": frequency, "monetary": frequency * value},
        index=pd.RangeIndex(n, name="customer_id"),
    )
    return table, persona


def time_case(name, segmenter, table, truth):
    start = time.perf_counter()
    segmenter.fit(table)
    seconds = time.perf_counter() - start
    stability = segmenter.k_selection_["stability"].dropna()
    return {
        "case": name,
        "customers": len(table),
        "chosen k": segmenter.n_segments_,
        "ARI vs planted": round(adjusted_rand_score(truth, segmenter.labels_), 3),
        "stability": round(float(stability.iloc[0]), 3) if len(stability) else None,
        "seconds": round(seconds, 1),
    }


def silhouette_rows(table, sample_size, seed=0):
    segmenter = CustomerSegmenter(n_segments=5, random_state=0).fit(table)
    Z = segmenter.preprocessor_.transform(table.to_numpy())
    rng = np.random.RandomState(seed)
    labelings = [
        KMeans(k, n_init="auto", random_state=0).fit(Z[:100_000]).predict(Z)
        for k in range(2, 11)
    ]
    rows = []
    start = time.perf_counter()
    ours = silhouette_many(
        Z[(sample := rng.choice(len(Z), sample_size, False))],
        [lab[sample] for lab in labelings],
    )
    rows.append(
        (
            "custseg silhouette_many, all 9 k",
            sample_size,
            time.perf_counter() - start,
            ours[3],
        )
    )
    start = time.perf_counter()
    theirs = [
        silhouette_score(Z, lab, sample_size=sample_size, random_state=seed)
        for lab in labelings
    ]
    rows.append(
        (
            "sklearn silhouette_score, 9 calls",
            sample_size,
            time.perf_counter() - start,
            theirs[3],
        )
    )
    big = min(2 * sample_size, len(Z))
    start = time.perf_counter()
    larger = silhouette_score(Z, labelings[3], sample_size=big, random_state=seed + 1)
    rows.append(
        ("sklearn silhouette_score, k=5 only", big, time.perf_counter() - start, larger)
    )
    out = pd.DataFrame(rows, columns=["method", "sample", "seconds", "score at k=5"])
    return out.round({"seconds": 2, "score at k=5": 4})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="20k customers")
    parser.add_argument("--skip-gmm", action="store_true")
    args = parser.parse_args()
    n = 20_000 if args.smoke else args.customers
    table, truth = customer_table(n)
    print(
        f"CustomerSegmenter, n_segments='auto' (k = 2..10), {n:,} customers x 3 "
        f"features, {os.cpu_count()} CPUs, load average before the run "
        f"{os.getloadavg()[0]:.1f} (the machine is shared)\n"
    )
    cases = [
        ("KMeans, defaults (search on 100k)", CustomerSegmenter(random_state=0)),
        ("KMeans, defaults, n_jobs=2", CustomerSegmenter(n_jobs=2, random_state=0)),
        (
            "KMeans, search_size=None (all)",
            CustomerSegmenter(search_size=None, random_state=0),
        ),
    ]
    if not args.skip_gmm:
        cases.append(
            (
                "GaussianMixture full, defaults (search on 100k)",
                CustomerSegmenter(GaussianMixture(), random_state=0),
            )
        )
    rows = [time_case(name, seg, table, truth) for name, seg in cases]
    print(markdown(pd.DataFrame(rows)))
    print("\nSilhouette on a sample (preprocessed features)\n")
    print(markdown(silhouette_rows(table, 2_000 if args.smoke else 10_000)))


if __name__ == "__main__":
    main()

"""Speed and goodness of fit of natural breaks (Jenks) on one column.

Run ``python benchmarks/bench_breaks.py`` (1e4, 1e5 and 1e6 values) or
``--smoke`` for a seconds-long check.  Rows compare, on the same values:

- ``grouped`` -- the approximation custseg used before natural breaks became
  exact: candidate breaks restricted to the boundaries of 1,000 runs of
  consecutive distinct values (kept here only as the baseline);
- ``exact`` -- ``method="jenks"`` (``jenks_classes``: a weighted programme
  over few distinct values, else Ckmeans.1d.dp);
- ``approx`` -- ``method="jenks_approx"`` (``max_groups=APPROX_GROUPS``): the
  optimum on run boundaries, then single-break moves until none improves;
- ``jenkspy`` -- the reference O(k n^2) implementation, at 1e4 values only.

Values are skewed like money: every value distinct, then rounded to cents
(many ties; the ``distinct`` column counts the distinct values).  Each time is the best of
``--repeat`` runs; GVF is the goodness of variance fit (higher is better,
the exact optimum is the highest possible).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from custseg._rule_based._breaks import APPROX_GROUPS, jenks_classes

MAX_CANDIDATES = 1000


def grouped_jenks_classes(values, n_classes):
    """The former approximation: an exact programme over 1,000 value runs."""
    values = np.asarray(values, dtype=float)
    uniques, counts = np.unique(values, return_counts=True)
    w = counts.astype(float)
    if uniques.size <= MAX_CANDIDATES:
        low = high = uniques
        wx, wxx = uniques * w, uniques * uniques * w
    else:
        edges = np.linspace(0, uniques.size, MAX_CANDIDATES + 1).round().astype(int)
        starts, ends = edges[:-1], edges[1:] - 1
        low, high = uniques[starts], uniques[ends]
        wx = np.add.reduceat(uniques * w, starts)
        wxx = np.add.reduceat(uniques * uniques * w, starts)
        w = np.add.reduceat(w, starts)
    m = low.size
    k = min(int(n_classes), m)
    cw, cx, cxx = (np.concatenate([[0.0], np.cumsum(a)]) for a in (w, wx, wxx))

    def cost(i, j):
        n = cw[j + 1] - cw[i]
        s = cx[j + 1] - cx[i]
        return np.maximum(cxx[j + 1] - cxx[i] - s * s / n, 0.0)

    best = np.array([cost(np.array([0]), j)[0] for j in range(m)])
    back = np.zeros((k, m), dtype=int)
    for c in range(1, k):
        new = np.full(m, np.inf)
        for j in range(c, m):
            starts = np.arange(c, j + 1)
            totals = best[starts - 1] + cost(starts, j)
            arg = int(np.argmin(totals))
            new[j] = totals[arg]
            back[c, j] = starts[arg]
        best = new
    bounds, j = [], m - 1
    for c in range(k - 1, -1, -1):
        start = back[c, j] if c > 0 else 0
        bounds.append((float(low[start]), float(high[j])))
        j = start - 1
    return bounds[::-1]


def approx_classes(values, n_classes):
    return jenks_classes(values, n_classes, max_groups=APPROX_GROUPS)


def jenkspy_classes(values, n_classes):
    import jenkspy

    breaks = jenkspy.jenks_breaks(values, n_classes=n_classes)
    return [(None, float(b)) for b in breaks[1:]]


def gvf(values, classes):
    cuts = np.array([high for _, high in classes[:-1]])
    labels = np.searchsorted(cuts, values, side="left")
    total = ((values - values.mean()) ** 2).sum()
    within = sum(
        ((values[labels == c] - values[labels == c].mean()) ** 2).sum()
        for c in np.unique(labels)
    )
    return 1 - within / total


def best_time(func, values, k, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(values, k)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [2_000, 5_000] if args.smoke else [10_000, 100_000, 1_000_000]
    repeat = 1 if args.smoke else args.repeat
    try:
        import jenkspy  # noqa: F401

        have_jenkspy = True
    except ImportError:
        have_jenkspy = False
    rng = np.random.default_rng(0)
    header = f"{'values':>9} {'distinct':>9} {'method':>8} {'seconds':>8} {'GVF':>10}"
    print(f"k={args.k}, best of {repeat} run(s)\n{header}\n{'-' * len(header)}")
    for n in sizes:
        raw = rng.lognormal(4, 1.2, n)
        for values in (raw, np.round(raw, 2)):
            methods = {
                "grouped": grouped_jenks_classes,
                "exact": jenks_classes,
                "approx": approx_classes,
            }
            if have_jenkspy and n <= 10_000:
                methods["jenkspy"] = jenkspy_classes
            distinct = np.unique(values).size
            for name, func in methods.items():
                seconds, classes = best_time(func, values, args.k, repeat)
                print(
                    f"{n:>9,} {distinct:>9,} {name:>8} {seconds:>8.3f} "
                    f"{gvf(values, classes):>10.6f}"
                )


if __name__ == "__main__":
    main()

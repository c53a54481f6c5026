"""Which segmentation holds up and predicts the next period? Real data, baselines included.

For each dataset the log is cut at a date: the RFM customer table is
computed as of the cutoff (:func:`custseg.calibration_holdout_split`) and
the outcomes come from the holdout period that follows (spend, bought
again).  Every segmentation is validated on the calibration table with the
holdout outcomes (:func:`custseg.compare_segmentations`):

- the 11-segment Putler-style RFM preset, R rfm's example rules and
  PyMC-Marketing's default rules (:class:`custseg.RFMSegmenter`);
- usage tiers on spend (heavy / medium / light, :class:`custseg.UsageTiers`);
- :class:`custseg.CustomerSegmenter` with KMeans and with a Gaussian mixture
  (k chosen by the segmenter's default ``n_segments="auto"`` on the full
  table, then fixed for the refits; the same seed gives the same segments);
- baselines: random assignment with the same number of segments and the
  same shares as the RFM preset and as KMeans, and spend thirds.

Datasets (paths relative to the repository's parent, ``../shared/data``):
CDNOW master (calibration to 1997-09-30, holdout to 1998-06-30; one
purchase per row) and UCI Online Retail I (calibration to 2011-08-31,
holdout 2011-09-01 to 2011-12-09, 100 days; orders are invoices).

The learned segmentations should separate next-period spend at least as
well as the best RFM preset (epsilon² of the holdout spend); the lines
after each table say whether they do, and the summary at the end gives,
for both datasets, every learned segmentation and every RFM preset: k,
smallest share, holdout spend epsilon² with its 95% bootstrap interval,
bought-again Cramér's V, the verdict, and the paired bootstrap interval
against the leader ("tied with the leader" when it contains 0).

Run ``python benchmarks/bench_quality.py`` (``--dataset "Online Retail"`` for
one dataset) or ``--smoke`` (a small synthetic
log, 3 refits) for CI.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from custseg import (
    CustomerSegmenter,
    QuantileSegmenter,
    RandomSegmenter,
    RFMSegmenter,
    UsageTiers,
    calibration_holdout_split,
    compare_segmentations,
)
from custseg.datasets import load_cdnow, load_online_retail, make_transactions

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHOWN = [
    "segments",
    "smallest_share",
    "silhouette",
    "stability",
    "supported_share",
    "merge_candidates",
    "spend effect",
    "bought_again effect",
    "verdict",
]


def datasets(smoke):
    if smoke:
        log, _ = make_transactions(1500, random_state=0)
        yield "synthetic (smoke)", log, "2025-09-30", None, "order_id"
        return
    cdnow = DATA / "cdnow_master.txt"
    retail = DATA / "online_retail_I.csv.gz"
    if cdnow.is_file():
        yield "CDNOW", load_cdnow(cdnow), "1997-09-30", "1998-06-30", None
    else:
        print(f"skipped CDNOW: {cdnow} not found")
    if retail.is_file():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rows without customer id
            log = load_online_retail(retail)
        yield "Online Retail", log, "2011-08-31", "2011-12-09", "order_id"
    else:
        print(f"skipped Online Retail: {retail} not found")


def auto_fit(segmenter, X):
    """Fit with n_segments="auto"; print the time, the choice and its rule."""
    start = time.perf_counter()
    segmenter.fit(X)
    table = segmenter.k_selection_
    shares = segmenter.profiles_["share"]
    print(
        f"{type(segmenter.estimator_).__name__} auto: k={segmenter.n_segments_} in "
        f"{time.perf_counter() - start:.1f} s ({table.attrs['rule']}); shares "
        + ", ".join(f"{v:.1%}" for v in shares)
    )
    print(table.drop(columns=["preferred_by"]).round(3).to_string())
    return segmenter


def segmentations(X, random_state):
    kmeans = auto_fit(CustomerSegmenter(random_state=random_state), X)
    gmm = auto_fit(
        CustomerSegmenter(
            GaussianMixture(random_state=random_state), random_state=random_state
        ),
        X,
    )
    putler = RFMSegmenter("putler").fit(X)
    segs = {
        "RFM putler preset": RFMSegmenter("putler"),
        "RFM R rfm example": RFMSegmenter("r_rfm"),
        "RFM PyMC default": RFMSegmenter("pymc"),
        "usage tiers (spend)": UsageTiers("monetary"),
        f"KMeans (k={kmeans.n_segments_})": CustomerSegmenter(
            n_segments=kmeans.n_segments_, random_state=random_state
        ),
        f"GMM (k={gmm.n_segments_})": CustomerSegmenter(
            GaussianMixture(random_state=random_state),
            n_segments=gmm.n_segments_,
            random_state=random_state,
        ),
    }
    for name, fitted in [("RFM putler", putler), ("KMeans", kmeans)]:
        shares = fitted.profiles_["share"].to_numpy()
        segs[f"random, sizes of {name}"] = RandomSegmenter(
            len(shares), shares=shares, random_state=random_state
        )
    segs["spend thirds"] = QuantileSegmenter("monetary", 3)
    return segs


def summary_rows(name, table):
    """The rows of the summary: learned segmentations and every RFM preset."""
    effect = table["spend effect"]
    leader = effect[effect.index.str.startswith("RFM")].idxmax()
    for seg in table.index[table.index.str.startswith(("KMeans", "GMM", "RFM"))]:
        row = table.loc[seg]
        yield {
            "dataset": name,
            "segmentation": seg + (" (best preset)" if seg == leader else ""),
            "k": int(row["segments"]),
            "smallest share": f"{row['smallest_share']:.1%}",
            "holdout spend eps²": f"{row['spend effect']:.3f} "
            f"[{row['spend effect_low']:.3f}, {row['spend effect_high']:.3f}]",
            "bought-again V": f"{row['bought_again effect']:.3f}",
            "verdict": row["verdict"],
            "vs leader": row.get("versus_leader", ""),
        }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-bootstrap", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--dataset", choices=["CDNOW", "Online Retail"], help="only this dataset"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny synthetic data, for CI"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.n_bootstrap = 3
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    summary = []
    for name, log, cutoff, end, order_col in datasets(args.smoke):
        if args.dataset and name != args.dataset:
            continue
        start = time.perf_counter()
        X, outcomes = calibration_holdout_split(
            log, cutoff, holdout_end=end, order_col=order_col
        )
        outcome = outcomes[["spend", "bought_again"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rule catch-all notices
            table, reports = compare_segmentations(
                segmentations(X, 0),
                X,
                outcome=outcome,
                n_bootstrap=args.n_bootstrap,
                random_state=0,
                n_jobs=args.n_jobs,
                return_reports=True,
            )
        elapsed = time.perf_counter() - start
        print(
            f"\n== {name}: {len(X):,} customers at the cutoff {cutoff}, "
            f"holdout to {end or 'the end of the log'}; "
            f"{outcome['bought_again'].mean():.1%} bought again; "
            f"{args.n_bootstrap} bootstrap refits; {elapsed:.0f} s"
        )
        shown = SHOWN + [c for c in ("versus_leader",) if c in table]
        print(table[shown].round(3).to_string())
        print(
            f"({table.attrs['sort_rule']}; effects: spend epsilon², bought_again Cramér's V)"
        )
        effect = table["spend effect"]
        presets = effect[effect.index.str.startswith("RFM")]
        best_preset = reports[presets.idxmax()].outcome_replicates["spend"]
        for learned in effect.index[effect.index.str.startswith(("KMeans", "GMM"))]:
            ok = effect[learned] >= presets.max()
            # paired: every segmentation is validated on the same resamples
            diff = reports[learned].outcome_replicates["spend"] - best_preset
            low, high = np.nanpercentile(diff.to_numpy(), [2.5, 97.5])
            print(
                f"{learned}: spend epsilon² {effect[learned]:.3f} "
                f"{'>=' if ok else '<'} best RFM preset {presets.idxmax()} "
                f"{presets.max():.3f} (difference, 95% paired bootstrap interval "
                f"[{low:+.3f}, {high:+.3f}]); verdict {table.loc[learned, 'verdict']}"
            )
        best, runner = table.index[0], table.index[1]
        randoms = table[table.index.str.startswith("random")]
        print(
            f"winner: {best} (spend epsilon² {effect[best]:.3f}; runner-up {runner} "
            f"{effect[runner]:.3f}; best random baseline {randoms['spend effect'].max():.4f})"
        )
        summary.extend(summary_rows(name, table))
    if summary:
        print(
            "\n== Summary (holdout spend epsilon² with its 95% bootstrap interval; "
            "vs leader: paired bootstrap interval of the difference to the "
            "segmentation ranked first)"
        )
        print(pd.DataFrame(summary).to_string(index=False))


if __name__ == "__main__":
    main()

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
well as the best RFM preset (epsilon² of the holdout spend); the last lines
say whether they do.

Run ``python benchmarks/bench_quality.py`` or ``--smoke`` (a small synthetic
log, 3 refits) for CI.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-bootstrap", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny synthetic data, for CI"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.n_bootstrap = 3
    pd.set_option("display.width", 200)
    for name, log, cutoff, end, order_col in datasets(args.smoke):
        start = time.perf_counter()
        X, outcomes = calibration_holdout_split(
            log, cutoff, holdout_end=end, order_col=order_col
        )
        outcome = outcomes[["spend", "bought_again"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # rule catch-all notices
            table = compare_segmentations(
                segmentations(X, 0),
                X,
                outcome=outcome,
                n_bootstrap=args.n_bootstrap,
                random_state=0,
                n_jobs=args.n_jobs,
            )
        elapsed = time.perf_counter() - start
        print(
            f"\n== {name}: {len(X):,} customers at the cutoff {cutoff}, "
            f"holdout to {end or 'the end of the log'}; "
            f"{outcome['bought_again'].mean():.1%} bought again; "
            f"{args.n_bootstrap} bootstrap refits; {elapsed:.0f} s"
        )
        print(table[SHOWN].round(3).to_string())
        print(
            f"({table.attrs['sort_rule']}; effects: spend epsilon², bought_again Cramér's V)"
        )
        effect = table["spend effect"]
        presets = effect[effect.index.str.startswith("RFM")]
        for learned in effect.index[effect.index.str.startswith(("KMeans", "GMM"))]:
            ok = effect[learned] >= presets.max()
            print(
                f"{learned}: spend epsilon² {effect[learned]:.3f} "
                f"{'>=' if ok else '<'} best RFM preset {presets.idxmax()} "
                f"{presets.max():.3f}; verdict {table.loc[learned, 'verdict']}"
            )
        best, runner = table.index[0], table.index[1]
        randoms = table[table.index.str.startswith("random")]
        print(
            f"winner: {best} (spend epsilon² {effect[best]:.3f}; runner-up {runner} "
            f"{effect[runner]:.3f}; best random baseline {randoms['spend effect'].max():.4f})"
        )


if __name__ == "__main__":
    main()

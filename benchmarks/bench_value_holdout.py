"""BG/NBD holdout accuracy on CDNOW: predicted vs actual repeat purchases.

Calibration from the first purchase to 1997-09-30 (39 weeks), holdout
1997-10-01 to 1998-06-30 (the next 39 weeks = 273 days), as in Fader, Hardie
and Lee (2005).  A purchase is a purchase *day* (several rows of one customer
on one day are one transaction), in the calibration table (``frequency`` =
purchase days - 1) and in the holdout alike; a customer's first purchase is
never a repeat purchase, and no customer's first purchase falls in the
holdout (the cohort first bought in Q1 1997).

Printed, for the 1/10 sample (2,357 customers; the published parameters) and
the full log (23,570 customers):

1. the fitted parameters and the total predicted against actual: the sum of
   the conditional expectations ``E[Y(39) | x, t_x, T]`` (what
   ``predict_purchases`` gives per customer) and of the unconditional ones
   ``E[X(T + 39)] - E[X(T)]`` (the cohort forecast of the paper's tracking
   plot, which ignores each customer's history); the same in days
   (``time_scaler=1``, 273 days): the model is invariant to the time unit;
2. the paper's Figure 4 layout: mean holdout purchases per calibration
   frequency (0 .. 7+), actual and conditional expectation;
3. per RFM segment (the default 11-segment rules on the classic table at the
   cutoff): share of customers, predicted, actual and relative error, and the
   share of customers in segments within 10%.

The data are read from ``../shared/data`` (``--data`` to change); the run
takes a few seconds.
"""

from __future__ import annotations

import argparse
import os
import warnings

import pandas as pd
from scipy.special import hyp2f1

from custseg import BetaGeoModel, RFMSegmenter, rfm_table
from custseg.datasets import load_cdnow

CUTOFF = pd.Timestamp("1997-09-30")
END = pd.Timestamp("1998-06-30")
WEEKS = 39


def unconditional(params, t):
    """E[X(t)]: expected repeat purchases in (0, t] of a new customer (FHL eq. 9)."""
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    z = t / (alpha + t)
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    )


def load(path, sample):
    if not sample:
        return load_cdnow(path)
    frame = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "n_cds", "amount"],
        dtype={"customer_id": str, "sample_id": str, "date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def holdout_tables(log):
    """Weekly calibration table, classic table and actual holdout purchase days."""
    calibration = log[log["date"] <= CUTOFF]
    btyd = rfm_table(
        calibration,
        definition="btyd",
        reference_date=CUTOFF,
        time_scaler=7,
        amount_col="amount",
    )
    holdout = log[(log["date"] > CUTOFF) & (log["date"] <= END)]
    actual = (
        holdout.groupby("customer_id")["date"]
        .nunique()
        .reindex(btyd.index, fill_value=0)
    )
    return calibration, btyd, actual


def report(name, log):
    calibration, btyd, actual = holdout_tables(log)
    model = BetaGeoModel().fit(btyd)
    predicted = pd.Series(model.predict_purchases(btyd, WEEKS), index=btyd.index)
    params = model.params_
    cohort = unconditional(params, btyd["T"] + WEEKS) - unconditional(params, btyd["T"])
    daily = rfm_table(calibration, definition="btyd", reference_date=CUTOFF)
    in_days = BetaGeoModel().fit(daily).predict_purchases(daily, 7 * WEEKS).sum()
    total = actual.sum()
    print(f"\n== {name}: {len(btyd):,} customers ==")
    print("parameters (weeks):", {k: round(v, 4) for k, v in params.items()})
    print(f"actual holdout purchase days:          {total:,}")
    for what, value in (
        ("conditional E[Y(39) | x, t_x, T]", predicted.sum()),
        ("same, fitted in days (273 days)", in_days),
        ("unconditional E[X(T+39)] - E[X(T)]", cohort.sum()),
    ):
        print(f"{what:<38} {value:>9,.1f}  ({value / total - 1:+.1%})")

    print("\nper calibration frequency (Figure 4 of FHL 2005), mean per customer:")
    bins = btyd["frequency"].clip(upper=7).astype(int)
    by_bin = pd.DataFrame(
        {"bin": bins, "actual": actual, "predicted": predicted}
    ).groupby("bin")
    figure = by_bin.agg(
        customers=("actual", "size"), actual=("actual", "mean"),
        predicted=("predicted", "mean"),
    )  # fmt: skip
    figure.index = [f"{b}+" if b == 7 else str(b) for b in figure.index]
    print(figure.round(3).to_string())

    classic = rfm_table(calibration, reference_date=CUTOFF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties at score boundaries
        segments = RFMSegmenter().fit(classic)
    names = pd.Series(segments.segment_names_[segments.labels_], index=classic.index)
    table = (
        pd.DataFrame({"segment": names, "predicted": predicted, "actual": actual})
        .groupby("segment")
        .agg(
            customers=("actual", "size"),
            predicted=("predicted", "sum"),
            actual=("actual", "sum"),
        )
        .sort_values("customers", ascending=False)
    )
    table.insert(1, "share", table["customers"] / len(btyd))
    table["error"] = table["predicted"] / table["actual"] - 1
    within = table.loc[table["error"].abs() <= 0.10, "customers"].sum() / len(btyd)
    print("\nper RFM segment (holdout purchase days):")
    shown = table.assign(
        share=table["share"].map("{:.1%}".format),
        predicted=table["predicted"].round(1),
        error=table["error"].map("{:+.1%}".format),
    )
    print(shown.to_string())
    print(f"customers in segments within 10%: {within:.1%}")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "shared", "data")
    parser.add_argument("--data", default=default, help="folder of the CDNOW files")
    parser.add_argument(
        "--smoke", action="store_true", help="same run (it takes seconds)"
    )
    args = parser.parse_args(argv)
    sample = os.path.join(args.data, "cdnow_sample.txt")
    master = os.path.join(args.data, "cdnow_master.txt")
    if not (os.path.isfile(sample) and os.path.isfile(master)):
        print(f"CDNOW files not found in {args.data}: nothing to measure.")
        return
    report("CDNOW 1/10 sample", load(sample, True))
    report("CDNOW full log", load(master, False))


if __name__ == "__main__":
    main()

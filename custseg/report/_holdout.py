"""The report's holdout section: do the segments predict the next period?

The log is split at a cutoff (:func:`custseg.calibration_holdout_split`): each
segmentation is refitted on the customers as they were at the cutoff (the
learned one with its number of segments kept) and judged by how well its
segments separate next-period spend and repeat purchase, beside two
baselines: spend tiers (thirds of monetary) and random segments as many as the
report's own.
"""

from __future__ import annotations

import pandas as pd

from custseg._aggregation import calibration_holdout_split
from custseg._evaluation import (
    QuantileSegmenter,
    RandomSegmenter,
    compare_segmentations,
    segmenter_for_refit,
)

__all__ = ["MIN_SPAN_DAYS", "default_cutoff", "holdout_section"]

# A holdout needs a calibration period long enough for recency and frequency to
# mean something and a next period long enough for customers to come back.
MIN_SPAN_DAYS = 180


def default_cutoff(first, last):
    """The default cutoff: the last quarter of the observed days is the holdout.

    Returns None when the log spans fewer than :data:`MIN_SPAN_DAYS` days.
    """
    span = (last - first).days
    if span < MIN_SPAN_DAYS:
        return None
    return last - pd.Timedelta(days=round(span / 4))


def holdout_section(
    transactions, settings, cutoff, segmentations, *, n_bootstrap, random_state
):
    """Compare the segmentations on next-period outcomes; return a dict.

    ``segmentations`` maps a display name to a fitted segmenter; each is
    refitted (k kept) on the calibration table.  The dict has ``cutoff``,
    ``end``, ``customers``, ``bought_again`` (share), ``spend`` (total) and
    ``table`` (:func:`custseg.compare_segmentations`, baselines included).
    """
    cutoff = pd.Timestamp(cutoff).normalize()
    features, outcomes = calibration_holdout_split(transactions, cutoff, **settings)
    if len(features) < 10:
        raise ValueError(
            f"only {len(features)} customers bought before the cutoff "
            f"{cutoff.date()}; the holdout needs at least 10."
        )
    features = features[["recency", "frequency", "monetary"]]
    # the rule validation uses: chosen k and features kept
    candidates = {name: segmenter_for_refit(s) for name, s in segmentations.items()}
    # random segments as many as the report's own (the first segmentation)
    main = next(iter(segmentations.values()))
    k = max(2, int((main.profiles_["customers"] > 0).sum()))
    candidates["baseline: spend thirds"] = QuantileSegmenter("monetary", 3)
    candidates[f"baseline: random ({k} segments)"] = RandomSegmenter(
        k, random_state=random_state
    )
    table = compare_segmentations(
        candidates,
        features,
        outcome=outcomes[["spend", "bought_again"]],
        n_bootstrap=n_bootstrap,
        sample_size=2000,
        random_state=random_state,
    )
    return {
        "cutoff": cutoff.date().isoformat(),
        "customers": len(features),
        "bought_again": float(outcomes["bought_again"].mean()),
        "spend": float(outcomes["spend"].sum()),
        "table": table,
    }

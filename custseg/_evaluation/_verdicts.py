"""Plain-words verdicts of :func:`custseg.validate_segmentation`.

Per segment:

- ``"not supported"``: no customer; or bootstrap stability below 0.6
  (dissolved or not trustworthy); or no feature separates it from some other
  segment (it is in a merge-candidate pair);
- ``"partially supported"``: otherwise, if its stability is doubtful
  (0.6-0.75) or it holds less than ``min_share`` of the customers;
- ``"supported"``: otherwise.

Overall:

- ``"not supported"``: fewer than two non-empty segments; or no feature
  differs across segments (Holm-adjusted p < alpha with at least a small
  effect); or more than half of the customers are in segments that are not
  supported;
- ``"supported"``: every segment is supported and, when outcomes are given,
  at least one outcome differs across segments with at least a small effect;
- ``"partially supported"``: otherwise.

Internal indices and the agreement with KMeans are reported but do not enter
the verdict: a rule-based segmentation need not look like a clustering.
"""

from __future__ import annotations

import numpy as np

__all__ = ["VERDICTS", "overall_verdict", "segment_verdicts"]

VERDICTS = ("supported", "partially supported", "not supported")


def _segment_reasons(row, partners, min_share):
    severe, mild = [], []
    if row["customers"] == 0:
        return "not supported", ["no customer falls in this segment"]
    stability = row["stability"]
    if np.isfinite(stability):
        text = f"bootstrap stability {stability:.2f} ({row['stability_band']})"
        if stability < 0.6:
            severe.append(f"unstable: {text}")
        elif stability < 0.75:
            mild.append(f"doubtful: {text}")
    if partners:
        others = ", ".join(repr(p) for p in partners)
        severe.append(f"no feature separates it from {others}")
    if row["too_small"]:
        mild.append(
            f"too small to act on: {row['share']:.1%} of customers "
            f"(under {min_share:.0%})"
        )
    if severe:
        return "not supported", severe + mild
    if mild:
        return "partially supported", mild
    good = [f"{row['share']:.1%} of customers", "separated from every other segment"]
    if np.isfinite(stability):
        good.insert(0, f"stable ({stability:.2f}, {row['stability_band']})")
    return "supported", good


def segment_verdicts(segments, merges, min_share):
    """Add ``verdict`` and ``reasons`` columns to the segments table (a copy)."""
    partners = {k: [] for k in segments.index}
    for a, b, name_a, name_b in merges[
        ["segment_a", "segment_b", "name_a", "name_b"]
    ].itertuples(index=False):
        partners[a].append(name_b)
        partners[b].append(name_a)
    verdicts, reasons = [], []
    for label, row in segments.iterrows():
        verdict, why = _segment_reasons(row, partners[label], min_share)
        verdicts.append(verdict)
        reasons.append("; ".join(why))
    out = segments.copy()
    out["verdict"] = verdicts
    out["reasons"] = reasons
    return out


def overall_verdict(segments, features, outcomes=None):
    """The overall verdict and its reasons, in plain words."""
    present = segments[segments["customers"] > 0]
    if len(present) < 2:
        return "not supported", ["fewer than two segments have customers"]
    reasons = []
    separating = features.index[features["separates"]].tolist()
    if separating:
        reasons.append(
            "segments differ on "
            + ", ".join(map(str, separating))
            + " (significant after Holm, at least a small effect)"
        )
    else:
        reasons.append(
            "no feature differs across segments by more than a negligible effect"
        )
    verdicts = segments["verdict"]
    share_not = present.loc[verdicts[present.index] == "not supported", "share"].sum()
    counts = verdicts.value_counts()
    reasons.append(
        ", ".join(
            f"{counts.get(v, 0)} of {len(segments)} segments {v}" for v in VERDICTS
        )
    )
    if outcomes is not None:
        predictive = outcomes.index[outcomes["predictive"]].tolist()
        if predictive:
            reasons.append("segments predict " + ", ".join(map(str, predictive)))
        else:
            reasons.append("segments do not predict the outcome")
    if not separating:
        return "not supported", reasons
    if share_not > 0.5:
        reasons.append(f"{share_not:.0%} of customers are in unsupported segments")
        return "not supported", reasons
    if (verdicts == "supported").all() and (
        outcomes is None or bool(outcomes["predictive"].any())
    ):
        return "supported", reasons
    return "partially supported", reasons

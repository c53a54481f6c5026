"""Plain-words verdicts of :func:`custseg.validate_segmentation`.

Two functions decide everything, and the reasons are written from the same
values they decide on.

Per segment (:func:`segment_verdict`):

- ``"not supported"``: no customer; or (learned and rule segmentations) its
  stability over chance is below 0.6 (dissolved or not trustworthy); or
  (attribute labels) no behavioural or outcome difference from the rest of
  the customers clears the negligible band; or no feature separates it from
  some other segment (it is in a merge-candidate pair);
- ``"partially supported"``: otherwise, if its stability over chance is
  doubtful (0.6-0.75) or it holds less than ``min_share`` of the customers;
- ``"supported"``: otherwise.

Overall (:func:`overall_verdict`):

- ``"not supported"``: fewer than two non-empty segments; or no evidence of
  separation (learned and rule: no feature differs across segments;
  attribute: no feature or outcome differs); or more than half of the
  customers are in segments that are not supported;
- ``"supported"``: every segment is supported and, when outcomes are given,
  at least one outcome differs across segments with at least a small effect;
- ``"partially supported"``: otherwise.

Empty segments (a rule map names its segments before seeing the data) are
left out of the segment counts and reported as their own reason ("2 of 11
named segments are empty"); they still keep the verdict from "supported":
a named segment no customer falls in is part of the hypothesis the data did
not bear out.

Internal indices and the agreement with KMeans are reported but do not enter
the verdict: a rule-based segmentation need not look like a clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custseg._evaluation._stability import stability_band

__all__ = [
    "VERDICTS",
    "Evidence",
    "SegmentEvidence",
    "judge",
    "overall_verdict",
    "segment_verdict",
    "segments_table",
]

VERDICTS = ("supported", "partially supported", "not supported")


@dataclass(frozen=True)
class SegmentEvidence:
    """What the verdict of one segment is decided on."""

    name: str
    customers: int
    share: float
    stability_excess: float = np.nan
    stability_band: str = "not computed"
    partners: tuple = ()
    too_small: bool = False
    min_share: float = 0.02
    kind: str = "learned"
    clearing: tuple = ()


def segment_verdict(ev):
    """Verdict and reasons (list of str) of one segment."""
    if ev.customers == 0:
        return "not supported", ["no customer falls in this segment"]
    severe, mild = [], []
    stability = ev.stability_excess
    judged_on_stability = ev.kind != "attribute" and np.isfinite(stability)
    if judged_on_stability:
        text = f"stability over chance {stability:.2f} ({ev.stability_band})"
        if stability < 0.6:
            severe.append(f"unstable: {text}")
        elif stability < 0.75:
            mild.append(f"doubtful: {text}")
    if ev.kind == "attribute" and not ev.clearing:
        severe.append(
            "no behavioural or outcome difference from the other customers "
            "beyond a negligible effect"
        )
    if ev.partners:
        others = ", ".join(repr(p) for p in ev.partners)
        severe.append(f"no feature separates it from {others}")
    if ev.too_small:
        mild.append(
            f"too small to act on: {ev.share:.1%} of customers "
            f"(under {ev.min_share:.0%})"
        )
    if severe:
        return "not supported", severe + mild
    if mild:
        return "partially supported", mild
    good = [f"{ev.share:.1%} of customers", "separated from every other segment"]
    if ev.kind == "attribute":
        good.insert(0, "differs from the others on " + ", ".join(map(str, ev.clearing)))
    elif judged_on_stability:
        good.insert(0, f"stable over chance ({stability:.2f}, {ev.stability_band})")
    return "supported", good


@dataclass(frozen=True)
class Evidence:
    """What the overall verdict is decided on.

    Attributes
    ----------
    present : int
        Non-empty segments.
    separating : tuple of str
        Features (attribute labels: features or outcomes) that differ across
        segments beyond a negligible effect.
    verdicts : tuple of str
        The segment verdicts (non-empty segments).
    empty : tuple of str
        Names of the segments no customer falls in.
    share_not_supported : float
        Share of customers in segments that are not supported.
    predictive : tuple of str or None
        Outcomes that differ across segments; None when no outcome is given.
    defined_by : tuple of str
        Defining columns, left out of the separation tests.
    kind : str
    """

    present: int
    separating: tuple = ()
    verdicts: tuple = ()
    share_not_supported: float = 0.0
    predictive: tuple | None = None
    defined_by: tuple = ()
    kind: str = "learned"
    empty: tuple = ()


def _counts(verdicts):
    n = len(verdicts)
    return ", ".join(f"{verdicts.count(v)} of {n} segments {v}" for v in VERDICTS)


def overall_verdict(ev):
    """The overall verdict and its reasons; the first reason is the deciding one."""
    context = []
    if ev.defined_by:
        defined = ", ".join(map(str, ev.defined_by))
        if ev.kind == "attribute":
            context.append(
                f"segments are defined by {defined}; judged on the other columns"
            )
        else:
            context.append(f"segments are defined by {defined}")
    if ev.present < 2:
        return "not supported", ["fewer than two segments have customers", *context]
    evidence = []
    what = "feature or outcome" if ev.kind == "attribute" else "feature"
    if ev.separating:
        evidence.append(
            "segments differ on "
            + ", ".join(map(str, ev.separating))
            + " (significant after Holm, at least a small effect)"
        )
    evidence.append(_counts(list(ev.verdicts)))
    empty = None
    if ev.empty:
        n_named = len(ev.verdicts) + len(ev.empty)
        empty = (
            f"{len(ev.empty)} of {n_named} named segments are empty: "
            + ", ".join(repr(str(e)) for e in ev.empty)
            + " (no customer falls in them; the segment counts are of the "
            f"{len(ev.verdicts)} with customers)"
        )
        evidence.append(empty)
    if ev.predictive is not None:
        if ev.predictive:
            evidence.append("segments predict " + ", ".join(map(str, ev.predictive)))
        else:
            evidence.append("segments do not predict the outcome")
    if not ev.separating:
        first = f"no {what} differs across segments by more than a negligible effect"
        return "not supported", [first, *context, *evidence]
    if ev.share_not_supported > 0.5:
        first = f"{ev.share_not_supported:.0%} of customers are in unsupported segments"
        return "not supported", [first, *context, *evidence]
    all_supported = all(v == "supported" for v in ev.verdicts)
    predicts = ev.predictive is None or bool(ev.predictive)
    if all_supported and predicts and not ev.empty:
        return "supported", [*context, *evidence]
    if not all_supported:
        with_customers = " with customers" if ev.empty else ""
        first = f"not every segment{with_customers} is supported"
    elif empty:
        first = evidence.pop(evidence.index(empty))
    else:
        first = "every segment is supported but the segments do not predict the outcome"
    return "partially supported", [first, *context, *evidence]


def segments_table(names, labels, jaccard, chance, kind, min_share):
    """The segments table: sizes, stability beside chance and its band."""
    n_segments = len(names)
    counts = np.bincount(labels, minlength=n_segments)
    segments = pd.DataFrame(
        {"name": names, "customers": counts, "share": counts / counts.sum()},
        index=pd.RangeIndex(n_segments, name="segment"),
    )
    segments["too_small"] = segments["share"] < min_share
    with np.errstate(invalid="ignore", divide="ignore"):
        stability = jaccard.mean(axis=0) if len(jaccard) else np.nan
        at_chance = chance.mean(axis=0) if len(chance) else np.nan
        excess = np.clip((stability - at_chance) / (1 - at_chance), 0, 1)
    segments["stability"] = stability
    segments["stability_chance"] = at_chance
    segments["stability_excess"] = excess
    if kind == "attribute":
        segments["stability_band"] = "not applicable"
    else:
        segments["stability_band"] = [
            stability_band(e) for e in segments["stability_excess"]
        ]
    return segments


def judge(segments, merges, contrast, features, outcomes, kind, defined_by, min_share):
    """Segment verdicts (added to ``segments``), the overall verdict and reasons."""
    partners = {k: [] for k in segments.index}
    for a, b, name_a, name_b in merges[
        ["segment_a", "segment_b", "name_a", "name_b"]
    ].itertuples(index=False):
        partners[a].append(name_b)
        partners[b].append(name_a)
    clearing = contrast[contrast["clears"].astype(bool)].groupby("segment")["column"]
    clearing = {k: tuple(v) for k, v in clearing}
    verdicts, reasons = [], []
    for label, row in segments.iterrows():
        verdict, why = segment_verdict(
            SegmentEvidence(
                name=row["name"],
                customers=int(row["customers"]),
                share=float(row["share"]),
                stability_excess=float(row["stability_excess"]),
                stability_band=row["stability_band"],
                partners=tuple(partners[label]),
                too_small=bool(row["too_small"]),
                min_share=min_share,
                kind=kind,
                clearing=clearing.get(label, ()),
            )
        )
        verdicts.append(verdict)
        reasons.append("; ".join(why))
    segments = segments.assign(verdict=verdicts, reasons=reasons)
    present = segments[segments["customers"] > 0]
    separating = tuple(features.index[features["separates"].astype(bool)])
    predictive = None
    if outcomes is not None:
        predictive = tuple(outcomes.index[outcomes["predictive"].astype(bool)])
        if kind == "attribute":
            separating += predictive
    verdict, why = overall_verdict(
        Evidence(
            present=len(present),
            separating=separating,
            verdicts=tuple(present["verdict"]),
            share_not_supported=float(
                present.loc[present["verdict"] == "not supported", "share"].sum()
            ),
            predictive=predictive,
            defined_by=tuple(defined_by),
            kind=kind,
            empty=tuple(segments.loc[segments["customers"] == 0, "name"]),
        )
    )
    return segments, verdict, why

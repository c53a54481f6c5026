"""The verdict functions, walked over every combination of their inputs.

The expected verdicts are written out as a plain decision table, separately
from the implementation; the reasons are checked against the same inputs.
"""

import itertools

import numpy as np

from custseg._evaluation._verdicts import (
    Evidence,
    SegmentEvidence,
    overall_verdict,
    segment_verdict,
)

VERDICT_VALUES = ("supported", "partially supported", "not supported")


def expected_overall(present, separating, verdicts, share_not, predictive, empty=()):
    if present < 2:
        return "not supported"
    if not separating:
        return "not supported"
    if share_not > 0.5:
        return "not supported"
    predicts = predictive is None or predictive
    if all(v == "supported" for v in verdicts) and predicts and not empty:
        return "supported"
    return "partially supported"


OVERALL_CASES = list(
    itertools.product(
        (1, 2),  # non-empty segments
        ((), ("spend",)),  # separating columns
        list(itertools.product(VERDICT_VALUES, repeat=2)),  # segment verdicts
        (0.2, 0.6),  # share of customers in unsupported segments
        (None, (), ("next_spend",)),  # outcomes: none given, not predicted, predicted
        ("learned", "rule", "attribute"),
        ((), ("age",)),  # defining columns
    )
)


def test_overall_verdict_every_combination():
    for case in OVERALL_CASES:
        _check_overall(*case)


def _check_overall(
    present, separating, verdicts, share_not, predictive, kind, defined_by
):
    evidence = Evidence(
        present=present,
        separating=separating,
        verdicts=verdicts,
        share_not_supported=share_not,
        predictive=predictive,
        defined_by=defined_by,
        kind=kind,
    )
    verdict, reasons = overall_verdict(evidence)
    assert verdict == expected_overall(
        present, separating, verdicts, share_not, predictive
    )
    text = " | ".join(reasons)
    if defined_by:
        assert "segments are defined by age" in text
        assert ("judged on the other columns" in text) == (kind == "attribute")
    if present < 2:
        assert reasons[0] == "fewer than two segments have customers"
        return
    # the reasons count the same segment verdicts the decision used
    counts = ", ".join(f"{verdicts.count(v)} of 2 segments {v}" for v in VERDICT_VALUES)
    assert counts in reasons
    if verdict != "supported":  # the deciding reason comes first
        first = reasons[0]
        if not separating:
            assert first.startswith("no ") and "differs across segments" in first
        elif share_not > 0.5:
            assert first == "60% of customers are in unsupported segments"
        elif any(v != "supported" for v in verdicts):
            assert first == "not every segment is supported"
        else:
            assert "do not predict the outcome" in first
    else:
        assert "do not predict" not in text
        assert "segments differ on spend" in text
    if predictive == ():
        assert "segments do not predict the outcome" in reasons
    if predictive:
        assert "segments predict next_spend" in reasons


def expected_segment(customers, stability, kind, clearing, partners, too_small):
    if customers == 0:
        return "not supported"
    judged = kind != "attribute" and np.isfinite(stability)
    if judged and stability < 0.6:
        return "not supported"
    if kind == "attribute" and not clearing:
        return "not supported"
    if partners:
        return "not supported"
    if (judged and stability < 0.75) or too_small:
        return "partially supported"
    return "supported"


SEGMENT_CASES = list(
    itertools.product(
        (0, 50),
        (np.nan, 0.5, 0.7, 0.9),
        ("learned", "rule", "attribute"),
        ((), ("spend",)),
        ((), ("other",)),
        (False, True),
    )
)


def test_segment_verdict_every_combination():
    for case in SEGMENT_CASES:
        _check_segment(*case)


def _check_segment(customers, stability, kind, clearing, partners, too_small):
    evidence = SegmentEvidence(
        name="s",
        customers=customers,
        share=0.01 if too_small else 0.3,
        stability_excess=stability,
        stability_band="band",
        partners=partners,
        too_small=too_small,
        kind=kind,
        clearing=clearing,
    )
    verdict, reasons = segment_verdict(evidence)
    assert verdict == expected_segment(
        customers, stability, kind, clearing, partners, too_small
    )
    text = "; ".join(reasons)
    if customers == 0:
        assert text == "no customer falls in this segment"
        return
    assert ("no feature separates it from 'other'" in text) == bool(partners)
    assert ("too small to act on" in text) == too_small
    mentions_stability = "stability over chance" in text or "stable over chance" in text
    assert not (kind == "attribute" and mentions_stability)
    if kind == "attribute" and verdict == "supported":
        assert reasons[0] == "differs from the others on spend"


def test_empty_segments_are_their_own_reason():
    """Nine stable rule segments and two empty ones (Online Retail, putler)."""
    for verdicts, predictive in itertools.product(
        [("supported",) * 9, ("supported",) * 8 + ("partially supported",)],
        (None, (), ("spend",)),
    ):
        evidence = Evidence(
            present=9,
            separating=("recency",),
            verdicts=verdicts,
            predictive=predictive,
            kind="rule",
            empty=("New", "Promising"),
        )
        verdict, reasons = overall_verdict(evidence)
        assert verdict == expected_overall(
            9, ("recency",), verdicts, 0.0, predictive, evidence.empty
        )
        assert verdict == "partially supported"
        empty = (
            "2 of 11 named segments are empty: 'New', 'Promising' (no customer "
            "falls in them; the segment counts are of the 9 with customers)"
        )
        assert empty in reasons
        counted = ", ".join(
            f"{verdicts.count(v)} of 9 segments {v}" for v in VERDICT_VALUES
        )
        assert counted in reasons
        if "partially supported" in verdicts:
            assert reasons[0] == "not every segment with customers is supported"
        else:  # the empty segments alone keep it from "supported", and say so
            assert reasons[0] == empty
    # no empty segment: the reason is absent and the verdict can be "supported"
    verdict, reasons = overall_verdict(
        Evidence(present=9, separating=("recency",), verdicts=("supported",) * 9)
    )
    assert verdict == "supported"
    assert not any("empty" in r for r in reasons)

"""Rule tables for RFMSegmenter: parsing and diagnostics.

A rule maps a set of ``(r, f, m)`` score codes to a segment name.  Range
rules (inclusive lower/upper score per metric) and code-list rules are both
expanded to their code sets, so evaluation and diagnostics are exact set
operations over the ``n_bins ** 3`` possible codes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from custseg._rule_based._rule_presets import PRESETS, describe_segment
from custseg._sklearn_compat import Interval, validate_params
from custseg._tables import as_pandas_table

__all__ = ["Rule", "RuleDiagnostics", "diagnose_rules", "format_code", "parse_rules"]

METRICS = ("recency", "frequency", "monetary")


@dataclass(frozen=True)
class Rule:
    """One rule: a segment name, its code set and a description."""

    name: str
    codes: frozenset
    description: str = ""


def format_code(code, n_bins):
    """``(5, 4, 3)`` -> ``"543"`` (``"5-4-3"`` when ``n_bins > 9``)."""
    sep = "" if n_bins <= 9 else "-"
    return sep.join(str(int(s)) for s in code)


def _parse_code(code, n_bins, segment):
    if isinstance(code, str):
        text = code.strip()
        parts = text.split("-") if "-" in text else list(text)
    else:
        parts = list(code)
    try:
        scores = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        scores = ()
    if len(scores) != 3 or not all(1 <= s <= n_bins for s in scores):
        raise ValueError(
            f"Rule {segment!r}: code {code!r} is not three scores in 1..{n_bins} "
            "(recency, frequency, monetary)."
        )
    return scores


def _range_codes(spec, n_bins, segment):
    unknown = set(spec) - set(METRICS) - {"description", "codes"}
    if unknown:
        raise ValueError(
            f"Rule {segment!r}: unknown key(s) {sorted(unknown)}; use {list(METRICS)}."
        )
    axes = []
    for metric in METRICS:
        bounds = spec.get(metric, (1, n_bins))
        if np.isscalar(bounds):
            bounds = (bounds, bounds)
        lo, hi = bounds
        lo = 1 if lo is None or pd.isna(lo) else lo
        hi = n_bins if hi is None or pd.isna(hi) else hi
        if int(lo) != lo or int(hi) != hi or not 1 <= lo <= hi <= n_bins:
            raise ValueError(
                f"Rule {segment!r}: {metric} range ({lo}, {hi}) must be whole "
                f"scores with 1 <= lower <= upper <= {n_bins}."
            )
        axes.append(range(int(lo), int(hi) + 1))
    return frozenset(itertools.product(*axes))


def _rule(segment, spec, n_bins, description=None):
    segment = str(segment)
    if isinstance(spec, dict) and "codes" not in spec:
        codes = _range_codes(spec, n_bins, segment)
        text = spec.get("description")
    else:
        raw = spec["codes"] if isinstance(spec, dict) else spec
        if isinstance(raw, str):
            raw = raw.replace(",", " ").split()
        codes = frozenset(_parse_code(c, n_bins, segment) for c in raw)
        text = spec.get("description") if isinstance(spec, dict) else None
    text = description or text or describe_segment(segment)
    return Rule(segment, codes, str(text))


def _rules_from_frame(frame, n_bins):
    table = as_pandas_table(frame).reset_index(drop=True)
    if "segment" not in table.columns:
        raise ValueError(
            f"A rules DataFrame needs a 'segment' column; got {list(table.columns)}."
        )
    rules = []
    for _, row in table.iterrows():
        codes = row.get("codes")
        has_codes = codes is not None and not (np.isscalar(codes) and pd.isna(codes))
        if has_codes:
            spec = {"codes": codes}
        else:
            spec = {
                m: (row.get(f"{m}_lower"), row.get(f"{m}_upper"))
                for m in METRICS
                if f"{m}_lower" in table.columns or f"{m}_upper" in table.columns
            }
        desc = row.get("description")
        desc = None if desc is None or (np.isscalar(desc) and pd.isna(desc)) else desc
        rules.append(_rule(row["segment"], spec, n_bins, desc))
    return rules


def parse_rules(rules, n_bins=None):
    """Resolve a preset name, DataFrame or dict to ``(rules, n_bins, catch_all)``."""
    if isinstance(rules, str):
        if rules not in PRESETS:
            raise ValueError(
                f"Unknown rule preset {rules!r}; choose one of {sorted(PRESETS)} "
                "or pass a DataFrame or dict of rules."
            )
        preset = PRESETS[rules]
        if n_bins is not None and n_bins != preset["n_bins"]:
            raise ValueError(
                f"Preset {rules!r} is defined on {preset['n_bins']} scores per "
                f"metric, got n_bins={n_bins}."
            )
        n_bins = preset["n_bins"]
        parsed = [_rule(name, spec, n_bins) for name, spec in preset["rules"]]
        return parsed, n_bins, preset["catch_all"]
    n_bins = 5 if n_bins is None else int(n_bins)
    if isinstance(rules, dict):
        parsed = [_rule(name, spec, n_bins) for name, spec in rules.items()]
    elif hasattr(rules, "columns"):
        parsed = _rules_from_frame(rules, n_bins)
    else:
        raise TypeError(
            "rules must be a preset name, a DataFrame or a dict, got "
            f"{type(rules).__name__}."
        )
    if not parsed:
        raise ValueError("rules is empty: give at least one rule.")
    return parsed, n_bins, "Other"


@dataclass(frozen=True)
class RuleDiagnostics:
    """What a rule table covers, where rules overlap and which never match.

    Attributes
    ----------
    n_bins : int
        Scores per metric; there are ``n_bins ** 3`` codes.
    uncovered : list of str
        Codes no rule covers (they fall to the catch-all segment), sorted.
    overlaps : pandas.DataFrame
        Pairs of rules sharing codes: ``rule``, ``later_rule`` (positions),
        their ``segment`` names and ``n_shared`` codes.  With first match
        wins, the earlier rule takes the shared codes.
    shadowed : list of str
        Rules that can never match: every code they cover is taken by an
        earlier rule (or they cover no code).
    rules : pandas.DataFrame
        Per rule: ``segment``, ``n_codes``, ``n_reachable`` (codes it wins)
        and ``shadowed_by`` (earlier rules taking its codes).
    catch_all_share : float or None
        Share of the fitted customers that matched no rule (``None`` when the
        diagnostics were computed from the rules alone).

    Examples
    --------
    >>> from custseg import diagnose_rules
    >>> diag = diagnose_rules({"Top": {"recency": (4, 5)}})
    >>> diag
    RuleDiagnostics(covered=50/125, uncovered=75, overlapping_pairs=0, shadowed=[])
    >>> diag.uncovered[:3]
    ['111', '112', '113']
    """

    n_bins: int
    uncovered: list
    overlaps: pd.DataFrame
    shadowed: list
    rules: pd.DataFrame
    catch_all_share: float | None = None

    @property
    def n_codes(self) -> int:
        """Number of possible codes, ``n_bins ** 3``."""
        return self.n_bins**3

    @property
    def n_covered(self) -> int:
        """Number of codes at least one rule covers."""
        return self.n_codes - len(self.uncovered)

    def __repr__(self):
        share = (
            ""
            if self.catch_all_share is None
            else f", catch_all_share={self.catch_all_share:.3f}"
        )
        return (
            f"RuleDiagnostics(covered={self.n_covered}/{self.n_codes}, "
            f"uncovered={len(self.uncovered)}, overlapping_pairs={len(self.overlaps)}, "
            f"shadowed={self.shadowed}{share})"
        )


@validate_params(
    {
        "rules": "no_validation",  # checked by parse_rules
        "n_bins": [Interval(Integral, 2, None, closed="left"), None],
        "catch_all_share": [Interval(Real, 0, 1, closed="both"), None],
    },
    prefer_skip_nested_validation=True,
)
def diagnose_rules(
    rules: str | pd.DataFrame | Mapping[str, Any],
    n_bins: int | None = None,
    *,
    catch_all_share: float | None = None,
) -> RuleDiagnostics:
    """Diagnose a rule table: uncovered codes, overlaps, shadowed rules.

    Parameters
    ----------
    rules : str, DataFrame or dict
        A preset name or custom rules, as accepted by
        :class:`~custseg.RFMSegmenter`.
    n_bins : int, optional
        Scores per metric (a preset's own by default, else 5).
    catch_all_share : float, optional
        Share of customers in the catch-all, when known.

    Returns
    -------
    RuleDiagnostics

    Examples
    --------
    >>> from custseg import diagnose_rules
    >>> diag = diagnose_rules("pymc")
    >>> diag.n_covered, len(diag.uncovered)
    (46, 18)
    >>> diagnose_rules("r_rfm_legacy").shadowed
    ['Champions']
    """
    if isinstance(rules, list) and all(isinstance(r, Rule) for r in rules):
        parsed = rules
    else:
        parsed, n_bins, _ = parse_rules(rules, n_bins)
    taken, reach, rows, pairs = set(), [], [], []
    for i, rule in enumerate(parsed):
        reach.append(rule.codes - taken)
        by = [parsed[j].name for j in range(i) if reach[j] & rule.codes]
        for j in range(i):
            shared = len(rule.codes & parsed[j].codes)
            if shared:
                pairs.append((j, i, parsed[j].name, rule.name, shared))
        rows.append((rule.name, len(rule.codes), len(reach[i]), by))
        taken |= rule.codes
    every = itertools.product(range(1, n_bins + 1), repeat=3)
    uncovered = [format_code(c, n_bins) for c in every if c not in taken]
    table = pd.DataFrame(
        rows, columns=["segment", "n_codes", "n_reachable", "shadowed_by"]
    )
    overlaps = pd.DataFrame(
        pairs, columns=["rule", "later_rule", "segment", "later_segment", "n_shared"]
    )
    shadowed = [r[0] for r in rows if r[2] == 0]
    return RuleDiagnostics(
        n_bins, sorted(uncovered), overlaps, shadowed, table, catch_all_share
    )

"""Categorical features in persona names and descriptions.

A categorical feature (text, category, boolean, 0/1 flag) is named in a
persona only when it distinguishes the segment: a level that at least half of
the segment holds and whose share exceeds its share among all customers by
:data:`ATTRIBUTE_LIFT`, or a population majority level that the segment lacks
by as much.  Places read "UK-based" / "non-UK", genders "female", flags
"app-user" / "non-app-user", other categories "channel web".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._learned._mixed_types import MISSING_LEVEL, is_categorical
from custseg._learned._persona_text import label_of as _label
from custseg._learned._persona_text import percent_text
from custseg._tables import level_codes

__all__ = [
    "ATTRIBUTE_LIFT",
    "attribute_part",
    "attribute_words",
    "feature_kind",
    "level_shares",
]

_GEOGRAPHIC = {"country", "region", "city", "state", "location", "market", "area"}
_GENDER = {"gender", "genre", "sex"}
_ABBREVIATIONS = {
    "United Kingdom": "UK",
    "United States": "US",
    "United States of America": "USA",
    "United Arab Emirates": "UAE",
}
ATTRIBUTE_LIFT = 0.2
"""How much a level must be over-represented in a segment (share in the
segment minus share among all customers) to appear in its name."""


def _key(feature):
    return str(feature).strip().lower().replace(" ", "_")


def _level_word(feature, level, kind, present):
    """The name word of a categorical level: "UK-based", "female", "non-app"."""
    key = _key(feature)
    if kind == "binary":
        stem = _label(feature)
        for prefix in ("is ", "has ", "uses "):
            stem = stem.removeprefix(prefix)
        stem = stem.removesuffix(" flag").strip().replace(" ", "-")
        stem = stem.upper() if len(stem) <= 2 else stem  # uk -> UK
        return (stem if present else f"non-{stem}"), "adjective"
    text = _ABBREVIATIONS.get(str(level), str(level))
    if key in _GEOGRAPHIC:
        return (f"{text}-based" if present else f"non-{text}"), "adjective"
    if key in _GENDER:
        return (text.lower() if present else f"non-{text.lower()}"), "adjective"
    return (
        f"{_label(feature)} {text}" if present else f"{_label(feature)} not {text}"
    ), "qualifier"


def attribute_words(feature, kind, seg_shares, pop_shares):
    """One word per segment for a categorical feature, or None when it does
    not distinguish the segment (no level over-represented by ATTRIBUTE_LIFT)."""
    present_levels = {"1", "1.0", "True"}
    out = []
    for _, shares in seg_shares.iterrows():
        if not np.isfinite(shares.to_numpy(dtype=float)).any():
            out.append(None)
            continue
        lift = shares - pop_shares.reindex(shares.index).fillna(0.0)
        candidates = lift[(shares >= 0.5) & (lift >= ATTRIBUTE_LIFT - 1e-9)]
        if kind == "binary":
            on = next((lv for lv in pop_shares.index if lv in present_levels), None)
            seg_on = shares.get(on, 0.0) if on is not None else 0.0
            pop_on = pop_shares.get(on, 0.0) if on is not None else 0.0
            if seg_on >= 0.5 and seg_on - pop_on >= ATTRIBUTE_LIFT - 1e-9:
                out.append(_level_word(feature, on, kind, True))
            elif pop_on >= 0.5 and seg_on < 0.5 and pop_on - seg_on >= ATTRIBUTE_LIFT:
                # the absence of what most customers have: "non-UK"
                out.append(_level_word(feature, on, kind, False))
            else:
                out.append(None)
        elif not candidates.empty:
            level = candidates.sort_index().idxmax()
            out.append(_level_word(feature, level, kind, True))
        else:
            top = pop_shares.sort_index().idxmax()
            drop = pop_shares[top] - shares.get(top, 0.0)
            if (
                pop_shares[top] >= 0.5
                and shares.get(top, 0.0) < 0.5
                and (drop >= ATTRIBUTE_LIFT)
            ):
                out.append(_level_word(feature, top, kind, False))
            else:
                out.append(None)
    return out


def level_shares(profiles, X, labels, feature):
    """Share of each level per segment and in the whole population."""

    def as_text(series):
        values = series.astype(object)
        return values.where(values.notna(), MISSING_LEVEL).map(str).to_numpy()

    if X is not None and labels is not None:
        codes, names = level_codes(X[feature])  # crosstab of codes, not text
        seg = pd.crosstab(np.asarray(labels), codes, normalize="index")
        seg.columns = names[seg.columns.to_numpy()]
        seg = seg.reindex(profiles.index)
        pop = pd.Series(np.bincount(codes, minlength=names.size), index=names)
        return seg, pop[pop > 0].sort_values(ascending=False) / codes.size
    level = profiles[feature].astype(object).map(str)
    share = profiles.get(f"{feature}_share", pd.Series(1.0, index=profiles.index))
    seg = pd.DataFrame(
        {lv: np.where(level == lv, share, 0.0) for lv in sorted(set(level))},
        index=profiles.index,
    )
    if X is not None:
        return seg, pd.Series(as_text(X[feature])).value_counts(normalize=True)
    weights = profiles["customers"] if "customers" in profiles else 1.0
    pop = seg.mul(weights, axis=0).sum() / np.sum(np.ones(len(seg)) * weights)
    return seg, pop


def attribute_part(feature, kind, shares):
    """Description of a categorical feature in one segment: "genre: 62% Female"."""
    if not np.isfinite(shares.to_numpy(dtype=float)).any():
        return None
    if kind == "binary":
        on = sum(shares.get(lv, 0.0) for lv in ("1", "1.0", "True"))
        return f"{percent_text(on)} {_level_word(feature, '1', kind, True)[0]}"
    level = shares.sort_index().idxmax()
    return f"{_label(feature)}: {percent_text(shares[level])} {level}"


def feature_kind(feature, profiles, population):
    if population is not None:
        column = population[feature]
        if not is_categorical(column):
            return "numeric"
        numeric = pd.api.types.is_numeric_dtype(column)
        return "binary" if numeric else "categorical"
    numeric = pd.api.types.is_numeric_dtype(profiles[feature])
    return "numeric" if numeric else "categorical"

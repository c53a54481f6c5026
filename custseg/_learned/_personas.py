"""Readable persona names for segments, from their profiles.

A segment is described by the median of each feature, placed as a percentile
of the whole customer population (mid-rank: the share of customers below the
median plus half of those equal to it).  Each feature's percentile picks a
word from a vocabulary, and the words make a name such as "Recent frequent big
spenders".  Names depend only on the profile values, never on the cluster
numbers, so relabelling the clusters or reordering the customers cannot change
any customer's persona.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._rule_based import parse_rules
from custseg._sklearn_compat import validate_params
from custseg._tables import as_pandas_table

__all__ = ["DEFAULT_VOCABULARY", "name_personas"]

DEFAULT_VOCABULARY = {
    "recency": {
        "levels": ("recent", "fairly recent", "lapsing", "lapsed"),
        "role": "adjective",
    },
    "frequency": {
        "levels": ("infrequent", "occasional", "regular", "frequent"),
        "role": "adjective",
        "exact": {1: "one-off"},
    },
    "monetary": {
        "levels": (
            "low spenders",
            "modest spenders",
            "mid-range spenders",
            "big spenders",
        ),
        "role": "noun",
    },
}
"""Words per feature, from the lowest percentile level to the highest.

Each entry: ``levels`` (words for equal-width percentile bins, or for the bins
between ``cuts``), ``role`` (``"adjective"`` goes before the noun, ``"noun"``
is the head of the name, ``"qualifier"`` goes after "with"), and optional
``exact`` (a word used when the median equals a value, checked first).
Features without an entry get ``"very low <feature>" .. "very high <feature>"``
as qualifiers.
"""

_ROLES = ("adjective", "noun", "qualifier")


def _entry(feature, vocabulary):
    raw = vocabulary.get(feature)
    if raw is None:
        raw = {
            "levels": tuple(
                f"{word} {feature}" for word in ("very low", "low", "high", "very high")
            ),
            "role": "qualifier",
        }
    elif isinstance(raw, list | tuple):
        raw = {"levels": tuple(raw), "role": "adjective"}
    elif not isinstance(raw, dict):
        raise TypeError(
            f"vocabulary[{feature!r}] must be a dict or a sequence of words, "
            f"got {type(raw).__name__}."
        )
    levels = tuple(str(w) for w in raw.get("levels", ()))
    if not levels:
        raise ValueError(f"vocabulary[{feature!r}] has no levels (words).")
    role = raw.get("role", "adjective")
    if role not in _ROLES:
        raise ValueError(
            f"vocabulary[{feature!r}]['role'] must be one of {_ROLES}, got {role!r}."
        )
    cuts = raw.get("cuts")
    if cuts is None:
        cuts = np.arange(1, len(levels)) / len(levels)
    cuts = np.asarray(cuts, dtype=np.float64)
    if cuts.shape != (len(levels) - 1,) or np.any(np.diff(cuts) <= 0):
        raise ValueError(
            f"vocabulary[{feature!r}]['cuts'] must be {len(levels) - 1} increasing "
            f"percentiles between the {len(levels)} levels, got {cuts.tolist()}."
        )
    return {"levels": levels, "role": role, "cuts": cuts, "exact": raw.get("exact", {})}


def _percentile(sorted_values, value):
    """Mid-rank percentile of ``value`` in a sorted population."""
    if np.isnan(value) or sorted_values.size == 0:
        return np.nan
    below = np.searchsorted(sorted_values, value, side="left")
    upto = np.searchsorted(sorted_values, value, side="right")
    return (below + 0.5 * (upto - below)) / sorted_values.size


def _word(entry, median, pct):
    for value, word in entry["exact"].items():
        if np.isclose(median, value):
            return str(word)
    return entry["levels"][int(np.searchsorted(entry["cuts"], pct, side="right"))]


def _assemble(words):
    """Join (role, phrase) pairs into a name."""
    adjectives = [w for role, w in words if role == "adjective"]
    nouns = [w for role, w in words if role == "noun"]
    qualifiers = [w for role, w in words if role == "qualifier"]
    name = " ".join([*adjectives, nouns[0] if nouns else "customers"])
    if qualifiers:
        tail = qualifiers[-1]
        if len(qualifiers) > 1:
            tail = ", ".join(qualifiers[:-1]) + " and " + tail
        name += " with " + tail
    return name[0].upper() + name[1:]


def _disambiguate(names, pct):
    """Make names unique by the feature that best separates each clash."""
    names = list(names)
    for name in sorted(set(names)):
        group = [i for i, n in enumerate(names) if n == name]
        if len(group) < 2:
            continue
        sub = pct.iloc[group]
        spread = (sub.max() - sub.min()).fillna(0.0)
        if spread.max() > 0:
            feature = spread.idxmax()  # first feature wins ties: deterministic
            order = sub[feature].rank(method="dense").astype(int)
            n_ranks = int(order.max())
            for i, rank in zip(group, order, strict=True):
                if n_ranks == 2:
                    tag = f"{'lower' if rank == 1 else 'higher'} {feature}"
                else:
                    tag = f"{feature} rank {rank} of {n_ranks}"
                names[i] = f"{name} ({tag})"
        if len(set(names[i] for i in group)) < len(group):  # identical profiles
            for number, i in enumerate(group, start=1):
                names[i] = f"{names[i]} #{number}"
    return names


def _rule_segment_names(pct):
    """The 11-segment preset's segment for the quintile scores of each median.

    Each R/F/M percentile becomes a quintile score (1..5, recency reversed so
    that recent is 5), and the preset's first matching rule names it (the
    rules are parsed as :class:`~custseg.RFMSegmenter` parses them).
    """
    rules, _, catch_all = parse_rules("putler")
    scores = np.column_stack(
        [
            5 - np.minimum(np.floor(pct["recency"] * 5), 4),
            1 + np.minimum(np.floor(pct["frequency"] * 5), 4),
            1 + np.minimum(np.floor(pct["monetary"] * 5), 4),
        ]
    )
    out = []
    for code in scores:
        if np.isnan(code).any():
            out.append(None)
            continue
        code = tuple(int(v) for v in code)
        out.append(next((r.name for r in rules if code in r.codes), catch_all))
    return out


def _describe(row, pct_row, features, profiles):
    parts = []
    for feature in features:
        p = pct_row[feature]
        if np.isnan(p):
            continue
        side = f"higher than {p:.0%}" if p >= 0.5 else f"lower than {1 - p:.0%}"
        parts.append(f"{feature} {row[feature]:.4g} ({side} of customers)")
    text = "Median " + ", ".join(parts) + "." if parts else ""
    if "share" in profiles:
        text += f" {row['share']:.1%} of customers"
        if "revenue_share" in profiles and np.isfinite(row["revenue_share"]):
            text += f", {row['revenue_share']:.1%} of revenue"
        text += "."
    return text.strip()


@validate_params(
    {
        "profiles": "no_validation",  # a profiles table, checked inside
        "X": "no_validation",
        "features": ["array-like", None],
        "vocabulary": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def name_personas(profiles, X=None, *, features=None, vocabulary=None):
    """Name each segment of a profile table after its behaviour.

    Parameters
    ----------
    profiles : pandas.DataFrame
        One row per segment with the median of each feature, such as
        ``segmenter.profiles_`` or :func:`custseg.segment_profiles` output.
    X : DataFrame or array-like, optional
        The whole customer population, with the feature columns.  Each median
        is placed as a percentile of this population.  If omitted, the
        percentile is taken among the segment medians, weighted by the
        ``customers`` column when present (a coarser approximation).
    features : sequence of str, optional
        Features to describe, in name order.  Default: ``recency``,
        ``frequency``, ``monetary`` when all are in ``profiles``, else every
        numeric column of ``profiles`` that is also in ``X``.
    vocabulary : dict, optional
        Entries overriding :data:`DEFAULT_VOCABULARY` per feature: a sequence
        of words (adjectives, lowest level first) or a dict with ``levels``,
        ``role``, ``cuts`` and ``exact``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``profiles``: ``name`` (unique), ``description``, a
        ``<feature>_percentile`` column per feature, and ``rule_segment``
        (the nearest segment of the 11-segment RFM preset) when recency,
        frequency and monetary are all described and the preset is available.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"recency": range(100), "frequency": range(1, 101),
    ...                   "monetary": [10.0 * i for i in range(100)]})
    >>> profiles = pd.DataFrame({"recency": [5, 90], "frequency": [90, 1],
    ...                          "monetary": [900.0, 20.0]})
    >>> name_personas(profiles, X)["name"].tolist()
    ['Recent frequent big spenders', 'Lapsed one-off low spenders']
    """
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError(
            f"profiles must be a pandas DataFrame, got {type(profiles).__name__}."
        )
    population = None if X is None else as_pandas_table(X)
    if features is None:
        rfm = ["recency", "frequency", "monetary"]
        if all(f in profiles for f in rfm):
            features = rfm
        else:
            skip = {"customers", "share", "revenue_share", "orders", "avg_order_value"}
            numeric = profiles.select_dtypes("number").columns
            features = [
                str(f)
                for f in numeric
                if f not in skip and (population is None or f in population)
            ]
    features = [str(f) for f in features]
    for f in features:
        if f not in profiles:
            raise ValueError(f"Feature {f!r} is not a column of profiles.")
        if population is not None and f not in population:
            raise ValueError(f"Feature {f!r} is not a column of the population X.")
    vocab = {**DEFAULT_VOCABULARY, **(vocabulary or {})}
    entries = {f: _entry(f, vocab) for f in features}
    if sum(e["role"] == "noun" for e in entries.values()) > 1:
        raise ValueError("At most one feature of the vocabulary may have role 'noun'.")

    pct = pd.DataFrame(index=profiles.index, columns=features, dtype=np.float64)
    for f in features:
        medians = profiles[f].to_numpy(dtype=np.float64)
        if population is not None:
            ref = np.sort(population[f].to_numpy(dtype=np.float64))
            ref = ref[~np.isnan(ref)]
        else:
            weights = profiles["customers"] if "customers" in profiles else None
            weights = np.ones(len(profiles)) if weights is None else weights
            ref = np.sort(np.repeat(medians, np.asarray(weights, dtype=np.int64)))
        pct[f] = [_percentile(ref, m) for m in medians]

    names = []
    for label in profiles.index:
        if pct.loc[label].isna().all():
            names.append("Empty segment")
            continue
        words = [
            (
                entries[f]["role"],
                _word(entries[f], profiles.at[label, f], pct.at[label, f]),
            )
            for f in features
            if not np.isnan(pct.at[label, f])
        ]
        names.append(_assemble(words))
    out = pd.DataFrame(index=profiles.index)
    out["name"] = _disambiguate(names, pct)
    out["description"] = [
        _describe(profiles.loc[label], pct.loc[label], features, profiles)
        for label in profiles.index
    ]
    for f in features:
        out[f"{f}_percentile"] = pct[f]
    if all(f in features for f in ("recency", "frequency", "monetary")):
        rule = _rule_segment_names(pct)
        if rule is not None:
            out["rule_segment"] = rule
    return out

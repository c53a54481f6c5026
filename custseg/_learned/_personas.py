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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from custseg._learned._persona_attributes import (
    attribute_part,
    attribute_words,
    feature_kind,
    level_shares,
)
from custseg._learned._persona_text import (
    describe_segment,
    label_of,
    number_text,
)
from custseg._learned._persona_vocabulary import (
    DEFAULT_VOCABULARY,
    default_vocabulary,
    entry_of,
    word_of,
)
from custseg._rule_based import parse_rules
from custseg._sklearn_compat import validate_params
from custseg._tables import (
    ArrayLike,
    TableLike,
    align_labels,
    check_numeric_columns,
    is_numeric_column,
    read_table_for,
)

__all__ = ["DEFAULT_VOCABULARY", "default_vocabulary", "name_personas"]


def _percentile(sorted_values, value):
    """Mid-rank percentile of ``value`` in a sorted population."""
    if np.isnan(value) or sorted_values.size == 0:
        return np.nan
    below = np.searchsorted(sorted_values, value, side="left")
    upto = np.searchsorted(sorted_values, value, side="right")
    return (below + 0.5 * (upto - below)) / sorted_values.size


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


_ORDER_WORDS = {
    2: ("lower", "higher"),
    3: ("lower", "mid", "higher"),
    4: ("lowest", "lower", "higher", "highest"),
    5: ("lowest", "lower", "mid", "higher", "highest"),
}
_TAG_LABELS = {"recency": "recency", "frequency": "order count", "monetary": "spend"}


def _disambiguate(names, pct, sizes):
    """Make clashing names unique by the feature that best separates them.

    Members of a clash are ordered by that feature's percentile and tagged
    "(lower spend)" / "(higher spend)" (up to five positions: lowest, lower,
    mid, higher, highest); a clash left is split by the next feature, and
    identical profiles by their size.  No ranks or numbers are added.
    """
    names = list(names)
    for _ in range(pct.shape[1] + 1):
        clashes = [n for n in sorted(set(names)) if names.count(n) > 1]
        if not clashes:
            return names
        progress = False
        for name in clashes:
            group = [i for i, n in enumerate(names) if n == name]
            sub = pct.iloc[group]
            spread = (sub.max() - sub.min()).fillna(0.0)
            if spread.empty or spread.max() <= 0:
                continue
            feature = spread.idxmax()  # first feature wins ties: deterministic
            rank = sub[feature].rank(method="dense").astype(int).to_numpy() - 1
            n_ranks = int(rank.max()) + 1
            words = _ORDER_WORDS[min(n_ranks, 5)]
            label = _TAG_LABELS.get(feature, label_of(feature))
            for i, r in zip(group, rank, strict=True):
                position = r if n_ranks <= 5 else int(r * 5 / n_ranks)
                names[i] = f"{name} ({words[position]} {label})"
            progress = True
        if not progress:
            break
    for name in sorted(set(names)):
        group = [i for i, n in enumerate(names) if n == name]
        if len(group) > 1:
            for i in group:
                names[i] = f"{name} ({number_text(sizes[i])} customers)"
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


@validate_params(
    {
        "profiles": "no_validation",  # a profiles table, checked inside
        "X": "no_validation",
        "features": ["array-like", None],
        "vocabulary": [dict, None],
        "labels": ["array-like", None],
        "currency": [str, None],
    },
    prefer_skip_nested_validation=True,
)
def name_personas(
    profiles: pd.DataFrame,
    X: TableLike | None = None,
    *,
    features: Sequence[str] | None = None,
    vocabulary: Mapping[str, Any] | None = None,
    labels: ArrayLike | None = None,
    currency: str | None = None,
) -> pd.DataFrame:
    """Name and describe each segment of a profile table.

    Numeric features: the segment median is placed as a mid-rank percentile
    of the population and picks a word of the vocabulary ("recent", "big
    spenders", "average income").  Categorical features (text, category,
    boolean, 0/1) appear in a name only when they distinguish the segment:
    a level at least half of the segment holds and whose share exceeds its
    share among all customers by 20 points, or a
    population majority level the segment lacks by as much ("non-UK").
    Flags read as present / absent ("app-user", "non-app-user").  Names are
    unique (clashes get "(lower spend)" / "(higher spend)"), deterministic,
    and never carry ranks or numbers.

    Parameters
    ----------
    profiles : pandas.DataFrame
        One row per segment with the median of each numeric feature and, for
        categorical ones, ``<feature>`` and ``<feature>_share``, such as
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
        Entries overriding the defaults (:func:`custseg.default_vocabulary`, which
        lists them) per feature: a sequence of words (adjectives, lowest
        level first) or a dict with ``levels``, ``role``, ``cuts``,
        ``value_cuts``, ``exact`` and ``at_least``.
    labels : array-like of int, optional
        Segment of each row of ``X``; with it, the shares of every level of
        a categorical feature are exact (otherwise only the most common
        level of each segment is known).
    currency : str, optional
        Currency of ``monetary`` in the descriptions: a symbol (``"$"``)
        goes before the amount, a code (``"EUR"``) after it.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``profiles``: ``name`` (unique), ``description`` (plain
        words with units: "Bought 7 days ago on median, 30 orders, spends
        3,723 in total. 12% of customers, 56% of revenue."), a
        ``<feature>_percentile`` column per numeric feature, and
        ``rule_segment`` (the nearest segment of the 11-segment RFM preset)
        when recency, frequency and monetary are all described.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"recency": range(100), "frequency": range(1, 101),
    ...                   "monetary": [10.0 * i for i in range(100)]})
    >>> profiles = pd.DataFrame({"recency": [5, 90], "frequency": [90, 1],
    ...                          "monetary": [900.0, 20.0], "share": [0.4, 0.6]})
    >>> out = name_personas(profiles, X, currency="$")
    >>> out["name"].tolist()
    ['Recent frequent big spenders', 'Lapsed one-off low spenders']
    >>> print(out.loc[0, "description"])
    Bought 5 days ago on median, 90 orders, spends $900 in total. 40% of customers.
    """
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError(
            f"profiles must be a pandas DataFrame, got {type(profiles).__name__}."
        )
    population = None if X is None else read_table_for(X, "name_personas")
    if labels is not None:
        if population is None:
            raise ValueError("labels needs X, with one label per row of X.")
        labels = align_labels(labels, population, what="labels")
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
                if f not in skip
                and not str(f).endswith("_share")
                and (population is None or f in population)
            ]
    features = [str(f) for f in features]
    for f in features:
        if f not in profiles:
            raise ValueError(f"Feature {f!r} is not a column of profiles.")
        if population is not None and f not in population:
            raise ValueError(f"Feature {f!r} is not a column of the population X.")
    if population is not None:  # a median is placed among numbers only
        check_numeric_columns(
            population,
            [f for f in features if is_numeric_column(profiles[f])],
            owner="name_personas",
        )
    kinds = {f: feature_kind(f, profiles, population) for f in features}
    numeric = [f for f in features if kinds[f] == "numeric"]
    vocab = {**DEFAULT_VOCABULARY, **(vocabulary or {})}
    entries = {f: entry_of(f, vocab) for f in numeric}
    if sum(e["role"] == "noun" for e in entries.values()) > 1:
        raise ValueError("At most one feature of the vocabulary may have role 'noun'.")

    pct = pd.DataFrame(index=profiles.index, columns=numeric, dtype=np.float64)
    for f in numeric:
        medians = profiles[f].to_numpy(dtype=np.float64)
        if population is not None:
            ref = np.sort(population[f].to_numpy(dtype=np.float64))
            ref = ref[~np.isnan(ref)]
        else:
            weights = profiles["customers"] if "customers" in profiles else None
            weights = np.ones(len(profiles)) if weights is None else weights
            ref = np.sort(np.repeat(medians, np.asarray(weights, dtype=np.int64)))
        pct[f] = [_percentile(ref, m) for m in medians]

    attr_words, attribute_parts = {}, {label: [] for label in profiles.index}
    for f in features:
        if kinds[f] == "numeric":
            continue
        seg, pop = level_shares(profiles, population, labels, f)
        attr_words[f] = attribute_words(f, kinds[f], seg, pop)
        for label in profiles.index:
            part = attribute_part(f, kinds[f], seg.loc[label].fillna(0.0))
            if part is not None and profiles.get("customers", {}).get(label, 1):
                attribute_parts[label].append(part)

    names, numeric_words = [], {}
    for position, label in enumerate(profiles.index):
        if pct.loc[label].isna().all() and not attribute_parts[label]:
            names.append("Empty segment")
            numeric_words[label] = {}
            continue
        words = [
            attr_words[f][position]
            for f in features
            if f in attr_words and attr_words[f][position] is not None
        ]
        words = [(role, word) for word, role in words]
        numeric_words[label] = {
            f: word_of(entries[f], profiles.at[label, f], pct.at[label, f])
            for f in numeric
            if not np.isnan(pct.at[label, f])
        }
        words += [(entries[f]["role"], w) for f, w in numeric_words[label].items()]
        names.append(_assemble(words))
    out = pd.DataFrame(index=profiles.index)
    sizes = profiles["customers"] if "customers" in profiles else [0] * len(names)
    out["name"] = _disambiguate(names, pct, list(sizes))
    out["description"] = [
        describe_segment(
            profiles.loc[label],
            numeric_words[label],
            features,
            kinds,
            currency,
            attribute_parts[label],
        )
        for label in profiles.index
    ]
    for f in numeric:
        out[f"{f}_percentile"] = pct[f]
    if all(f in numeric for f in ("recency", "frequency", "monetary")):
        out["rule_segment"] = _rule_segment_names(pct)
    return out

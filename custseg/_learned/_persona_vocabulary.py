"""Persona vocabulary: the words per feature and how a median picks one."""

from __future__ import annotations

import copy
from numbers import Real
from typing import Any

import numpy as np

from custseg._learned._persona_text import key_of, label_of
from custseg._sklearn_compat import validate_params

__all__ = ["DEFAULT_VOCABULARY", "default_vocabulary", "entry_of", "word_of"]

DEFAULT_VOCABULARY = {
    # relative words, except that a year without an order is lapsed however
    # many customers have waited longer (a long log of one-off buyers)
    "recency": {
        "levels": ("recent", "fairly recent", "lapsing", "lapsed"),
        "role": "adjective",
        "at_least": {365: "lapsed"},
    },
    "frequency": {
        "levels": ("infrequent", "occasional", "regular", "frequent"),
        "role": "adjective",
        "exact": {1: "one-off"},
    },
    # "mid-range" only around the median (40th to 60th percentile): a
    # segment at the 70th percentile is above average, not mid-range; "low"
    # and "big" are the bottom and top quarters
    "monetary": {
        "levels": (
            "low spenders",
            "modest spenders",
            "mid-range spenders",
            "above-average spenders",
            "big spenders",
        ),
        "cuts": (0.25, 0.4, 0.6, 0.75),
        "role": "noun",
    },
    # words that say an age, from the age itself (not its percentile: a
    # median of 32 is young whatever the other customers' ages)
    "age": {
        "levels": ("young", "adult", "middle-aged", "senior"),
        "value_cuts": (35, 45, 65),
        "role": "adjective",
    },
    "spending_score": {
        "levels": (
            "very low-spending",
            "low-spending",
            "average-spending",
            "high-spending",
            "very high-spending",
        ),
        "cuts": (0.2, 0.4, 0.6, 0.8),
        "role": "adjective",
    },
}
"""Words per feature, from the lowest percentile level to the highest.

Each entry: ``levels`` (words for equal-width percentile bins, or for the bins
between ``cuts``), ``role`` (``"adjective"`` goes before the noun, ``"noun"``
is the head of the name, ``"qualifier"`` goes after "with"), and optional
``exact`` (a word used when the median equals a value, checked first),
``at_least`` (a word used when the median is at least a value, checked
next) or ``value_cuts`` (bins of the median itself instead of its
percentile).  Keys
match column names without regard to case, spaces or underscores.  Numeric
features without an entry get ``"very low <feature>"``, ``"low"``,
``"average"`` (median between the 40th and 60th percentile), ``"high"`` and
``"very high <feature>"`` as qualifiers.  Read a copy with
:func:`custseg.default_vocabulary`.
"""


@validate_params({}, prefer_skip_nested_validation=True)
def default_vocabulary() -> dict[str, dict[str, Any]]:
    """The persona words custseg uses for each feature, as a new dict.

    Keys are feature names (matched without regard to case, spaces or
    underscores).  Each entry has ``levels``: words from the lowest level to
    the highest; ``role``: ``"adjective"`` (before the noun), ``"noun"`` (the
    head of the name) or ``"qualifier"`` (after "with"); and optionally
    ``cuts`` (percentiles between the levels; default equal-width bins),
    ``value_cuts`` (values of the median itself between the levels, used
    instead of percentiles), ``exact`` (a word used when the median
    equals a value) and ``at_least`` (a word used when the median is at
    least a value).  The defaults:

    - ``recency``: recent, fairly recent, lapsing, lapsed (percentile
      quarters), and "lapsed" whenever the median is 365 days or more;
    - ``frequency``: infrequent, occasional, regular, frequent (quarters),
      "one-off" when the median is 1 order;
    - ``monetary`` (the noun): low (bottom quarter), modest, mid-range
      (40th to 60th percentile), above-average and big (top quarter)
      spenders;
    - ``age``: young (under 35), adult (35 to 44), middle-aged (45 to 64),
      senior (65 and over), from the age itself;
    - ``spending_score``: very low-, low-, average-, high-, very
      high-spending (percentile fifths).

    Other numeric features get qualifiers: very low, low, average (40th to
    60th percentile), high, very high ``<feature>``.  Pass a modified copy
    (or only the entries to change) as ``vocabulary`` to
    :func:`custseg.name_personas` or :class:`custseg.CustomerSegmenter`.

    Returns
    -------
    dict
        A deep copy: changing it does not change custseg's defaults.

    Examples
    --------
    >>> from custseg import default_vocabulary
    >>> default_vocabulary()["monetary"]["levels"][2]
    'mid-range spenders'
    """
    return copy.deepcopy(DEFAULT_VOCABULARY)


_ROLES = ("adjective", "noun", "qualifier")


def entry_of(feature, vocabulary):
    """The checked vocabulary entry of one feature (defaults filled in)."""
    raw = vocabulary.get(feature, vocabulary.get(key_of(feature)))
    if raw is None:
        words = ("very low", "low", "average", "high", "very high")
        raw = {
            "levels": tuple(f"{word} {label_of(feature)}" for word in words),
            "cuts": (0.2, 0.4, 0.6, 0.8),
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
    value_cuts = raw.get("value_cuts")
    if value_cuts is not None:
        value_cuts = np.asarray(value_cuts, dtype=np.float64)
        if value_cuts.shape != (len(levels) - 1,) or np.any(np.diff(value_cuts) <= 0):
            raise ValueError(
                f"vocabulary[{feature!r}]['value_cuts'] must be {len(levels) - 1} "
                f"increasing values between the {len(levels)} levels, got "
                f"{value_cuts.tolist()}."
            )
    for key in ("exact", "at_least"):
        given = raw.get(key, {})
        if not isinstance(given, dict) or not all(
            isinstance(v, Real) and not isinstance(v, bool) for v in given
        ):
            raise TypeError(
                f"vocabulary[{feature!r}][{key!r}] must be a dict of number -> "
                f"word, got {given!r}."
            )
    return {
        "levels": levels,
        "role": role,
        "cuts": cuts,
        "value_cuts": value_cuts,
        "exact": raw.get("exact", {}),
        "at_least": raw.get("at_least", {}),
    }


def word_of(entry, median, pct):
    """The word of a segment median at percentile ``pct``."""
    for value, word in entry["exact"].items():
        if np.isclose(median, value):
            return str(word)
    for value, word in sorted(entry["at_least"].items(), reverse=True):
        if median >= value:
            return str(word)
    if entry["value_cuts"] is not None:
        cuts, value = entry["value_cuts"], median
    else:
        cuts, value = entry["cuts"], pct
    return entry["levels"][int(np.searchsorted(cuts, value, side="right"))]

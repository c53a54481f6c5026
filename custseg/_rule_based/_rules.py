"""RFMSegmenter: RFM scores to named segments by rules (first match wins)."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from custseg._base import SegmenterMixin, Segments, profile_features
from custseg._rule_based._rule_parsing import diagnose_rules, parse_rules
from custseg._rule_based._rule_presets import (
    btyd_marker,
    default_scorer_params,
    preset_table,
)
from custseg._rule_based._scoring import RFMScorer, customer_ids
from custseg._sklearn_compat import HasMethods, Interval, StrOptions
from custseg._warnings import warn

__all__ = ["RFMSegmenter"]

SCORE_COLUMNS = "recency_score", "frequency_score", "monetary_score"


class RFMSegmenter(SegmenterMixin, BaseEstimator):
    """Named RFM segments from rules on recency, frequency and monetary scores.

    By default the segmenter takes the raw customer table (recency in days,
    frequency, monetary) and scores it with its own :class:`RFMScorer`
    (quantile bins, ``n_bins`` from the rules), fitted in :meth:`fit` and
    reused in :meth:`predict`.  With ``scorer="passthrough"`` it takes scores
    that are already computed.

    Each customer's ``(r, f, m)`` code is matched against the rules in order
    and the first matching rule names its segment.  A rule is a set of
    inclusive score ranges (a missing metric means any score) or an explicit
    list of codes; several rules may share a name (their codes are pooled).
    Codes no rule covers go to a catch-all segment, which exists only when
    some code is uncovered.  Fitting warns when customers fall to the
    catch-all or a rule can never match; ``diagnostics_`` has the details.

    Each preset is defined on one RFM table (``table`` in
    :func:`list_rule_presets`): ``"pymc"`` on the BTYD table of
    ``rfm_table(..., definition="btyd")``, where recency is the time from first
    to last purchase; the others, and custom rules with the default scorer, on
    classic RFM (recency = days since the last purchase).  Those refuse a BTYD
    table (one with the age column ``T``) with a ValueError, since its recency
    reads the opposite way.

    Parameters
    ----------
    rules : str, DataFrame or dict, default="putler"
        A preset name (see :func:`list_rule_presets`): ``"putler"`` (11
        segments covering all 125 quintile codes), ``"r_rfm"``,
        ``"r_rfm_legacy"``, ``"pymc"`` (PyMC-Marketing's ``rfm_segments``:
        quartiles scored like ``pandas.qcut(duplicates="drop")``, so when
        ties merge bins the scores left are renumbered ``1..b`` as PyMC does)
        or ``"pypi_rfm"`` (PyPI ``rfm``'s ten segments on rank-first
        quintiles); or custom rules in
        evaluation order.  A DataFrame has a ``segment`` column, optional
        ``description``, and either ``recency_lower``/``recency_upper``/
        ``frequency_lower``/... score bounds or a ``codes`` column (a list, or
        a string like ``"555 554"``).  A dict maps a segment name to ranges,
        e.g. ``{"recency": (4, 5), "frequency": (4, 5)}``, or to a list of
        codes such as ``["555", "554"]``.
    scorer : RFMScorer, "passthrough" or None, default=None
        How scores are obtained.  ``None``: a fresh
        ``RFMScorer(n_bins=n_bins)`` with the preset's method (``"qcut"``
        for ``"pymc"``, ``"rank"`` for ``"pypi_rfm"``, else quantiles),
        reading the columns ``recency``, ``frequency`` and ``monetary`` (or
        ``monetary_value`` when the table has only that, as the BTYD tables
        of :func:`rfm_table` and PyMC-Marketing do).  An :class:`RFMScorer` (cloned, then
        fitted): use it to change the column names, method or thresholds.
        ``"passthrough"``: ``X`` already holds integer scores, in columns
        ``recency_score``, ``frequency_score``, ``monetary_score`` (the
        output of ``RFMScorer``) or an array of three columns.
    default_segment : str, default=None
        Name of the catch-all segment; ``None`` uses the preset's ("Others"
        for the R presets, "Other" otherwise).
    n_bins : int, default=None
        Scores per metric.  ``None``: the preset's (5, or 4 for ``"pymc"``),
        the scorer's ``n_bins`` for custom rules with a scorer, else 5.

    Attributes
    ----------
    labels_ : ndarray of int of shape (n_customers,)
        Segment of each fitted customer; indexes ``segment_names_``.
    n_segments_ : int
        Number of segments (the rules' names, then the catch-all).
    segment_names_ : ndarray of str
        Segment names in rule order, then the catch-all if it exists.
    segment_descriptions_ : ndarray of str
        One-line description of each segment (preset segments have one).
        Preset descriptions are relative to the fitted customers ("more
        recent than most"): read ``profiles_`` for the values.
    profiles_ : pandas.DataFrame
        One row per segment (see :func:`segment_profiles`), in original
        units, with a ``description`` column.
    diagnostics_ : RuleDiagnostics
        Uncovered codes, overlaps, shadowed rules and the catch-all share.
    scorer_ : RFMScorer or None
        The fitted scorer (``None`` with ``"passthrough"``); its cut points
        are ``scorer_.thresholds_`` (the rules themselves cut nothing).
    n_bins_ : int
        Scores per metric the rules are defined on (the resolved ``n_bins``).
    feature_names_in_ : ndarray of str
        The three columns read (raw RFM or score columns), when ``X`` is a
        DataFrame; other columns are never read.
    n_features_in_ : int
        Number of columns read: 3.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import RFMSegmenter
    >>> scores = pd.DataFrame({"recency_score": [5, 5, 1, 3, 1],
    ...                        "frequency_score": [5, 1, 4, 2, 1],
    ...                        "monetary_score": [5, 3, 5, 1, 1]})
    >>> seg = RFMSegmenter(scorer="passthrough").fit(scores)
    >>> seg.segment_names_[seg.labels_].tolist()
    ['Champions', 'New', "Can't Lose Them", 'Need Attention', 'Lost']
    >>> seg.diagnostics_
    RuleDiagnostics(covered=125/125, uncovered=0, overlapping_pairs=2, shadowed=[], catch_all_share=0.000)
    """

    _parameter_constraints: dict = {
        "rules": "no_validation",  # checked by parse_rules
        "scorer": [StrOptions({"passthrough"}), HasMethods(["fit", "transform"]), None],
        "default_segment": [str, None],
        "n_bins": [Interval(Integral, 2, None, closed="left"), None],
    }

    def __init__(
        self,
        rules: str | pd.DataFrame | Mapping[str, Any] = "putler",
        *,
        scorer: RFMScorer | Literal["passthrough"] | None = None,
        default_segment: str | None = None,
        n_bins: int | None = None,
    ) -> None:
        self.rules = rules
        self.scorer = scorer
        self.default_segment = default_segment
        self.n_bins = n_bins

    def _resolve(self):
        n_bins = self.n_bins
        if n_bins is None and not isinstance(self.rules, str):
            n_bins = getattr(self.scorer, "n_bins", None)
        rules, n_bins, catch_all = parse_rules(self.rules, n_bins)
        scorer_bins = getattr(self.scorer, "n_bins", n_bins)
        if scorer_bins != n_bins:
            raise ValueError(
                f"The scorer gives {scorer_bins} scores per metric but the rules "
                f"use {n_bins}; set RFMScorer(n_bins={n_bins})."
            )
        return rules, n_bins, self.default_segment or catch_all

    def _input_columns(self, frame, *, named):
        if self.scorer == "passthrough":
            return list(SCORE_COLUMNS)
        scorer = self.scorer
        if scorer is None:
            columns = () if frame is None else frame.columns
            scorer = RFMScorer(**default_scorer_params(self.rules, columns))
        return [
            getattr(scorer, f"{metric}_col", metric)
            for metric in ("recency", "frequency", "monetary")
        ]

    def _array_columns(self, n_features):
        names = self._input_columns(None, named=False)
        if n_features != len(names):
            raise ValueError(
                f"X has {n_features} feature(s) but {type(self).__name__} reads an "
                f"array by position and needs exactly 3 columns: {names}."
            )
        return names

    def _scores(self, table, *, reset):
        """Integer (r, f, m) scores of the customers of a read table."""
        owner = type(self).__name__
        if self.scorer == "passthrough":
            scores = table.values
            for j, col in enumerate(SCORE_COLUMNS):
                bad = ~np.isin(scores[:, j], np.arange(1, self.n_bins_ + 1))
                if bad.any():
                    raise ValueError(
                        f"{owner}: column {col!r} has {int(bad.sum())} value(s) that "
                        f"are not whole scores in 1..{self.n_bins_}."
                    )
            return scores.astype(np.int64)
        scorer = self.scorer_
        grouped = getattr(scorer, "group_col", None) is not None
        if isinstance(scorer, RFMScorer) and not grouped:  # scores the values read
            ranked = scorer.method in ("rank", "ntile")
            ids = customer_ids(table.frame) if ranked else None
            if reset:
                scorer._fit_values(table.values, scorer._check_thresholds(), ids)
                # the fitted scorer reads like one fitted on X (used by plots)
                scorer._columns_read_ = list(table.columns)
                scorer.n_features_in_ = len(table.columns)
                if table.named:
                    scorer.feature_names_in_ = np.asarray(table.columns, dtype=object)
            return scorer._score(table.values, ids)
        # a grouped scorer also reads its group column
        frame = table.frame if grouped else table.frame[table.columns]
        if reset:
            scorer.fit(frame)
        return np.asarray(scorer.transform(frame), dtype=np.int64)

    def _check_table(self, columns):
        """Refuse a BTYD table for rules defined on classic RFM (and back)."""
        expected = preset_table(self.rules)
        marker = btyd_marker(columns)
        if expected == "classic" and marker:
            what = f"rules={self.rules!r}" if isinstance(self.rules, str) else "rules"
            raise ValueError(
                f"RFMSegmenter: X looks like a BTYD table ({marker}: recency is the "
                "time from first to last purchase, so a high value is good), but "
                f"{what} are defined on classic RFM (recency = days since the "
                'last purchase). Build X with rfm_table(..., definition="classic"), '
                'or use rules="pymc", which is defined on the BTYD table.'
            )

    def _fit_segments(self, table):
        rules, self.n_bins_, catch_all = self._resolve()
        self.scorer_ = None
        if self.scorer is None:
            self._check_table(table.frame.columns)
        if self.scorer != "passthrough":
            params = default_scorer_params(self.rules, table.frame.columns)
            base = (
                RFMScorer(n_bins=self.n_bins_, **params)
                if self.scorer is None
                else self.scorer
            )
            self.scorer_ = clone(base)
        scores = self._scores(table, reset=True)

        names = list(dict.fromkeys(rule.name for rule in rules))
        descriptions = {}
        for rule in rules:
            descriptions.setdefault(rule.name, rule.description)
        diag = diagnose_rules(rules, self.n_bins_)
        if diag.uncovered and catch_all not in names:
            names.append(catch_all)
            descriptions[catch_all] = "Matched no rule."
        # lookup table: code -> label, first match wins
        size = self.n_bins_ + 1
        lookup = np.full(
            (size, size, size), names.index(catch_all) if diag.uncovered else -1
        )
        for rule in reversed(rules):
            for r, f, m in rule.codes:
                lookup[r, f, m] = names.index(rule.name)
        self._lookup_ = lookup
        labels = lookup[scores[:, 0], scores[:, 1], scores[:, 2]]

        n_catch = int(np.sum(labels == names.index(catch_all))) if diag.uncovered else 0
        share = n_catch / labels.size
        self.diagnostics_ = diagnose_rules(rules, self.n_bins_, catch_all_share=share)
        if n_catch:
            warn(
                f"RFMSegmenter: {n_catch} of {labels.size} customers ({share:.1%}) "
                f"match no rule and go to {catch_all!r}; {len(diag.uncovered)} of "
                f"{diag.n_codes} codes are uncovered (see diagnostics_.uncovered)."
            )
        if diag.shadowed:
            warn(
                f"RFMSegmenter: rule(s) {diag.shadowed} can never match: an earlier "
                "rule takes every code they cover (see diagnostics_.rules)."
            )
        self.segment_descriptions_ = np.asarray(
            [descriptions[n] for n in names], dtype=object
        )
        revenue_cols = {}
        if self.scorer != "passthrough":
            revenue_cols = {
                "frequency_col": table.columns[1],
                "monetary_col": table.columns[2],
            }
        features = profile_features(table.frame, table.columns, **revenue_cols)
        return Segments(
            labels,
            names,
            descriptions=self.segment_descriptions_,
            profile={"features": features, **revenue_cols},
        )

    def _predict_segments(self, table):
        scores = self._scores(table, reset=False)
        return self._lookup_[scores[:, 0], scores[:, 1], scores[:, 2]]

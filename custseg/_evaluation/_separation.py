"""Do the features (and later outcomes) differ across segments?

Builds the tables of :func:`custseg.validate_segmentation`: one test per
feature across all segments, one test per feature and pair of segments
(which finds merge candidates), one test per outcome, and one test per
segment against the rest of the customers for every feature and outcome
(the contrasts).  A test *separates* when its Holm-adjusted p-value is below
``alpha`` and its effect size is at least ``"small"``; with bootstrap
intervals, a contrast *clears* when its whole interval lies outside the
negligible band.  A test that cannot compare every segment (a column with
no value in some segment) gives NaN and ``"n/a"``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from custseg._evaluation._effect_sizes import (
    chi_square_test,
    holm,
    kruskal_test,
    magnitude_threshold,
    mann_whitney_test,
)
from custseg._evaluation._inputs import is_categorical
from custseg._evaluation._intervals import (
    cramers_v,
    epsilon_squared,
    percentile_interval,
    rank_biserial,
)

__all__ = [
    "contrasts",
    "effect_replicates",
    "feature_tests",
    "merge_candidates",
    "outcome_tests",
    "pairwise_tests",
]

_FEATURE_COLUMNS = [
    "kind",
    "test",
    "statistic",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_low",
    "effect_high",
    "effect_measure",
    "magnitude",
    "separates",
]


def _separates(frame, alpha):
    return (frame["p_adjusted"] < alpha) & ~frame["magnitude"].isin(
        ["negligible", "n/a"]
    )


def _untestable(categorical):
    if categorical:
        res = chi_square_test(np.array(["a", "b"], dtype=object), np.array([0, 1]))
        res.pop("df")
    else:
        res = kruskal_test([0.0, 1.0], [0, 1])
    res.update(statistic=np.nan, p_value=np.nan, effect_size=np.nan, magnitude="n/a")
    return res


def _observed(series, labels):
    """Mask of values present; None when some segment has no value at all."""
    observed = series.notna().to_numpy()
    if np.unique(labels[observed]).size < np.unique(labels).size:
        return None
    return observed


def effect_replicates(series, labels, categorical, counts):
    """The across-segment effect size in every bootstrap resample."""
    observed = series.notna().to_numpy()
    if counts is None or not len(counts):
        return np.empty(0)
    weights = counts[:, observed]
    groups = np.unique(labels[observed], return_inverse=True)[1]
    if categorical:
        codes = np.unique(series[observed].astype(str), return_inverse=True)[1]
        return cramers_v(codes, groups, weights)
    values = series[observed].to_numpy(dtype=float)
    return epsilon_squared(values, groups, weights)


def _interval(series, labels, categorical, counts):
    """Bootstrap percentile interval of the across-segment effect size."""
    return percentile_interval(effect_replicates(series, labels, categorical, counts))


def _test_column(series, labels, categorical, counts=None):
    observed = _observed(series, labels)
    if observed is None:
        res = _untestable(categorical)
        low = high = np.nan
    elif categorical:
        res = chi_square_test(series.to_numpy(dtype=object), labels)
        res.pop("df")
        low, high = _interval(series, labels, True, counts)
    else:
        res = kruskal_test(series.to_numpy(dtype=float), labels)
        low, high = _interval(series, labels, False, counts)
    kind = "categorical" if categorical else "numeric"
    return {"kind": kind, **res, "effect_low": low, "effect_high": high}


def feature_tests(table, labels, categorical, *, alpha=0.05, counts=None):
    """One test per feature across all segments, Holm-adjusted over the features.

    Parameters
    ----------
    table : pandas.DataFrame
        The customer table.
    labels : ndarray of int
    categorical : set of str
        Columns tested with chi-square; the others with Kruskal–Wallis.
    alpha : float, default=0.05
    counts : ndarray of shape (n_bootstrap, n_customers), optional
        Bootstrap resamples (:func:`bootstrap_counts`) for the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature, columns ``kind``, ``test``, ``statistic``,
        ``p_value``, ``p_adjusted``, ``effect_size``, ``effect_low``,
        ``effect_high`` (95% bootstrap percentile interval), ``effect_measure``,
        ``magnitude`` and ``separates``.
    """
    columns = list(table.columns)
    if not columns:
        return pd.DataFrame(
            columns=_FEATURE_COLUMNS, index=pd.Index([], name="feature")
        )
    rows = {
        col: _test_column(table[col], labels, col in categorical, counts)
        for col in columns
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "feature"
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["separates"] = _separates(out, alpha)
    return out[_FEATURE_COLUMNS]


def pairwise_tests(table, labels, names, categorical, *, alpha=0.05):
    """Every feature tested between every pair of non-empty segments.

    Numeric features use Mann–Whitney U with the rank-biserial correlation,
    categorical ones a 2-row chi-square test with Cramér's V.  The Holm
    correction runs over all pairs and features together (one family).

    Returns
    -------
    pandas.DataFrame
        One row per pair and feature: ``segment_a``, ``segment_b``,
        ``name_a``, ``name_b``, ``feature``, ``test``, ``statistic``,
        ``p_value``, ``p_adjusted``, ``effect_size``, ``effect_measure``,
        ``magnitude``, ``separates``.
    """
    present = np.unique(labels)
    rows = []
    for a, b in itertools.combinations(present, 2):
        in_a, in_b = labels == a, labels == b
        pair = {"segment_a": int(a), "segment_b": int(b)}
        pair.update(name_a=names[a], name_b=names[b])
        for col in table:
            if _observed(table[col], labels) is None:
                res = _untestable(col in categorical)
                res.pop("kind", None)
            elif col in categorical:
                mask = in_a | in_b
                res = chi_square_test(
                    table[col].to_numpy(dtype=object)[mask], labels[mask]
                )
                res.pop("df")
            else:
                values = table[col].to_numpy(dtype=float)
                res = mann_whitney_test(values[in_a], values[in_b])
            rows.append({**pair, "feature": col, **res})
    columns = ["segment_a", "segment_b", "name_a", "name_b", "feature"]
    columns += [
        c for c in _FEATURE_COLUMNS[1:] if c not in ("effect_low", "effect_high")
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    out["separates"] = _separates(out, alpha)
    return out[columns]


def merge_candidates(pairwise):
    """Pairs of segments that no feature separates, with the evidence.

    Returns
    -------
    pandas.DataFrame
        ``segment_a``, ``segment_b``, ``name_a``, ``name_b``,
        ``largest_effect`` (absolute), ``feature`` (where it was seen),
        ``magnitude``, ``min_p_adjusted`` and ``reason``.
    """
    columns = ["segment_a", "segment_b", "name_a", "name_b", "largest_effect"]
    columns += ["feature", "magnitude", "min_p_adjusted", "reason"]
    rows = []
    for (a, b), group in pairwise.groupby(["segment_a", "segment_b"], sort=True):
        if group["separates"].any():
            continue
        strength = group["effect_size"].abs().fillna(-1.0)
        best = group.loc[strength.idxmax()]
        rows.append(
            {
                "segment_a": int(a),
                "segment_b": int(b),
                "name_a": best["name_a"],
                "name_b": best["name_b"],
                "largest_effect": abs(float(best["effect_size"])),
                "feature": best["feature"],
                "magnitude": best["magnitude"],
                "min_p_adjusted": float(group["p_adjusted"].min()),
                "reason": (
                    f"no feature separates {best['name_a']!r} from "
                    f"{best['name_b']!r}: the largest difference is a "
                    f"{best['magnitude']} effect on {best['feature']!r} "
                    f"({best['effect_measure']} = {float(best['effect_size']):.3f})"
                ),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def outcome_tests(outcome, labels, *, alpha=0.05, counts=None):
    """Predictive validity: does each later-period outcome differ across segments?

    A boolean, non-numeric or two-valued outcome gets chi-square and Cramér's
    V; a numeric one gets Kruskal–Wallis and epsilon².  Missing values are
    left out.  Holm-adjusted over the outcomes.

    Returns
    -------
    tests : pandas.DataFrame
        Indexed by outcome, same columns as :func:`feature_tests`, with
        ``separates`` renamed ``predictive``.
    means : pandas.DataFrame
        Mean outcome per segment (the rate for a boolean outcome), columns
        named ``"<outcome> (mean)"``; NaN for non-numeric outcomes.
    replicates : dict of str to ndarray
        The effect size of each outcome in every bootstrap resample.
    """
    rows, means, replicates = {}, {}, {}
    for col in outcome:
        series = outcome[col]
        rows[col] = _test_column(series, labels, _binary(series), counts)
        if _observed(series, labels) is not None:
            replicates[col] = effect_replicates(series, labels, _binary(series), counts)
        if pd.api.types.is_numeric_dtype(series):
            means[f"{col} (mean)"] = series.astype(float).groupby(labels).mean()
    columns = _FEATURE_COLUMNS[:-1] + ["predictive"]
    if not rows:
        return pd.DataFrame(columns=columns), pd.DataFrame(means), replicates
    tests = pd.DataFrame.from_dict(rows, orient="index")
    tests.index.name = "outcome"
    tests["p_adjusted"] = holm(tests["p_value"].to_numpy())
    tests["predictive"] = _separates(tests, alpha)
    return tests[columns], pd.DataFrame(means), replicates


def _binary(series):
    return is_categorical(series) or series.dropna().nunique() <= 2


def _contrast(series, in_segment, categorical, counts):
    """One segment against the rest on one column: test, effect and interval."""
    observed = series.notna().to_numpy()
    if not (observed & in_segment).any() or not (observed & ~in_segment).any():
        return {**_untestable(categorical), "effect_low": np.nan, "effect_high": np.nan}
    groups = in_segment.astype(np.int64)
    weights = None if counts is None or not len(counts) else counts[:, observed]
    if categorical:
        res = chi_square_test(series.to_numpy(dtype=object), groups)
        res.pop("df")
        if weights is None:
            return {**res, "effect_low": np.nan, "effect_high": np.nan}
        codes = np.unique(series[observed].astype(str), return_inverse=True)[1]
        low, high = percentile_interval(cramers_v(codes, groups[observed], weights))
        return {**res, "effect_low": low, "effect_high": high}
    values = series.to_numpy(dtype=float)
    res = mann_whitney_test(values[in_segment], values[~in_segment])
    if weights is None:
        return {**res, "effect_low": np.nan, "effect_high": np.nan}
    inside = in_segment[observed]
    r = rank_biserial(values[observed], inside, ~inside, weights)
    low, high = percentile_interval(r)
    return {**res, "effect_low": low, "effect_high": high}


def contrasts(table, outcome, labels, names, categorical, *, alpha=0.05, counts=None):
    """Every non-empty segment against the rest, on every feature and outcome.

    Numeric columns: Mann–Whitney U with the rank-biserial correlation
    (positive: the segment tends to be higher); categorical, boolean and
    two-valued outcome columns: chi-square with Cramér's V.  Holm over the
    whole table.  A row *clears* when it is significant and its bootstrap
    interval lies entirely outside the negligible band (without intervals:
    when its magnitude is at least small).

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``name``, ``column``, ``source`` (``"feature"`` or
        ``"outcome"``), ``test``, ``p_value``, ``p_adjusted``,
        ``effect_size``, ``effect_low``, ``effect_high``, ``effect_measure``,
        ``magnitude`` and ``clears``.
    """
    columns = [(table, "feature", categorical)]
    if outcome is not None:
        columns.append(
            (outcome, "outcome", {c for c in outcome if _binary(outcome[c])})
        )
    rows = []
    for segment in np.unique(labels):
        in_segment = labels == segment
        for frame, source, cats in columns:
            for col in frame:
                res = _contrast(frame[col], in_segment, col in cats, counts)
                res.pop("kind", None)
                rows.append(
                    {
                        "segment": int(segment),
                        "name": names[segment],
                        "column": col,
                        "source": source,
                        **res,
                    }
                )
    out_columns = ["segment", "name", "column", "source", "test", "p_value"]
    out_columns += ["p_adjusted", "effect_size", "effect_low", "effect_high"]
    out_columns += ["effect_measure", "magnitude", "clears"]
    if not rows:
        return pd.DataFrame(columns=out_columns)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = holm(out["p_value"].to_numpy())
    threshold = np.array(
        [magnitude_threshold(m) for m in out["effect_measure"]], dtype=float
    )
    low, high = out["effect_low"].to_numpy(), out["effect_high"].to_numpy()
    with np.errstate(invalid="ignore"):
        outside = (low >= threshold) | (high <= -threshold)
    no_interval = np.isnan(low)
    point = ~out["magnitude"].isin(["negligible", "n/a"]).to_numpy()
    significant = (out["p_adjusted"] < alpha).to_numpy()
    out["clears"] = significant & np.where(no_interval, point, outside)
    return out[out_columns]

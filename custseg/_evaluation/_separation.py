"""Do the features (and later outcomes) differ across segments?

Builds the tables of :func:`custseg.validate_segmentation`: one test per
feature across all segments, one test per feature and pair of segments
(which finds merge candidates), and one test per outcome.  A test
*separates* when its Holm-adjusted p-value is below ``alpha`` and its
effect size is at least ``"small"``; see :mod:`custseg._evaluation._effect_sizes` for
the tests, effect sizes and bands.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from custseg._evaluation._effect_sizes import (
    chi_square_test,
    holm,
    kruskal_test,
    mann_whitney_test,
)

__all__ = ["feature_tests", "is_categorical", "outcome_tests", "pairwise_tests"]

_FEATURE_COLUMNS = [
    "kind",
    "test",
    "statistic",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_measure",
    "magnitude",
    "separates",
]


def is_categorical(series):
    """Whether a column is tested as categorical (not a non-boolean number)."""
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(
        series
    )


def _separates(frame, alpha):
    return (frame["p_adjusted"] < alpha) & ~frame["magnitude"].isin(
        ["negligible", "n/a"]
    )


def _test_column(series, labels, categorical):
    if categorical:
        res = chi_square_test(series.to_numpy(dtype=object), labels)
        res.pop("df")
        return {"kind": "categorical", **res}
    return {"kind": "numeric", **kruskal_test(series.to_numpy(dtype=float), labels)}


def feature_tests(table, labels, categorical, *, alpha=0.05):
    """One test per feature across all segments, Holm-adjusted over the features.

    Parameters
    ----------
    table : pandas.DataFrame
        The customer table.
    labels : ndarray of int
    categorical : set of str
        Columns tested with chi-square; the others with Kruskal–Wallis.
    alpha : float, default=0.05

    Returns
    -------
    pandas.DataFrame
        Indexed by feature, columns ``kind``, ``test``, ``statistic``,
        ``p_value``, ``p_adjusted``, ``effect_size``, ``effect_measure``,
        ``magnitude`` and ``separates``.
    """
    rows = {col: _test_column(table[col], labels, col in categorical) for col in table}
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
            if col in categorical:
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
    columns += _FEATURE_COLUMNS[1:]
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


def outcome_tests(outcome, labels, *, alpha=0.05):
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
    """
    rows, means = {}, {}
    for col in outcome:
        series = outcome[col]
        binary = series.dropna().nunique() <= 2
        rows[col] = _test_column(series, labels, is_categorical(series) or binary)
        if pd.api.types.is_numeric_dtype(series):
            means[f"{col} (mean)"] = series.astype(float).groupby(labels).mean()
    tests = pd.DataFrame.from_dict(rows, orient="index")
    tests.index.name = "outcome"
    tests["p_adjusted"] = holm(tests["p_value"].to_numpy())
    tests["predictive"] = _separates(tests, alpha)
    columns = _FEATURE_COLUMNS[:-1] + ["predictive"]
    return tests[columns], pd.DataFrame(means)

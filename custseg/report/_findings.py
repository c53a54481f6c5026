"""The report's key findings: a few sentences in plain words, computed once."""

from __future__ import annotations

import numpy as np

from custseg._evaluation import STABILITY_BANDS
from custseg._format import format_money, format_share

__all__ = ["key_findings"]


def _names(names):
    names = [f"'{n}'" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _revenue_concentration(X):
    money = np.sort(X["monetary"].to_numpy(dtype=float))[::-1]
    total = money[money > 0].sum()
    if total <= 0 or money.size < 5:
        return None
    top = max(1, round(0.2 * money.size))
    share = np.clip(money[:top], 0, None).sum() / total
    return (
        f"Revenue is concentrated: the top 20% of customers by spend bring "
        f"{format_share(share)} of it."
    )


def _who_brings_revenue(profiles, currency):
    if "revenue_share" not in profiles or not len(profiles):
        return None
    # the segment whose revenue most exceeds its size: a segment that is most
    # customers trivially brings most revenue and says nothing
    excess = profiles["revenue_share"].astype(float) - profiles["share"]
    if len(profiles) < 2 or not excess.max() > 0:
        return None
    top = profiles.loc[excess.idxmax()]
    text = (
        f"The segment '{top['name']}' brings the most revenue for its size: "
        f"{format_share(top['revenue_share'])} of it from "
        f"{format_share(top['share'])} of customers"
    )
    if "monetary" in profiles:
        text += f" (median spend {format_money(top['monetary'], currency)})"
    return text + "."


def _lapsing(profiles, actions, revenue, currency):
    lapsing = actions.index[actions["action"] == "win back"]
    if not len(lapsing):
        return None
    rows = profiles.loc[lapsing]
    customers = int(rows["customers"].sum())
    text = (
        f"Valuable customers are lapsing: {customers:,} customers in "
        f"{_names(rows['name'])} brought more revenue than their size but "
        f"have not bought for a while"
    )
    if "revenue_share" in rows and np.isfinite(revenue):
        share = float(rows["revenue_share"].sum())
        text += (
            f"; they represent {format_money(share * revenue, currency)} "
            f"({format_share(share)} of revenue)"
        )
    return text + ". Suggested action: win back."


def _stability(validation):
    segments = validation.segments
    present = segments[segments["customers"] > 0]
    measured = present["stability"].notna()
    if not measured.any():
        return (
            f"The validation's verdict is '{validation.verdict}'; stability "
            "was not measured."
        )
    stable = present.loc[present["stability"] >= STABILITY_BANDS[1], "name"]
    return (
        f"{len(stable)} of {int(measured.sum())} segments are stable (bootstrap "
        f"Jaccard at least {STABILITY_BANDS[1]}) when the "
        f"segmentation is refitted on resampled customers; overall verdict: "
        f"'{validation.verdict}'."
    )


def _holdout(holdout, main_name):
    table = holdout["table"]
    effect = "spend effect"
    if main_name not in table.index or effect not in table:
        return None
    mine = float(table.at[main_name, effect])
    baselines = table[table.index.str.startswith("baseline")]
    best = baselines[effect].astype(float).max() if len(baselines) else np.nan
    comparison = (
        "better than" if mine > best else "no better than"
    ) + " the best baseline"
    return (
        f"Refitted on the customers as they were on {holdout['cutoff']}, the "
        f"segments separate next-period spend with an effect size of "
        f"{mine:.2f} ({comparison}, {best:.2f}); "
        f"{format_share(holdout['bought_again'])} of those customers bought again."
    )


def key_findings(
    *, X, profiles, actions, validation, holdout, main_name, revenue, currency
):
    """Plain-words findings, most useful first; parts that failed are skipped."""
    profiles = profiles[profiles["customers"] > 0]
    findings = [
        _who_brings_revenue(profiles, currency),
        _revenue_concentration(X) if "monetary" in X else None,
        _lapsing(profiles, actions, revenue, currency) if actions is not None else None,
        _stability(validation) if validation is not None else None,
        _holdout(holdout, main_name) if holdout is not None else None,
    ]
    return [f for f in findings if f]

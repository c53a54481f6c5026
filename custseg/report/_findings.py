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


def _next_year(value):
    return f"the next {value['horizon_days']} days"


def _lapsing(profiles, actions, revenue, currency, value):
    lapsing = actions.index[actions["action"] == "win back"]
    lapsing = lapsing[lapsing.isin(profiles.index)]
    if not len(lapsing):
        return None
    rows = profiles.loc[lapsing]
    customers = int(rows["customers"].sum())
    text = (
        f"Valuable customers are lapsing: {customers:,} customers in "
        f"{_names(rows['name'])} brought more revenue than their size but "
        f"have not bought for a while"
    )
    has_revenue = "revenue_share" in rows and np.isfinite(revenue)
    if value is not None and "expected_value_share" in rows:
        # the shares side by side: size, past revenue, expected value
        shares = [f"{format_share(rows['share'].sum())} of customers"]
        if has_revenue:
            share = float(rows["revenue_share"].sum())
            shares.append(
                f"{format_share(share)} of past revenue "
                f"({format_money(share * revenue, currency)})"
            )
        shares.append(
            f"{format_share(rows['expected_value_share'].sum())} of the expected "
            f"value of {_next_year(value)} "
            f"({format_money(rows['expected_value'].sum(), currency)})"
        )
        text += f": {', '.join(shares[:-1])} and {shares[-1]}"
        text += _still_active(
            rows["repeat_buyers"].sum(), rows["repeat_buyers_alive"].sum(), "their"
        )
    elif has_revenue:
        share = float(rows["revenue_share"].sum())
        text += (
            f"; they represent {format_money(share * revenue, currency)} "
            f"({format_share(share)} of revenue)"
        )
    return text + ". Suggested action: win back."


def _still_active(repeat, alive, whose):
    """Customers still active, told for repeat buyers only.

    The BG/NBD counts every customer who never bought again as active (it
    lets customers leave only right after a purchase), so a share of all
    customers would overstate it.
    """
    repeat = int(repeat)
    if not repeat:
        return f"; none of {whose} customers bought more than once"
    return (
        f"; of {whose} {repeat:,} customers who bought more than once, an "
        f"expected {float(alive):,.0f} ({format_share(float(alive) / repeat)}) "
        "are still active"
    )


def _value_total(value, currency):
    text = (
        "The purchase and spend models (BG/NBD and Gamma-Gamma, fitted on "
        f"{value['customers']:,} customers) expect "
    )
    if value["expected_value"] is not None:
        text += f"{format_money(value['expected_value'], currency)} from "
    text += (
        f"{value['expected_purchases']:,.0f} repeat purchases over {_next_year(value)}"
    )
    text += _still_active(
        value["repeat_customers"], value["expected_alive_repeat"], "the"
    )
    caveat = "the model counts those who bought once as active"
    dropout = value.get("dropout", 1.0)
    if dropout < 0.01:
        caveat += (
            "; an upper bound here: it sees almost no customer leave, a mean "
            f"dropout probability after a purchase of {dropout:.2%}"
        )
    return text + f" ({caveat})."


def _who_holds_value(profiles, value, currency):
    if "expected_value_share" not in profiles or len(profiles) < 2:
        return None
    excess = profiles["expected_value_share"] - profiles["share"]
    if not excess.max() > 0:
        return None
    top = profiles.loc[excess.idxmax()]
    text = (
        f"'{top['name']}' holds the most expected value for its size: "
        f"{format_share(top['expected_value_share'])} of the expected value of "
        f"{_next_year(value)} ({format_money(top['expected_value'], currency)}) "
        f"from {format_share(top['share'])} of customers"
    )
    if "revenue_share" in top:
        text += f", who brought {format_share(top['revenue_share'])} of past revenue"
    return text + "."


def _value_fading(profiles, value, lapsing):
    """The valuable segment whose expected value falls furthest below its past revenue.

    Valuable: more revenue than its size.  Not the segment that holds the most
    expected value for its size (with two segments, the leader always loses
    share to the other), nor one the lapsing finding already names.
    """
    if not {"expected_value_share", "revenue_share"} <= set(profiles):
        return None
    revenue = profiles["revenue_share"].astype(float)
    drop = revenue - profiles["expected_value_share"]
    leader = (profiles["expected_value_share"] - profiles["share"]).idxmax()
    candidates = (revenue > profiles["share"]) & ~profiles.index.isin(
        [*lapsing, leader]
    )
    drop = drop[candidates]
    # a fall of less than 5 points of share is within what one year shifts
    if not len(drop) or not drop.max() >= 0.05:
        return None
    row = profiles.loc[drop.idxmax()]
    return (
        f"Past revenue overstates '{row['name']}': it brought "
        f"{format_share(row['revenue_share'])} of past revenue but holds "
        f"{format_share(row['expected_value_share'])} of the expected value of "
        f"{_next_year(value)}"
        + _still_active(row["repeat_buyers"], row["repeat_buyers_alive"], "its")
        + "."
    )


def _stable_count(present):
    """Segments stable over chance: Hennig's band of the excess, not raw Jaccard.

    A 90/10 split has a bootstrap Jaccard near 0.9 by size alone; the band of
    ``stability_excess`` (computed by the validation) is what may be read.
    """
    if "stability_band" in present:
        bands = present["stability_band"]
        measured = ~bands.isin(["not computed", "not applicable"])
        stable = bands.isin(["stable", "highly stable"])
        return int((stable & measured).sum()), int(measured.sum())
    measured = present["stability"].notna()
    return 0, int(measured.sum())


def _leader(holdout, main_name):
    """The segmentation ahead of the report's own on next-period spend, or None."""
    if holdout is None:
        return None
    table = holdout["table"]
    effect = "spend effect"
    if main_name not in table.index or effect not in table:
        return None
    effects = table[effect].astype(float)
    others = effects.drop(main_name).dropna()
    if not len(others) or not others.max() > effects[main_name]:
        return None
    return others.idxmax(), float(others.max()), float(effects[main_name])


def _stability(validation, leader=None):
    segments = validation.segments
    present = segments[segments["customers"] > 0]
    stable, measured = _stable_count(present)
    if not measured:
        text = (
            f"The validation's verdict is '{validation.verdict}'; stability "
            "was not measured"
        )
    else:
        text = (
            f"{stable} of {measured} segments are stable (bootstrap agreement "
            f"above chance of at least {STABILITY_BANDS[1]}) when the "
            "segmentation is refitted on resampled customers; overall verdict: "
            f"'{validation.verdict}'"
        )
    if leader is not None:
        name, best, mine = leader
        text += (
            f", but on next-period spend it is behind '{name}' (effect size "
            f"{mine:.2f} vs {best:.2f})"
        )
    return text + "."


def _holdout(holdout, main_name, leader):
    table = holdout["table"]
    effect = "spend effect"
    if main_name not in table.index or effect not in table:
        return None
    mine = float(table.at[main_name, effect])
    if leader is not None:
        name, best, _ = leader
        comparison = f"behind '{name}', {best:.2f}"
    else:
        others = table[effect].astype(float).drop(main_name).dropna()
        comparison = (
            "ahead of the other segmentations and the baselines"
            if len(others)
            else "no baseline to compare"
        )
        if len(others) and others.max() == mine:
            comparison = f"level with '{others.idxmax()}'"
    return (
        f"Refitted on the customers as they were on {holdout['cutoff']}, the "
        f"segments separate next-period spend with an effect size of "
        f"{mine:.2f} ({comparison}); "
        f"{format_share(holdout['bought_again'])} of those customers bought again."
    )


def key_findings(
    *,
    X,
    profiles,
    actions,
    validation,
    holdout,
    main_name,
    revenue,
    currency,
    value=None,
):
    """Plain-words findings, most useful first; parts that failed are skipped.

    ``value`` is the report's value part (expected purchases, value and
    customers still active per segment in ``profiles``), or None.
    """
    profiles = profiles[profiles["customers"] > 0]
    has_value = value is not None and value["expected_value"] is not None
    lapsing = (
        [] if actions is None else list(actions.index[actions["action"] == "win back"])
    )
    # a segmentation that is stable but predicts next-period spend worse than
    # another is not told as a bare "supported"
    leader = _leader(holdout, main_name)
    findings = [
        _who_brings_revenue(profiles, currency),
        _who_holds_value(profiles, value, currency) if has_value else None,
        _revenue_concentration(X) if "monetary" in X else None,
        _lapsing(profiles, actions, revenue, currency, value if has_value else None)
        if actions is not None
        else None,
        _value_fading(profiles, value, lapsing) if has_value else None,
        _value_total(value, currency) if value is not None else None,
        _stability(validation, leader) if validation is not None else None,
        _holdout(holdout, main_name, leader) if holdout is not None else None,
    ]
    return [f for f in findings if f]

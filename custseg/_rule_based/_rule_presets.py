"""Rule presets for :class:`~custseg.RFMSegmenter`, with one-line descriptions.

Each preset is a list of rules evaluated in order (first match wins).  A rule
is either inclusive score ranges per metric (a missing metric means any
score) or an explicit list of ``"RFM"`` codes.  Scores run from 1 to the
preset's ``n_bins`` and higher is better for all three metrics (recency is
reversed by :class:`~custseg.RFMScorer`).

Scores rank customers against each other, so the descriptions are relative:
"more recent than most" means a higher recency score in the fitted table, not
a number of days (on CDNOW, whose buyers mostly lapsed, "Loyal" customers last
bought a median 340 days before the end).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from custseg._sklearn_compat import validate_params

__all__ = [
    "PRESETS",
    "btyd_marker",
    "default_scorer_params",
    "get_rule_preset",
    "list_rule_presets",
    "preset_table",
    "refuse_btyd_for_default_columns",
]

_DESCRIPTIONS = {
    "Champions": "Bought more recently, buy more often and spend more than most customers.",
    "Loyal": "Buy more often and more recently than most: the core of repeat business.",
    "Loyal Customers": "Buy regularly and spend well: the core of repeat business.",
    "Potential Loyalist": "More recent than most, with more than one order: can become regulars.",
    "New": "One order, among the most recent in the data; not yet a habit.",
    "New Customers": "Few orders, the last more recent than most; not yet a habit.",
    "Promising": "More recent than most, with a single order so far.",
    "Need Attention": "Middling recency and frequency; will slip without a nudge.",
    "About to Sleep": "Few orders, the last older than most; reactivate before they lapse.",
    "About To Sleep": "Few orders, the last older than most; reactivate before they lapse.",
    "At Risk": "Bought more often than most, but less recently than most.",
    "Can't Lose Them": "Among the most frequent, biggest spenders, and among the longest quiet.",
    "Hibernating": "Few orders and low spend, the last one older than most.",
    "Lost": "Lowest recency and frequency: the least likely to come back.",
    "Premium Customer": "Top two quartiles on recency, frequency and monetary value.",
    "Repeat Customer": "Top two frequency quartiles and top half on recency or spend.",
    "Top Spender": "Top two monetary quartiles and top half on recency or frequency.",
    "At Risk Customer": "Bottom two quartiles on at least two of the three metrics.",
    "Inactive Customer": "Bottom quartile on at least two of the three metrics.",
    "Loyal Accounts": "More recent and frequent than most, and spend well.",
    "New Active Accounts": "Among the most recent buyers, with one order.",
    "Low Spenders": "More recent than most, with the lowest spend.",
}


def _ranges(r=(1, 5), f=(1, 5), m=(1, 5)):
    return {"recency": r, "frequency": f, "monetary": m}


def _r_table(names, rl, ru, fl, fu, ml, mu):
    return [
        (n, _ranges((a, b), (c, d), (e, g)))
        for n, a, b, c, d, e, g in zip(names, rl, ru, fl, fu, ml, mu, strict=True)
    ]


# R rfm (rfm_segment examples).  Current docs: first match wins.
_R_CURRENT = _r_table(
    [
        "Champions", "Potential Loyalist", "Loyal Customers", "Promising",
        "New Customers", "Can't Lose Them", "At Risk", "Need Attention",
        "About To Sleep", "Lost",
    ],
    [5, 3, 2, 3, 4, 1, 1, 1, 2, 1],
    [5, 5, 4, 4, 5, 2, 2, 3, 3, 1],
    [5, 3, 2, 1, 1, 3, 2, 3, 1, 1],
    [5, 5, 4, 3, 3, 4, 5, 5, 3, 5],
    [5, 2, 2, 3, 1, 4, 4, 3, 1, 1],
    [5, 5, 4, 5, 5, 5, 5, 5, 4, 5],
)  # fmt: skip

# The vignette example of rfm <= 0.2.x, whose loop let a later rule overwrite
# an earlier one (last match wins, fixed in rsquaredacademy/rfm#67).  Listed
# here in reverse so that first-match-wins reproduces what R computed.
_R_LEGACY = _r_table(
    [
        "Champions", "Loyal Customers", "Potential Loyalist", "New Customers",
        "Promising", "Need Attention", "About To Sleep", "At Risk",
        "Can't Lose Them", "Lost",
    ],
    [4, 2, 3, 4, 3, 2, 2, 1, 1, 1],
    [5, 5, 5, 5, 4, 3, 3, 2, 1, 2],
    [4, 3, 1, 1, 1, 2, 1, 2, 4, 1],
    [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
    [4, 3, 1, 1, 1, 2, 1, 2, 4, 1],
    [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
)[::-1]  # fmt: skip

# PyMC-Marketing ``rfm_segments`` default ``segment_config`` (quartiles).
_PYMC = [
    ("Premium Customer", "334 443 444 344 434 433 343 333".split()),
    ("Repeat Customer", "244 234 232 332 143 233 243".split()),
    (
        "Top Spender",
        "424 414 144 314 324 124 224 423 413 133 323 313 134".split(),
    ),
    (
        "At Risk Customer",
        "422 223 212 122 222 132 322 312 412 123 214".split(),
    ),
    ("Inactive Customer", "411 111 113 114 112 211 311".split()),
]

# PyPI rfm 1.0.9 (RFM.find_segments): an if/elif chain, first match wins;
# codes no rule covers get no name there ("Other" here).
_PYPI_RFM = [
    ("Champions", _ranges(r=(4, 5), f=(4, 5), m=(4, 5))),
    ("Promising", _ranges(r=(4, 5), f=(1, 2), m=(3, 5))),
    ("Loyal Accounts", _ranges(r=(3, 5), f=(3, 5), m=(3, 5))),
    ("Potential Loyalist", _ranges(r=(3, 5), f=(2, 3), m=(2, 4))),
    ("New Active Accounts", _ranges(r=(5, 5), f=(1, 1), m=(1, 5))),
    ("Low Spenders", _ranges(r=(3, 5), f=(1, 5), m=(1, 2))),
    ("Need Attention", _ranges(r=(2, 3), f=(1, 2), m=(4, 5))),
    ("About to Sleep", _ranges(r=(2, 3), f=(1, 2), m=(1, 3))),
    ("At Risk", _ranges(r=(1, 2), f=(1, 5), m=(3, 5))),
    ("Lost", _ranges(r=(1, 2), f=(1, 5), m=(1, 2))),
]

# custseg's Putler-style map: 11 named segments covering all 125 codes with
# no rule shadowed (checked in tests/test_rules.py).
_PUTLER = [
    ("Champions", _ranges(r=(4, 5), f=(4, 5), m=(4, 5))),
    ("Loyal", _ranges(r=(3, 5), f=(3, 5))),
    ("Potential Loyalist", _ranges(r=(4, 5), f=(2, 2))),
    ("New", _ranges(r=(5, 5), f=(1, 1))),
    ("Promising", _ranges(r=(4, 4), f=(1, 1))),
    ("Need Attention", _ranges(r=(3, 3), f=(2, 2))),
    ("About to Sleep", _ranges(r=(3, 3), f=(1, 1))),
    ("Can't Lose Them", _ranges(r=(1, 2), f=(4, 5), m=(4, 5))),
    ("At Risk", _ranges(r=(1, 2), f=(3, 5))),
    ("Hibernating", _ranges(r=(2, 2), f=(1, 2))),
    ("Lost", _ranges(r=(1, 1), f=(1, 2))),
]

PRESETS = {
    "putler": {
        "rules": _PUTLER,
        "n_bins": 5,
        "catch_all": "Other",
        "description": "11 Putler-style segments on quintile scores, covering all "
        "125 codes (the default).",
    },
    "r_rfm": {
        "rules": _R_CURRENT,
        "n_bins": 5,
        "catch_all": "Others",
        "description": "R rfm's documented rfm_segment example (current "
        "version, first match wins).",
    },
    "r_rfm_legacy": {
        "rules": _R_LEGACY,
        "n_bins": 5,
        "catch_all": "Others",
        "description": "R rfm <= 0.2 vignette example as R evaluated it (last "
        "match wins): Champions is never reached.",
    },
    "pymc": {
        "rules": _PYMC,
        "n_bins": 4,
        "catch_all": "Other",
        # defined on PyMC's BTYD features: recency = first to last purchase
        "table": "btyd",
        # pandas.qcut(q=4, duplicates="drop") with the bins left renumbered
        "scorer": {"method": "qcut"},
        "description": "PyMC-Marketing rfm_segments default segment_config "
        "(quartile codes as pandas.qcut numbers them when ties merge bins; "
        "18 of 64 codes fall to 'Other').",
    },
    "pypi_rfm": {
        "rules": _PYPI_RFM,
        "n_bins": 5,
        "catch_all": "Other",
        # pandas.qcut(x.rank(method="first"), 5): ties split by customer id
        "scorer": {"method": "rank"},
        "description": "PyPI rfm's ten segments on rank-first quintile scores.",
    },
}


def default_scorer_params(rules: Any, columns: Any) -> dict[str, Any]:
    """Parameters of the :class:`~custseg.RFMScorer` a segmenter builds itself.

    A preset names its own scoring method (``"pymc"``: ``"qcut"``,
    ``"pypi_rfm"``: ``"rank"``).  Monetary value is read from ``monetary``,
    or from ``monetary_value`` when the table has only that column (the
    BTYD tables of :func:`~custseg.rfm_table` and PyMC-Marketing).
    """
    params = {}
    if isinstance(rules, str) and rules in PRESETS:
        params.update(PRESETS[rules].get("scorer", {}))
    columns = set(() if columns is None else columns)
    if "monetary_value" in columns and "monetary" not in columns:
        params["monetary_col"] = "monetary_value"
    return params


def preset_table(rules: Any) -> str:
    """The RFM table a preset is defined on: ``"classic"`` or ``"btyd"``.

    Custom rules are read as classic: the default scorer reverses recency,
    which is right only for days since the last purchase.
    """
    if isinstance(rules, str) and rules in PRESETS:
        return PRESETS[rules].get("table", "classic")
    return "classic"


def btyd_marker(columns: Any) -> str | None:
    """Why a table looks like a BTYD table (``None`` when it does not).

    Only the age column ``T`` marks one: ``monetary_value`` alone does not,
    since PyPI ``rfm`` names its classic monetary column so.
    """
    columns = set(() if columns is None else columns)
    return "it has a 'T' column" if "T" in columns else None


def refuse_btyd_for_default_columns(X: Any, columns: list) -> None:
    """RFMScorer with its default columns refuses a BTYD table."""
    lazy = type(X).__name__ == "LazyFrame"
    marker = None if lazy else btyd_marker(getattr(X, "columns", None))
    if marker and list(columns) == ["recency", "frequency", "monetary"]:
        raise ValueError(
            f"RFMScorer: X looks like a BTYD table ({marker}), whose recency is "
            "the time from first to last purchase; the default columns score "
            'classic RFM. Use rfm_table(..., definition="classic"), or name '
            "the columns (monetary_col='monetary_value') to score it as it is."
        )


def describe_segment(name: str) -> str:
    """One-line description of a preset segment name ('' when unknown)."""
    return _DESCRIPTIONS.get(name, "")


@validate_params(
    {},
    prefer_skip_nested_validation=True,
)
def list_rule_presets() -> pd.DataFrame:
    """List the rule presets of :class:`~custseg.RFMSegmenter`.

    Returns
    -------
    pandas.DataFrame
        Indexed by preset name, with ``n_rules``, ``n_bins``, the name of the
        catch-all segment, the RFM table the preset is defined on (``table``:
        ``"classic"``, recency in days since the last purchase, or ``"btyd"``,
        the table of ``rfm_table(..., definition="btyd")``) and a description.

    Examples
    --------
    >>> from custseg import list_rule_presets
    >>> list_rule_presets()[["n_rules", "n_bins"]]
                  n_rules  n_bins
    preset
    putler             11       5
    r_rfm              10       5
    r_rfm_legacy       10       5
    pymc                5       4
    pypi_rfm           10       5
    """
    rows = {
        name: {
            "n_rules": len(p["rules"]),
            "n_bins": p["n_bins"],
            "catch_all": p["catch_all"],
            "table": p.get("table", "classic"),
            "description": p["description"],
        }
        for name, p in PRESETS.items()
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "preset"
    return out


@validate_params(
    {"name": [str]},
    prefer_skip_nested_validation=True,
)
def get_rule_preset(name: str) -> pd.DataFrame:
    """Return a preset's rules as a DataFrame, in evaluation order.

    The frame can be edited and passed back as ``RFMSegmenter(rules=...)``.

    Parameters
    ----------
    name : str
        A preset name from :func:`list_rule_presets`.

    Returns
    -------
    pandas.DataFrame
        One row per rule: ``segment``, ``description`` and either the
        inclusive score ranges (``recency_lower``, ``recency_upper``, ...) or
        ``codes`` (a list of ``"RFM"`` code strings).

    Examples
    --------
    >>> from custseg import get_rule_preset
    >>> get_rule_preset("putler").iloc[0][["segment", "recency_lower", "monetary_upper"]]
    segment           Champions
    recency_lower             4
    monetary_upper            5
    Name: 0, dtype: object
    """
    if name not in PRESETS:
        raise ValueError(
            f"Unknown rule preset {name!r}; choose one of {sorted(PRESETS)}."
        )
    rows = []
    for segment, spec in PRESETS[name]["rules"]:
        row = {"segment": segment, "description": describe_segment(segment)}
        if isinstance(spec, dict):
            for metric, (lo, hi) in spec.items():
                row[f"{metric}_lower"], row[f"{metric}_upper"] = lo, hi
        else:
            row["codes"] = list(spec)
        rows.append(row)
    return pd.DataFrame(rows)

"""One formatter for numbers and tables, shared by every rendered report.

:class:`custseg.ValidationReport` and the HTML / markdown report of
``custseg.report`` format cells and build markdown tables here, so the same
number reads the same way everywhere.

Numbers are formatted by *kind*, read off the column name (:func:`column_kind`):
shares as percentages (``12.5%``), money with thousands separators and an
optional currency (``£3,723``), p-values with three decimals or ``< 0.001``,
counts and days as whole numbers with separators, other measures with three
significant digits; never scientific notation, and infinite bounds as ``none``.
"""

from __future__ import annotations

import math
import re

import numpy as np

__all__ = [
    "HEADERS",
    "column_kind",
    "format_cell",
    "format_money",
    "format_p_value",
    "format_share",
    "format_table",
    "format_value",
    "header",
    "markdown_table",
    "plain_value",
    "records",
]

# Readable headers for the column names custseg's tables use.
HEADERS = {
    "name": "Segment",
    "description": "Description",
    "customers": "Customers",
    "share": "Share of customers",
    "revenue_share": "Share of revenue",
    "value_share": "Share of value",
    "recency": "Recency (days, median)",
    "frequency": "Orders (median)",
    "monetary": "Spend (median)",
    "avg_order_value": "Average order (median)",
    "lower_bound": "From",
    "upper_bound": "Up to",
    "stability": "Stability (Jaccard)",
    "stability_band": "Stability band",
    "stability_chance": "Stability by chance",
    "verdict": "Verdict",
    "reasons": "Why",
    "p_value": "p-value",
    "p_adjusted": "p-value (adjusted)",
    "effect_size": "Effect size",
    "effect_measure": "Effect measure",
    "magnitude": "Magnitude",
    "separates": "Separates segments",
    "predictive": "Predicts the outcome",
    "statistic": "Statistic",
    "test": "Test",
    "kind": "Kind",
    "feature": "Feature",
    "outcome": "Outcome",
    "too_small": "Too small",
    "action": "Suggested action",
    "why": "Why this action",
    "segments": "Segments",
    "smallest_share": "Smallest segment",
    "silhouette": "Silhouette",
    "supported_share": "Customers in supported segments",
    "merge_candidates": "Merge candidates",
    "segmentation": "Segmentation",
    "tier": "Tier",
}

_MONEY = re.compile(r"monetary|revenue(?!_share)|spend|order_value|amount|value$")


def header(name):
    """A readable header for a column name (``revenue_share`` → ``Share of revenue``)."""
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def column_kind(name):
    """How a column's numbers are formatted: its kind, read off its name.

    Returns one of ``"share"``, ``"p_value"``, ``"money"``, ``"count"``,
    ``"measure"``.

    Examples
    --------
    >>> [column_kind(c) for c in ["revenue_share", "p_adjusted", "monetary",
    ...                           "customers", "stability"]]
    ['share', 'p_value', 'money', 'count', 'measure']
    """
    text = str(name).lower()
    if "effect" in text or "stability" in text or "silhouette" in text:
        return "measure"
    if "share" in text or text.endswith("(mean)") and "bought" in text:
        return "share"
    if text.startswith("p_") or text in {"p", "p-value", "pvalue"}:
        return "p_value"
    if _MONEY.search(text):
        return "money"
    if text in {"customers", "orders", "frequency", "recency", "segments", "tenure"}:
        return "count"
    return "measure"


def _finite(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def format_share(value):
    """A share as a percentage: ``0.125`` → ``12.5%``; tiny but non-zero → ``< 0.1%``."""
    if value is None or not math.isfinite(value):
        return ""
    if 0 < abs(value) < 0.0005:
        return "< 0.1%"
    return f"{value:.1%}"


def format_money(value, currency=None):
    """Money with thousands separators: whole units from 100 up, else cents.

    ``currency`` is a symbol put in front (``"£"``, ``"$"``) or a code put
    after (``"GBP"``).

    Examples
    --------
    >>> format_money(3723.4), format_money(61.08, "£"), format_money(-1200, "EUR")
    ('3,723', '£61.08', '-1,200 EUR')
    """
    if value is None or not math.isfinite(value):
        return "none" if value is not None and math.isinf(value) else ""
    text = f"{abs(value):,.0f}" if abs(value) >= 100 else f"{abs(value):,.2f}"
    sign = "-" if value < 0 and text.strip("0.,") else ""
    if not currency:
        return sign + text
    if currency.isalpha() and len(currency) > 1:
        return f"{sign}{text} {currency}"
    return f"{sign}{currency}{text}"


def format_p_value(value):
    """A p-value: three decimals, or ``< 0.001`` (never ``0``)."""
    if value is None or not math.isfinite(value):
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def format_cell(value):
    """A cell whose kind is unknown: three significant digits, separators."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "none"
        if abs(value) >= 1e4 or (float(value).is_integer() and abs(value) < 1e15):
            return f"{value:,.0f}"
        if 0 < abs(value) < 1e-3:
            return "< 0.001" if value > 0 else "> -0.001"
        return f"{value:.3g}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return str(value)


def format_value(value, kind="measure", *, currency=None):
    """Format one number by its kind (see :func:`column_kind`)."""
    if not _finite(value):
        return format_cell(value)
    value = float(value) if isinstance(value, np.floating) else value
    if kind == "share":
        return format_share(float(value))
    if kind == "p_value":
        return format_p_value(float(value))
    if kind == "money":
        return format_money(float(value), currency)
    if kind == "count":
        if not math.isfinite(value):
            return format_cell(float(value))
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if isinstance(value, float) and math.isfinite(value):
        # measures (stability, effect sizes, statistics) keep two decimals so a
        # column reads alike: 1.00 beside 0.85
        return f"{value:,.2f}" if abs(value) < 1e4 else f"{value:,.0f}"
    return format_cell(value)


def format_table(frame, *, currency=None, kinds=None):
    """A DataFrame of formatted strings with readable headers.

    Each column is formatted by its kind (``kinds`` overrides it per column);
    the index, if named, becomes the first column.
    """
    frame = frame.reset_index() if frame.index.name else frame
    kinds = dict(kinds or {})
    out = {}
    for column in frame.columns:
        kind = kinds.get(column, column_kind(column))
        out[header(column)] = [
            format_value(v, kind, currency=currency) for v in frame[column]
        ]
    import pandas as pd

    return pd.DataFrame(out, index=range(len(frame)))


def plain_value(value):
    """A JSON-ready Python value (NaN becomes None)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def records(frame):
    if frame is None:
        return None
    frame = frame.reset_index() if frame.index.name else frame
    return [
        {str(k): plain_value(v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def markdown_table(frame, *, formatted=False):
    """A markdown table; ``formatted`` means the cells are already strings."""
    frame = frame.reset_index() if frame.index.name else frame
    header_line = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    lines = [header_line, rule]
    for row in frame.itertuples(index=False):
        cells = (
            (str(v) if formatted else format_cell(v)).replace("|", "\\|") for v in row
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

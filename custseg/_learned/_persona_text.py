"""Persona descriptions in plain words, with units, direction and a currency.

"Bought 7 days ago on median, 30 orders, spends 3,723 in total. 12% of
customers, 56% of revenue."  Numbers are written in plain notation (thousands
separators, never an exponent), shares as percentages.
"""

from __future__ import annotations

import numpy as np

__all__ = ["describe_segment", "key_of", "label_of", "number_text", "percent_text"]


def key_of(feature):
    return str(feature).strip().lower().replace(" ", "_")


def label_of(feature):
    """Readable name of a column: ``Annual_Income`` -> ``annual income``."""
    text = str(feature).replace("_", " ").strip()
    return text.lower() if not text.isupper() else text


def number_text(value):
    """A number in plain notation: thousands separators, no exponent."""
    value = float(value)
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 10 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _money(value, currency):
    amount = number_text(value) if abs(value) >= 100 else f"{value:,.2f}"
    if not currency:
        return amount
    return f"{currency}{amount}" if len(currency) == 1 else f"{amount} {currency}"


def percent_text(share):
    """A share as a percentage: "12%", "2.5%", "8%"."""
    text = f"{share:.0%}" if share >= 0.1 or share == 0 else f"{share:.1%}"
    return text.replace(".0%", "%")


def _numeric_phrase(feature, value, word, currency):
    key = key_of(feature)
    if key == "recency":
        return f"bought {number_text(value)} days ago"
    if key == "frequency":
        return f"{number_text(value)} order{'' if value == 1 else 's'}"
    if key == "monetary":
        return f"spends {_money(value, currency)} in total"
    if key == "age":
        return f"aged {number_text(value)}"
    return f"{word} ({number_text(value)})"


def describe_segment(row, words, features, kinds, currency, attribute_parts):
    numeric = [
        _numeric_phrase(f, row[f], words.get(f, label_of(f)), currency)
        for f in features
        if kinds[f] == "numeric" and np.isfinite(row[f])
    ]
    if numeric:
        numeric[0] += " on median"
    text = ", ".join(numeric)
    if attribute_parts:
        text = "; ".join([t for t in (text, ", ".join(attribute_parts)) if t])
    text = text[:1].upper() + text[1:] + "." if text else ""
    if "share" in row:
        text += f" {percent_text(row['share'])} of customers"
        if "revenue_share" in row and np.isfinite(row["revenue_share"]):
            text += f", {percent_text(row['revenue_share'])} of revenue"
        text += "."
    return text.strip()

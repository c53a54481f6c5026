"""One formatter for numbers and tables, shared by every rendered report.

:class:`custseg.ValidationReport` and the HTML / markdown report of
``custseg.report`` format cells and build markdown tables here, so the same
number reads the same way everywhere.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["format_cell", "markdown_table", "plain_value", "records"]


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


def format_cell(value):
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def markdown_table(frame):
    frame = frame.reset_index() if frame.index.name else frame
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    lines = [header, rule]
    for row in frame.itertuples(index=False):
        cells = (format_cell(v).replace("|", "\\|") for v in row)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)

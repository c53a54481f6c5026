"""A DataFrame as a markdown table, shared by the benchmarks' printouts.

Written out rather than ``DataFrame.to_markdown`` so the benchmarks need no
``tabulate``.
"""


def markdown(frame):
    """A DataFrame as a markdown table (no tabulate dependency)."""
    cells = [[str(c) for c in frame.columns]]
    cells += [["" if v is None else str(v) for v in row] for row in frame.to_numpy()]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)

"""Render a report as a standalone HTML page or markdown.

Rendering never recomputes anything.  The report is first laid out once as a
list of blocks (headings, paragraphs, lists, formatted tables, figures);
HTML and markdown are two ways of writing the same blocks, so they always
say the same thing.  Figures are embedded as PNG ``data:`` URIs, so the page
needs no network.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from custseg._evaluation import STABILITY_BANDS
from custseg._format import (
    column_kind,
    format_money,
    format_share,
    format_table,
    format_value,
    markdown_table,
)
from custseg.report._actions import ACTION_RULE

__all__ = ["CSS", "html_body", "html_page", "layout", "markdown"]

CSS = """
.custseg-page {font-family: system-ui, sans-serif; font-size: 14px;
  max-width: 1100px; margin: 0 auto; color: #222; line-height: 1.4;}
.custseg-page h1 {font-size: 24px;} .custseg-page h2 {font-size: 19px;
  border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 28px;}
.custseg-page table {border-collapse: collapse; margin: 6px 0 14px 0;}
.custseg-page th, .custseg-page td {border: 1px solid #ccc; padding: 3px 7px;
  text-align: right; vertical-align: top;}
.custseg-page th {background: #f3f3f3;}
.custseg-page td.text, .custseg-page th.text {text-align: left;}
.custseg-page td.num {white-space: nowrap;}
.custseg-page figure {margin: 10px 0 18px 0;}
.custseg-page figcaption {color: #555; font-size: 12px; max-width: 700px;}
.custseg-page img {max-width: 100%; height: auto;}
.custseg-page .findings li {margin-bottom: 4px;}
.custseg-page .verdict {font-size: 17px; font-weight: bold;}
.custseg-page .unavailable {background: #fff8e1; border-left: 4px solid #f0b400;
  padding: 4px 10px;}
"""

RFM_LABELS = {
    "recency": "Recency (days since last purchase)",
    "frequency": "Orders",
    "monetary": "Spend",
}
METHOD_TITLES = {
    "rfm": "RFM rule segments",
    "tiers": "usage tiers",
    "kmeans": "learned segments (k-means) with personas",
    "gmm": "learned segments (Gaussian mixture) with personas",
}
READER_NOTES = [
    "Recency counts whole days from a customer's last purchase to the "
    "reference date; orders are distinct orders; spend is the total net of "
    "returns.",
    "Medians describe the typical customer of a segment; shares are of all "
    "customers in the report.",
    "Suggested actions follow one rule, editable per segment (the actions "
    f"parameter of segmentation_report): {ACTION_RULE}",
    "Stability is the mean Jaccard coefficient of a segment with its best match "
    "when the segmentation is refitted on resampled customers: below {0} not "
    "trustworthy, {0} to {1} doubtful, {1} to {2} stable, from {2} highly "
    "stable.".format(*STABILITY_BANDS),
    "Effect sizes (epsilon squared for numbers, Cramér's V for yes/no "
    "outcomes) run from 0 (segments do not differ) to 1.",
]


def _nonempty(profiles):
    return profiles[profiles["customers"] > 0]


def _empty_line(profiles):
    empty = profiles.loc[profiles["customers"] == 0, "name"]
    if not len(empty):
        return []
    return [
        ("p", f"{len(empty)} segment(s) of the rules have no customer: "
         + ", ".join(map(str, empty)) + ".")
    ]  # fmt: skip


def _table(frame, currency, *, kinds=None, table_id=None):
    # an index that names rows (features, segmentations) is shown; segment
    # labels are not: the segment name says it
    keep = frame.index.name in ("feature", "outcome", "segmentation")
    frame = frame.reset_index() if keep else frame.reset_index(drop=True)
    text = [
        not pd.api.types.is_numeric_dtype(frame[c]) or frame[c].dtype == bool
        for c in frame.columns
    ]
    return (
        "table",
        format_table(frame, currency=currency, kinds=kinds),
        text,
        table_id,
    )


def _segments_table(report):
    profiles = _nonempty(report.segments)
    columns = ["name", "customers", "share", "revenue_share"]
    columns += [c for c in ("recency", "frequency", "monetary") if c in profiles]
    columns += ["expected_value_share", "expected_value"]
    frame = profiles[[c for c in columns if c in profiles]].copy()
    if {"repeat_buyers", "repeat_buyers_alive"} <= set(profiles):
        # "1,536 of 3,922": the model's active customers among repeat buyers
        frame["repeat_buyers_alive"] = [
            f"{alive:,.0f}\u00a0of\u00a0{n:,}"
            for alive, n in zip(
                profiles["repeat_buyers_alive"], profiles["repeat_buyers"], strict=True
            )
        ]
    frame = frame.rename(columns=_VALUE_HEADERS)
    if report.actions is not None:
        frame.insert(1, "action", report.actions["action"].reindex(frame.index))
        frame.insert(2, "why", report.actions["why"].reindex(frame.index))
    if "description" in profiles:
        frame["description"] = profiles["description"]
    return frame


_VALUE_HEADERS = {
    "expected_value_share": "Share of expected value",
    "expected_value": "Expected value",
    "repeat_buyers_alive": "Repeat buyers still active",
}
_VALUE_KINDS = {"Share of expected value": "share", "Expected value": "money"}


def _value_note(report):
    if report.value is None:
        return []
    return [
        ("p", f"Expected value: of the next {report.value['horizon_days']} days, "
         "by the BG/NBD purchase and Gamma-Gamma spend models fitted on this log. "
         "Repeat buyers still active: the models' expected number among the "
         "customers who bought more than once (they count those who bought once "
         "as active).")
    ]  # fmt: skip


def _rfm_summary(report):
    rows = []
    for feature, stats in report.rfm_summary.iterrows():
        kind = "money" if column_kind(feature) == "money" else "count"
        row = {"Feature": RFM_LABELS.get(feature, feature)}
        for label, key in (("Median", "50%"), ("Mean", "mean"), ("Lowest", "min"),
                           ("25%", "25%"), ("75%", "75%"), ("Highest", "max")):  # fmt: skip
            value = stats[key]
            row[label] = (
                format_money(value, report.currency)
                if kind == "money"
                else format_value(value, "count" if key != "mean" else "measure")
            )
        rows.append(row)
    return ("table", pd.DataFrame(rows), [True] + [False] * 6, None)


def _tiers_table(tiers):
    frame = pd.DataFrame(
        {
            "tier": tiers["tier"],
            "orders per customer": [
                f"{lo:,.0f}" if lo == hi else f"{lo:,.0f} to {hi:,.0f}"
                for lo, hi in zip(tiers["min"], tiers["max"], strict=True)
            ],
            "customers": tiers["customers"],
            "share": tiers["share"],
            "share of orders": tiers["value_share"],
        }
    ).reset_index(drop=True)
    return ("table", format_table(frame), [True, True, False, False, False], None)


def _holdout_blocks(report):
    holdout = report.holdout
    if holdout is None:
        return []
    table = holdout["table"].copy()
    if {"spend effect_low", "spend effect_high"} <= set(table.columns):
        # the effect's bootstrap interval, as one readable cell
        table["spend interval"] = [
            f"{lo:.2f} to {hi:.2f}" if np.isfinite(lo) and np.isfinite(hi) else ""
            for lo, hi in zip(
                table["spend effect_low"], table["spend effect_high"], strict=True
            )
        ]
    keep = ["segments", "spend effect", "spend interval", "bought_again effect",
            "versus_leader", "stability", "verdict"]  # fmt: skip
    frame = table[[c for c in keep if c in table]].rename(
        columns={
            "spend effect": "next-period spend (effect size)",
            "spend interval": "next-period spend, 95% interval",
            "bought_again effect": "bought again (effect size)",
            "versus_leader": "against the best",
        }
    )
    return [
        ("h2", "Does it predict the next period?", "holdout"),
        ("p", f"Each segmentation was refitted on the {holdout['customers']:,} "
         f"customers as they were on {holdout['cutoff']} and judged by how "
         "strongly its segments differ in what happened after that day: "
         f"{format_share(holdout['bought_again'])} bought again and spent "
         f"{format_money(holdout['spend'], report.currency)} in total. Two "
         "baselines show what a segmentation with no insight achieves: thirds "
         "of past spend, and as many random segments as this report shows. "
         "Larger effect sizes are better."),
        _table(frame, report.currency),
    ]  # fmt: skip


def layout(report):
    """The report as a list of blocks, rendered by :func:`html_body` and :func:`markdown`."""
    validation = report.validation
    blocks = [("h1", report.title, None), ("h2", "Key findings", "findings")]
    blocks.append(("ul", report.findings or ["No finding could be computed."]))
    if report.unavailable:
        blocks += [
            ("h2", "What could not be computed", "unavailable"),
            ("ul", report.unavailable),
        ]
    blocks += [
        ("h2", f"Segments: {METHOD_TITLES[report.method]}", "segment-section"),
        _table(
            _segments_table(report),
            report.currency,
            kinds=_VALUE_KINDS,
            table_id="segments",
        ),  # fmt: skip
        *_value_note(report),
        *(_empty_line(report.segments) if report.method == "rfm" else []),
        ("figures", ["segment_sizes", "profiles", "k_selection", "silhouette"]),
        *_holdout_blocks(report),
        ("h2", "Validation", "validation"),
    ]
    if validation is None:
        blocks.append(("p", "The validation could not be computed (see above)."))
    else:
        present = _nonempty(validation.segments)
        columns = ["name", "customers", "share", "stability", "stability_chance",
                   "stability_band", "verdict", "reasons"]  # fmt: skip
        blocks += [
            ("p", f"Verdict: {validation.verdict}", "verdict"),
            ("ul", list(validation.reasons)),
            ("p", f"Stability: {validation.stability_method}."),
            _table(present[[c for c in columns if c in present]], report.currency),
            ("p", "How strongly each feature differs between the segments:"),
            _table(validation.features, report.currency),
            ("figures", ["stability"]),
        ]
    summary = report.summary
    blocks += [
        ("h2", "Data", "data"),
        (
            "table",
            pd.DataFrame(
                {
                    "Item": [k for k, _ in _summary_rows(report)],
                    "Value": [v for _, v in _summary_rows(report)],
                }
            ),
            [True, False],
            None,
        ),  # fmt: skip
        ("p", "Rows excluded or adjusted by the aggregation:"),
        ("ul", summary["excluded"] or ["none"]),
        ("h2", "Recency, orders and spend", "rfm"),
        _rfm_summary(report),
        ("figures", ["rfm_heatmap"]),
    ]
    if report.method != "rfm":
        rules = report.rule_segments
        columns = ["name", "customers", "share", "revenue_share"]
        blocks += [
            ("h2", "Rule-based RFM segments", "rules"),
            _table(_nonempty(rules)[[c for c in columns if c in rules]], None),
            *_empty_line(rules),
            ("figures", ["rule_sizes"]),
        ]
    else:
        blocks.append(("figures", ["rule_sizes"]))
    if report.tiers is not None:
        blocks += [
            ("h2", "Usage tiers (orders per customer)", "tiers"),
            (
                "p",
                "Gini coefficient of orders per customer: "
                f"{report.gini:.2f} (0: everyone orders as often; 1: one customer "
                "places every order).",
            ),  # fmt: skip
            _tiers_table(report.tiers),
            ("figures", ["lorenz"]),
        ]
    blocks += [
        ("h2", "Notes for readers", "notes"),
        ("ul", READER_NOTES + report.notes),
    ]
    return blocks


def _summary_rows(report):
    s = report.summary
    rows = [
        ("Rows in the log", "unknown" if s["rows"] is None else f"{s['rows']:,}"),
        ("Customers", f"{s['customers']:,}"),
        ("Orders", f"{s['orders']:,}"),
        ("Revenue (net of returns)", format_money(s["revenue"], report.currency)),
        ("First purchase", s["first_purchase"]),
        ("Last purchase", s["last_purchase"]),
        ("Reference date (recency counted to)", s["reference_date"]),
    ]
    return rows


def _table_html(block):
    _, frame, text, table_id = block
    attrs = f' id="{table_id}"' if table_id else ""
    head = "".join(
        f'<th class="{"text" if t else "num"}">{html.escape(str(c))}</th>'
        for c, t in zip(frame.columns, text, strict=True)
    )
    rows = [
        "<tr>"
        + "".join(
            f'<td class="{"text" if t else "num"}">{html.escape(str(v))}</td>'
            for v, t in zip(row, text, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    ]
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(figure):
    return (
        f'<figure><img src="{figure.data_uri()}" alt="{html.escape(figure.title)}">'
        f"<figcaption><b>{html.escape(figure.title)}.</b> "
        f"{html.escape(figure.caption)}</figcaption></figure>"
    )


def html_body(report):
    """The report as an HTML fragment (a ``div``; styles scoped to it)."""
    parts = [f"<style>{CSS}</style>", '<div class="custseg-page">']
    for block in layout(report):
        kind = block[0]
        if kind in ("h1", "h2"):
            attrs = f' id="{block[2]}"' if block[2] else ""
            parts.append(f"<{kind}{attrs}>{html.escape(block[1])}</{kind}>")
        elif kind == "p":
            cls = f' class="{block[2]}"' if len(block) > 2 else ""
            parts.append(f"<p{cls}>{html.escape(block[1])}</p>")
        elif kind == "ul":
            cls = ""
            if parts[-1].startswith('<h2 id="findings"'):
                cls = ' class="findings"'
            elif parts[-1].startswith('<h2 id="unavailable"'):
                cls = ' class="unavailable"'
            items = "".join(f"<li>{html.escape(str(i))}</li>" for i in block[1])
            parts.append(f"<ul{cls}>{items}</ul>")
        elif kind == "table":
            parts.append(_table_html(block))
        elif kind == "figures":
            parts += [
                _figure_html(report.figures[k]) for k in block[1] if k in report.figures
            ]
    parts.append("</div>")
    return "\n".join(parts)


def html_page(report):
    """A complete, self-contained HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(report.title)}</title>\n</head>\n<body>\n"
        f"{html_body(report)}\n</body>\n</html>\n"
    )


def markdown(report, *, images=True):
    """The report as markdown (figures as ``data:`` URIs if ``images``)."""
    lines = []
    for block in layout(report):
        kind = block[0]
        if kind == "h1":
            lines += [f"# {block[1]}", ""]
        elif kind == "h2":
            lines += [f"## {block[1]}", ""]
        elif kind == "p":
            lines += [f"**{block[1]}**" if len(block) > 2 else block[1], ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
        elif kind == "table":
            lines += [markdown_table(block[1], formatted=True), ""]
        elif kind == "figures":
            for key in block[1]:
                figure = report.figures.get(key)
                if figure is None:
                    continue
                if images:
                    lines += [f"![{figure.title}]({figure.data_uri()})", ""]
                lines += [f"*{figure.title}.* {figure.caption}", ""]
    return "\n".join(lines)

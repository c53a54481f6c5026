"""Render a report's content as a standalone HTML page, markdown or plain data.

Rendering never recomputes anything: it formats the tables and embeds the
figures (PNG, base64 ``data:`` URIs), so the HTML page needs no network.
"""

from __future__ import annotations

import html

import numpy as np

from custseg._format import format_cell, markdown_table

__all__ = ["CSS", "html_body", "html_page", "markdown"]

CSS = """
.custseg-page {font-family: system-ui, sans-serif; font-size: 14px;
  max-width: 1100px; margin: 0 auto; color: #222;}
.custseg-page h1 {font-size: 24px;} .custseg-page h2 {font-size: 19px;
  border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 28px;}
.custseg-page table {border-collapse: collapse; margin: 6px 0 14px 0;}
.custseg-page th, .custseg-page td {border: 1px solid #ccc; padding: 3px 7px;
  text-align: right;}
.custseg-page td.text, .custseg-page th.text {text-align: left;}
.custseg-page figure {margin: 10px 0 18px 0;}
.custseg-page figcaption {color: #555; font-size: 12px; max-width: 700px;}
.custseg-page img {max-width: 100%; height: auto;}
.custseg-page .verdict {font-size: 18px; font-weight: bold;}
.custseg-page .supported {color: #1a7f37;}
.custseg-page .partially-supported {color: #9a6700;}
.custseg-page .not-supported {color: #cf222e;}
"""

SEGMENT_COLUMNS = ("name", "description", "customers", "share", "revenue_share")
VALIDATION_COLUMNS = (
    "name",
    "customers",
    "share",
    "stability",
    "stability_chance",
    "stability_band",
    "verdict",
    "reasons",
)
METHOD_TITLES = {
    "rfm": "RFM rule segments",
    "tiers": "usage tiers",
    "kmeans": "learned segments (k-means) with personas",
    "gmm": "learned segments (Gaussian mixture) with personas",
}


def segment_table(content):
    """The main segments: name, description, size, revenue and medians."""
    segments = content["segments"]
    first = [c for c in SEGMENT_COLUMNS if c in segments]
    medians = [
        c
        for c in ("recency", "frequency", "monetary", "avg_order_value")
        if c in segments
    ]
    return segments[first + medians]


def summary_rows(summary):
    rows = [
        ("Rows in the log", summary["rows"]),
        ("Customers", summary["customers"]),
        ("Orders", summary["orders"]),
        ("Revenue (net of returns)", f"{summary['revenue']:,.2f}"),
        ("First purchase", summary["first_purchase"]),
        ("Last purchase", summary["last_purchase"]),
        ("Reference date (recency counted to)", summary["reference_date"]),
    ]
    return [(k, "unknown" if v is None else v) for k, v in rows]


def _table_html(frame, table_id=None, caption=None):
    frame = frame.reset_index() if frame.index.name else frame
    attrs = f' id="{table_id}"' if table_id else ""
    parts = [f"<table{attrs}>"]
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    text = [not _numeric(frame[c]) for c in frame.columns]
    head = "".join(
        f'<th class="{"text" if t else "num"}">{html.escape(str(c))}</th>'
        for c, t in zip(frame.columns, text, strict=True)
    )
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>")
    for row in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="{"text" if t else "num"}">{html.escape(_format(v, c))}</td>'
            for v, t, c in zip(row, text, frame.columns, strict=True)
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _numeric(series):
    return series.dtype.kind in "iuf"


def _format(value, column=""):
    """A table cell: shares as percentages, large numbers with separators."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        return format_cell(value)
    if not np.isfinite(value):
        return "" if np.isnan(value) else str(value)
    if "share" in str(column):
        return f"{value:.1%}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _figure_html(figure):
    return (
        f'<figure><img src="{figure.data_uri()}" alt="{html.escape(figure.title)}">'
        f"<figcaption><b>{html.escape(figure.title)}.</b> "
        f"{html.escape(figure.caption)}</figcaption></figure>"
    )


def _list_html(items):
    if not items:
        return "<p><em>none</em></p>"
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _figures(content, *keys):
    return [
        _figure_html(content["figures"][k]) for k in keys if k in content["figures"]
    ]


def html_body(content, title):
    """The report as an HTML fragment (a ``div``; styles scoped to it)."""
    summary, validation = content["summary"], content["validation"]
    verdict = validation.verdict
    parts = [
        f"<style>{CSS}</style>",
        '<div class="custseg-page">',
        f"<h1>{html.escape(title)}</h1>",
        '<h2 id="data">Data</h2>',
        "<table>"
        + "".join(
            f'<tr><th class="text">{html.escape(k)}</th><td>{html.escape(_format(v))}</td></tr>'
            for k, v in summary_rows(summary)
        )
        + "</table>",
        "<p>Rows excluded or adjusted by the aggregation:</p>",
        _list_html(summary["excluded"]),
        '<h2 id="rfm">RFM table</h2>',
        "<p>Recency: days since the last purchase day; frequency: distinct "
        "orders; monetary: total spend (classic definition).</p>",
        _table_html(content["rfm_summary"].rename_axis("feature")),
        *_figures(content, "rfm_heatmap"),
        '<h2 id="rules">Rule-based RFM segments</h2>',
        _table_html(
            content["rule_segments"][
                [c for c in SEGMENT_COLUMNS if c in content["rule_segments"]]
            ]
        ),
        *_figures(content, "rule_sizes"),
        '<h2 id="tiers">Usage tiers</h2>',
        f"<p>Gini coefficient of orders per customer: {content['gini']:.2f}.</p>",
        _table_html(content["tiers"]),
        *_figures(content, "lorenz"),
        f'<h2 id="segment-section">Segments: {METHOD_TITLES[content["method"]]}</h2>',
        _table_html(segment_table(content), table_id="segments"),
        *_figures(content, "segment_sizes", "profiles", "k_selection", "silhouette"),
        '<h2 id="validation">Validation</h2>',
        f'<p class="verdict {verdict.replace(" ", "-")}">Verdict: '
        f"{html.escape(verdict)}</p>",
        _list_html(validation.reasons),
        f"<p>Stability: {html.escape(validation.stability_method)}.</p>",
        _table_html(
            validation.segments[
                [c for c in VALIDATION_COLUMNS if c in validation.segments]
            ]
        ),
        _table_html(validation.features),
        *_figures(content, "stability"),
    ]
    if content["notes"]:
        parts += ['<h2 id="notes">Notes</h2>', _list_html(content["notes"])]
    parts.append("</div>")
    return "\n".join(parts)


def html_page(content, title):
    """A complete, self-contained HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
        f"{html_body(content, title)}\n</body>\n</html>\n"
    )


def _figure_markdown(content, keys, images):
    out = []
    for key in keys:
        figure = content["figures"].get(key)
        if figure is None:
            continue
        if images:
            out += [f"![{figure.title}]({figure.data_uri()})", ""]
        out += [f"*{figure.title}.* {figure.caption}", ""]
    return out


def markdown(content, title, *, images=True):
    """The report as markdown (figures as ``data:`` URIs if ``images``)."""
    summary, validation = content["summary"], content["validation"]
    lines = [f"# {title}", "", "## Data", ""]
    lines += [f"- {k}: {_format(v)}" for k, v in summary_rows(summary)]
    lines += ["", "Rows excluded or adjusted by the aggregation:", ""]
    lines += [f"- {n}" for n in summary["excluded"]] or ["- none"]
    lines += ["", "## RFM table", "", markdown_table(content["rfm_summary"]), ""]
    lines += _figure_markdown(content, ["rfm_heatmap"], images)
    rule = content["rule_segments"]
    lines += ["## Rule-based RFM segments", ""]
    lines += [markdown_table(rule[[c for c in SEGMENT_COLUMNS if c in rule]]), ""]
    lines += _figure_markdown(content, ["rule_sizes"], images)
    lines += ["## Usage tiers", "", f"Gini coefficient: {content['gini']:.2f}", ""]
    lines += [markdown_table(content["tiers"]), ""]
    lines += _figure_markdown(content, ["lorenz"], images)
    lines += [f"## Segments: {METHOD_TITLES[content['method']]}", ""]
    lines += [markdown_table(segment_table(content)), ""]
    keys = ["segment_sizes", "profiles", "k_selection", "silhouette"]
    lines += _figure_markdown(content, keys, images)
    lines += ["## Validation", "", f"**Verdict: {validation.verdict}**", ""]
    lines += [f"- {r}" for r in validation.reasons] + [""]
    segments = validation.segments
    lines += [
        markdown_table(segments[[c for c in VALIDATION_COLUMNS if c in segments]]),
        "",
    ]
    lines += _figure_markdown(content, ["stability"], images)
    if content["notes"]:
        lines += ["## Notes", ""] + [f"- {n}" for n in content["notes"]] + [""]
    return "\n".join(lines)

"""The report returned by :func:`custseg.validate_segmentation`.

Its content is computed once, as DataFrames and plain values, by
:mod:`custseg._evaluation._validation`; this module only renders it: as DataFrames
(:meth:`ValidationReport.to_frame`), a JSON-ready dict, markdown, or HTML
(shown in notebooks through ``_repr_html_``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from custseg._format import (
    column_kind,
    format_value,
    markdown_table,
    plain_value,
    records,
)

__all__ = ["ValidationReport"]

TableName = Literal[
    "segments",
    "features",
    "merge_candidates",
    "outcomes",
    "indices",
    "pairwise",
    "contrasts",
]
_TABLES = get_args(TableName)
_INDEX_LABELS = {
    "silhouette": "silhouette (higher is better, -1..1)",
    "calinski_harabasz": "Calinski-Harabasz (higher is better)",
    "davies_bouldin": "Davies-Bouldin (lower is better)",
    "adjusted_rand": "adjusted Rand vs KMeans (1 = same partition)",
    "adjusted_mutual_info": "adjusted mutual information vs KMeans",
}
_CSS = """
<style>
.custseg-report {font-family: sans-serif; font-size: 13px;}
.custseg-report table {border-collapse: collapse; margin: 4px 0 12px 0;}
.custseg-report th, .custseg-report td {border: 1px solid #ccc; padding: 2px 6px;}
.custseg-report .verdict {font-size: 16px; font-weight: bold;}
.custseg-report .supported {color: #1a7f37;}
.custseg-report .partially-supported {color: #9a6700;}
.custseg-report .not-supported {color: #cf222e;}
</style>
"""


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """Validation of one segmentation: verdict, reasons and the evidence.

    Built by :func:`custseg.validate_segmentation`; all attributes are
    computed once, the report is immutable and rendering never recomputes.

    Attributes
    ----------
    verdict : str
        ``"supported"``, ``"partially supported"`` or ``"not supported"``.
    reasons : tuple of str
        Why, in plain words; when the verdict is not "supported", the first
        reason is the one that decided it.
    kind : str
        ``"learned"`` or ``"rule"`` (a segmenter, or labels the other columns
        reproduce: judged on stability over chance and separation), or
        ``"attribute"`` (labels the other columns do not define: judged on
        behavioural and outcome differences with bootstrap intervals).
    defined_by : tuple of str
        The columns that define the segments (left out of the separation
        tests of plain labels).
    segments : pandas.DataFrame
        One row per segment: ``name``, ``customers``, ``share``,
        ``too_small``, ``stability`` (mean bootstrap Jaccard),
        ``stability_chance`` (the same for random labels of the same sizes),
        ``stability_excess`` (``(stability - chance) / (1 - chance)``, at
        least 0), ``stability_band`` (Hennig's band of the excess; "not
        applicable" for attributes), the mean of each outcome, ``verdict``
        and ``reasons``.
    features : pandas.DataFrame
        One row per tested feature: test, statistic, p-value, Holm-adjusted
        p-value, effect size with its 95% bootstrap percentile interval
        (``effect_low``, ``effect_high``), its measure and magnitude band,
        and whether it separates the segments.
    pairwise : pandas.DataFrame
        The same tests for every pair of segments and feature.
    merge_candidates : pandas.DataFrame
        Pairs of segments that no feature separates, with the evidence.
    contrasts : pandas.DataFrame
        Every segment against the rest of the customers on every feature
        and outcome, with bootstrap intervals and whether it ``clears`` the
        negligible band.
    outcomes : pandas.DataFrame or None
        Predictive validity: one row per later-period outcome, with
        bootstrap intervals.
    indices : dict
        Silhouette (on a sample), Calinski-Harabasz, Davies-Bouldin, and the
        adjusted Rand index and adjusted mutual information between the
        segments and a KMeans clustering of the same size.
    stability_method : str
        How stability was measured, or why it was not.
    bootstrap_jaccard : numpy.ndarray of shape (n_bootstrap, n_segments)
        Every resample's maximal Jaccard coefficient per segment.
    bootstrap_chance : numpy.ndarray of shape (n_bootstrap, n_segments)
        The same for random labels of the same sizes.
    outcome_replicates : pandas.DataFrame or None
        Each outcome's effect size in every bootstrap resample (the same
        resamples for every segmentation validated with the same seed on
        the same customers, so differences are paired).
    settings : dict
        The parameters the report was computed with; ``n_customers`` and
        ``n_validated`` (the size of the sample when ``max_customers`` was
        exceeded).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from custseg import validate_segmentation
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({
    ...     "spend": np.r_[rng.normal(10, 1, 50), rng.normal(30, 1, 50)],
    ...     "visits": np.r_[rng.poisson(3, 50), rng.poisson(6, 50)]})
    >>> report = validate_segmentation(np.repeat(["low", "high"], 50), X,
    ...                                n_bootstrap=50, random_state=0)
    >>> report
    <ValidationReport: supported; 2 segments, 100 customers>
    >>> report.kind, report.defined_by
    ('attribute', ('spend',))
    >>> report.reasons[0]
    'segments are defined by spend; judged on the other columns'
    >>> report.to_frame("features")[["effect_size", "effect_low", "effect_high"]].round(2)
             effect_size  effect_low  effect_high
    feature
    visits          0.38        0.24         0.48
    >>> report.to_markdown().splitlines()[0]
    '# Segmentation validation: **supported**'
    """

    verdict: str
    reasons: tuple
    kind: str
    defined_by: tuple
    segments: pd.DataFrame
    features: pd.DataFrame
    pairwise: pd.DataFrame
    merge_candidates: pd.DataFrame
    contrasts: pd.DataFrame
    outcomes: pd.DataFrame | None
    indices: dict
    stability_method: str
    bootstrap_jaccard: np.ndarray
    bootstrap_chance: np.ndarray
    outcome_replicates: pd.DataFrame | None
    settings: dict

    @property
    def too_small(self) -> pd.DataFrame:
        """The segments flagged as too small to act on."""
        return self.segments[self.segments["too_small"]]

    def to_frame(
        self,
        table: TableName = "segments",
    ) -> pd.DataFrame | None:
        """Return one of the report's tables as a DataFrame (a copy).

        Parameters
        ----------
        table : {"segments", "features", "merge_candidates", "outcomes", \
"indices", "pairwise"}, default="segments"
        """
        if table not in _TABLES:
            raise ValueError(f"table must be one of {_TABLES}, got {table!r}.")
        if table == "indices":
            return pd.DataFrame(
                {"value": list(self.indices.values())},
                index=pd.Index(list(self.indices), name="index"),
            )
        frame = getattr(self, table)
        return None if frame is None else frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready built-in types (NaN becomes None)."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "kind": self.kind,
            "defined_by": list(self.defined_by),
            "segments": records(self.segments),
            "features": records(self.features),
            "merge_candidates": records(self.merge_candidates),
            "outcomes": records(self.outcomes),
            "contrasts": records(self.contrasts),
            "indices": {k: plain_value(v) for k, v in self.indices.items()},
            "stability_method": self.stability_method,
            "settings": {k: plain_value(v) for k, v in self.settings.items()},
        }

    def _kind_line(self):
        defined = ", ".join(self.defined_by) if self.defined_by else "none found"
        n, m = self.settings["n_validated"], self.settings["n_customers"]
        sample = f"; validated on a sample of {n} of {m} customers" if n < m else ""
        return f"Kind of hypothesis: {self.kind}; defining columns: {defined}{sample}."

    def _sections(self):
        indices = pd.DataFrame(
            {"value": list(self.indices.values())},
            index=pd.Index([_INDEX_LABELS[k] for k in self.indices], name="index"),
        )
        sections = [
            ("Segments", self.segments),
            ("Features", self.features),
            ("Merge candidates", self.merge_candidates),
        ]
        if self.outcomes is not None:
            sections.append(("Predictive validity", self.outcomes))
        sections.append(("Internal indices and agreement", indices))
        return sections

    @staticmethod
    def _shown(frame):
        """Cells formatted by their column's kind: shares as %, money with separators."""
        frame = frame.reset_index() if frame.index.name else frame
        return pd.DataFrame(
            {
                column: [format_value(v, column_kind(column)) for v in frame[column]]
                for column in frame.columns
            },
            index=frame.index,
        )

    def to_markdown(self) -> str:
        """The report as a markdown document."""
        parts = [f"# Segmentation validation: **{self.verdict}**", ""]
        parts += [f"- {reason}" for reason in self.reasons]
        parts += ["", self._kind_line(), "", f"Stability: {self.stability_method}."]
        for title, frame in self._sections():
            parts += ["", f"## {title}", ""]
            shown = markdown_table(self._shown(frame), formatted=True)
            parts.append(shown if len(frame) else "_none_")
        return "\n".join(parts) + "\n"

    def to_html(self) -> str:
        """The report as a self-contained HTML fragment."""
        css_class = self.verdict.replace(" ", "-")
        parts = [
            _CSS,
            '<div class="custseg-report">',
            f'<p class="verdict {css_class}">Segmentation validation: '
            f"{html.escape(self.verdict)}</p>",
            "<ul>",
            *(f"<li>{html.escape(r)}</li>" for r in self.reasons),
            "</ul>",
            f"<p>{html.escape(self._kind_line())}</p>",
            f"<p>Stability: {html.escape(self.stability_method)}.</p>",
        ]
        for title, frame in self._sections():
            parts.append(f"<h4>{html.escape(title)}</h4>")
            if len(frame):
                shown = self._shown(frame) if len(frame.columns) else frame
                parts.append(shown.to_html(escape=True, border=0, index=False))
            else:
                parts.append("<p><em>none</em></p>")
        parts.append("</div>")
        return "\n".join(parts)

    def _repr_html_(self):
        return self.to_html()

    def __repr__(self):
        n = int((self.segments["customers"] > 0).sum())
        return (
            f"<ValidationReport: {self.verdict}; {n} segments, "
            f"{self.settings['n_customers']} customers>"
        )

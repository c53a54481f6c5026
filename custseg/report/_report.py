"""SegmentationReport: the whole flow's results, computed once, rendered many ways."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from custseg._aggregation import RFMTransformer, day_number, rfm_transformer_from
from custseg._evaluation import ValidationReport
from custseg._format import plain_value, records
from custseg._tables import DateLike, TableLike
from custseg._value import BetaGeoModel
from custseg.report._build import build_content
from custseg.report._figures import ReportFigure
from custseg.report._render import html_body, html_page, markdown

__all__ = ["SegmentationReport", "segmentation_report"]


def _value_params(model):
    params = dict(model.params_)
    if model.spend_model_ is not None:
        params |= model.spend_model_.params_
    return {k: float(v) for k, v in params.items()}


@dataclass(frozen=True, repr=False, eq=False)
class SegmentationReport:
    """Results of the segmentation flow, ready to show: HTML, markdown or JSON.

    Built by :func:`segmentation_report`.  Everything is computed once when
    it is built; the renderers only format it.  In a notebook the report
    shows itself inline (``_repr_html_``).

    Attributes
    ----------
    summary : dict
        Rows, customers, orders, revenue, first and last purchase, reference
        date, and ``excluded``: the aggregation's messages about rows it
        dropped or adjusted (missing values, returns, dates after the
        reference date).
    findings : list of str
        Key findings in plain words: who brings the revenue, which valuable
        customers are lapsing, which segments are stable, what the holdout
        says.
    rfm_summary : pandas.DataFrame
        Descriptive statistics of recency, frequency and monetary.
    rule_segments : pandas.DataFrame
        Profiles of the rule-based RFM segments.
    tiers : pandas.DataFrame or None
        The usage tiers (orders per customer) with their shares of orders;
        None when they could not be computed.
    gini : float or None
        Gini coefficient of orders per customer.
    method : str
        The method of the main segmentation: rfm, tiers, kmeans or gmm (rfm
        when the requested one could not be computed; ``unavailable`` says so).
    segments : pandas.DataFrame
        Profiles of the main segmentation: name, description, size, revenue
        share and medians.
    actions : pandas.DataFrame or None
        A suggested action per segment with customers (``name``, ``action``,
        ``why``), by the rule of the ``actions`` parameter.
    validation : ValidationReport or None
        :func:`custseg.validate_segmentation` of the main segmentation.
    holdout : dict or None
        The next-period check: ``cutoff``, ``customers``, ``bought_again``,
        ``spend`` and ``table`` (:func:`custseg.compare_segmentations` of the
        segmentations refitted at the cutoff, baselines included).
    figures : dict of str to ReportFigure
        The plots, as PNG images.
    notes : list of str
        Notes for the reader raised while segmenting (ties at tier
        boundaries, ...).
    unavailable : list of str
        The parts that could not be computed on this data, each with why.
    currency : str or None
        Currency shown with money amounts.
    assignments : pandas.DataFrame
        One row per customer: recency, frequency, monetary, RFM segment,
        usage tier, segment name and label.
    estimators : dict
        The fitted ``rules`` (RFMSegmenter), ``tiers`` (UsageTiers),
        ``segmenter`` (the main segmentation) and ``value`` (the
        :class:`~custseg.BetaGeoModel` with its spend model, or None).
    title : str
    value : dict or None
        The expected value part, None when it was not computed (the reason is
        in ``unavailable``): ``model``, ``table`` (per customer:
        ``expected_purchases``, ``probability_alive``, ``expected_spend``,
        ``expected_value``, indexed by customer), ``horizon_days`` (365),
        ``customers``, ``repeat_customers``, the totals
        ``expected_purchases``, ``expected_value``, ``expected_alive`` and
        ``expected_alive_repeat`` (among repeat buyers), and ``dropout`` (the
        mean probability of leaving after a purchase, ``a / (a + b)``).
        The segment tables then have the columns of
        :func:`custseg.segment_profiles` with ``value`` (``expected_value``,
        ``expected_value_share``, ``expected_alive``, ...).
    """

    summary: dict
    findings: list
    rfm_summary: pd.DataFrame
    rule_segments: pd.DataFrame
    tiers: pd.DataFrame | None
    gini: float | None
    method: str
    segments: pd.DataFrame
    actions: pd.DataFrame | None
    validation: ValidationReport | None
    holdout: dict | None
    figures: dict[str, ReportFigure]
    notes: list
    unavailable: list
    currency: str | None
    assignments: pd.DataFrame
    estimators: dict
    title: str = "Customer segmentation report"
    value: dict | None = None

    def to_html(self) -> str:
        """The report as one self-contained HTML document (figures embedded)."""
        return html_page(self)

    def _repr_html_(self):
        return html_body(self)

    def to_markdown(self, *, images: bool = True) -> str:
        """The report as markdown; figures are ``data:`` URIs when ``images``."""
        return markdown(self, images=images)

    def to_dict(self, *, images: bool = False) -> dict[str, Any]:
        """The report as JSON-ready built-in types (figures as base64 if ``images``)."""
        figures = {
            key: {"title": f.title, "caption": f.caption}
            | ({"png_base64": f.base64} if images else {})
            for key, f in self.figures.items()
        }
        summary = {k: plain_value(v) for k, v in self.summary.items()}
        return {
            "title": self.title,
            "summary": summary,
            "rfm_summary": records(self.rfm_summary.rename_axis("feature")),
            "rule_segments": records(self.rule_segments),
            "tiers": records(self.tiers),
            "gini": plain_value(self.gini),
            "method": self.method,
            "segments": records(self.segments),
            "actions": records(self.actions),
            "findings": list(self.findings),
            "validation": None
            if self.validation is None
            else self.validation.to_dict(),
            "holdout": None
            if self.holdout is None
            else {k: v for k, v in self.holdout.items() if k != "table"}
            | {"table": records(self.holdout["table"])},
            "figures": figures,
            "notes": list(self.notes),
            "unavailable": list(self.unavailable),
            "value": None
            if self.value is None
            else {
                k: plain_value(v)
                for k, v in self.value.items()
                if k not in ("model", "table")
            }
            | {"params": _value_params(self.value["model"])},
        }

    def to_json(self, *, images: bool = False, indent: int | None = 2) -> str:
        """The report as a JSON string (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(images=images), indent=indent, default=str)

    def write_html(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """Write :meth:`to_html` to ``path`` (UTF-8) and return the path."""
        with open(os.fspath(path), "w", encoding="utf-8") as handle:
            handle.write(self.to_html())
        return path

    def __repr__(self):
        verdict = None if self.validation is None else self.validation.verdict
        return (
            f"<SegmentationReport: {self.summary['customers']} customers, "
            f"{len(self.segments)} segments ({self.method}), "
            f"verdict {verdict!r}>"
        )


def segmentation_report(
    transactions: TableLike,
    *,
    aggregation: RFMTransformer | None = None,
    method: Literal["kmeans", "gmm", "rfm", "tiers"] = "kmeans",
    rules: str | pd.DataFrame | Mapping[str, Any] = "putler",
    n_bootstrap: int = 20,
    holdout: Literal["auto"] | DateLike | None = "auto",
    value: Literal["auto"] | bool | BetaGeoModel = "auto",
    actions: Mapping[str, str] | None = None,
    currency: str | None = None,
    random_state: int | np.random.RandomState | None = None,
    title: str = "Customer segmentation report",
    verbose: bool | int = False,
    **aggregation_settings: Any,
) -> SegmentationReport:
    """Segment a transaction log and build a report of everything, computed once.

    The flow: :class:`~custseg.RFMTransformer` (classic RFM), rule-based
    segments (:class:`~custseg.RFMSegmenter`), usage tiers on orders
    (:class:`~custseg.UsageTiers`), the main segmentation chosen by
    ``method``, its validation (:func:`~custseg.validate_segmentation`), a
    suggested action per segment, a holdout (next-period) check, the
    expected value of each segment over the next year (BG/NBD and
    Gamma-Gamma models), the key findings in plain words and the figures.

    A part that cannot be computed on the data (two customers, every
    customer alike, a single segment) does not stop the report: it is listed
    in ``unavailable`` with the reason.  If the learned segmentation cannot be
    fitted, the report shows the RFM rule segments instead and says so.

    Parameters
    ----------
    transactions : DataFrame
        Transaction log (any frame :func:`custseg.rfm_table` accepts).
    aggregation : RFMTransformer, optional
        How to aggregate the log into the customer table (classic RFM with
        total spend; it is cloned).  Or give the same settings as keywords
        (``**aggregation_settings``), not both.
    method : {"kmeans", "gmm", "rfm", "tiers"}, default="kmeans"
        The main segmentation: learned segments with personas
        (:class:`~custseg.CustomerSegmenter` with k-means or a Gaussian
        mixture, k chosen automatically), the RFM rule segments, or the
        usage tiers.
    rules : str or rules, default="putler"
        Rules of the RFM segments (see :class:`~custseg.RFMSegmenter`).
    n_bootstrap : int, default=20
        Bootstrap refits for the stability in the validation.  The learned
        segments' choice of k refits each k in rounds of as many, clipped to
        5 to 10 (more rounds only for a k near the stability band): with
        none it would not be the stability rule.
    holdout : "auto", str, Timestamp or None, default="auto"
        Cutoff of the next-period check (:func:`custseg.calibration_holdout_split`):
        every segmentation is refitted on the log up to the cutoff and judged
        by how well it separates the spend and repeat purchase after it,
        beside two baselines (spend thirds, random segments).  ``"auto"``:
        the last quarter of the observed days is the holdout, when the log
        spans at least 180 days; ``None``: no holdout section.
    value : "auto", bool or BetaGeoModel, default="auto"
        Expected value per segment over the next 365 days: a
        :class:`~custseg.BetaGeoModel` with a
        :class:`~custseg.GammaGammaModel` spend model is fitted on the BTYD
        table of the same log (``definition="btyd"``, in days, same
        reference date) and the segment tables get expected purchases,
        expected value and its share, and the expected number of customers
        still active; the key findings say who holds the expected value and
        how much of it the lapsing segments hold.  ``"auto"``: only when the
        log spans at least 180 days and at least 50 customers bought again
        (else ``unavailable`` says why); ``True``: whatever the log;
        ``False``: no value.  A BetaGeoModel: used as it is if fitted (on a
        daily BTYD table), else fitted.  A fit that fails, does not converge
        or diverges is listed in ``unavailable``, never an error.
    actions : mapping of str to str, default=None
        Suggested actions to use instead of the rule's, by segment name.  The
        rule: recent, valuable and frequent → reward; recent and valuable, or
        recent and frequent → retain; recent only → nurture; not recent but
        valuable → win back; otherwise deprioritise (recent: median recency at
        most the median of all customers; frequent: median orders above the
        median of all customers; valuable: share of revenue at least share of
        customers).
    currency : str, default=None
        Shown with money amounts: a symbol before them (``"£"``) or a code
        after them (``"GBP"``).
    random_state : int, RandomState instance or None
    title : str
    verbose : bool, default=False
        Show each step, and progress bars of the long ones (tqdm; a widget in
        notebooks, a line in terminals).
    **aggregation_settings
        Keyword arguments of :func:`custseg.rfm_table` (``customer_col``,
        ``order_col``, ``reference_date``, ``returns``, ...).

    Returns
    -------
    SegmentationReport

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from custseg.datasets import make_transactions
    >>> from custseg.report import segmentation_report
    >>> log, _ = make_transactions(300, random_state=0)
    >>> report = segmentation_report(log, order_col="order_id", method="rfm",
    ...                              n_bootstrap=5, holdout=None, random_state=0)
    >>> report.summary["customers"], report.summary["last_purchase"]
    (300, '2025-12-31')
    >>> sorted(report.figures)  # doctest: +NORMALIZE_WHITESPACE
    ['lorenz', 'profiles', 'rfm_heatmap', 'rule_sizes', 'silhouette', 'stability']
    >>> report.to_html().startswith("<!DOCTYPE html>")
    True
    """
    if isinstance(holdout, str) and holdout != "auto":
        day_number(holdout, name="holdout")  # refuses '01/02/2011': which month?
    content = build_content(
        transactions,
        aggregation=rfm_transformer_from(
            aggregation, aggregation_settings, caller_name="segmentation_report"
        ),
        method=method,
        rules=rules,
        n_bootstrap=n_bootstrap,
        holdout=holdout,
        actions=actions,
        currency=currency,
        random_state=random_state,
        verbose=verbose,
        value=value,
    )
    return SegmentationReport(**content, title=title)

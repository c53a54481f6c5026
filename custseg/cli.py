"""The ``custseg`` command: segment a transaction log, write a report.

``custseg demo`` runs the whole flow on the built-in synthetic data;
``custseg segment PATH ...`` runs it on a CSV or parquet transaction log.
Both write ``report.html`` (one self-contained file) and ``segments.csv``
(one row per customer) to ``--out`` and print a short summary.  Progress
and warnings go to stderr; a user error (missing file, wrong column name,
unparseable dates) prints one line and exits with status 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

METHODS = ("kmeans", "gmm", "rfm", "tiers")


class UserError(Exception):
    """A problem with the user's input, reported in one line without a traceback."""


def _progress(enabled):
    """Send the ``custseg`` logger's INFO messages to stderr, with elapsed time."""
    logger = logging.getLogger("custseg")
    for handler in list(logger.handlers):
        if getattr(handler, "_custseg_cli", False):
            logger.removeHandler(handler)
    if not enabled:
        return
    start = time.monotonic()

    class Elapsed(logging.Formatter):
        def format(self, record):
            return f"[{time.monotonic() - start:5.1f}s] {record.getMessage()}"

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Elapsed())
    handler._custseg_cli = True
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _read_log(path, columns, date_format):
    """Read a CSV or parquet log with pandas and check the named columns."""
    import pandas as pd

    if not os.path.isfile(path):
        raise UserError(f"no such file: {path}")
    suffixes = "".join(Path(path).suffixes[-2:]).lower()
    try:
        if suffixes.endswith((".parquet", ".pq")):
            log = pd.read_parquet(path)
        else:
            log = pd.read_csv(path, dtype={columns["customer_col"]: str})
    except ImportError as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise UserError(f"cannot read {path}: {first}") from exc
    missing = [c for c in columns.values() if c is not None and c not in log.columns]
    if missing:
        raise UserError(
            f"column(s) {', '.join(map(repr, missing))} not found in {path}; "
            f"its columns are: {', '.join(map(str, log.columns))}"
        )
    date_col = columns["date_col"]
    if not pd.api.types.is_datetime64_any_dtype(log[date_col]):
        raw = log[date_col]
        try:
            log[date_col] = pd.to_datetime(raw, format=date_format or "ISO8601")
        except (ValueError, TypeError) as exc:
            parsed = pd.to_datetime(
                raw, format=date_format or "ISO8601", errors="coerce"
            )
            bad = raw[parsed.isna() & raw.notna()]
            example = repr(bad.iloc[0]) if len(bad) else "?"
            hint = "" if date_format else " (pass --date-format, e.g. '%d/%m/%Y %H:%M')"
            raise UserError(
                f"column {date_col!r} has {len(bad)} value(s) that are not dates "
                f"in the format {date_format or 'ISO 8601'}, e.g. {example}{hint}"
            ) from exc
    amount = log[columns["amount_col"]]
    if not pd.api.types.is_numeric_dtype(amount):
        raise UserError(
            f"column {columns['amount_col']!r} must be numeric, got values like "
            f"{amount.dropna().iloc[0]!r}"
            if amount.notna().any()
            else f"column {columns['amount_col']!r} is empty"
        )
    return log


def _run(log, args, columns, title):
    """Build the report, write the two files, print the summary."""
    from custseg.report import segmentation_report

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create the output directory {out}: {exc.strerror}"
        ) from exc
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = segmentation_report(
            log,
            **columns,
            reference_date=getattr(args, "reference_date", None),
            method=args.method,
            n_bootstrap=args.n_bootstrap,
            random_state=args.random_state,
            title=title,
            verbose=not args.quiet,
        )
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {message}", file=sys.stderr)
    html_path, csv_path = out / "report.html", out / "segments.csv"
    report.write_html(html_path)
    report.assignments.to_csv(csv_path, float_format="%.10g")
    _print_summary(report, html_path, csv_path)
    return 0


def _print_summary(report, html_path, csv_path):
    s = report.summary
    print(
        f"{s['customers']:,} customers, {s['orders']:,} orders, revenue "
        f"{s['revenue']:,.2f}, {s['first_purchase']} to {s['last_purchase']}"
    )
    print(f"\nSegments ({report.method}):")
    width = max(len(str(n)) for n in report.segments["name"])
    for _, row in report.segments.iterrows():
        revenue = (
            f", {row['revenue_share']:6.1%} of revenue"
            if "revenue_share" in row
            else ""
        )
        print(
            f"  {row['name']:<{width}}  {int(row['customers']):>7,} customers "
            f"({row['share']:6.1%}){revenue}"
        )
    print(f"\nValidation: {report.validation.verdict}")
    for reason in report.validation.reasons:
        print(f"  - {reason}")
    print(f"\nWrote {html_path} and {csv_path}")


def _demo(args):
    from custseg.datasets import make_transactions

    log, _ = make_transactions(args.n_customers, random_state=args.random_state)
    columns = {
        "customer_col": "customer_id",
        "date_col": "date",
        "amount_col": "amount",
        "order_col": "order_id",
    }
    title = f"custseg demo: {args.n_customers:,} synthetic customers"
    return _run(log, args, columns, title)


def _segment(args):
    columns = {
        "customer_col": args.customer_col,
        "date_col": args.date_col,
        "amount_col": args.amount_col,
        "order_col": args.order_col,
    }
    if args.reference_date is not None:
        import pandas as pd

        try:
            args.reference_date = pd.Timestamp(args.reference_date)
        except ValueError as exc:
            raise UserError(
                f"--reference-date {args.reference_date!r} is not a date (use YYYY-MM-DD)"
            ) from exc
    log = _read_log(args.path, columns, args.date_format)
    return _run(log, args, columns, f"Customer segmentation of {Path(args.path).name}")


def _common(parser, default_bootstrap, out=None):
    if out is None:
        parser.add_argument("--out", required=True, help="output directory")
    else:
        parser.add_argument("--out", default=out, help=f"output directory ({out})")
    parser.add_argument(
        "--method", choices=METHODS, default="kmeans",
        help="main segmentation: learned segments with personas (kmeans, gmm), "
        "RFM rule segments (rfm) or usage tiers (tiers)",
    )  # fmt: skip
    parser.add_argument(
        "--n-bootstrap", type=int, default=default_bootstrap,
        help="bootstrap refits for the stability check",
    )  # fmt: skip
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback on errors"
    )


def build_parser():
    """The argument parser of the ``custseg`` command."""
    parser = argparse.ArgumentParser(
        prog="custseg",
        description="Customer segmentation from a transaction log: RFM, rule "
        "segments, usage tiers, learned segments with personas, validation, and "
        "a standalone HTML report.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run the whole flow on the built-in synthetic data"
    )
    demo.add_argument("--n-customers", type=int, default=2000)
    _common(demo, default_bootstrap=20, out="custseg-demo")
    demo.set_defaults(func=_demo)

    segment = commands.add_parser(
        "segment", help="segment a CSV or parquet transaction log"
    )
    segment.add_argument(
        "path", help="transaction log: .csv (optionally .gz) or .parquet"
    )
    segment.add_argument("--customer-col", required=True)
    segment.add_argument("--date-col", required=True)
    segment.add_argument("--amount-col", required=True)
    segment.add_argument("--order-col", default=None)
    segment.add_argument(
        "--reference-date", default=None,
        help="day recency is counted to (default: the latest purchase day)",
    )  # fmt: skip
    segment.add_argument(
        "--date-format", default=None,
        help="strftime format of the dates (default: ISO 8601)",
    )  # fmt: skip
    _common(segment, default_bootstrap=20)
    segment.set_defaults(func=_segment)
    return parser


def main(argv=None):
    """Entry point of the ``custseg`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _progress(not args.quiet)
    try:
        return args.func(args)
    except UserError as exc:
        if args.debug:
            raise
        print(f"custseg: error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, TypeError) as exc:
        # the library's input checks name the column and the problem
        if args.debug:
            raise
        message = " ".join(str(exc).split())
        print(f"custseg: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

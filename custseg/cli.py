"""The ``custseg`` command: segment a transaction log, write a report.

``custseg demo`` runs the whole flow on the built-in synthetic data;
``custseg segment PATH ...`` runs it on a CSV or parquet transaction log.
Both write ``report.html`` (one self-contained file) and ``segments.csv``
(one row per customer) to ``--out`` and print a short summary.  Progress
and warnings go to stderr; a user error (missing file, wrong column name,
unparseable dates, an output that cannot be written) prints one
``custseg: error:`` line and exits with status 1.  The columns and the output
location are checked before any work is done.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from custseg.report import METHODS

if TYPE_CHECKING:  # pandas is imported only when a log is read
    import pandas as pd


class UserError(Exception):
    """A problem with the user's input, reported in one line without a traceback."""


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_parquet(path):
    return "".join(Path(path).suffixes[-2:]).lower().endswith((".parquet", ".pq"))


def _read_header(path):
    """The column names of a CSV or parquet file, without reading its rows."""
    import pandas as pd

    if not os.path.isfile(path):
        raise UserError(f"no such file: {path}")
    try:
        if _is_parquet(path):
            import pyarrow.parquet as pq

            return [str(c) for c in pq.read_schema(path).names]
        return [str(c) for c in pd.read_csv(path, nrows=0).columns]
    except ImportError as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise UserError(f"cannot read {path}: {_first_line(exc)}") from exc


def _check_columns(path, header, wanted):
    """Every named column is in the file's header; else one line with a hint."""
    for option, column in wanted.items():
        if column is None or column in header:
            continue
        close = difflib.get_close_matches(column, header, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UserError(
            f"{option} {column!r} is not a column of {path}{hint}; its columns "
            f"are: {', '.join(header)}"
        )


def plain_ids(ids: pd.Series) -> tuple[pd.Series, int]:
    """Ids as read, except a float export's ``"12346.0"``, which becomes ``"12346"``.

    Spreadsheets and pandas write an integer id column with gaps as floats;
    the ``.0`` is an artefact, not part of the id.  Ids change only when
    every one of them is a whole number written with ``.0``; other ids
    (``"00042"``, ``"A-17"``) are kept exactly.  Returns the ids and how many
    were changed.
    """
    present = ids.dropna().astype(str)
    if len(present) and present.str.fullmatch(r"-?\d+\.0+").all():
        return ids.astype(str).str.replace(r"\.0+$", "", regex=True).where(
            ids.notna()
        ), len(present)
    return ids, 0


def _read_log(path, columns, date_format, *, quantity_col=None, price_col=None):
    """Read the needed columns of a CSV or parquet log, checked from its header."""
    import pandas as pd

    header = _read_header(path)
    wanted = {
        "--customer-col": columns["customer_col"],
        "--date-col": columns["date_col"],
        "--amount-col": None if quantity_col else columns["amount_col"],
        "--quantity-col": quantity_col,
        "--price-col": price_col,
        "--order-col": columns["order_col"],
    }
    _check_columns(path, header, wanted)
    usecols = list(dict.fromkeys(c for c in wanted.values() if c is not None))
    ids = [c for c in (columns["customer_col"], columns["order_col"]) if c]
    try:
        if _is_parquet(path):
            log = pd.read_parquet(path, columns=usecols)
        else:
            # ids stay text, exactly as written ("00042" keeps its zeros)
            log = pd.read_csv(path, usecols=usecols, dtype=dict.fromkeys(ids, str))
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise UserError(f"cannot read {path}: {_first_line(exc)}") from exc
    for column in ids:
        if log[column].dtype.kind in "fO":
            log[column], changed = plain_ids(log[column])
            if changed:
                print(
                    f"note: {column!r} holds whole numbers written as decimals "
                    "(e.g. 12346.0); they are written without the .0",
                    file=sys.stderr,
                )
    log[columns["date_col"]] = _parse_dates(log[columns["date_col"]], date_format)
    if quantity_col:
        _check_numeric(log[quantity_col], "--quantity-col")
        _check_numeric(log[price_col], "--price-col")
        log[columns["amount_col"]] = log[quantity_col] * log[price_col]
    else:
        _check_numeric(log[columns["amount_col"]], "--amount-col")
    return log


def _parse_dates(raw, date_format):
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw
    try:
        return pd.to_datetime(raw, format=date_format or "ISO8601")
    except (ValueError, TypeError) as exc:
        parsed = pd.to_datetime(raw, format=date_format or "ISO8601", errors="coerce")
        bad = raw[parsed.isna() & raw.notna()]
        example = repr(bad.iloc[0]) if len(bad) else "?"
        hint = "" if date_format else " (pass --date-format, e.g. '%d/%m/%Y %H:%M')"
        raise UserError(
            f"column {raw.name!r} has {len(bad)} value(s) that are not dates "
            f"in the format {date_format or 'ISO 8601'}, e.g. {example}{hint}"
        ) from exc


def _check_numeric(values, option):
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values):
        return
    if not values.notna().any():
        raise UserError(f"{option} column {values.name!r} is empty")
    raise UserError(
        f"{option} column {values.name!r} must be numeric, got values like "
        f"{values.dropna().iloc[0]!r}"
    )


def _output_paths(out):
    """Create ``out`` and check both output files can be written, before any work."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create the output directory {out}: {exc.strerror or exc}"
        ) from exc
    paths = out / "report.html", out / "segments.csv"
    for path in paths:
        if path.is_dir():
            raise UserError(f"cannot write {path}: it is a directory")
        if path.exists() and not os.access(path, os.W_OK):
            raise UserError(f"cannot write {path}: permission denied")
    if not os.access(out, os.W_OK):
        raise UserError(
            f"cannot write to the output directory {out}: permission denied"
        )
    return paths


def _run(log, args, columns, title, paths):
    """Build the report, write the two files, print the summary."""
    from custseg.report import segmentation_report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # progress (tqdm) goes to stderr, so stdout carries only the summary
        with contextlib.redirect_stdout(sys.stderr):
            report = segmentation_report(
                log,
                **columns,
                reference_date=getattr(args, "reference_date", None),
                method=args.method,
                n_bootstrap=args.n_bootstrap,
                holdout=args.holdout,
                value=False if args.no_value else "auto",
                currency=args.currency,
                random_state=args.random_state,
                title=title,
                verbose=not args.quiet,
            )
    for message in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {message}", file=sys.stderr)
    html_path, csv_path = paths
    try:
        report.write_html(html_path)
        report.assignments.to_csv(csv_path, float_format="%.10g")
    except OSError as exc:
        where = exc.filename or html_path
        raise UserError(f"cannot write {where}: {exc.strerror or exc}") from exc
    _print_summary(report, html_path, csv_path)
    return 0


def _print_summary(report, html_path, csv_path):
    from custseg._format import format_money, format_share

    s = report.summary
    print(
        f"{s['customers']:,} customers, {s['orders']:,} orders, revenue "
        f"{format_money(s['revenue'], report.currency)}, {s['first_purchase']} "
        f"to {s['last_purchase']}"
    )
    print("\nKey findings:")
    for finding in report.findings:
        print(f"  - {finding}")
    print(f"\nSegments ({report.method}):")
    segments = report.segments[report.segments["customers"] > 0]
    actions = report.actions
    width = max(len(str(n)) for n in segments["name"])
    for label, row in segments.iterrows():
        revenue = (
            f", {format_share(row['revenue_share']):>6} of revenue"
            if "revenue_share" in row
            else ""
        )
        action = (
            f"  -> {actions.at[label, 'action']}"
            if actions is not None and label in actions.index
            else ""
        )
        print(
            f"  {row['name']:<{width}}  {int(row['customers']):>7,} customers "
            f"({format_share(row['share']):>6}){revenue}{action}"
        )
    empty = report.segments.loc[report.segments["customers"] == 0, "name"]
    if len(empty):
        print(f"  ({len(empty)} segment(s) without customers: {', '.join(empty)})")
    if report.validation is not None:
        print(f"\nValidation: {report.validation.verdict}")
        for reason in report.validation.reasons:
            print(f"  - {reason}")
    if report.unavailable:
        print("\nNot computed:")
        for item in report.unavailable:
            print(f"  - {item}")
    print(f"\nWrote {html_path} and {csv_path}")


def _demo(args):
    from custseg.datasets import make_transactions

    paths = _output_paths(args.out)
    log, _ = make_transactions(args.n_customers, random_state=args.random_state)
    columns = {
        "customer_col": "customer_id",
        "date_col": "date",
        "amount_col": "amount",
        "order_col": "order_id",
    }
    title = f"custseg demo: {args.n_customers:,} synthetic customers"
    return _run(log, args, columns, title, paths)


def _date_option(value, option):
    import pandas as pd

    try:
        return pd.Timestamp(value)
    except ValueError as exc:
        raise UserError(f"{option} {value!r} is not a date (use YYYY-MM-DD)") from exc


def _segment(args):
    if (args.quantity_col is None) != (args.price_col is None):
        raise UserError(
            "--quantity-col and --price-col go together (amount = quantity x price)"
        )
    if (args.amount_col is None) == (args.quantity_col is None):
        raise UserError(
            "give either --amount-col or both --quantity-col and --price-col"
        )
    columns = {
        "customer_col": args.customer_col,
        "date_col": args.date_col,
        "amount_col": args.amount_col,
        "order_col": args.order_col,
    }
    if args.quantity_col and args.amount_col is None:
        columns["amount_col"] = f"{args.quantity_col} x {args.price_col}"
    if args.reference_date is not None:
        args.reference_date = _date_option(args.reference_date, "--reference-date")
    if args.holdout not in (None, "auto"):
        args.holdout = _date_option(args.holdout, "--holdout")
    log = _read_log(
        args.path,
        columns,
        args.date_format,
        quantity_col=args.quantity_col,
        price_col=args.price_col,
    )
    paths = _output_paths(args.out)
    title = f"Customer segmentation of {Path(args.path).name}"
    return _run(log, args, columns, title, paths)


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
    parser.add_argument(
        "--holdout", nargs="?", const="auto", default=None, metavar="CUTOFF",
        help="add a next-period check: refit on the log up to CUTOFF (YYYY-MM-DD; "
        "without a date: the last quarter of the observed days is the holdout)",
    )  # fmt: skip
    parser.add_argument(
        "--no-value", action="store_true",
        help="leave out the expected value per segment (BG/NBD and Gamma-Gamma "
        "models, fitted when the log spans 180+ days with 50+ repeat buyers)",
    )  # fmt: skip
    parser.add_argument(
        "--currency", default=None,
        help="currency shown with money: a symbol (£, $) or a code (GBP)",
    )  # fmt: skip
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback on errors"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``custseg`` command."""
    from custseg import __version__

    parser = argparse.ArgumentParser(
        prog="custseg",
        description="Customer segmentation from a transaction log: RFM, rule "
        "segments, usage tiers, learned segments with personas, validation, and "
        "a standalone HTML report.",
    )
    parser.add_argument("--version", action="version", version=f"custseg {__version__}")
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
    segment.add_argument(
        "--amount-col", default=None,
        help="amount of each row (or give --quantity-col and --price-col)",
    )  # fmt: skip
    segment.add_argument(
        "--quantity-col",
        default=None,
        help="quantity of each row (amount = quantity x price)",
    )
    segment.add_argument(
        "--price-col",
        default=None,
        help="unit price of each row (amount = quantity x price)",
    )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``custseg`` console script.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 on success, 1 after a user error (one
        ``custseg: error:`` line on stderr).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
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

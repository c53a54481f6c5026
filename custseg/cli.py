"""The ``custseg`` command."""

from __future__ import annotations

import argparse
import sys
import warnings


def _demo(args):
    from custseg import rfm_table
    from custseg.datasets import make_transactions

    log, personas = make_transactions(args.n_customers, random_state=args.random_state)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        customers = rfm_table(log, order_col="order_id")
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    summary = customers.join(personas).groupby("persona").median()
    print(
        f"custseg demo: {len(log):,} order lines from {len(customers):,} customers, "
        f"{log['date'].min():%Y-%m-%d} to {log['date'].max():%Y-%m-%d}"
    )
    print("\nPer-customer RFM table (first rows):")
    print(customers.head(10).to_string())
    print("\nMedian RFM by planted persona:")
    print(summary.round(1).to_string())
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="custseg", description="Customer segmentation from a transaction log."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="segment the built-in synthetic data")
    demo.add_argument("--n-customers", type=int, default=2000)
    demo.add_argument("--random-state", type=int, default=0)
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    """Entry point of the ``custseg`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

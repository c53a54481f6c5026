"""Value models and lifecycle stages at scale, beside lifetimes and DuckDB.

1. BG/NBD + Gamma-Gamma fit and prediction (expected purchases in 52
   weeks, probability alive, expected spend) on a simulated weekly BTYD
   table of ``--customers`` rows (drawn from the BG/NBD and Gamma-Gamma
   models with CDNOW-like parameters), with custseg's
   :class:`~custseg.BetaGeoModel` / :class:`~custseg.GammaGammaModel` and
   lifetimes' ``BetaGeoFitter`` / ``GammaGammaFitter`` (when installed).
   Both are checked to agree on the fitted parameters.
2. :func:`custseg.lifecycle_stages` by quarter on a synthetic log of
   ``--transactions`` rows (pandas and polars inputs) beside one DuckDB SQL
   query computing the same counts, checked equal.

Full size (about 15 minutes, mostly lifetimes)::

    python benchmarks/bench_value.py --customers 1000000 --transactions 10000000

``--smoke`` runs 5,000 customers and 50,000 transactions in seconds.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from custseg import BetaGeoModel, GammaGammaModel, lifecycle_stages

PARAMS = {"r": 0.25, "alpha": 4.5, "a": 0.8, "b": 2.4, "p": 6.25, "q": 3.74, "v": 15.4}


def simulate_btyd(n, seed=0):
    """A weekly BTYD table drawn from BG/NBD and Gamma-Gamma (vectorised)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(PARAMS["r"], 1 / PARAMS["alpha"], n)
    drop = rng.beta(PARAMS["a"], PARAMS["b"], n)
    T = np.round(rng.uniform(1, 78, n) * 7) / 7  # whole days, in weeks
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1 / lam[idx])
        bought = now[idx] < T[idx]
        alive[idx[~bought]] = False
        hit = idx[bought]
        # purchases land on whole days, as rfm_table(definition="btyd") counts
        x[hit] += 1
        t_x[hit] = np.ceil(now[hit] * 7) / 7
        alive[hit[rng.random(hit.size) < drop[hit]]] = False
    t_x = np.minimum(t_x, T)
    x[t_x == 0] = 0
    nu = rng.gamma(PARAMS["q"], 1 / PARAMS["v"], n)
    with np.errstate(divide="ignore"):
        spend = np.where(
            x > 0,
            rng.gamma(PARAMS["p"] * np.maximum(x, 1), 1.0) / (nu * np.maximum(x, 1)),
            0.0,
        )
    return pd.DataFrame(
        {"frequency": x, "recency": t_x, "T": T, "monetary_value": spend}
    )


def time_it(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_models(n):
    X = simulate_btyd(n)
    repeat = X[X["frequency"] > 0]

    def ours():
        model = BetaGeoModel(GammaGammaModel()).fit(X)
        model.predict_purchases(X, 52)
        model.probability_alive(X)
        model.predict_spend(X)
        return model

    rows = []
    seconds, model = time_it(ours)
    rows.append(("custseg", seconds, model.params_, model.spend_model_.params_))
    try:
        import lifetimes
    except ImportError:
        print("lifetimes is not installed: custseg timed alone")
    else:

        def theirs():
            bg = lifetimes.BetaGeoFitter().fit(X["frequency"], X["recency"], X["T"])
            gg = lifetimes.GammaGammaFitter().fit(
                repeat["frequency"], repeat["monetary_value"]
            )
            bg.conditional_expected_number_of_purchases_up_to_time(
                52, X["frequency"], X["recency"], X["T"]
            )
            bg.conditional_probability_alive(X["frequency"], X["recency"], X["T"])
            gg.conditional_expected_average_profit(X["frequency"], X["monetary_value"])
            return bg, gg

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifetimes' own deprecations
            seconds, (bg, gg) = time_it(theirs)
        rows.append(("lifetimes", seconds, dict(bg.params_), dict(gg.params_)))
        for name in ("r", "alpha", "a", "b"):
            assert np.isclose(model.params_[name], bg.params_[name], rtol=1e-3), name
    table = pd.DataFrame(
        [
            {"implementation": name, "seconds": round(s, 2)}
            | {k: round(v, 4) for k, v in {**bg_p, **gg_p}.items()}
            for name, s, bg_p, gg_p in rows
        ]
    )
    print(f"\nBG/NBD + Gamma-Gamma fit and predict, {n:,} customers")
    print(table.to_string(index=False))
    if len(rows) == 2:
        print(f"speed-up vs lifetimes: {rows[1][1] / rows[0][1]:.1f}x")


def make_log(n_rows, seed=0):
    rng = np.random.default_rng(seed)
    n_customers = max(n_rows // 10, 1)
    customer = rng.integers(0, n_customers, n_rows)
    days = rng.integers(0, 730, n_rows)
    date = np.datetime64("2024-01-01", "D") + days.astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "customer_id": customer,
            "date": date.astype("datetime64[us]"),
            "amount": np.round(rng.gamma(2.0, 20.0, n_rows), 2),
        }
    )


DUCKDB_STAGES = """
with cp as (
    select customer_id, year(date) * 4 + quarter(date) - 1 as p
    from df where amount >= 0 group by 1, 2),
firsts as (select customer_id, min(p) as f from cp group by 1),
bounds as (select min(f) as lo, (select max(year(date) * 4 + quarter(date) - 1) from df) as hi from firsts),
periods as (select unnest(range(lo, hi + 1)) as p from bounds),
flags as (
    select cp.p, cp.p = firsts.f as is_new, prev.customer_id is not null as had_prev
    from cp join firsts using (customer_id)
    left join cp as prev on prev.customer_id = cp.customer_id and prev.p = cp.p - 1),
started as (
    select periods.p, count(firsts.customer_id) as n
    from periods left join firsts on firsts.f <= periods.p group by 1)
select started.p,
       count(*) filter (where is_new) as new,
       count(*) filter (where not is_new and had_prev) as repeat,
       count(*) filter (where not is_new and not had_prev) as reactivated,
       started.n - count(flags.p) as lapsed
from started left join flags on flags.p = started.p
group by started.p, started.n order by started.p
"""


def bench_lifecycle(n_rows):
    import duckdb

    log = make_log(n_rows)
    rows = []
    seconds, ours = time_it(lambda: lifecycle_stages(log, periods="Q"))
    rows.append(("custseg (pandas)", seconds))
    try:
        import polars as pl
    except ImportError:
        pass
    else:
        frame = pl.from_pandas(log)
        seconds, _ = time_it(lambda: lifecycle_stages(frame, periods="Q"))
        rows.append(("custseg (polars)", seconds))
    con = duckdb.connect()
    con.register("df", log)
    seconds, theirs = time_it(lambda: con.sql(DUCKDB_STAGES).df())
    rows.append(("DuckDB SQL (counts only)", seconds))
    np.testing.assert_array_equal(
        ours.counts.to_numpy(),
        theirs[["new", "repeat", "reactivated", "lapsed"]].to_numpy(),
    )
    print(f"\nlifecycle stages by quarter, {n_rows:,} transactions (counts agree)")
    print(
        pd.DataFrame(rows, columns=["implementation", "seconds"])
        .round(2)
        .to_string(index=False)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    args = parser.parse_args(argv)
    if args.smoke:
        args.customers, args.transactions = 5_000, 50_000
    bench_models(args.customers)
    bench_lifecycle(args.transactions)


if __name__ == "__main__":
    main()

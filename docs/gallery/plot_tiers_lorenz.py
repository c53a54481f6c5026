"""
Usage tiers on the Lorenz curve
===============================

Heavy / medium / light users by rank share of customers (20% / 30% / 50%); the
Lorenz curve shows how concentrated orders are and where each tier begins.
"""

import warnings

import custseg
from custseg.datasets import make_transactions

log, _ = make_transactions(1000, random_state=0)
customers = custseg.rfm_table(log, order_col="order_id")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ties at the tier boundaries are reported
    tiers = custseg.UsageTiers("frequency").fit(customers)
print(tiers.tiers_[["tier", "customers", "share", "value_share"]])

custseg.LorenzCurveDisplay.from_estimator(tiers, customers)

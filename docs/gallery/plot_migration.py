"""
Segment migration between two periods
=====================================

Fit the rules on the customer table as of one date and score a later date with
the same cut points: where did each segment's customers go?
"""

import custseg
from custseg.datasets import make_transactions

log, _ = make_transactions(1000, random_state=0)
before = custseg.rfm_table(log, order_col="order_id", reference_date="2025-06-30")
after = custseg.rfm_table(log, order_col="order_id")
rules = custseg.RFMSegmenter().fit(before)

custseg.MigrationDisplay.from_estimator(rules, before, after)

"""
RFM heatmap and rule segment sizes
==================================

Score the customers with quantile bins, name them with the default
Putler-style rules, and look at the mean spend in each recency × frequency cell
and at each segment's share of customers and of revenue.
"""

import matplotlib.pyplot as plt

import custseg
from custseg.datasets import make_transactions

log, _ = make_transactions(1000, random_state=0)
customers = custseg.rfm_table(log, order_col="order_id")
rules = custseg.RFMSegmenter().fit(customers)

custseg.RFMHeatmapDisplay.from_estimator(rules, customers)

# %%
# Segment sizes beside revenue: the few Champions hold most of the revenue.

fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
custseg.SegmentSizesDisplay.from_estimator(rules, ax=ax)
plt.show()

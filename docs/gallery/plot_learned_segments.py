"""
Choosing k, persona profiles and silhouettes
============================================

:class:`custseg.CustomerSegmenter` picks the number of segments by several
criteria, names each segment with a persona and reports profiles in original
units.
"""

import matplotlib.pyplot as plt

import custseg
from custseg.datasets import make_transactions

log, _ = make_transactions(1000, random_state=0)
customers = custseg.rfm_table(log, order_col="order_id")
segmenter = custseg.CustomerSegmenter(random_state=0).fit(customers)

# %%
# Every criterion over k (rescaled to 0..1), each one's preferred k starred;
# the stability of the least stable segment against its band (shaded), k with
# a segment under 2% crossed, the chosen k dashed.

custseg.KSelectionDisplay.from_estimator(segmenter)

# %%
# Medians per segment, coloured by how far they stand from the other segments.

fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
custseg.SegmentProfileDisplay.from_estimator(segmenter, ax=ax)

# %%
# Silhouette of every customer, grouped by segment.

custseg.SilhouetteDisplay.from_estimator(segmenter, customers, random_state=0)
plt.show()

"""
Bootstrap stability of the segments
===================================

:func:`custseg.validate_segmentation` refits the segmentation on bootstrap
resamples; each segment's Jaccard coefficient with its best match is read
against Hennig's bands (0.6 / 0.75 / 0.85).
"""

from sklearn.base import clone

import custseg
from custseg.datasets import make_transactions

log, _ = make_transactions(600, random_state=0)
customers = custseg.rfm_table(log, order_col="order_id")
segmenter = custseg.CustomerSegmenter(random_state=0).fit(customers)

fixed_k = clone(segmenter).set_params(n_segments=segmenter.n_segments_)
report = custseg.validate_segmentation(
    fixed_k, customers, n_bootstrap=10, random_state=0
)
print(report.verdict)

custseg.StabilityDisplay.from_report(report)

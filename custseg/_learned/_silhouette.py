"""The mean silhouette of many labelings of the same points, in one pass."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.metrics.pairwise import euclidean_distances

__all__ = ["silhouette_many"]


def silhouette_many(X, label_sets, *, chunk_size=1000):
    """Mean silhouette coefficient of several labelings of the same points.

    The pairwise distances are computed once, chunk by chunk, and reused for
    every labeling, so scoring 9 values of ``k`` costs about one silhouette.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        A sample of customers (a sparse one is made dense).
    label_sets : list of array-like of int, each of shape (n_samples,)
    chunk_size : int, default=1000
        Rows of the distance matrix held in memory at once.

    Returns
    -------
    ndarray of shape (len(label_sets),)
        The mean silhouette of each labeling, as
        :func:`sklearn.metrics.silhouette_score` defines it (a point alone in
        its cluster scores 0); NaN when a labeling has fewer than 2 or more
        than ``n_samples - 1`` clusters.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> silhouette_many(X, [[0, 0, 1, 1], [0, 1, 1, 1]]).round(3)
    array([0.98 , 0.005])
    """
    X = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    n = X.shape[0]
    encoded = [
        np.unique(np.asarray(lab), return_inverse=True)[1].ravel() for lab in label_sets
    ]
    widths = [int(codes.max()) + 1 if n else 0 for codes in encoded]
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
    # one indicator column per (labeling, cluster): a single product per chunk
    indicator = np.zeros((n, offsets[-1]))
    for codes, offset in zip(encoded, offsets[:-1], strict=True):
        indicator[np.arange(n), offset + codes] = 1.0
    counts = indicator.sum(axis=0)
    totals = np.zeros((len(encoded), n))
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        all_sums = euclidean_distances(X[start:stop], X) @ indicator
        rows = np.arange(stop - start)
        for i, codes in enumerate(encoded):
            lo, hi = offsets[i], offsets[i + 1]
            sums = all_sums[:, lo:hi]  # distance from each point to each cluster
            own = codes[start:stop]
            own_count = counts[lo:hi][own]
            with np.errstate(divide="ignore", invalid="ignore"):
                a = sums[rows, own] / (own_count - 1)
                mean_other = sums / counts[lo:hi]
            mean_other[rows, own] = np.inf
            b = mean_other.min(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                s = (b - a) / np.maximum(a, b)
            s[(own_count <= 1) | ~np.isfinite(s)] = 0.0
            totals[i, start:stop] = s
    out = np.full(len(encoded), np.nan)
    for i, width in enumerate(widths):
        if 2 <= width <= n - 1:
            out[i] = totals[i].mean()
    return out

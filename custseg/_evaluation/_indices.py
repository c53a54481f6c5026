"""Internal indices of a segmentation and its agreement with a data-driven clustering.

All are computed in one space: the numeric features, with missing values
set to the column median, ``log1p`` applied to non-negative columns whose
skewness exceeds 1 (money and counts), then standardised.  The
agreement is measured against :class:`~sklearn.cluster.KMeans` with as many
clusters as the segmentation has non-empty segments, fitted on at most
50,000 customers drawn at random and applied to all.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from custseg._learned import skewness

__all__ = ["KMEANS_CUSTOMERS", "internal_indices", "model_space"]

KMEANS_CUSTOMERS = 50_000


def model_space(numeric):
    """Numeric features for indices and clustering: log1p where skewed, standardised."""
    z = numeric.astype(float)
    z = z.fillna(z.median())
    for col in z:
        values = z[col].to_numpy()
        if values.min() >= 0 and skewness(values) > 1:
            z[col] = np.log1p(values)
    # standardising is scale-free: divide by the largest magnitude first so
    # that sums and squares of amounts near the float64 limit cannot overflow
    z = z / z.abs().max().replace(0.0, 1.0)
    std = z.std(ddof=0).replace(0.0, 1.0)
    return ((z - z.mean()) / std).to_numpy()


def internal_indices(space, labels, n_segments, sample_size, rng):
    """Silhouette, Calinski-Harabasz, Davies-Bouldin, and ARI / AMI against KMeans.

    Parameters
    ----------
    space : ndarray of shape (n_customers, n_features) or None
        From :func:`model_space`; None (no numeric feature) gives NaN everywhere.
    labels : ndarray of int
    n_segments : int
        Non-empty segments; fewer than 2 gives NaN everywhere.
    sample_size : int or None
        Customers sampled for the silhouette.
    rng : numpy.random.RandomState

    Returns
    -------
    dict
        ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``,
        ``adjusted_rand`` and ``adjusted_mutual_info``.

    Examples
    --------
    >>> import numpy as np
    >>> space = np.r_[np.zeros((5, 1)), np.ones((5, 1))]
    >>> out = internal_indices(space, np.repeat([0, 1], 5), 2, None,
    ...                        np.random.RandomState(0))
    >>> out["silhouette"], out["adjusted_rand"]
    (1.0, 1.0)
    """
    out = dict.fromkeys(
        [
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
            "adjusted_rand",
            "adjusted_mutual_info",
        ],
        np.nan,
    )
    n = labels.shape[0]
    if space is None or not 2 <= n_segments < n:
        return out
    sample = None if sample_size is None or sample_size >= n else sample_size
    try:
        out["silhouette"] = float(
            silhouette_score(
                space, labels, sample_size=sample, random_state=rng.randint(2**31 - 1)
            )
        )
    except ValueError:  # the sample held a single segment
        pass
    out["calinski_harabasz"] = float(calinski_harabasz_score(space, labels))
    out["davies_bouldin"] = float(davies_bouldin_score(space, labels))
    kmeans = KMeans(n_segments, n_init=3, random_state=rng.randint(2**31 - 1))
    # centres are settled long before 50,000 customers; all are then assigned
    fit_rows = (
        rng.choice(n, KMEANS_CUSTOMERS, replace=False)
        if n > KMEANS_CUSTOMERS
        else slice(None)
    )
    reference = kmeans.fit(space[fit_rows]).predict(space)
    out["adjusted_rand"] = float(adjusted_rand_score(labels, reference))
    out["adjusted_mutual_info"] = float(adjusted_mutual_info_score(labels, reference))
    return out

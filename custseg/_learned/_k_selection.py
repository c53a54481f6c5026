"""Criteria for the number of segments and the rule that picks one.

Every candidate ``k`` is fitted once; then several criteria score it:

- ``silhouette`` (higher is better), on a random sample of customers,
  computed for all ``k`` from one pass over the sample's pairwise distances;
- ``calinski_harabasz`` (higher is better) and ``davies_bouldin`` (lower is
  better) on all the customers used for the search;
- ``inertia`` when the clusterer has ``inertia_`` (k-means): the preferred
  ``k`` is the knee of the curve, the point farthest from the straight line
  joining its two ends (the "kneedle" idea of Satopää et al., 2011);
- ``bic`` when the clusterer has a ``bic`` method (Gaussian mixtures): the
  minimum.

The choice (``selection="vote"``): each criterion votes for its preferred
``k``; the ``k`` with most votes wins; ties go to the higher silhouette, then
to the smaller ``k``.  Naming one criterion instead uses it alone.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
)
from sklearn.metrics.pairwise import euclidean_distances

__all__ = [
    "CRITERIA",
    "choose_k",
    "knee_index",
    "search_n_segments",
    "selection_table",
    "silhouette_many",
    "stability_score",
]

# criterion -> how its preferred k is read off the curve
CRITERIA = {
    "silhouette": "max",
    "calinski_harabasz": "max",
    "davies_bouldin": "min",
    "inertia": "knee",
    "bic": "min",
}


logger = logging.getLogger("custseg")


def silhouette_many(X, label_sets, *, chunk_size=1000):
    """Mean silhouette coefficient of several labelings of the same points.

    The pairwise distances are computed once, chunk by chunk, and reused for
    every labeling, so scoring 9 values of ``k`` costs about one silhouette.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
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
    X = np.asarray(X, dtype=np.float64)
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


def knee_index(values):
    """Position of the knee of a decreasing curve over equally spaced ``k``.

    Both axes are rescaled to [0, 1]; the knee is the point farthest below
    the chord joining the first and last points.  Returns ``None`` when the
    curve has fewer than 3 finite points or is flat.

    Examples
    --------
    >>> knee_index([100.0, 40.0, 12.0, 10.0, 9.0, 8.0])
    2
    """
    y = np.asarray(values, dtype=np.float64)
    if y.size < 3 or not np.isfinite(y).all() or np.ptp(y) == 0:
        return None
    x = np.linspace(0.0, 1.0, y.size)
    y = (y - y.min()) / np.ptp(y)
    chord = y[0] + (y[-1] - y[0]) * x
    gap = chord - y
    return int(np.argmax(gap)) if gap.max() > 1e-9 else None


def internal_scores(Z, labels):
    """Calinski-Harabasz and Davies-Bouldin of one labeling (NaN if 1 cluster)."""
    n_labels = np.unique(labels).size
    if n_labels < 2 or n_labels > Z.shape[0] - 1:
        return np.nan, np.nan
    return calinski_harabasz_score(Z, labels), davies_bouldin_score(Z, labels)


def selection_table(ks, scores):
    """One row per ``k``, one column per criterion, and each criterion's choice.

    Parameters
    ----------
    ks : sequence of int
    scores : dict of str to sequence of float
        Criterion name (a key of :data:`CRITERIA`) to its value for each k.
        Criteria whose values are all NaN are dropped.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``n_segments``, with a column per criterion.
    preferred : dict of str to int
        The ``k`` each criterion prefers.
    """
    index = pd.Index(list(ks), name="n_segments")
    table = pd.DataFrame(index=index)
    preferred = {}
    for name, rule in CRITERIA.items():
        if name not in scores:
            continue
        values = np.asarray(scores[name], dtype=np.float64)
        if np.isnan(values).all():
            continue
        table[name] = values
        if rule == "knee":
            position = knee_index(values)
        elif rule == "max":
            position = int(np.nanargmax(values))
        else:
            position = int(np.nanargmin(values))
        if position is not None:
            preferred[name] = int(index[position])
    return table, preferred


def choose_k(table, preferred, selection="vote"):
    """Apply the selection rule; return the chosen ``k`` and the vote counts.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"silhouette": [0.5, 0.6, 0.55]},
    ...                      index=pd.Index([2, 3, 4], name="n_segments"))
    >>> choose_k(table, {"silhouette": 3, "calinski_harabasz": 4,
    ...                  "davies_bouldin": 3}, "vote")[0]
    3
    """
    votes = pd.Series(0, index=table.index, dtype=np.int64)
    for k in preferred.values():
        votes[k] += 1
    if selection != "vote":
        if selection not in preferred:
            raise ValueError(
                f"selection={selection!r} is not available for this clusterer; "
                f"available criteria: {sorted(preferred)}."
            )
        return preferred[selection], votes
    if not preferred:
        return int(table.index[0]), votes
    best = votes[votes == votes.max()].index
    if len(best) > 1 and "silhouette" in table:
        sil = table.loc[best, "silhouette"]
        if sil.notna().any():
            best = sil[sil == sil.max()].index
    return int(min(best)), votes


def stability_score(reference_labels, bootstrap_labels):
    """Mean adjusted Rand index between a solution and its bootstrap refits."""
    scores = [adjusted_rand_score(reference_labels, b) for b in bootstrap_labels]
    return float(np.mean(scores)) if scores else np.nan


def _fit_k(base, param, k, Z, verbose=False):
    """Fit one candidate k; return it with its labels and criteria."""
    if verbose:
        logger.info("CustomerSegmenter: fitting k=%d on %d customers", k, Z.shape[0])
    model = clone(base).set_params(**{param: k}).fit(Z)
    labels = np.asarray(model.predict(Z))
    ch, db = internal_scores(Z, labels)
    inertia = float(model.inertia_) if hasattr(model, "inertia_") else np.nan
    bic = float(model.bic(Z)) if hasattr(model, "bic") else np.nan
    scores = {"calinski_harabasz": ch, "davies_bouldin": db}
    return model, labels, {**scores, "inertia": inertia, "bic": bic}


def _bootstrap_labels(base, param, k, Z, seed):
    rows = np.random.RandomState(seed).randint(0, Z.shape[0], Z.shape[0])
    return clone(base).set_params(**{param: k}).fit(Z[rows]).predict(Z)


def search_n_segments(
    base,
    param,
    Z,
    ks,
    *,
    selection,
    sample_size,
    search_size,
    n_bootstrap,
    rng,
    n_jobs,
    verbose=False,
):
    """Fit every k, score it, choose one, and measure the chosen one's stability.

    Parameters
    ----------
    base : estimator
        Unfitted clusterer; ``param`` (``n_clusters`` or ``n_components``) is
        set to each k of ``ks`` on a clone.
    Z : ndarray of shape (n_samples, n_features)
        Preprocessed customer features.
    selection : str
        ``"vote"`` or a criterion name (see :func:`choose_k`).
    sample_size : int
        Rows sampled for the silhouette and the bootstrap.
    search_size : int or None
        If ``Z`` has more rows, the search runs on a random subset this large
        and the chosen k is refitted on all of ``Z``.
    n_bootstrap : int
        Bootstrap refits of the chosen k on the sample (0 skips).
    rng : RandomState
        Draws the subsets and the bootstrap seeds, before any parallel work,
        so the result does not depend on ``n_jobs``.
    n_jobs : int or None
        joblib jobs (threads preferred) over the candidate k and over the
        bootstrap refits.
    verbose : bool, default=False
        Log progress (each k, the choice, the refits) at INFO level on the
        ``"custseg"`` logger.

    Returns
    -------
    model : fitted estimator for the chosen k
    table : pandas.DataFrame
        One row per k: criteria, ``stability`` (chosen k only), ``votes``,
        ``preferred_by``, ``chosen``.
    preferred : dict
        The k each criterion prefers.
    """
    n = Z.shape[0]
    rows = None
    if search_size is not None and n > search_size:
        rows = np.sort(rng.choice(n, search_size, replace=False))
    Zs = Z if rows is None else Z[rows]
    sample = rng.choice(Zs.shape[0], min(sample_size, Zs.shape[0]), replace=False)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_bootstrap)
    fits = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fit_k)(base, param, k, Zs, verbose) for k in ks
    )
    scores = {c: [f[2][c] for f in fits] for c in CRITERIA if c != "silhouette"}
    scores["silhouette"] = silhouette_many(Zs[sample], [f[1][sample] for f in fits])
    table, preferred = selection_table(ks, scores)
    chosen, votes = choose_k(table, preferred, selection)
    model, labels, _ = fits[ks.index(chosen)]
    if verbose:
        logger.info(
            "CustomerSegmenter: chose k=%d (%s); %d bootstrap refits for its stability",
            chosen,
            selection,
            n_bootstrap,
        )
    table["stability"] = np.nan
    if n_bootstrap:
        boot = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_bootstrap_labels)(base, param, chosen, Zs[sample], s)
            for s in seeds
        )
        table.loc[chosen, "stability"] = stability_score(labels[sample], boot)
    table["votes"] = votes
    table["preferred_by"] = [
        ", ".join(c for c, k in preferred.items() if k == row) for row in ks
    ]
    table["chosen"] = table.index == chosen
    if rows is not None:
        if verbose:
            logger.info(
                "CustomerSegmenter: refitting k=%d on all %d customers", chosen, n
            )
        model = clone(base).set_params(**{param: chosen}).fit(Z)
    return model, table, preferred

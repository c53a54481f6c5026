"""Criteria for the number of segments and the rule that picks one.

Every candidate ``k`` is fitted once; then several criteria score it:

- ``stability``: every segment is matched with its most similar segment in
  each of ``n_bootstrap`` refits on bootstrap resamples of a sample of
  customers (Jaccard coefficient, as Hennig's 2007 ``clusterboot`` and
  :func:`custseg.validate_segmentation` do); a segment's stability is the
  mean over the refits, and the k's is that of its least stable segment.
  Near ``stability_threshold`` more rounds of refits are drawn until the
  threshold is two standard errors away (``refits`` counts them, see
  :mod:`custseg._learned._k_stability`);
- ``stability_ari``: the mean adjusted Rand index (ARI) between the solution
  and the same refits, a global agreement shown beside it;
- ``smallest_share``: the share of customers in the smallest segment;
- ``silhouette`` (higher is better), on a random sample of customers,
  computed for all ``k`` from one pass over the sample's pairwise distances;
- ``calinski_harabasz`` (higher is better) and ``davies_bouldin`` (lower is
  better) on all the customers used for the search;
- ``inertia`` when the clusterer has ``inertia_`` (k-means): the preferred
  ``k`` is the knee of the curve, the point farthest from the straight line
  joining its two ends (the "kneedle" idea of Satopää et al., 2011);
- ``bic`` when the clusterer has a ``bic`` method (Gaussian mixtures): the
  minimum.

The default choice (``selection="stability"``) is the largest ``k`` whose
every segment refits reproduce (stability at least ``stability_threshold``,
0.75 by default: "stable" on Hennig's scale, the band
:func:`custseg.validate_segmentation` uses for its verdict), whose smallest
segment holds at least ``min_share`` of the customers, which is not
degenerate, and which is not beyond the elbow of ``within_ss`` (the
within-segment sum of squares of every clusterer's labels, k-means'
inertia).  The least stable segment decides: one group cut in two at random
leaves a global agreement such as the ARI high, while the halves score low.
The elbow bounds the search because a broad group is often cut along its own
spread the same way on every refit, so stability alone would pass too many
segments on planted data.  When no ``k`` up to the elbow qualifies, the smallest qualifying ``k``
beyond it is taken; then the most stable ``k`` among those with no tiny
segment (and the smallest ``k`` if every one has a tiny segment).

``selection="vote"``: each classical criterion votes for its preferred ``k``;
the ``k`` with most votes wins; ties go to the higher silhouette, then to the
smaller ``k``.  Naming one criterion instead uses it alone.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score

from custseg._learned._k_stability import MAX_ROUNDS, measure_stability
from custseg._learned._mixtures import degeneracy
from custseg._learned._silhouette import silhouette_many
from custseg._warnings import warn

__all__ = [
    "CRITERIA",
    "choose_k",
    "choose_stable_k",
    "knee_index",
    "search_n_segments",
    "within_ss",
    "selection_table",
    "silhouette_many",
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


def within_ss(Z, labels):
    """Within-segment sum of squares of one labeling (k-means' inertia).

    Examples
    --------
    >>> import numpy as np
    >>> within_ss(np.array([[0.0], [2.0], [10.0]]), np.array([0, 0, 1]))
    2.0
    """
    total = 0.0
    for label in np.unique(labels):
        members = Z[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def choose_stable_k(table, stability_threshold, min_share, measure):
    """The largest stable k up to the elbow, with no tiny segment, and why.

    Eligible: smallest segment at least ``min_share``, not degenerate, and
    stability (of the least stable segment) at least
    ``stability_threshold``.  Among them, the largest k not beyond the elbow
    (the knee of ``within_ss``, see :func:`knee_index`): past the elbow a
    split is often reproducible (a broad group of customers cut along its
    own spread the same way every time) yet adds little.  Then, in order:
    the smallest eligible k beyond the elbow, the most stable k with no tiny
    segment, the smallest k.  Stability is costly (bootstrap refits), so it
    is measured in that order of preference and the search stops at the
    first eligible k; the others keep NaN.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by k, with ``smallest_share``, ``within_ss`` and
        ``degenerate`` (empty string when not degenerate); ``stability`` and
        ``stability_ari`` are filled in place.
    stability_threshold, min_share : float
    measure : callable
        ``measure(k)`` returns the stability of k's least stable segment
        and the mean adjusted Rand index of the refits.

    Returns
    -------
    chosen : int
    reason : str

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {"smallest_share": [0.3, 0.1, 0.05, 0.01, 0.05],
    ...      "within_ss": [100.0, 40.0, 12.0, 10.0, 9.0],
    ...      "degenerate": [""] * 5}, index=[2, 3, 4, 5, 6])
    >>> stability = {2: 0.99, 3: 0.95, 4: 0.7, 5: 0.9, 6: 0.9}
    >>> choose_stable_k(table, 0.75, 0.02, lambda k: (stability[k], 0.9))[0]
    3
    >>> table["stability"].tolist()  # 4 (the elbow) fails, 3 qualifies
    [nan, 0.95, 0.7, nan, nan]
    """
    table["stability"] = np.nan
    table["stability_ari"] = np.nan
    big = (table["smallest_share"] >= min_share) & (table["degenerate"] == "")
    knee = knee_index(table["within_ss"].to_numpy(dtype=np.float64))
    elbow = int(table.index[knee]) if knee is not None else int(table.index.max())
    ks = [int(k) for k in table.index[big]]
    order = sorted((k for k in ks if k <= elbow), reverse=True)
    order += sorted(k for k in ks if k > elbow)
    bands = (
        f"every segment's stability >= {stability_threshold:g} and every "
        f"segment >= {min_share:.0%} of customers"
    )
    for k in order:
        table.loc[k, ["stability", "stability_ari"]] = measure(k)
        if table.loc[k, "stability"] >= stability_threshold:
            where = "largest k up to" if k <= elbow else "smallest k beyond"
            return k, f"{where} the elbow (k={elbow}) with {bands}"
    if table["stability"].notna().any():
        k = int(table["stability"].idxmax())
        return k, (
            f"no k reaches stability {stability_threshold:g}: the most stable k "
            f"with every segment >= {min_share:.0%} of customers"
        )
    return int(table.index.min()), (
        f"every k has a segment below {min_share:.0%} of customers or is "
        "degenerate: the smallest k"
    )


def _fit_k(base, param, k, Z, verbose=False, dense=None):
    """Fit one candidate k; return it with its labels and criteria.

    ``dense``: ``Z`` as an array for the criteria when ``Z`` is sparse.
    """
    if verbose:
        logger.info("CustomerSegmenter: fitting k=%d on %d customers", k, Z.shape[0])
    model = clone(base).set_params(**{param: k}).fit(Z)
    labels = np.asarray(model.predict(Z))
    Z = Z if dense is None else dense
    ch, db = internal_scores(Z, labels)
    inertia = float(model.inertia_) if hasattr(model, "inertia_") else np.nan
    bic = float(model.bic(Z)) if hasattr(model, "bic") else np.nan
    scores = {"calinski_harabasz": ch, "davies_bouldin": db}
    return model, labels, {**scores, "inertia": inertia, "bic": bic}


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
    stability_threshold=0.75,
    min_share=0.02,
    verbose=False,
):
    """Fit every k, score it, measure its stability, and choose one.

    Parameters
    ----------
    base : estimator
        Unfitted clusterer; ``param`` (``n_clusters`` or ``n_components``) is
        set to each k of ``ks`` on a clone.
    Z : ndarray or sparse matrix of shape (n_samples, n_features)
        Preprocessed customer features (sparse only for a clusterer that
        accepts it; the criteria then read a dense copy of the search rows).
    selection : str
        ``"stability"``, ``"vote"`` or a criterion name (see the module
        docstring).
    sample_size : int
        Rows sampled for the silhouette and the bootstrap.
    search_size : int or None
        If ``Z`` has more rows, the search runs on a random subset this large
        and the chosen k is refitted on all of ``Z``.
    n_bootstrap : int
        Bootstrap refits of every k on the sample (0 skips, and then
        ``"stability"`` falls back to ``"vote"``).
    rng : RandomState
        Draws the subsets and the bootstrap seeds, before any parallel work,
        so the result does not depend on ``n_jobs``.
    n_jobs : int or None
        joblib jobs (threads preferred) over the candidate k and over the
        bootstrap refits.
    stability_threshold, min_share : float
        The bands of ``selection="stability"``.
    verbose : bool, default=False
        Log progress at INFO level on the ``"custseg"`` logger.

    Returns
    -------
    model : fitted estimator for the chosen k
    table : pandas.DataFrame
        One row per k: the criteria, ``stability``, ``stability_ari``,
        ``refits`` (bootstrap refits drawn, NA where not measured),
        ``smallest_share``, ``degenerate``, ``votes``, ``preferred_by``,
        ``chosen``; the rule
        that chose is in ``table.attrs["rule"]``, its bands in
        ``table.attrs["stability_threshold"]`` and ``table.attrs["min_share"]``.
    preferred : dict
        The k each classical criterion prefers.
    """
    n = Z.shape[0]
    rows = None
    if search_size is not None and n > search_size:
        rows = np.sort(rng.choice(n, search_size, replace=False))
    Zs = Z if rows is None else Z[rows]
    # sparse one-hot blocks are for the clusterer; the criteria read arrays
    dense = Zs.toarray() if sp.issparse(Zs) else Zs
    sample = rng.choice(Zs.shape[0], min(sample_size, Zs.shape[0]), replace=False)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_bootstrap * MAX_ROUNDS)
    fits = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_fit_k)(base, param, k, Zs, verbose, dense) for k in ks
    )
    scores = {c: [f[2][c] for f in fits] for c in CRITERIA if c != "silhouette"}
    scores["silhouette"] = silhouette_many(dense[sample], [f[1][sample] for f in fits])
    table, preferred = selection_table(ks, scores)
    table["smallest_share"] = [
        np.bincount(f[1], minlength=k)[:k].min() / Zs.shape[0]
        for k, f in zip(ks, fits, strict=True)
    ]
    table["within_ss"] = [within_ss(dense, f[1]) for f in fits]
    table["degenerate"] = [
        degeneracy(f[0], f[1], k, Z.shape[1]) for k, f in zip(ks, fits, strict=True)
    ]
    refits = {}

    def measure(k):
        reference = fits[ks.index(k)][1][sample]
        stability, ari, refits[k] = measure_stability(
            base, param, k, Zs[sample], reference, seeds,
            n_bootstrap=n_bootstrap, threshold=stability_threshold, n_jobs=n_jobs,
            verbose=verbose,
        )  # fmt: skip
        return stability, ari

    by_vote = "vote" if selection == "stability" else selection
    chosen, votes = choose_k(table, preferred, by_vote)
    rule = f"selection={selection!r}"
    if selection == "stability" and n_bootstrap:
        chosen, rule = choose_stable_k(table, stability_threshold, min_share, measure)
    else:
        if selection == "stability":
            rule = "n_bootstrap=0 measures no stability: the vote of the criteria"
            warn(
                f"n_segments='auto' with n_bootstrap=0 cannot measure stability: "
                f"k={chosen} is the vote of the criteria, which favours few segments "
                "on data without clear clusters. Pass n_bootstrap >= 5 for the "
                "stability rule, or selection='vote' to choose the vote."
            )
        table["stability"] = table["stability_ari"] = np.nan
        if n_bootstrap:
            table.loc[chosen, ["stability", "stability_ari"]] = measure(chosen)
    model = fits[ks.index(chosen)][0]
    if verbose:
        logger.info("CustomerSegmenter: chose k=%d (%s)", chosen, rule)
    table["refits"] = pd.Series(refits, index=table.index, dtype="Int64")
    table["votes"] = votes
    table["preferred_by"] = [
        ", ".join(c for c, k in preferred.items() if k == row) for row in ks
    ]
    table["chosen"] = table.index == chosen
    table.attrs["rule"] = rule
    table.attrs["stability_threshold"] = stability_threshold
    table.attrs["min_share"] = min_share
    if rows is not None:
        if verbose:
            logger.info(
                "CustomerSegmenter: refitting k=%d on all %d customers", chosen, n
            )
        model = clone(base).set_params(**{param: chosen}).fit(Z)
    return model, table, preferred

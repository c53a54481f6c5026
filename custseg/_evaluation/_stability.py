"""Bootstrap stability of segments, after Hennig's ``clusterboot`` (R fpc).

For each of ``n_bootstrap`` resamples of the customers (drawn with
replacement), the segmentation is refitted on the resample and applied to
every original customer.  Each original segment is matched with the most
similar refitted segment by the Jaccard coefficient
``|A ∩ B| / |A ∪ B|``; a segment's stability is the mean of these maxima.
Hennig (2007, 2008) reads the mean as: ≤ 0.5 dissolved, < 0.6 not
trustworthy, 0.6-0.75 doubtful, ≥ 0.75 stable, ≥ 0.85 highly stable.

Unlike ``clusterboot``, which compares clusterings on the points drawn into
each resample, the refitted model here predicts every original customer, so
all Jaccard coefficients are computed on the same set of customers.

Plain labels (a hypothesis with no model to refit) are handled by a
reference model: a decision tree classifier trained on each resample to
reproduce the hypothesised labels from the numeric features.  A segment the
features define (planted personas, rule-based score ranges) is reproduced on
every resample; a segment they do not define (random labels, a random half
of a segment) cannot be, and scores low.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state

from custseg._learned import max_jaccard
from custseg._progress import progress
from custseg._tables import as_pandas_table, resample_rows
from custseg._warnings import quiet

__all__ = [
    "STABILITY_BANDS",
    "bootstrap_stability",
    "max_jaccard",
    "reference_model",
    "stability_band",
]

_BANDS = (
    (0.5, "dissolved"),
    (0.6, "not trustworthy"),
    (0.75, "doubtful"),
    (0.85, "stable"),
)
# lower edges of "doubtful", "stable" and "highly stable", for plots and reports
STABILITY_BANDS = tuple(upper for upper, _ in _BANDS[1:])


def stability_band(jaccard):
    """Name Hennig's stability band of a mean bootstrap Jaccard coefficient.

    Examples
    --------
    >>> [stability_band(j) for j in (0.5, 0.59, 0.7, 0.8, 0.9)]
    ['dissolved', 'not trustworthy', 'doubtful', 'stable', 'highly stable']
    """
    if jaccard is None or not np.isfinite(jaccard):
        return "not computed"
    if jaccard <= _BANDS[0][0]:
        return _BANDS[0][1]
    for upper, name in _BANDS[1:]:
        if jaccard < upper:
            return name
    return "highly stable"


def reference_model(n_customers):
    """The reference model that reproduces plain labels from the features.

    A :class:`~sklearn.tree.DecisionTreeClassifier` whose leaves hold at least
    0.5% of the customers (at least 5), so it cannot memorise labels that the
    features do not explain.
    """
    return DecisionTreeClassifier(min_samples_leaf=max(5, int(0.005 * n_customers)))


def _restore_warning_filters(saved):
    """Undo what racing ``warnings.catch_warnings`` blocks left in the filters.

    scikit-learn's ``check_array`` enters ``catch_warnings`` on every call,
    so refits running in threads can leave its ``error ComplexWarning``
    filter (or drop the caller's filters) when they finish in another order
    than they started.  The filters are put back once every refit is done.
    """
    if warnings.filters != saved:
        warnings.filters[:] = saved
        warnings._filters_mutated()  # stdlib: resets the "once" registries


def _take(X, idx):
    if hasattr(X, "iloc"):
        return resample_rows(X, idx)
    return X[idx]


def _one_bootstrap(model, X, y, labels, n_segments, seed, chance):
    rng = np.random.RandomState(seed)
    idx = rng.randint(0, labels.shape[0], labels.shape[0])
    params = model.get_params(deep=False)
    if "random_state" in params:
        model.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
    # np.errstate and quiet() are thread-local; warnings.catch_warnings() is
    # not and must not run in joblib threads.  custseg's own warnings of the
    # refits repeat the fit on all customers (with other counts); others are
    # shown once by Python's default filter.
    with np.errstate(all="ignore"), quiet():
        if y is None:
            model.fit(_take(X, idx))
        else:
            model.fit(_take(X, idx), y[idx])
        predicted = model.predict(X)
        jaccard = max_jaccard(labels, predicted, n_segments)
        if not chance:
            return jaccard, None
        # the same refit for random labels of the same sizes: what the
        # matching gives by segment size alone
        random_labels = rng.permutation(labels)
        if y is not None:
            model = clone(model).fit(_take(X, idx), random_labels[idx])
            predicted = model.predict(X)
        return jaccard, max_jaccard(random_labels, predicted, n_segments)


def bootstrap_stability(
    model,
    X,
    labels,
    *,
    n_segments=None,
    fit_labels=False,
    n_bootstrap=100,
    random_state=None,
    n_jobs=None,
    verbose=False,
    chance=False,
):
    """Bootstrap Jaccard coefficients of every segment.

    Parameters
    ----------
    model : estimator
        An unfitted segmenter (``fit(X)``, ``predict(X)``) or, with
        ``fit_labels=True``, a classifier trained as ``fit(X, labels)``.
        It is cloned for each resample; a ``random_state`` parameter is set
        to a seed drawn for that resample.  Numpy floating-point warnings and
        custseg's own warnings of the refits are silenced, thread-safely
        (the fit on all customers showed them); other warnings are left to
        Python's default filter, which shows each once.
    X : DataFrame or ndarray of shape (n_customers, n_features)
    labels : ndarray of int, shape (n_customers,)
        The original segments, ``0 .. n_segments - 1``.
    n_segments : int, optional
        Number of segments, empty ones included (default ``labels.max() + 1``).
    fit_labels : bool, default=False
        Train ``model`` on the labels (reference model for plain labels).
    n_bootstrap : int, default=100
    random_state : int, RandomState instance or None
        All per-resample seeds are drawn from it up front, so the result does
        not depend on ``n_jobs``.
    n_jobs : int or None
        Resamples run in parallel with joblib, in threads unless a
        :func:`joblib.parallel_config` context chooses another backend.
    verbose : bool, default=False
        Show a progress bar.
    chance : bool, default=False
        Also return the chance level: in each resample, the labels are
        permuted at random (same segment sizes) and put through the same
        refit (a reference model is trained on them) and matching.

    Returns
    -------
    jaccard : numpy.ndarray of shape (n_bootstrap, n_segments)
        Maximal Jaccard coefficient of each segment in each resample.
    chance_jaccard : numpy.ndarray of shape (n_bootstrap, n_segments)
        Only with ``chance=True``: the same for the random labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> X = np.r_[np.zeros((20, 1)), np.ones((20, 1)) * 10] + np.arange(40)[:, None] / 100
    >>> labels = np.repeat([0, 1], 20)
    >>> jac = bootstrap_stability(KMeans(2, n_init=1), X, labels, n_bootstrap=5,
    ...                           random_state=0)
    >>> jac.shape, jac.mean().round(2)
    ((5, 2), np.float64(1.0))
    """
    labels = np.asarray(labels, dtype=np.int64)
    if n_segments is None:
        n_segments = int(labels.max()) + 1
    if not isinstance(X, np.ndarray | pd.DataFrame | pd.Series | list | tuple):
        X = as_pandas_table(X)  # a polars, pyarrow, ... table: resampled as pandas
    rng = check_random_state(random_state)
    seeds = rng.randint(np.iinfo(np.int32).max, size=n_bootstrap)
    y = labels if fit_labels else None
    tasks = (
        delayed(_one_bootstrap)(clone(model), X, y, labels, n_segments, seed, chance)
        for seed in seeds
    )
    # threads by default: KMeans, mixtures and numpy release the GIL, and
    # threads skip the start-up and data copies of worker processes
    parallel = Parallel(n_jobs=n_jobs, return_as="generator", prefer="threads")
    saved = list(warnings.filters)
    try:
        results = list(
            progress(
                parallel(tasks),
                total=n_bootstrap,
                desc="bootstrap stability",
                verbose=verbose,
            )
        )
    finally:
        _restore_warning_filters(saved)
    empty = np.empty((0, n_segments))
    jaccard = np.vstack([r[0] for r in results]) if results else empty
    if not chance:
        return jaccard
    return jaccard, (np.vstack([r[1] for r in results]) if results else empty)

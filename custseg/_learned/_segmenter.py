"""CustomerSegmenter: learned segments with a reported choice of k and personas."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.cluster import KMeans
from sklearn.utils import TransformerTags, check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from custseg._base import SegmenterMixin, Segments, profile_features, segment_profiles
from custseg._learned import _mixed_encoder as encoder
from custseg._learned import _mixed_types as mixed
from custseg._learned._k_selection import CRITERIA, search_n_segments
from custseg._learned._mixtures import apply_covariance_floor, warn_if_degenerate
from custseg._learned._personas import name_personas
from custseg._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    transform_output_container,
)
from custseg._tables import read_customer_table

__all__ = ["CustomerSegmenter"]


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(KMeans() if self.estimator is None else self.estimator, attr)

    return check


def _k_param(estimator):
    params = estimator.get_params(deep=False)
    return next((p for p in ("n_clusters", "n_components") if p in params), None)


class CustomerSegmenter(SegmenterMixin, MetaEstimatorMixin, BaseEstimator):
    """Learned customer segments with a reported choice of k and readable personas.

    The customer table (one row per customer) is preprocessed for skewed money
    data (:class:`LogRobustScaler`), clustered by ``estimator``, and every
    segment is named from its profile by :func:`name_personas`.  Profiles are
    in original units.

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``predict``, default=None
        The clusterer, cloned into ``estimator_``.  ``None`` means
        ``KMeans(n_init=3)``.  :class:`~sklearn.mixture.GaussianMixture`
        and any clusterer with ``predict`` plug in.  A clusterer with a
        ``reg_covar`` (Gaussian mixtures) gets at least the variance that the
        resolution of the features adds on the preprocessed scale (order
        counts are integers, see
        :func:`custseg._learned._preprocessing.discreteness_variance`), so
        that no component collapses onto one value of a count.
    n_segments : int, "auto" or None, default="auto"
        Number of segments, set as the clusterer's ``n_clusters`` or
        ``n_components``.  ``"auto"`` picks it from ``min_segments ..
        max_segments`` (see ``k_selection_``); ``None`` keeps the clusterer's
        own setting.
    features : sequence of str, default=None
        Columns to cluster on, numeric or categorical (text, category,
        boolean, 0/1: one-hot, each block scaled to weigh as one numeric
        variable).  Default: ``recency``, ``frequency`` and ``monetary`` when
        all are present, else every numeric non-identifier column; unused
        non-numeric columns are named in a warning.  Never the index.
    log_transform : "auto" or bool, default="auto"
        Signed ``log1p`` of right-skewed features (see :class:`LogRobustScaler`).
    scale : bool, default=True
        Robust scaling (median, interquartile range) after the log.
    categorical_weight : float, default=0.35
        Weight of a categorical feature relative to a numeric one (measured).
    currency : str, default=None
        Currency in the persona descriptions (``"$"``, ``"EUR"``).
    min_segments, max_segments : int, default=2, 10
        Range of k searched when ``n_segments="auto"``.
    selection : str, default="stability"
        How ``"auto"`` chooses k.  ``"stability"``: the largest k up to the
        elbow of the within-segment sum of squares whose every segment refits
        reproduce (mean best-match Jaccard >= ``stability_threshold``), none
        under ``min_share`` of the customers, and not degenerate.
        ``"vote"``: each criterion (silhouette, Calinski-Harabasz,
        Davies-Bouldin, the inertia knee, BIC) votes for its preferred k.
        A criterion name uses that criterion alone.  ``k_selection_`` always
        shows every criterion, so their disagreement is visible.
    stability_threshold : float, default=0.75
        Bootstrap stability every segment of a k needs: 0.75 is "stable" on
        Hennig's (2007) scale, the band of :func:`custseg.validate_segmentation`
        (0.85 "highly stable", 0.6-0.75 "doubtful").
    min_share : float, default=0.02
        Smallest share of customers a segment of the chosen k may hold.
    sample_size : int, default=10_000
        Customers sampled for the silhouette and for the bootstrap stability.
    search_size : int or None, default=100_000
        When the table has more customers, the search over k runs on a random
        subset of this size and the chosen k is then refitted on everyone.
        ``None`` searches on all customers.
    n_bootstrap : int, default=10
        Bootstrap refits of a k to measure its stability (on the sample,
        from the elbow down to the chosen k), in up to 5 rounds while it is
        within two standard errors of ``stability_threshold``.  0 skips them,
        and ``selection="stability"`` then falls back to the vote.
    vocabulary : dict, default=None
        Persona words per feature, overriding
        :func:`custseg.default_vocabulary` (a copy of the defaults).
    random_state : int, RandomState instance or None, default=None
        Seeds the clusterer (when it has ``random_state``) and the samples.
    n_jobs : int, default=None
        Parallel jobs over the candidate k and the bootstrap refits (joblib,
        threads by default: the clusterers release the GIL, and threads avoid
        copying the table to worker processes; a ``joblib.parallel_config``
        backend overrides this).  Results do not depend on it.
    verbose : bool, default=False
        Log the progress of the search over k (each candidate, the choice,
        the refits) at INFO level on the ``"custseg"`` logger.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clusterer.
    preprocessor_ : LogRobustScaler or MixedEncoder
        The fitted preprocessing (``MixedEncoder`` with categorical features).
    n_segments_ : int
        Number of segments.
    labels_ : ndarray of int, shape (n_customers,)
        Segment of each customer.
    segment_names_ : ndarray of str
        Persona name of each segment, indexed by label.
    profiles_ : pandas.DataFrame
        :func:`custseg.segment_profiles` plus ``description`` (and
        ``rule_segment`` where available).
    personas_ : pandas.DataFrame
        :func:`name_personas` output: names, descriptions, percentiles.
    k_selection_ : pandas.DataFrame
        Only when ``n_segments="auto"``: one row per k, one column per
        criterion, ``stability`` (least stable segment's mean bootstrap
        Jaccard), ``stability_ari``, ``refits`` (bootstrap refits drawn),
        ``smallest_share``, ``degenerate`` (the reason in words, empty when
        not), ``votes``, ``preferred_by`` and
        ``chosen``; ``k_selection_.attrs["rule"]`` says which rule chose.
        Deleted by a fit with a fixed ``n_segments``.
    k_preferred_ : dict
        Only when ``n_segments="auto"``: the k each classical criterion
        prefers.
    n_features_in_ : int
        Number of features clustered on.
    feature_names_in_ : ndarray of str
        Their names, when fitted on a DataFrame.

    Examples
    --------
    >>> from custseg import CustomerSegmenter, rfm_table
    >>> from custseg.datasets import make_transactions
    >>> log, truth = make_transactions(500, random_state=0)
    >>> table = rfm_table(log, customer_col="customer_id", date_col="date",
    ...                   amount_col="amount", order_col="order_id")
    >>> seg = CustomerSegmenter(random_state=0).fit(table)
    >>> seg.n_segments_
    5
    >>> sorted(seg.segment_names_)  # doctest: +NORMALIZE_WHITESPACE
    ['Fairly recent regular mid-range spenders', 'Lapsed occasional low spenders',
     'Lapsing frequent big spenders', 'Recent frequent big spenders',
     'Recent one-off modest spenders']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_segments": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "features": ["array-like", None],
        "log_transform": [StrOptions({"auto"}), "boolean"],
        "scale": ["boolean"],
        "categorical_weight": [Interval(Real, 0, None, closed="left")],
        "currency": [str, None],
        "min_segments": [Interval(Integral, 2, None, closed="left")],
        "max_segments": [Interval(Integral, 2, None, closed="left")],
        "selection": [StrOptions({"stability", "vote", *CRITERIA})],
        "stability_threshold": [Interval(Real, 0, 1, closed="both")],
        "min_share": [Interval(Real, 0, 1, closed="left")],
        "sample_size": [Interval(Integral, 3, None, closed="left")],
        "search_size": [Interval(Integral, 3, None, closed="left"), None],
        "n_bootstrap": [Interval(Integral, 0, None, closed="left")],
        "vocabulary": [dict, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator: BaseEstimator | None = None,
        *,
        n_segments: int | str | None = "auto",
        features: list[str] | tuple[str, ...] | np.ndarray | None = None,
        log_transform: bool | str = "auto",
        scale: bool = True,
        categorical_weight: float = 0.35,
        currency: str | None = None,
        min_segments: int = 2,
        max_segments: int = 10,
        selection: str = "stability",
        stability_threshold: float = 0.75,
        min_share: float = 0.02,
        sample_size: int = 10_000,
        search_size: int | None = 100_000,
        n_bootstrap: int = 10,
        vocabulary: dict | None = None,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
        verbose: bool | int = False,
    ) -> None:
        self.estimator = estimator
        self.n_segments = n_segments
        self.features = features
        self.log_transform = log_transform
        self.scale = scale
        self.categorical_weight = categorical_weight
        self.currency = currency
        self.min_segments = min_segments
        self.max_segments = max_segments
        self.selection = selection
        self.stability_threshold = stability_threshold
        self.min_share = min_share
        self.sample_size = sample_size
        self.search_size = search_size
        self.n_bootstrap = n_bootstrap
        self.vocabulary = vocabulary
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # -- input ---------------------------------------------------------------
    _skip_nested_validation = False  # the clusterer's parameters are validated
    _reads_values = False  # read_features reads numeric and categorical columns

    def _input_columns(self, frame, *, named):
        if not named:
            if self.features is not None:
                raise ValueError("features= selects columns by name: pass a DataFrame.")
            return list(frame.columns)
        return mixed.select_mixed_features(frame, self.features)

    # -- fit ---------------------------------------------------------------
    def _fit_segments(self, table):
        """Preprocess, choose k if asked, cluster and name the segments."""
        A = mixed.read_features(table)
        rng = check_random_state(self.random_state)
        self.preprocessor_ = encoder.make_preprocessor(A, self, table.columns)
        Z = self.preprocessor_.fit_transform(A)
        # 3 restarts: one k-means++ start lands in different local optima on
        # unclustered customer data, which the stability of k would measure
        default = KMeans(n_init=3)
        base = clone(default if self.estimator is None else self.estimator)
        apply_covariance_floor(base, *encoder.numeric_inputs(A, self.preprocessor_))
        if self.random_state is not None and "random_state" in base.get_params():
            base.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
        param = _k_param(base)
        if self.n_segments is not None and param is None:
            raise ValueError(
                f"{type(base).__name__} has neither n_clusters nor "
                "n_components: use n_segments=None."
            )
        if self.n_segments == "auto":
            self.estimator_ = self._search(base, param, Z, rng)
        else:
            if self.n_segments is not None:
                base.set_params(**{param: self.n_segments})
            self.estimator_ = base.fit(Z)
            self.n_segments_ = self.n_segments
            warn_if_degenerate(self.estimator_, Z, self.n_segments)
        labels = np.asarray(self.estimator_.predict(Z), dtype=np.int64)
        if labels.size and labels.min() < 0:
            raise ValueError(
                f"{type(base).__name__} predicted negative labels "
                "(noise); CustomerSegmenter needs one segment each."
            )
        # a clusterer may leave components empty (named "Empty segment")
        self.n_segments_ = max(
            getattr(self, "n_segments_", None) or 0, int(labels.max(initial=-1)) + 1
        )
        return self._name_segments(table.frame, labels, table.columns)

    def _search(self, base, param, Z, rng):
        if self.min_segments > self.max_segments:
            raise ValueError(
                f"min_segments={self.min_segments} is larger than "
                f"max_segments={self.max_segments}."
            )
        ks = list(range(self.min_segments, min(self.max_segments, Z.shape[0] - 1) + 1))
        if not ks:
            raise ValueError(
                f"n_segments='auto' needs more than {self.min_segments} customers, "
                f"got n_samples={Z.shape[0]}."
            )
        model, self.k_selection_, self.k_preferred_ = search_n_segments(
            base,
            param,
            Z,
            ks,
            selection=self.selection,
            sample_size=self.sample_size,
            search_size=self.search_size,
            n_bootstrap=self.n_bootstrap,
            rng=rng,
            n_jobs=self.n_jobs,
            stability_threshold=self.stability_threshold,
            min_share=self.min_share,
            verbose=self.verbose,
        )
        self.n_segments_ = int(self.k_selection_.index[self.k_selection_["chosen"]][0])
        warn_if_degenerate(model, Z, self.n_segments_, self.k_selection_)
        return model

    def _name_segments(self, table, labels, used):
        # frequency and monetary give the revenue columns of the profiles
        columns = profile_features(table, used)
        names = [f"segment {i}" for i in range(self.n_segments_)]
        draft = segment_profiles(table, labels, names, features=columns)
        personas = name_personas(
            draft, table[used], features=used, vocabulary=self.vocabulary,
            labels=labels, currency=self.currency,
        )  # fmt: skip
        self.personas_ = personas
        extra = {}
        if "rule_segment" in personas:
            extra["rule_segment"] = personas["rule_segment"]
        return Segments(
            labels,
            personas["name"],
            descriptions=personas["description"],
            profile={"features": columns},
            extra=extra,
        )

    # -- predict -----------------------------------------------------------
    def _preprocess(self, X):
        check_is_fitted(self)
        table = read_customer_table(self, X, reset=False)
        return self.preprocessor_.transform(mixed.read_features(table))

    def _predict_segments(self, table):
        Z = self.preprocessor_.transform(mixed.read_features(table))
        return np.asarray(self.estimator_.predict(Z), dtype=np.int64)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Probability of each segment (when the clusterer has ``predict_proba``).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)

        Returns
        -------
        ndarray of shape (n_customers, n_segments)
        """
        Z = self._preprocess(X)
        return self.estimator_.predict_proba(Z)

    @available_if(_estimator_has("transform"))
    def transform(self, X):
        """The clusterer's ``transform`` (k-means: distances to the centres).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)

        Returns
        -------
        ndarray of shape (n_customers, n_segments)
        """
        Z = self._preprocess(X)
        return transform_output_container(
            self, self.estimator_.transform(Z), X, self.get_feature_names_out()
        )

    @available_if(_estimator_has("transform"))
    def fit_transform(self, X, y=None):
        """Fit, then :meth:`transform` the same customers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)
        y : None
            Ignored.

        Returns
        -------
        ndarray of shape (n_customers, n_segments)
        """
        return self.fit(X).transform(X)

    @available_if(_estimator_has("transform"))
    def get_feature_names_out(self, input_features=None):
        """Names of the :meth:`transform` output: one column per segment.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored; the output names do not depend on the input names.

        Returns
        -------
        ndarray of str
            ``customersegmenter0``, ``customersegmenter1``, ... (so
            ``set_output(transform="pandas")`` works in a Pipeline).
        """
        check_is_fitted(self)
        # the width of the clusterer's output, read off one dummy row
        width = getattr(self.estimator_, "n_features_in_", self.n_features_in_)
        n_out = self.estimator_.transform(np.zeros((1, width))).shape[1]
        return np.asarray([f"customersegmenter{i}" for i in range(n_out)], dtype=object)

    @available_if(_estimator_has("transform"))
    def set_output(self, *, transform=None):
        """Choose the container of :meth:`transform`'s output.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            ``"pandas"`` or ``"polars"`` return a DataFrame named by
            :meth:`get_feature_names_out`; ``"default"`` a numpy array;
            ``None`` leaves the setting unchanged.

        Returns
        -------
        self
        """
        if transform is not None:
            self._sklearn_output_config = {"transform": transform}
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if _estimator_has("transform")(self):
            tags.transformer_tags = TransformerTags()
        return tags

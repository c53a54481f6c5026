"""What kind of hypothesis a segmentation is, and which columns define it.

- ``"learned"``: a segmenter that learns its segments from the data
  (:class:`custseg.CustomerSegmenter`, a clusterer behind the custseg
  protocol, :class:`custseg.RandomSegmenter`);
- ``"rule"``: a rule-based segmenter (:class:`custseg.RFMSegmenter`,
  :class:`custseg.UsageTiers`, :class:`custseg.QuantileSegmenter`), or plain
  labels that the non-defining columns reproduce (a reference decision tree
  reaches a cross-validated balanced accuracy of at least 0.9);
- ``"attribute"``: plain labels that the other columns do not define
  (channel, country, gender, trip purpose).

A *defining* column is one that alone reproduces plain labels: a
categorical column whose categories map to the labels, or a numeric column
whose cut points do, with a balanced accuracy of at least 0.95 (a decision
tree on that one column with at most two leaves per segment).  A
segmenter's defining columns are its own features.

:func:`segmenter_for_refit` is the one rule for refitting a segmenter on
bootstrap resamples: the hyper-parameters its fit chose (the number of
segments of ``n_segments="auto"``, the features of ``features=None``) are
fixed, unless ``refit="full"``.  :func:`segmenter_columns` names the
columns a segmenter reads (its defining columns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.tree import DecisionTreeClassifier

from custseg._evaluation._baselines import QuantileSegmenter, RandomSegmenter
from custseg._rule_based import RFMScorer, RFMSegmenter, UsageTiers

__all__ = [
    "DEFINING_ACCURACY",
    "RULE_ACCURACY",
    "defining_columns",
    "hypothesis_kind",
    "segmenter_columns",
    "segmenter_for_refit",
]

DEFINING_ACCURACY = 0.95
RULE_ACCURACY = 0.9
_RULE_SEGMENTERS = (RFMSegmenter, UsageTiers, RFMScorer, QuantileSegmenter)


def segmenter_for_refit(segmenter, refit="fixed"):
    """The unfitted segmenter to refit on each bootstrap resample.

    Parameters
    ----------
    segmenter : fitted segmenter
    refit : {"fixed", "full"}, default="fixed"
        ``"fixed"`` keeps the hyper-parameters the fit chose: a
        ``n_segments="auto"`` search is replaced by its chosen number of
        segments ``n_segments_``, ``features=None`` by the features used.
        ``"full"`` refits the whole procedure, search included.

    Returns
    -------
    estimator
        An unfitted clone.

    Examples
    --------
    >>> from custseg import CustomerSegmenter
    >>> from custseg.datasets import make_transactions
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 10, 11, 12], "b": [1.0, 1, 2, 8, 9, 9]})
    >>> seg = CustomerSegmenter(max_segments=3, selection="vote", n_bootstrap=0,
    ...                         random_state=0).fit(X)
    >>> segmenter_for_refit(seg).get_params()["n_segments"] == seg.n_segments_
    True
    >>> segmenter_for_refit(seg, "full").get_params()["n_segments"]
    'auto'
    """
    if refit not in ("fixed", "full"):
        raise ValueError(f"refit must be 'fixed' or 'full', got {refit!r}.")
    model = clone(segmenter)
    if refit == "full":
        return model
    params = model.get_params(deep=False)
    chosen = {}
    if isinstance(params.get("n_segments"), str) and hasattr(segmenter, "n_segments_"):
        chosen["n_segments"] = int(segmenter.n_segments_)
    names = getattr(segmenter, "feature_names_in_", None)
    if "features" in params and params["features"] is None and names is not None:
        chosen["features"] = [str(n) for n in names]
    return model.set_params(**chosen)


def segmenter_columns(segmenter):
    """The columns a fitted segmenter reads to assign its segments.

    A column-based baseline or tier (``column``), an RFM scorer's three
    columns, none for :class:`custseg.RandomSegmenter`, otherwise the
    ``feature_names_in_`` the fit recorded.
    """
    if isinstance(segmenter, RandomSegmenter):
        return []
    params = segmenter.get_params(deep=False)
    if isinstance(params.get("column"), str):
        return [params["column"]]
    scorer = getattr(segmenter, "scorer_", None) or (
        segmenter if isinstance(segmenter, RFMScorer) else None
    )
    if isinstance(scorer, RFMScorer):
        return [scorer.recency_col, scorer.frequency_col, scorer.monetary_col]
    names = getattr(segmenter, "feature_names_in_", None)
    return [] if names is None else [str(n) for n in names]


def _one_column_accuracy(series, labels, n_segments, categorical):
    observed = series.notna().to_numpy()
    y = labels[observed]
    if np.unique(y).size < 2:
        return 0.0
    if categorical:
        frame = pd.DataFrame({"value": series[observed].astype(str).to_numpy(), "y": y})
        majority = frame.groupby("value")["y"].agg(lambda s: s.value_counts().idxmax())
        predicted = majority.reindex(frame["value"]).to_numpy()
    else:
        x = series[observed].to_numpy(dtype=float).reshape(-1, 1)
        peak = np.abs(x).max() if x.size else 0.0
        x = (
            x / peak if np.isfinite(peak) and peak > 0 else x
        )  # float32-safe, same splits
        tree = DecisionTreeClassifier(
            max_leaf_nodes=2 * n_segments,
            min_samples_leaf=max(1, int(0.005 * y.size)),
            random_state=0,
        )
        predicted = tree.fit(x, y).predict(x)
    return balanced_accuracy_score(y, predicted)


def defining_columns(tested, labels, categorical):
    """Columns that alone reproduce the labels (balanced accuracy >= 0.95).

    Examples
    --------
    >>> X = pd.DataFrame({"age": [20, 25, 28, 40, 45, 48], "spend": [5, 1, 3, 2, 6, 4]})
    >>> defining_columns(X, np.array([0, 0, 0, 1, 1, 1]), set())
    ['age']
    """
    n_segments = int(labels.max()) + 1
    return [
        col
        for col in tested
        if _one_column_accuracy(tested[col], labels, n_segments, col in categorical)
        >= DEFINING_ACCURACY
    ]


def reproduced_accuracy(numeric, labels, model, seed):
    """Cross-validated balanced accuracy of the reference model on the labels."""
    counts = np.bincount(labels)
    folds = int(min(3, counts[counts > 0].min()))
    if numeric.shape[1] == 0 or folds < 2 or (counts > 0).sum() < 2:
        return 0.0
    cv = StratifiedKFold(folds, shuffle=True, random_state=int(seed))
    predicted = cross_val_predict(model, numeric, labels, cv=cv)
    return float(balanced_accuracy_score(labels, predicted))


def hypothesis_kind(segmenter, accuracy=None):
    """``"learned"``, ``"rule"`` or ``"attribute"`` (see the module docstring)."""
    if segmenter is not None:
        return "rule" if isinstance(segmenter, _RULE_SEGMENTERS) else "learned"
    return "rule" if accuracy is not None and accuracy >= RULE_ACCURACY else "attribute"

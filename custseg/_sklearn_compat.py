"""The one door to scikit-learn's private API.

Every name custseg needs from a private scikit-learn module is imported here
and nowhere else, so a scikit-learn release that moves one of them breaks this
file only.  The rest of the package imports these names from this module.
The lowest supported scikit-learn version runs the whole suite in CI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    generate_invalid_param_val,
    generate_valid_param,
    make_constraint,
    validate_parameter_constraints,
)
from sklearn.utils._param_validation import validate_params as _validate_params

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "generate_invalid_param_val",
    "generate_valid_param",
    "make_constraint",
    "fit_context",
    "transform_output_container",
    "transform_output_setting",
    "validate_parameter_constraints",
    "validate_params",
]

#: ``@fit_context(prefer_skip_nested_validation=...)`` validates the
#: parameters against ``_parameter_constraints`` before ``fit`` runs.
fit_context = _fit_context


def validate_params(parameter_constraints, *, prefer_skip_nested_validation=True):
    """scikit-learn's ``@validate_params`` for a public function.

    Wrong parameters raise ``InvalidParameterError`` (a ``ValueError`` and a
    ``TypeError``) naming the parameter.  Data arguments are declared
    ``"no_validation"``: custseg's readers check them and name the column.
    The constraints stay readable on the function as
    ``_parameter_constraints``, for the generic test over public functions.
    """

    def decorator(func):
        wrapped = _validate_params(
            parameter_constraints,
            prefer_skip_nested_validation=prefer_skip_nested_validation,
        )(func)
        wrapped._parameter_constraints = parameter_constraints
        return wrapped

    return decorator


def transform_output_container(estimator, data, X, columns):
    """Wrap a ``transform`` result as ``set_output`` asks, through public API.

    The estimator's own setting (``estimator._sklearn_output_config``, which
    ``set_output`` writes) wins over the global ``transform_output`` config.

    Parameters
    ----------
    estimator : estimator
    data : ndarray of shape (n_samples, n_outputs)
    X : the input of ``transform`` (its pandas index is kept)
    columns : sequence of str
        The output column names (``get_feature_names_out()``).

    Returns
    -------
    ndarray, pandas.DataFrame or polars.DataFrame
    """
    config = transform_output_setting(estimator)
    if config == "pandas":
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(data, index=index, columns=list(columns))
    if config == "polars":
        import polars as pl

        return pl.DataFrame(np.asarray(data), schema=list(columns), orient="row")
    return data


def transform_output_setting(estimator):
    """The ``set_output(transform=...)`` in force: "default", "pandas" or "polars".

    The estimator's own setting wins over the global ``transform_output``.
    """
    config = getattr(estimator, "_sklearn_output_config", {}).get("transform")
    if config is None:
        config = sklearn.get_config()["transform_output"]
    return config

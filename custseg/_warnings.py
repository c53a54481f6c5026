"""Warnings that point at the user's code.

Every warning custseg emits goes through :func:`warn`, which attributes it to the
first stack frame outside the ``custseg`` and ``sklearn`` packages. Counting ``stacklevel`` by hand
breaks as soon as a public function is reached through another one (``fit_transform``
calling ``fit``, the report calling ``rfm_table``), and then the warning points inside
the library, where a user cannot act on it and where ``-W error`` filters for the
user's module do not see it.
"""

import contextlib
import contextvars
import os
import sys
import warnings

import sklearn

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# scikit-learn's frames are skipped too: its decorators (``_fit_context``,
# ``validate_params``, set_output's wrapper) wrap custseg's methods, and a Pipeline
# calls them; the user's line is the ``pipeline.fit(...)`` that started it all
_SKLEARN_DIR = os.path.dirname(os.path.abspath(sklearn.__file__))


def find_stack_level():
    """Return the ``stacklevel`` of the first frame outside custseg.

    Returns
    -------
    int
        The value to pass to :func:`warnings.warn` from the caller of this
        function so that the warning is attributed to user code.

    Examples
    --------
    >>> from custseg._warnings import find_stack_level
    >>> find_stack_level() >= 1
    True
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        library = filename.startswith(_SKLEARN_DIR + os.sep)
        if not filename.startswith(_PACKAGE_DIR + os.sep) and not library:
            return level
        frame = frame.f_back
        level += 1
    return level


_QUIET = contextvars.ContextVar("custseg_quiet_warnings", default=False)


@contextlib.contextmanager
def quiet():
    """Silence custseg's own warnings in this thread (or task) only.

    For repeated fits whose warnings the first fit already showed (bootstrap
    refits): a context variable, so unlike ``warnings.catch_warnings`` it is
    safe in threads and never touches the global filters.

    Examples
    --------
    >>> import warnings
    >>> from custseg._warnings import quiet, warn
    >>> with warnings.catch_warnings(record=True) as caught, quiet():
    ...     warnings.simplefilter("always")
    ...     warn("shown once, on the first fit")
    >>> caught
    []
    """
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def warn(message, category=UserWarning):
    """Emit ``message`` attributed to the first frame outside custseg.

    Parameters
    ----------
    message : str
        What happened and how many rows, customers or columns it affected.
    category : type of Warning, default=UserWarning
        The warning class.

    Examples
    --------
    >>> import warnings
    >>> from custseg._warnings import warn
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("3 rows without a customer id were dropped")
    >>> str(caught[0].message)
    '3 rows without a customer id were dropped'
    """
    if _QUIET.get():
        return
    # The walk starts at this function's frame, the one warnings.warn counts as 1.
    warnings.warn(message, category, stacklevel=find_stack_level())

"""Progress that a person sees without configuring logging.

Long work (the search over k, bootstrap refits, comparisons, the report) reports
progress through :func:`progress`. With ``verbose`` true it shows a bar from
``tqdm.auto``: a widget in Jupyter, a single updating line in a terminal, so a
notebook user sees it with no ``logging.basicConfig``. When stderr is not a
terminal (redirected to a file, a CI log) there is no bar: one line when the
work starts and one when it ends. tqdm is the common choice of
the scientific Python stack (it is already a dependency of many of the users'
notebooks); when it is not installed the same messages go to the ``custseg`` logger.
Progress never changes results: it only wraps an iterable.
"""

import logging
import sys

logger = logging.getLogger("custseg")


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:  # optional: fall back to the logger
        return None
    return tqdm


def is_verbose(verbose):
    """Return whether ``verbose`` (a bool or an int level) asks for progress.

    Examples
    --------
    >>> from custseg._progress import is_verbose
    >>> is_verbose(True), is_verbose(0), is_verbose(2)
    (True, False, True)
    """
    return bool(verbose)


def progress(iterable, *, total=None, desc="", verbose=False):
    """Wrap ``iterable`` in a progress bar when ``verbose`` asks for one.

    Parameters
    ----------
    iterable : iterable
        The work items; they are yielded unchanged and in order.
    total : int, optional
        The number of items, when ``iterable`` has no length.
    desc : str, default=""
        A short description shown before the bar ("bootstrap refits").
    verbose : bool or int, default=False
        Show progress when true. Without tqdm installed, start and end are logged
        on the ``custseg`` logger instead.

    Yields
    ------
    object
        The items of ``iterable``.

    Examples
    --------
    >>> from custseg._progress import progress
    >>> list(progress(range(3), desc="counting"))
    [0, 1, 2]
    """
    if not is_verbose(verbose):
        yield from iterable
        return
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    tqdm = _tqdm()
    if tqdm is None:
        logger.info("%s: started (%s items)", desc, "?" if total is None else total)
        yield from iterable
        logger.info("%s: done", desc)
        return
    if _no_bar(tqdm):
        # a redirected stream gets one line at the start and one at the end
        count = "?" if total is None else total
        tqdm.write(f"custseg: {desc}: 0/{count}", file=sys.stderr)
        done = 0
        for done, item in enumerate(iterable, start=1):  # noqa: B007
            yield item
        tqdm.write(f"custseg: {desc}: {done}/{count} done", file=sys.stderr)
        return
    with tqdm(iterable, total=total, desc=desc, leave=False) as bar:
        yield from bar


def _no_bar(tqdm, stream=None):
    """Whether a bar would only write carriage-return debris.

    A terminal shows one updating line; a redirected stderr (a log file, a CI
    job, ``2> log.txt``) would store every redraw. tqdm's own ``disable=None``
    turns bars off on a stream that is not a terminal; Jupyter's widget bar
    does not write to the stream and is kept.
    """
    if any(c.__name__ == "tqdm_notebook" for c in tqdm.__mro__):
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return not (isatty is not None and isatty())
    except ValueError:  # a closed stream
        return True


def step(verbose, message, *args):
    """Say which step of a long computation starts, when ``verbose``.

    The message is logged on the ``custseg`` logger and, with tqdm installed,
    written through ``tqdm.write`` so that it shows in a notebook and does not
    break a running bar in a terminal.

    Examples
    --------
    >>> from custseg._progress import step
    >>> step(False, "aggregating %d rows", 10)  # silent unless verbose
    """
    if not is_verbose(verbose):
        return
    text = message % args if args else message
    logger.info(text)
    tqdm = _tqdm()
    if tqdm is not None:
        tqdm.write("custseg: " + text)

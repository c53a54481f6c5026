"""Temporary stand-in for the shared progress helper (replaced on merge)."""

from __future__ import annotations

__all__ = ["progress"]


def progress(iterable, *, total=None, desc=None, verbose=False):
    """Iterate, with a tqdm progress bar when ``verbose``."""
    if not verbose:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc)

"""The report's notes: the library's warnings worded for a reader, once each.

One run of the report aggregates the log several times (the full log, then
the calibration and holdout periods of the holdout check) and refits the
segmenters many times; each repeats the data-policy notes of the first
(missing customer ids dropped, returns netted, a skewed column log-scaled)
with other counts.  A reader gets one line per policy, with the full log's
count; a note that only a refit raises is kept, named by its period.
"""

from __future__ import annotations

import re
import warnings

__all__ = ["caught_notes", "holdout_notes", "reader_note", "refit_notes"]

_TIE = re.compile(
    r"UsageTiers: (\d+) customers share the value (\S+) of column '(\w+)' at the "
    r"boundary below '([^']+)'; all go to the lower tier, which leaves (\d+) "
    r"instead of (\d+) customers above it\."
)
# a bare whole number of 4 digits or more (a count), not part of a date, a
# name or a decimal
_COUNT = re.compile(r"(?<![\w\-.,'])(\d{4,})(?!\.\d|[\w\-,'])")


def reader_note(message):
    """A library warning reworded for a reader of the report, when known.

    Counts get thousands separators.

    Examples
    --------
    >>> reader_note("Dropped rows: 135080 with a missing customer id (2011-09-07).")
    'Dropped rows: 135,080 with a missing customer id (2011-09-07).'
    """
    tie = _TIE.fullmatch(message)
    if tie:
        n, value, column, tier, kept, target = tie.groups()
        unit = {"frequency": "orders", "monetary": "spend"}.get(column, column)
        message = (
            f"{n} customers have exactly {value} {unit.replace('_', ' ')}, the "
            f"boundary of the '{tier}' tier; equal customers stay together, so "
            f"all {n} are in the tier below and '{tier}' and the tiers above it "
            f"hold {kept} customers instead of {target}."
        )
    return _COUNT.sub(lambda m: f"{int(m.group(1)):,}", message)


def caught_notes(caught):
    """Warnings of custseg's own checks, worded for readers, once each.

    Third-party deprecation notices (a dataframe library announcing a change)
    are passed on to the caller but are not notes about the data.
    """
    notes, passed_on = [], []
    for w in caught:
        if w.category is UserWarning:
            notes.append(reader_note(str(w.message)))
        else:
            passed_on.append(w)
    return list(dict.fromkeys(notes)), passed_on


_REFIT_TIES = re.compile(r"share the value|collapse the \d+ quantile bins")
_TIES_SHOWN = re.compile(r"share the value|collapse the \d+ quantile bins|boundary of")


def _message(text):
    return warnings.WarningMessage(text, UserWarning, __file__, 0)


def refit_notes(caught, where):
    """Warnings of refits, passed on once each, ties counted in one line.

    Every refit (on bootstrap resamples, on the shorter holdout log) repeats
    the kinds of notes already shown for the full table, with other counts.
    """
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    ties = [m for m in messages if _REFIT_TIES.search(m)]
    out = [_message(f"{where}: {m}") for m in messages if m not in ties]
    if ties:
        out.append(
            _message(
                f"{where}: {len(ties)} notes about ties (tier boundaries, collapsed "
                "score bins) in the refits, of the same kind as for the full log"
            )
        )
    return out


_PERIOD = re.compile(r"^Holdout period(?: \([^)]*\))?: ")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _kind(message):
    """A note with its period and its numbers taken out: the policy it states."""
    return _NUMBER.sub("#", _PERIOD.sub("", reader_note(message)))


def holdout_notes(caught, cutoff, shown):
    """The holdout check's notes that the full log's notes do not already state.

    ``shown`` are the notes already given for the full log (reader wording).
    A note of the same policy with other counts (the calibration and holdout
    periods are parts of the full log) is left out; a note of its own is
    named by its period; tie notes are left out when the full log had some.

    Examples
    --------
    >>> import warnings
    >>> caught = [warnings.WarningMessage(m, UserWarning, "", 0) for m in [
    ...     "Holdout period (2011-09-07 to 2011-12-09): Dropped 43795 rows.",
    ...     "Dropped 91285 rows.",
    ...     "Holdout period: 26 customers have only returns."]]
    >>> holdout_notes(caught, "2011-09-07", ["Dropped 135,080 rows."])
    ['Holdout period (after 2011-09-07): 26 customers have only returns.']
    """
    known = {_kind(m) for m in shown}
    ties_shown = any(_TIES_SHOWN.search(m) for m in shown)
    out = []
    for message in dict.fromkeys(str(w.message) for w in caught):
        if _kind(message) in known or (ties_shown and _REFIT_TIES.search(message)):
            continue
        if message.startswith("Holdout period: "):
            message = message.replace(":", f" (after {cutoff}):", 1)
        elif not _PERIOD.match(message):
            message = f"Calibration period (to {cutoff}): {message}"
        out.append(reader_note(message))
    return list(dict.fromkeys(out))

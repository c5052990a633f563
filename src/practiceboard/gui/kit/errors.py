"""The one place the desktop client turns an exception into words for a person.

Services and queries raise ``PracticeBoardError`` with a sentence already written
for a clinic user; that sentence is shown as it is. Anything else (a driver error,
a bug) gets the caller's fallback sentence; ``{detail}`` in it is replaced by a few
plain words for the cause (``domain.errors.plain_cause``: "the database server did not
answer"), never the driver's own text, which may quote the SQL and the values bound
to it — patient text.
"""

from __future__ import annotations

from practiceboard.domain.errors import PracticeBoardError, plain_cause

TRY_AGAIN = "Something went wrong. Try again; if it keeps happening, tell your practice manager."
SOMETHING_WRONG = "Something went wrong."


def sentence(exc: BaseException, fallback: str = TRY_AGAIN) -> str:
    """The user's sentence for ``exc``: its own message when it has one, else ``fallback``
    (which may say ``{detail}`` for the plain cause of the underlying error)."""
    if isinstance(exc, PracticeBoardError):
        return exc.message
    return fallback.replace("{detail}", plain_cause(exc))

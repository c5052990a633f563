"""The one place the desktop client turns an exception into words for a person.

Services and queries raise ``PracticeBoardError`` with a sentence already written
for a clinic user; that sentence is shown as it is. Anything else (a driver error,
a bug) gets the caller's fallback sentence; ``{detail}`` in it is replaced by the
first line of the driver's message, which is short and says what the server said,
where the whole text would drag a SQL statement along.
"""

from __future__ import annotations

from practiceboard.domain.errors import PracticeBoardError, first_line

TRY_AGAIN = "Something went wrong. Try again; if it keeps happening, tell your practice manager."
SOMETHING_WRONG = "Something went wrong."


def sentence(exc: BaseException, fallback: str = TRY_AGAIN) -> str:
    """The user's sentence for ``exc``: its own message when it has one, else ``fallback``
    (which may say ``{detail}`` for the first line of the underlying error)."""
    if isinstance(exc, PracticeBoardError):
        return exc.message
    return fallback.replace("{detail}", first_line(exc))

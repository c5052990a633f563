"""Typed errors raised by services. Each message is a sentence a clinic user can act on."""

from __future__ import annotations


class PracticeBoardError(Exception):
    """Base for every error a user may see. ``str(err)`` is the user-facing sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(PracticeBoardError):
    """The input is not acceptable; ``field`` names the offending field when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PermissionDenied(PracticeBoardError):
    """The acting user's roles do not allow this action."""

    audited = False  # True once the refusal has its denied audit row (core.unit)


class InvalidTransition(PracticeBoardError):
    """The workflow does not allow this move (or it needs a reason that is missing)."""


class NotFound(PracticeBoardError):
    """The item does not exist (or is not visible to this user)."""


class ConflictError(PracticeBoardError):
    """Someone else changed the item first; the user must reload before saving."""

    def __init__(self, message: str, changed_by: str | None = None, changed_at=None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class AuthenticationError(PracticeBoardError):
    """Sign-in failed (wrong name or password, account disabled or locked)."""


def first_line(exc: BaseException) -> str:
    """The first line of what went wrong underneath: the database driver's own message
    (``exc.orig`` on SQLAlchemy's wrappers), else the exception's; its type name when
    it says nothing. Driver messages run to several lines of detail nobody needs."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# What a driver said, in words that carry none of its text: a driver's message may quote
# the SQL and the values bound to it (patient names, search text), so no window and no
# log line shows it. First match wins.
_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("database is locked", "database is busy", "database table is locked",
      "could not obtain lock", "lock timeout", "deadlock detected"),
     "another program is using the database"),
    (("password authentication failed", "no password supplied", "authentication failed"),
     "the password was not accepted"),
    (("connection refused", "could not connect", "could not translate host",
      "name or service not known", "timeout expired", "timed out", "no route to host",
      "server closed the connection", "connection is closed", "connection is lost",
      "terminating connection", "consuming input failed", "connection failed",
      "server closed"),
     "the database server did not answer"),
    (("unable to open database file",), "the database file could not be opened"),
    (("readonly database", "read-only"), "the database file may not be changed from here"),
    (("database or disk is full", "no space left"), "the disk is full"),
    (("disk i/o error",), "the disk could not be read or written"),
    (("malformed", "file is not a database"), "the database file is damaged"),
    (("cannot contain nul", "nul (0x00)"), "the text holds a character that cannot be stored"),
    (("out of range", "too large to convert"), "a number is larger than the database can hold"),
)  # fmt: skip


def plain_cause(exc: BaseException) -> str:
    """What went wrong underneath, in a few plain words for a sentence ("the database
    server did not answer"), never the driver's own text; an unknown cause is named by
    its error code (SQLSTATE) or kind only."""
    said = str(getattr(exc, "orig", None) or exc).lower()
    for needles, words in _CAUSES:
        if any(n in said for n in needles):
            return words
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return f"database error {code}" if code else f"an unexpected {type(exc).__name__}"


def loggable(exc: BaseException) -> str:
    """A log line's account of an error: its kind, its SQLSTATE when it has one, and
    where it happened (file, line, function of each frame) — never its message, which
    may quote SQL with the values bound to it (patient text)."""
    import traceback

    inner = getattr(exc, "orig", None)
    code = getattr(inner, "sqlstate", None)
    kind = type(exc).__name__ + (f"/{type(inner).__name__}" if inner is not None else "")
    frames = [
        f"{'/'.join(f.filename.replace(chr(92), '/').split('/')[-2:])}:{f.lineno} {f.name}"
        for f in traceback.extract_tb(exc.__traceback__)
    ]
    where = " <- ".join(reversed(frames[-8:])) or "no traceback"
    return f"{kind}{f' [SQLSTATE {code}]' if code else ''} at {where}"


class DatabaseBusy(PracticeBoardError):
    """Another program held the database longer than the app waits; nothing was done."""

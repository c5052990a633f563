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

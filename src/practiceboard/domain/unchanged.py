"""``UNCHANGED``: the value of an update argument the caller left alone.

Update use cases (a task's fields, a patient, a care plan) take every field as
an optional keyword; ``None`` means "clear it", so "not given" needs a marker of
its own. One marker for all of them, so a caller can pass a value it got from
one service on to another.
"""

from __future__ import annotations

from typing import Any


class Unchanged:
    """The type of ``UNCHANGED`` (for type hints: ``str | Unchanged``)."""

    _instance: Unchanged | None = None

    def __new__(cls) -> Unchanged:
        # One marker only, so ``is UNCHANGED`` and ``isinstance`` always agree.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


def given(**fields: Any) -> dict[str, Any]:
    """The keyword arguments the caller actually gave (UNCHANGED ones left out)."""
    return {k: v for k, v in fields.items() if v is not UNCHANGED}

"""What a write changed, so each view refreshes only when its own data did.

``ctx.signals.data_changed`` carries a ``Change``: the kinds of things that changed
(tasks, patients, care plans, saved filters, users, alerts) and, when known, which ids. A
change noticed from another PC says nothing about what it was, so it is
``Change.everything()`` and touches every view::

    Change.of(Kind.TASK, saved.id)        # one task moved, edited, watched…
    Change.of(Kind.SAVED_FILTER)          # the saved-filter list changed
    change.touches(Kind.TASK, Kind.PATIENT)   # does this view care?
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TASK = "task"
    PATIENT = "patient"
    CARE_PLAN = "care_plan"
    SAVED_FILTER = "saved_filter"
    USER = "user"
    ALERT = "alert"  # a person's alerts: raised, read, snoozed


@dataclass(frozen=True)
class Change:
    kinds: frozenset[Kind] = frozenset()
    ids: frozenset[tuple[Kind, int]] = frozenset()  # (kind, id) pairs, when known
    everything_changed: bool = False

    @classmethod
    def of(cls, kind: Kind, *ids: int | None) -> Change:
        """``kind`` changed; ``ids`` (None entries ignored) say which ones."""
        return cls(frozenset({kind}), frozenset((kind, i) for i in ids if i is not None))

    @classmethod
    def everything(cls) -> Change:
        """Anything may have changed (another PC wrote, or the database came back)."""
        return cls(frozenset(Kind), everything_changed=True)

    def __or__(self, other: Change) -> Change:
        return Change(
            self.kinds | other.kinds,
            self.ids | other.ids,
            self.everything_changed or other.everything_changed,
        )

    def touches(self, *kinds: Kind) -> bool:
        """Did anything of these kinds change?"""
        return self.everything_changed or not self.kinds.isdisjoint(kinds)

    def touches_id(self, kind: Kind, ident: int) -> bool:
        """Could the one ``kind`` row ``ident`` have changed? (True when ids are unknown.)"""
        if self.everything_changed:
            return True
        if kind not in self.kinds:
            return False
        known = {i for k, i in self.ids if k == kind}
        return not known or ident in known

    def ids_of(self, kind: Kind) -> frozenset[int]:
        return frozenset(i for k, i in self.ids if k == kind)


def union(changes: Iterable[Change]) -> Change:
    total = Change()
    for change in changes:
        total = total | change
    return total

"""The decisions an approver records, and every word the app uses for them.

A status whose ``decision`` is set records that decision when a task moves
into it (workflows.md). The audit action, the sentence in a task's history and
the label on a button all come from here, so a decision is named the same way
everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT_BACK = "sent_back"


@dataclass(frozen=True)
class DecisionWords:
    action: str  # the audit action: "approval.send_back"
    label: str  # a button or a badge: "Sent back"
    past: str  # inside a sentence: "REF-1 was sent back"
    history: str  # a line of the task's history: "Sent back for more information"


WORDS: dict[Decision, DecisionWords] = {
    Decision.APPROVED: DecisionWords("approval.approve", "Approved", "approved", "Approved"),
    Decision.REJECTED: DecisionWords("approval.reject", "Rejected", "rejected", "Rejected"),
    Decision.SENT_BACK: DecisionWords(
        "approval.send_back", "Sent back", "sent back", "Sent back for more information"
    ),
}


def words(decision: str | None) -> DecisionWords | None:
    """The words for a decision value as stored; None for no (or an unknown) decision."""
    try:
        return WORDS[Decision(decision)]
    except ValueError:
        return None

"""domain.decisions: one vocabulary for the decisions an approver records."""

from __future__ import annotations

from practiceboard.db import defaults
from practiceboard.domain.decisions import WORDS, Decision, words


def test_every_decision_has_its_words():
    assert set(WORDS) == set(Decision)
    said = words("sent_back")
    assert said is not None
    assert (said.action, said.label, said.past, said.history) == (
        "approval.send_back", "Sent back", "sent back", "Sent back for more information",
    )  # fmt: skip
    assert words("approved").action == "approval.approve"
    assert words("rejected").past == "rejected"


def test_no_or_an_unknown_decision_has_no_words():
    assert words(None) is None
    assert words("") is None
    assert words("maybe") is None


def test_the_shipped_statuses_only_record_known_decisions():
    used = {s[4] for wf in defaults.WORKFLOWS for s in wf[7] if s[4] is not None}
    assert used == {str(d) for d in Decision}

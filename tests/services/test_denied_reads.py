"""Issue 11, audit log: "Refused *reads* write no denied audit row today: task timeline,
board of a hidden workflow, allowed moves, metrics, a disabled account's stale session.
Every refusal, read or write, is audited as denied." — and "Failed passwords at the
idle-lock screen are neither audited nor counted toward lockout"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from practiceboard.core.clock import now
from practiceboard.domain.errors import AuthenticationError, PermissionDenied
from practiceboard.queries import board, metrics, tasks, timeline
from practiceboard.services import task_actions, users
from support import PASSWORD, audit_rows, last_audit_id, make_task, wf_id


@pytest.fixture
def billing_task(staff) -> int:
    """A billing follow-up: a workflow the front desk does not work on."""
    return make_task(staff.db, staff.billing, "billing", "Denied claim follow-up")


def _refused_once(db, call, action: str, entity_id=None):
    mark = last_audit_id(db)
    with pytest.raises(PermissionDenied) as refused:
        call()
    rows = audit_rows(db, after=mark)
    assert [(r.action, r.outcome) for r in rows] == [(action, "denied")]
    assert rows[0].detail == refused.value.message
    if entity_id is not None:
        assert rows[0].entity_id == str(entity_id)
    return rows[0]


def test_denied_read_task_timeline_is_audited(staff, billing_task):
    row = _refused_once(
        staff.db, lambda: timeline.task_timeline(staff.db, staff.front_desk, billing_task),
        "task.timeline", billing_task,
    )  # fmt: skip
    assert row.user_id == staff.front_desk.user_id


def test_denied_read_board_of_a_hidden_workflow_is_audited(staff):
    hidden = wf_id(staff.db, "billing")
    _refused_once(staff.db, lambda: board.board(staff.db, staff.front_desk, hidden),
                  "board.view", hidden)  # fmt: skip


def test_denied_read_allowed_moves_is_audited(staff, billing_task):
    _refused_once(staff.db,
                  lambda: task_actions.allowed_moves(staff.db, staff.front_desk, billing_task),
                  "task.moves", billing_task)  # fmt: skip


def test_denied_read_metrics_is_audited(staff):
    end = now()
    _refused_once(staff.db,
                  lambda: metrics.cycle_time(staff.db, staff.front_desk, end - timedelta(7), end),
                  "metrics.view")  # fmt: skip


def test_denied_read_disabled_accounts_stale_session_is_audited(staff):
    users.set_active(staff.db, staff.admin, staff.front_desk.user_id, False)
    row = _refused_once(staff.db, lambda: board.my_queue(staff.db, staff.front_desk), "queue.view")
    assert "disabled" in row.detail and row.user_id == staff.front_desk.user_id


def test_denied_read_already_audited_refusal_is_recorded_once(staff, billing_task):
    """task_detail records its own refusal (with the patient); the guard adds nothing."""
    _refused_once(staff.db, lambda: tasks.task_detail(staff.db, staff.front_desk, billing_task),
                  "task.view", billing_task)  # fmt: skip


def test_denied_write_is_still_audited_once(staff, billing_task):
    _refused_once(staff.db, lambda: task_actions.add_note(staff.db, staff.front_desk,
                                                          billing_task, "hello"),
                  "task.note", billing_task)  # fmt: skip


# ---------------------------------------------------------------- the idle lock


def test_idle_lock_wrong_password_is_audited_and_counts_toward_lockout(staff):
    who = staff.front_desk
    for _ in range(4):
        assert users.verify_password(staff.db, who.user_id, "not-my-password") is False
    rows = audit_rows(staff.db, "auth.unlock")
    assert [r.outcome for r in rows] == ["failure"] * 4
    assert "4 in a row" in rows[-1].detail
    assert users.verify_password(staff.db, who.user_id, "not-my-password") is False  # 5th
    assert [r.action for r in audit_rows(staff.db, "auth.lockout")] == ["auth.lockout"]
    with pytest.raises(AuthenticationError, match="locked"):
        users.verify_password(staff.db, who.user_id, PASSWORD)  # locked: even the right one
    with pytest.raises(AuthenticationError, match="locked"):
        users.sign_in(staff.db, who.username, PASSWORD)  # and the sign-in dialog agrees
    assert audit_rows(staff.db, "auth.unlock")[-1].outcome == "denied"


def test_idle_lock_right_password_is_audited_and_resets_the_count(staff):
    who = staff.front_desk
    assert users.verify_password(staff.db, who.user_id, "not-my-password") is False
    assert users.verify_password(staff.db, who.user_id, PASSWORD) is True
    assert [r.outcome for r in audit_rows(staff.db, "auth.unlock")] == ["failure", "success"]
    for _ in range(4):
        users.verify_password(staff.db, who.user_id, "not-my-password")
    assert users.sign_in(staff.db, who.username, PASSWORD).user_id == who.user_id  # not locked


def test_denied_read_of_an_account_that_does_not_exist_is_audited_by_name(staff):
    from practiceboard.core.actor import Actor
    from practiceboard.queries import lookups

    row = _refused_once(staff.db, lambda: lookups.users(staff.db, Actor(9999, "ghost", "Ghost")),
                        "lookup.view")  # fmt: skip
    assert (row.user_id, row.username) == (None, "ghost")

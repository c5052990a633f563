"""The Approvals view over a real SQLite database, driven like a user: what each role
sees, the reading pane, deciding by keyboard (A / R / B, Ctrl+Enter), the reason
required, several at once, the second decider's message, and the requester's
resubmission."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from practiceboard.gui.dialogs import TaskDetailDialog
from practiceboard.gui.dialogs.decision_dialog import DecisionDialog
from practiceboard.gui.dialogs.request_dialog import RequestApprovalDialog
from practiceboard.gui.views.approvals import ApprovalsView
from practiceboard.gui.views.lists.model import attention_why
from practiceboard.gui.views.registry import get
from practiceboard.services import approvals, patients
from support import let_see, new_task, reason_id, task_row

from .helpers import card


@pytest.fixture
def world(sqlite_db, gui_staff, clock):
    let_see(sqlite_db, "clinical", "signoff")
    return gui_staff


def ask(db, staff, title, question="Please sign", **kw):
    cleo = staff.clinical
    kw.setdefault("provider_id", staff.provider.user_id)
    t = new_task(db, cleo, "signoff", title, owner_id=cleo.user_id, **kw)
    return approvals.request_approval(db, cleo, t.id, expected_version=1, question=question)


def open_view(qtbot, ctx) -> ApprovalsView:
    view = ApprovalsView(ctx)
    qtbot.addWidget(view)
    view.resize(1300, 760)
    view.show()
    qtbot.waitUntil(lambda: view.loaded_once and not ctx.runner.busy, timeout=10_000)
    return view


def refs(table) -> list[str]:
    return [i.card.ref for i in table.items().items]


def dialog_of(view) -> DecisionDialog:
    dialog = view.dialog
    assert isinstance(dialog, DecisionDialog) and dialog.isVisible()
    return dialog


def confirm(qtbot, view, wait_idle) -> None:
    QTest.keyClick(dialog_of(view), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle()
    qtbot.waitUntil(lambda: not view.ctx.runner.busy, timeout=10_000)


def tabs(view) -> list[str]:
    return [view.tabs.tabText(i) for i in range(view.tabs.count())]


def test_each_role_sees_its_side_and_the_reading_pane_shows_plain_text(
    qtbot, ctx_for, sqlite_db, world, wait_idle
):
    staff = world
    mrn = patients.create_patient(sqlite_db, staff.front_desk, "MRN-7", "<b>Ann</b> Lee").id
    a = ask(sqlite_db, staff, "Letter for <i>Ann</i>", question="Sign <b>now</b>?", patient_id=mrn)
    b = ask(sqlite_db, staff, "Second letter")
    assert get("approvals").capability == "approval.request"

    view = open_view(qtbot, ctx_for(staff.provider))
    assert tabs(view) == ["Waiting on me (2)", "My requests"]
    assert set(refs(view.inbox_table)) == {a.ref, b.ref}
    assert "2 waiting on you" in view.figures.text()
    assert "0 decided today" in view.figures.text()
    view.inbox_table.selectRow(refs(view.inbox_table).index(a.ref))
    qtbot.waitUntil(lambda: view.inbox_pane.task_id == a.id, timeout=10_000)
    pane = view.inbox_pane
    assert pane.title.text() == "Letter for <i>Ann</i>"
    assert pane.asked.text() == "Cleo Clinical asks: Sign <b>now</b>?"
    assert pane.patient.text().startswith("Patient: <b>Ann</b> Lee")
    for label in pane.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert "Round 1" in pane.rounds.text()

    clinical = open_view(qtbot, ctx_for(staff.clinical))
    assert tabs(clinical) == ["My requests"]
    assert refs(clinical.others_table) == sorted(refs(view.inbox_table))
    manager = open_view(qtbot, ctx_for(staff.manager))
    assert tabs(manager)[-1] == "By approver"
    manager.tabs.setCurrentWidget(manager.flow)
    wait_idle()
    qtbot.waitUntil(lambda: manager.flow.tree.topLevelItemCount() == 1, timeout=10_000)
    head = manager.flow.tree.topLevelItem(0)
    assert head.text(0).startswith("Dr. Pat Provider — 2 waiting, oldest ")
    assert head.childCount() == 2


def test_deciding_by_keyboard_with_the_reason_required(qtbot, ctx_for, sqlite_db, world, wait_idle):
    staff = world
    a = ask(sqlite_db, staff, "Approve me")
    b = ask(sqlite_db, staff, "Reject me")
    c = ask(sqlite_db, staff, "Send me back")
    view = open_view(qtbot, ctx_for(staff.provider))
    table = view.inbox_table

    def pick(ref):
        table.clearSelection()
        table.selectRow(refs(table).index(ref))
        table.setFocus()

    pick(a.ref)
    QTest.keyClick(table, Qt.Key.Key_A)
    dialog = dialog_of(view)
    dialog.template_buttons[0].click()  # "Approved — schedule within 2 weeks."
    confirm(qtbot, view, wait_idle)
    qtbot.waitUntil(lambda: a.ref not in refs(table), timeout=10_000)
    assert len(table.selected()) == 1  # the next request is selected: A again decides it
    row = task_row(sqlite_db, a.id)
    assert (row.decision, row.decision_note) == ("approved", "Approved — schedule within 2 weeks.")

    pick(b.ref)
    QTest.keyClick(table, Qt.Key.Key_R)
    dialog = dialog_of(view)
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.message.text().startswith("Pick a reason")
    dialog.note_edit.setPlainText("Typed before the reason")
    dialog.pick(reason_id(sqlite_db, "rejection", "not_covered"))
    assert dialog.note() == "Typed before the reason"  # nothing typed is lost
    confirm(qtbot, view, wait_idle)
    qtbot.waitUntil(lambda: b.ref not in refs(table), timeout=10_000)
    assert task_row(sqlite_db, b.id).decision == "rejected"

    pick(c.ref)
    QTest.keyClick(table, Qt.Key.Key_B)
    dialog = dialog_of(view)
    dialog.pick(reason_id(sqlite_db, "needs_info", "missing_document"))
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text().startswith("Say what is missing")
    dialog.note_edit.setPlainText("Attach the signed order")
    confirm(qtbot, view, wait_idle)
    qtbot.waitUntil(lambda: c.ref not in refs(table), timeout=10_000)
    assert task_row(sqlite_db, c.id).decision == "sent_back"
    qtbot.waitUntil(lambda: "3 decided today" in view.figures.text(), timeout=10_000)


def test_several_at_once_and_the_second_decider_is_told(
    qtbot, ctx_for, sqlite_db, world, wait_idle, messages
):
    staff = world
    items = [ask(sqlite_db, staff, f"Letter {n}") for n in range(4)]
    view = open_view(qtbot, ctx_for(staff.provider))
    table = view.inbox_table
    # Meanwhile the manager decides one of them.
    approvals.approve(sqlite_db, staff.manager, items[1].id, expected_version=items[1].version)
    table.setFocus()
    table.selectAll()
    QTest.keyClick(table, Qt.Key.Key_A)
    assert "4 requests" in dialog_of(view).windowTitle()
    confirm(qtbot, view, wait_idle)
    qtbot.waitUntil(lambda: refs(table) == [], timeout=10_000)
    assert [task_row(sqlite_db, t.id).decided_by_id for t in items] == [
        staff.provider.user_id,
        staff.manager.user_id,
        staff.provider.user_id,
        staff.provider.user_id,
    ]
    [(_title, text)] = [m for m in messages.log if m[0] == "Not decided"]
    assert f"{items[1].ref} was already decided by Max Manager at " in text
    assert text.endswith("(Approved).")
    assert view.inbox_list.currentWidget() is view.inbox_list.empty


def test_a_request_sent_back_is_answered_and_resubmitted(
    qtbot, ctx_for, sqlite_db, world, wait_idle
):
    staff = world
    first = ask(sqlite_db, staff, "Older, still waiting")
    t = ask(sqlite_db, staff, "Came back")
    approvals.send_back(sqlite_db, staff.provider, t.id, expected_version=t.version,
                        reason_id=reason_id(sqlite_db, "needs_info", "wrong_form"),
                        note="Use the 2026 form")  # fmt: skip
    view = open_view(qtbot, ctx_for(staff.clinical))
    assert tabs(view) == ["My requests (1 came back)"]
    assert refs(view.back_table) == [t.ref]
    assert refs(view.others_table) == [first.ref]
    view.back_table.selectRow(0)
    qtbot.waitUntil(lambda: view.mine_pane.task_id == t.id, timeout=10_000)
    assert view.mine_pane.asked.text() == (
        "Dr. Pat Provider sent this back: Wrong form — Use the 2026 form"
    )
    view.resubmit_button.click()
    dialog = view.dialog
    assert isinstance(dialog, RequestApprovalDialog)
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=10_000)
    assert dialog.asked.text() == "The approver asked: Wrong form — Use the 2026 form"
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == "Answer what the approver asked before resubmitting."
    dialog.question.setPlainText("New form attached")
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle()
    qtbot.waitUntil(lambda: refs(view.back_table) == [], timeout=10_000)
    assert set(refs(view.others_table)) == {first.ref, t.ref}
    row = task_row(sqlite_db, t.id)
    assert (row.owner_id, row.reason_note) == (staff.provider.user_id, "New form attached")
    QApplication.processEvents()


def test_request_approval_from_the_task_detail_with_a_template(
    qtbot, ctx_for, sqlite_db, world, wait_idle
):
    staff = world
    cleo = staff.clinical
    t = new_task(sqlite_db, cleo, "supply", "Exam gloves", owner_id=cleo.user_id)
    ctx = ctx_for(cleo)
    detail = TaskDetailDialog(ctx, t.id)
    qtbot.addWidget(detail)
    detail.show()
    wait_idle()
    assert detail.request_button.isVisible()
    detail.request_button.click()
    dialog = detail.request_dialog
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=10_000)
    assert dialog.approver.itemText(0) == "Route automatically — Max Manager"
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and dialog.message.text().startswith("Say what you are asking")
    dialog.template.setCurrentIndex(dialog.template.findText("Supply over $500 — approve"))
    assert dialog.question.toPlainText() == "This order is over $500. Approve the purchase?"
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle()
    qtbot.waitUntil(lambda: task_row(sqlite_db, t.id).version > 1, timeout=10_000)
    row = task_row(sqlite_db, t.id)
    assert (row.owner_id, row.reason_note) == (
        staff.manager.user_id,
        "This order is over $500. Approve the purchase?",
    )
    assert [c["text"] for c in row.checklist] == ["Vendor quote attached", "Budget line named"]
    qtbot.waitUntil(lambda: not detail.request_button.isVisible(), timeout=10_000)


def test_needs_attention_says_who_a_request_past_breach_waits_on():
    late = card(category="review", attention=("breached",), owner_name="Dr. Pat Provider",
                age_in_status_seconds=2 * 86400)  # fmt: skip
    assert attention_why(late, date(2026, 3, 4)) == "Waiting on Dr. Pat Provider for 2d"
    other = card(category="active", attention=("breached",), age_in_status_seconds=2 * 86400)
    assert attention_why(other, date(2026, 3, 4)) == "Past its time limit"

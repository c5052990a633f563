"""Documents and blockers in the GUI: a file dragged onto a card is attached (and a
task waiting on records is offered its next step), the detail's Documents tab attaches,
opens (into the private folder), saves a copy and removes, and adds a blocker; the
card shows the paper clip count and the block."""

from __future__ import annotations

import stat
import sys

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from practiceboard.core import opened
from practiceboard.gui.dialogs import TaskDetailDialog
from practiceboard.gui.dialogs import task_documents as panel_module
from practiceboard.gui.kit.change import Change
from practiceboard.gui.views.board.delegate import card_badges
from practiceboard.queries.documents import task_documents
from practiceboard.services import documents
from support import audit_rows, make_task, move, status_key, task_row

from .helpers import open_board

PDF = b"%PDF-1.4\n%scanned records\n" + b"0" * 5000


@pytest.fixture(autouse=True)
def private_temp(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture
def shown(monkeypatch) -> list:
    """What would have been handed to the system's viewer."""
    got: list = []
    monkeypatch.setattr(panel_module, "show_file", got.append)
    return got


def scan(tmp_path, name="records.pdf"):
    path = tmp_path / name
    path.write_bytes(PDF)
    return path


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_event(mime: QMimeData, at: QPointF) -> QDropEvent:
    return QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)  # fmt: skip


def opened_detail(qtbot, ctx, task_id, wait_idle) -> TaskDetailDialog:
    dlg = TaskDetailDialog(ctx, task_id)
    qtbot.addWidget(dlg)
    dlg.show()
    wait_idle()
    wait_idle()
    return dlg


def test_a_file_dropped_on_a_waiting_card_is_attached_and_the_task_moves_on(
    qtbot, ctx, gui_staff, wait_idle, messages, tmp_path
):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "Waiting on the hospital's records")
    move(db, fd, t, "waiting_records", reason=("waiting", "records_pending"))
    view = open_board(qtbot, ctx, wait_idle, "referral")
    pane = next(p for p in view.panes if p.model.row_of(t) >= 0)
    rect = pane.list.visualRect(pane.list.model().index(pane.model.row_of(t), 0))
    mime = file_mime(scan(tmp_path))
    event = drop_event(mime, QPointF(rect.center()))

    pane.list.dropEvent(event)
    assert event.isAccepted()
    wait_idle()
    wait_idle()

    assert [d.label for d in task_documents(db, fd, t)] == ["records.pdf"]
    assert any("Move it to “Ready to schedule”" in text for _title, text in messages.log)
    assert status_key(db, task_row(db, t).status_id) == "ready"
    wait_idle()
    card = view.cards[t]
    assert card.documents == 1


def test_a_drop_between_cards_attaches_nothing(qtbot, ctx, gui_staff, wait_idle, tmp_path):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "One card")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    pane = next(p for p in view.panes if p.model.row_of(t) >= 0)
    mime = file_mime(scan(tmp_path))
    below = pane.list.visualRect(pane.list.model().index(pane.model.row_of(t), 0)).bottom() + 20
    qtbot.waitUntil(lambda: pane.list.viewport().height() > below + 10)
    event = drop_event(mime, QPointF(10, below))
    event.setAccepted(False)
    pane.list.dropEvent(event)
    wait_idle()
    assert not event.isAccepted() and task_documents(db, fd, t) == []


def test_attach_open_save_and_remove_from_the_detail(
    qtbot, ctx, gui_staff, wait_idle, messages, tmp_path, shown, monkeypatch
):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "Referral")
    dlg = opened_detail(qtbot, ctx, t, wait_idle)
    panel = dlg.documents
    monkeypatch.setattr(panel, "ask_files", lambda: [scan(tmp_path, "letter.pdf")])

    panel.attach_button.click()
    wait_idle()
    wait_idle()

    assert panel.tree.topLevelItemCount() == 1
    item = panel.tree.topLevelItem(0)
    assert (item.text(0), item.text(1)) == ("letter.pdf", "PDF")
    assert item.text(3).startswith("Fran Front, ")
    panel.tree.setCurrentItem(item)
    (listed,) = task_documents(db, fd, t)
    sha = listed.sha256
    assert f"SHA-256: {sha}" in panel.about_doc.text()
    assert dlg.tabs.tabText(dlg.tabs.indexOf(panel)) == "&Documents (1)"

    panel.tree.setCurrentItem(item)
    panel.open_button.click()
    wait_idle()
    (path,) = shown
    assert path.read_bytes() == PDF and opened.folder() in path.parents
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert audit_rows(db, "document.open")[0].outcome == "success"

    copy = tmp_path / "copy.pdf"
    monkeypatch.setattr(panel, "ask_save_path", lambda suggested: copy)
    panel.save_button.click()
    wait_idle()
    assert copy.read_bytes() == PDF and audit_rows(db, "document.save")

    panel.remove_button.click()
    wait_idle()
    wait_idle()
    assert panel.tree.topLevelItemCount() == 0
    assert task_row(db, t).document_count == 0
    opened.clear()
    assert not path.exists()


def test_a_file_dropped_on_the_detail_is_attached(qtbot, ctx, gui_staff, wait_idle, tmp_path):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "Referral")
    dlg = opened_detail(qtbot, ctx, t, wait_idle)
    mime = file_mime(scan(tmp_path))
    dlg.documents.drops.eventFilter(dlg, drop_event(mime, QPointF(30, 30)))
    wait_idle()
    wait_idle()
    assert [d.label for d in task_documents(db, fd, t)] == ["records.pdf"]


def test_a_refused_file_says_why_and_attaches_nothing(
    qtbot, ctx, gui_staff, wait_idle, messages, tmp_path, monkeypatch
):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "Referral")
    dlg = opened_detail(qtbot, ctx, t, wait_idle)
    bad = tmp_path / "invoice.pdf"
    bad.write_bytes(b"MZ\x90\x00program")
    monkeypatch.setattr(dlg.documents, "ask_files", lambda: [bad])
    dlg.documents.attach_button.click()
    wait_idle()
    assert any("programs and scripts cannot be attached" in text for _t, text in messages.log)
    assert task_documents(db, fd, t) == []


def test_add_a_blocker_from_the_detail_and_both_cards_show_it(
    qtbot, ctx, gui_staff, wait_idle, tmp_path
):
    db, fd = ctx.db, gui_staff.front_desk
    auth = make_task(db, fd, "referral", "Auth first")
    visit = make_task(db, fd, "referral", "Then schedule")
    documents.attach_file(db, fd, visit, scan(tmp_path))
    dlg = opened_detail(qtbot, ctx, visit, wait_idle)
    ref = f"REF-{auth:06d}"

    dlg.documents.blocker_edit.setText(ref.lower())
    dlg.documents.blocker_button.click()
    wait_idle()
    wait_idle()

    assert task_row(db, visit).blocked_by_id == auth
    assert dlg.documents.blocked_text.text().startswith(f"Blocked by {ref} · Auth first")
    view = open_board(qtbot, ctx, wait_idle, "referral")
    assert "blocked" in card_badges(view.cards[visit]) and view.cards[visit].documents == 1
    assert "blocking" in card_badges(view.cards[auth])

    dlg.documents.blocker_edit.setText(f"REF-{visit:06d}")
    other = opened_detail(qtbot, ctx, auth, wait_idle)
    other.documents.blocker_edit.setText(f"REF-{visit:06d}")
    other.documents.blocker_button.click()
    wait_idle()
    assert "cannot wait on each other" in other.documents.message.text()


def test_a_document_attached_elsewhere_appears_in_an_open_detail(
    qtbot, ctx, gui_staff, wait_idle, tmp_path
):
    db, fd = ctx.db, gui_staff.front_desk
    t = make_task(db, fd, "referral", "Referral")
    dlg = opened_detail(qtbot, ctx, t, wait_idle)
    documents.attach_file(db, gui_staff.clinical, t, scan(tmp_path))  # another PC

    ctx.signals.data_changed.emit(Change.everything())
    wait_idle()

    assert dlg.documents.tree.topLevelItemCount() == 1

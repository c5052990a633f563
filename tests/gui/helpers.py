"""Helpers shared by GUI test files: widgets opened the way the app opens them, and
the rows and tasks they show. Fixtures (runner, ctx, wait_idle, ...) are in
tests/gui/conftest.py; helpers that need no Qt and serve other folders too are in
tests/support/. A helper used by one GUI test file stays in that file.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtGui import Qt, QTextDocument

from practiceboard.core.actor import Actor
from practiceboard.core.rows import Card
from practiceboard.db.engine import Database
from practiceboard.gui.views.board import BoardView
from support import make_task, wf_id


def open_board(qtbot, ctx, wait_idle, workflow: str | None = None) -> BoardView:
    """The board, shown at a working size, its workflows loaded; on ``workflow`` (a key)
    when given."""
    view = BoardView(ctx, autoload=False)
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.show()
    view.reload_workflows()
    wait_idle()
    if workflow is not None:
        view.set_workflow(wf_id(ctx.db, workflow))
        wait_idle()
    return view


def card(**kw) -> Card:
    """A board card with plausible values; ``kw`` overrides any of them."""
    base = dict(
        id=1, ref="REF-000001", version=1, workflow_id=1, workflow_name="Referral intake",
        status_id=1, status_name="New", category="new", title="Cardiology referral",
        owner_id=2, owner_name="Fran Front", requester_id=2, due_date=None, priority=1,
        created_at=datetime(2026, 3, 1, tzinfo=UTC), status_since=datetime(2026, 3, 2, tzinfo=UTC),
        last_touched_at=datetime(2026, 3, 2, tzinfo=UTC), patient_ref=None, payer=None,
        provider_id=None, provider_name=None, location_name=None, reason_label=None,
        reason_kind=None, sla="ok", attention=(), overdue=False, watched=False,
        age_seconds=3 * 86400, age_in_status_seconds=2 * 86400,
    )  # fmt: skip
    base.update(kw)
    return Card(**base)


def new_records_task(db: Database, actor: Actor, title: str) -> int:
    """A records request from "Valley", owned by its creator: the task the shell tests
    open, search for and watch arrive."""
    return make_task(db, actor, "records", title, extra={"records_from": "Valley"})


def shown_as(tip: str) -> str:
    """The characters a tooltip puts on screen: Qt shows it as rich text when it looks
    like HTML (Qt.mightBeRichText), else as it is. A title "<b>x</b>" must come back as
    "<b>x</b>", not as a bold "x"."""
    doc = QTextDocument()
    if Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()

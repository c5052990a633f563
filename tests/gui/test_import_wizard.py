"""The import wizard with the made-up 300-row tracker: the proposed mapping, the words
to map once, the dry run row by row, the import, and the undo from the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from practiceboard.db.models import Task
from practiceboard.gui.dialogs import import_wizard
from practiceboard.gui.dialogs.import_wizard import ImportHistory, ImportWizard
from practiceboard.services.imports import engine, sheet
from practiceboard.services.imports.mapping import Mapping, propose

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def practice(gui_staff):
    found = propose("patients", sheet.read_sheet(DATA / "patients.csv").header)
    found.providers = {"dr. provider": "provider"}
    engine.import_patients(
        gui_staff.db, gui_staff.manager, sheet.read_sheet(DATA / "patients.csv"), found
    )
    return gui_staff


def open_wizard(qtbot, ctx, wait_idle, name="tracker.csv") -> ImportWizard:
    wizard = ImportWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.path.setText(str(DATA / name))
    wizard.next()
    wait_idle()
    assert wizard.page == 1, wizard.message.text()
    return wizard


def tasks(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count(Task.id)))


def test_mapping_then_dry_run_then_import_then_undo(qtbot, ctx_for, practice, wait_idle,
                                                    messages):  # fmt: skip
    ctx = ctx_for(practice.manager)
    wizard = open_wizard(qtbot, ctx, wait_idle)
    saved = Mapping.load("tasks", (DATA / "tracker-mapping.json").read_text())
    assert wizard.current_mapping().columns == saved.columns  # proposed from the header
    assert {w for kind, w, _ in wizard.word_rows if kind == "owners"} == {
        "Fran", "Cleo", "Bill", "Cora", "Zed"}  # fmt: skip
    wizard.use_mapping(saved)
    wait_idle()
    assert [(kind, w) for kind, w, _ in wizard.word_rows] == [("owners", "Zed")]
    wizard.next()  # dry run
    wait_idle()
    assert wizard.page == 2
    assert wizard.dry_title.text().startswith("Dry run: 293 created, 1 skipped, 6 errors")
    assert wizard.outcomes.rowCount() == 300
    wizard.only_problems.setChecked(True)
    assert wizard.outcomes.rowCount() == 7
    assert wizard.outcomes.item(0, 2).text() == "D23"
    before = tasks(practice.db)
    wizard.next()  # import
    wait_idle()
    assert wizard.page == 3 and "293 created" in wizard.done_title.text()
    assert tasks(practice.db) == before + 293
    # the layout's mapping is remembered: the workbook of the same columns needs no mapping
    again = open_wizard(qtbot, ctx, wait_idle, "tracker.xlsx")
    assert [(kind, w) for kind, w, _ in again.word_rows] == [("owners", "Zed")]
    history = ImportHistory(ctx)
    qtbot.addWidget(history)
    wait_idle()
    assert history.table.item(0, 5).text() == "293"
    history.table.selectRow(0)
    messages.auto_answer = True
    history.undo_selected()
    wait_idle()
    assert history.table.item(0, 9).text().endswith("by Max Manager")


def test_a_bad_file_says_why_on_the_first_page(qtbot, ctx_for, gui_staff, wait_idle, tmp_path):
    bad = tmp_path / "tracker.csv"
    bad.write_bytes(b"Task\r\n\x81\x8d\r\n")
    wizard = ImportWizard(ctx_for(gui_staff.manager))
    qtbot.addWidget(wizard)
    wizard.path.setText(str(bad))
    wizard.next()
    wait_idle()
    assert wizard.page == 0 and "CSV UTF-8" in wizard.message.text()


def test_choose_file_fills_the_path(qtbot, ctx_for, gui_staff, monkeypatch):
    monkeypatch.setattr(import_wizard, "choose_file", lambda parent: "/x/tracker.csv")
    wizard = ImportWizard(ctx_for(gui_staff.manager))
    qtbot.addWidget(wizard)
    wizard._choose()
    assert wizard.path.text() == "/x/tracker.csv"

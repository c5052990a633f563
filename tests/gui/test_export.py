"""Export to CSV… (Ctrl+E) from the main window: the focused board column, a list view
and the Patients table, written as Excel opens it and audited with its row count."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from practiceboard.gui.kit import export
from practiceboard.gui.shell.main_window import MainWindow
from support import add_patient, audit_rows, make_task, wf_id


@pytest.fixture
def open_window(qtbot, ctx_for, signed_in, qt_settings, wait_idle):
    made: list[MainWindow] = []

    def make(actor) -> MainWindow:
        window = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings,
                            live_updates=False)  # fmt: skip
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        wait_idle()
        return window

    yield make
    for window in made:
        window.close()


@pytest.fixture
def save_to(monkeypatch, tmp_path):
    path = tmp_path / "out.csv"
    monkeypatch.setattr(export, "choose_path", lambda parent, suggested: str(path))
    return path


def read(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the accents
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_ctrl_e_exports_the_focused_board_column(qtbot, open_window, gui_staff, wait_idle,
                                                 save_to):  # fmt: skip
    db, manager = gui_staff.db, gui_staff.manager
    make_task(db, manager, "referral", "=HYPERLINK(\"x\") café", due_date=None,
              extra={"referred_to": "Cardiology"})  # fmt: skip
    window = open_window(manager)
    board = window.show_view("board", focus=True)
    qtbot.waitUntil(lambda: board.picker.count() > 1, timeout=10_000)
    board.set_workflow(wf_id(db, "referral"))
    wait_idle()
    column = next(p for p in board.panes if p.list.model().card_count())
    column.list.setFocus()
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_idle()
    rows = read(save_to)
    assert rows[0][:6] == ["Ref", "Title", "Workflow", "Status", "Owner", "Due"]
    assert rows[1][1] == '\'=HYPERLINK("x") café'  # a formula never runs in Excel
    assert rows[1][12][4] == "-" and rows[1][12][10] == "T"  # ISO date-time
    done = audit_rows(db, "export.csv")[-1]
    assert json.loads(done.new_values)["rows"] == 1 and "New" in done.detail


def test_a_role_without_export_has_no_export(open_window, gui_staff):
    window = open_window(gui_staff.front_desk)
    assert not window.export_action.isEnabled()
    assert window.export_action.shortcut().toString() == "Ctrl+E"


def test_the_patients_table_exports_iso_dates(qtbot, open_window, gui_staff, wait_idle, save_to):
    add_patient(gui_staff.db, "PB-1", "Avery Testa", date(1970, 5, 6))
    window = open_window(gui_staff.manager)
    view = window.show_view("patients", focus=True)
    wait_idle()
    qtbot.waitUntil(lambda: view.table.model().rowCount() > 0,
                    timeout=10_000)  # fmt: skip
    window.export_csv()
    wait_idle()
    rows = read(save_to)
    assert rows[0][:3] == ["MRN", "Name", "Born"]
    assert rows[1][:3] == ["PB-1", "Avery Testa", "1970-05-06"]


def test_the_patient_page_exports_the_patient_as_fhir(qtbot, open_window, gui_staff, wait_idle,
                                                      monkeypatch, tmp_path):  # fmt: skip
    from practiceboard.gui.views.care import page as page_module

    out = tmp_path / "patient.json"
    monkeypatch.setattr(page_module, "choose_fhir_path", lambda parent, suggested: str(out))
    patient_id = add_patient(gui_staff.db, "PB-7", "Rowan Sample", date(1960, 1, 2))
    window = open_window(gui_staff.manager)
    view = window.show_view("patients", focus=True)
    wait_idle()
    view.open_patient(patient_id)
    wait_idle()
    page = view.findChild(page_module.PatientPageWidget)
    assert page.fhir_button.isVisibleTo(page)
    page.export_fhir()
    wait_idle()
    data = json.loads(out.read_text())
    patient = data["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient" and patient["identifier"][0]["value"] == "PB-7"
    assert audit_rows(gui_staff.db, "export.fhir")[-1].patient_id == patient_id


def test_my_queue_and_an_empty_inbox(qtbot, open_window, gui_staff, wait_idle, save_to,
                                     messages):  # fmt: skip
    db, manager = gui_staff.db, gui_staff.manager
    make_task(db, manager, "referral", "Call the cardiologist", due_date=date(2026, 3, 9),
              extra={"referred_to": "Cardiology"})  # fmt: skip
    window = open_window(manager)
    window.show_view("queue", focus=True)
    wait_idle()
    window.export_csv()
    wait_idle()
    rows = read(save_to)
    assert rows[1][1] == "Call the cardiologist" and rows[1][5] == "2026-03-09"
    window.show_view("approvals", focus=True)
    wait_idle()
    messages.log.clear()
    window.export_csv()  # nothing waits on the manager: the inbox shows its empty sentence
    wait_idle()
    assert messages.log == [("Export to CSV", "This list is empty: there is nothing to export.")]
    assert [json.loads(r.new_values)["rows"] for r in audit_rows(db, "export.csv")] == [1]

"""No raw database error text reaches a window or a log line, and logs carry no patient
text (security.md items 3 and 11): the intake patient picker's search with a pasted NUL
(a raw psycopg.DataError with the SQL and the search before) gets a sentence beside the
field, and a driver error that does get through is told in plain words and logged by
kind and place only."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DataError, OperationalError

from practiceboard.domain.errors import loggable, plain_cause
from practiceboard.gui.dialogs.intake import IntakeDialog
from practiceboard.gui.kit.errors import sentence
from practiceboard.gui.kit.ops import Op

PATIENT_TEXT = "Smithson-Example"
SQL = "SELECT patients.id FROM patients WHERE patients.search_name LIKE %(p)s"


def _driver_error() -> DataError:
    inner = Exception(f"value too long for type character varying(120)\nDETAIL: {PATIENT_TEXT}")
    inner.sqlstate = "22001"
    return DataError(SQL, {"p": f"%{PATIENT_TEXT}%"}, inner)


def test_no_raw_database_error_text_in_a_sentence():
    said = sentence(_driver_error(), "{detail}")
    assert PATIENT_TEXT not in said and "SELECT" not in said and "varying" not in said
    assert said == "database error 22001"
    locked = OperationalError("UPDATE tasks", {}, Exception("database is locked"))
    assert plain_cause(locked) == "another program is using the database"


def test_no_raw_database_error_text_in_a_log_line(qtbot, ctx, wait_idle, caplog):
    def search(db, actor):
        raise _driver_error()

    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):
        Op(ctx, search).failure(lambda _exc, text: seen.append(text)).fallback("{detail}").run()
        wait_idle()
    logged = caplog.text
    assert "background job failed: DataError" in logged and "SQLSTATE 22001" in logged
    assert PATIENT_TEXT not in logged and "SELECT" not in logged
    assert seen and PATIENT_TEXT not in seen[0] and "SELECT" not in seen[0]
    try:
        raise _driver_error()
    except DataError as exc:
        assert "test_no_raw_errors.py" in loggable(exc)


def test_no_raw_database_error_text_the_patient_picker_with_a_pasted_nul(
    qtbot, ctx, wait_idle, caplog
):
    dialog = IntakeDialog(ctx)
    qtbot.addWidget(dialog)
    wait_idle()
    with caplog.at_level(logging.DEBUG):
        dialog.patient_search.setText(f"{PATIENT_TEXT}\x00")
        dialog.patients.run_search()
        wait_idle()
    shown = dialog.errors.message("patient") or ""
    assert shown.startswith("The search contains a NUL character"), shown
    assert PATIENT_TEXT not in caplog.text

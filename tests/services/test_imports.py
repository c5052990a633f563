"""Spreadsheet import: the made-up 300-row tracker (tests/data) through mapping, dry
run, import, re-import and undo; patients with and without "update existing"; every
kind of bad file refused with a sentence and nothing written."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from practiceboard.db.models import ImportBatch, Patient, ReasonCode, Task, TaskEvent
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import imports as import_queries
from practiceboard.services.imports import engine, sheet
from practiceboard.services.imports.mapping import Mapping, layout_of, parse_date, propose
from support import Clock, audit_rows, status_id, wf_id

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
TRACKER_BAD = {23: "D23", 58: "E58", 101: "A101", 150: "F150", 207: "I207", 260: "J260"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    Clock(monkeypatch, NOW)


def tracker_mapping() -> Mapping:
    return Mapping.load("tasks", (DATA / "tracker-mapping.json").read_text())


def patient_mapping(update: bool = False) -> Mapping:
    found = propose("patients", sheet.read_sheet(DATA / "patients.csv").header)
    found.providers = {"dr. provider": "provider"}
    found.update_existing = update
    return found


def load_patients(db, staff):
    result = engine.import_patients(
        db, staff.manager, sheet.read_sheet(DATA / "patients.csv"), patient_mapping()
    )
    assert result.summary() == "60 created, 0 skipped, 0 errors"
    return result


def task_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count(Task.id)))


# ---------------------------------------------------------------- mapping


def test_the_trackers_columns_are_proposed_from_their_words():
    found = propose("tasks", sheet.read_sheet(DATA / "tracker.csv").header)
    assert found.columns == tracker_mapping().columns


def test_us_dates_in_their_common_forms():
    for text in ("03/04/2026", "3/4/26", "2026-03-04", "Mar 4, 2026", "March 4 2026",
                 "4-Mar-2026", "03-04-2026"):  # fmt: skip
        assert parse_date(text) == date(2026, 3, 4), text
    assert parse_date(datetime(2026, 3, 4, 0, 0)) == date(2026, 3, 4)
    with pytest.raises(ValidationError, match="03/04/2026"):
        parse_date("13/45/2026")


def test_unknown_words_are_listed_once_for_mapping(db, staff):
    bare = Mapping("tasks", tracker_mapping().columns)
    unknown = engine.unknown_values(db, sheet.read_sheet(DATA / "tracker.csv"), bare)
    assert set(unknown.owners) == {"Fran", "Cleo", "Bill", "Cora", "Zed"}
    assert unknown.workflows == ["Prior Auth", "Lab f/u"] or set(unknown.workflows) == {
        "Prior Auth", "Lab f/u"}  # fmt: skip
    assert "referral:Pending" in unknown.statuses
    mapped = engine.unknown_values(db, sheet.read_sheet(DATA / "tracker.csv"), tracker_mapping())
    assert mapped.owners == ["Zed"] and not mapped.workflows and not mapped.statuses


# ---------------------------------------------------------------- the tracker


@pytest.mark.parametrize("name", ["tracker.csv", "tracker.xlsx"])
def test_dry_run_says_row_by_row_and_writes_nothing(db, staff, name):
    load_patients(db, staff)
    before = task_count(db)
    result = engine.import_tasks(
        db, staff.manager, sheet.read_sheet(DATA / name), tracker_mapping(), dry_run=True
    )
    assert result.dry_run and result.batch_id is None
    assert result.summary() == "293 created, 1 skipped, 6 errors"
    errors = {o.row: o for o in result.outcomes if o.outcome == "error"}
    assert {row: o.cell for row, o in errors.items()} == TRACKER_BAD
    assert "Zed" in errors[23].message
    assert "03/04/2026" in errors[58].message
    assert "PB-99999" in errors[150].message
    assert "Referred to" in errors[260].message
    skipped = [o for o in result.outcomes if o.outcome == "skipped"]
    assert [(o.row, o.message) for o in skipped] == [(180, "Same as row 40 of this file.")]
    assert task_count(db) == before
    with db.read() as s:
        assert s.scalar(select(func.count(ImportBatch.id))) == 1  # the patients' batch only


def test_import_creates_the_good_rows_in_one_batch_and_again_creates_nothing(db, staff):
    load_patients(db, staff)
    before = task_count(db)
    tracker = sheet.read_sheet(DATA / "tracker.csv")
    result = engine.import_tasks(db, staff.manager, tracker, tracker_mapping())
    assert result.summary() == "293 created, 1 skipped, 6 errors"
    assert task_count(db) == before + 293
    with db.read() as s:
        batch = s.get(ImportBatch, result.batch_id)
        assert (batch.created_count, batch.skipped_count, batch.error_count) == (293, 1, 6)
        # the practice's words became PracticeBoard's: a "Pending" prior auth waits on the payer
        first_pa = s.scalars(
            select(Task).where(Task.workflow_id == wf_id(db, "prior_auth")).order_by(Task.id)
        ).first()
        assert first_pa.title == "PA for Sleep study"
        assert first_pa.extra == {"procedure": "Sleep study"}
        assert first_pa.due_date == date(2026, 3, 27) and first_pa.priority == 0
        done = s.scalar(select(func.count(Task.id)).where(Task.closed_at.is_not(None)))
        assert done > 20
    assert json.loads(audit_rows(db, "import.tasks")[-1].new_values)["created"] == 293
    # the same file (or the workbook of the same rows) again: nothing twice
    again = engine.import_tasks(
        db, staff.manager, sheet.read_sheet(DATA / "tracker.xlsx"), tracker_mapping()
    )
    assert again.summary() == "0 created, 294 skipped, 6 errors"
    assert task_count(db) == before + 293
    # and the mapping is remembered for the layout
    remembered = import_queries.remembered_mapping(db, "tasks", layout_of(tracker.header))
    assert remembered["owners"]["cleo"] == "clinical"


def test_undo_closes_every_created_task_with_its_reason_and_keeps_history(db, staff):
    load_patients(db, staff)
    result = engine.import_tasks(
        db, staff.manager, sheet.read_sheet(DATA / "tracker.csv"), tracker_mapping()
    )
    with pytest.raises(PermissionDenied):
        engine.undo_import(db, staff.front_desk, result.batch_id)
    undone = engine.undo_import(db, staff.manager, result.batch_id)
    assert undone.closed == 293
    with db.read() as s:
        reason = s.scalars(select(ReasonCode.id).where(ReasonCode.key == "import_undone")).one()
        made = s.scalars(select(Task).where(Task.reason_code_id == reason)).all()
        assert len(made) == 293 and all(t.closed_at is not None for t in made)
        pa = [t for t in made if t.workflow_id == wf_id(db, "prior_auth")]
        assert {t.status_id for t in pa} == {status_id(db, "prior_auth", "not_needed")}
        kinds = s.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == made[0].id)).all()
        assert kinds[0] == "created" and kinds[-1] == "status"
    with pytest.raises(ValidationError, match="already undone"):
        engine.undo_import(db, staff.manager, result.batch_id)
    history = import_queries.history(db, staff.manager)
    assert history[0].id == result.batch_id and history[0].undone_by == "Max Manager"
    # once undone, the rows may come in again
    again = engine.import_tasks(
        db, staff.manager, sheet.read_sheet(DATA / "tracker.csv"), tracker_mapping()
    )
    assert again.created == 293


def test_a_role_that_cannot_hand_out_work_may_not_import(db, staff):
    with pytest.raises(PermissionDenied):
        engine.import_tasks(
            db, staff.front_desk, sheet.read_sheet(DATA / "tracker.csv"), tracker_mapping()
        )


# ---------------------------------------------------------------- patients


def test_patients_come_in_and_update_only_when_asked(db, staff):
    load_patients(db, staff)
    with db.read() as s:
        p = s.scalars(select(Patient).where(Patient.mrn == "PB-10001")).one()
        assert p.display_name == "Quinn Demoson" and p.date_of_birth == date(1958, 3, 28)
    changed = DATA.parent / "data" / "patients.csv"
    text = changed.read_text().replace("(555) 013-2411", "(555) 019-0000")
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "patients-new.csv"
    path.write_text(text)
    plain = engine.import_patients(db, staff.manager, sheet.read_sheet(path), patient_mapping())
    assert plain.summary() == "0 created, 60 skipped, 0 errors"
    assert "update existing" in plain.outcomes[0].message
    updating = engine.import_patients(
        db, staff.manager, sheet.read_sheet(path), patient_mapping(update=True)
    )
    assert (updating.created, updating.updated, updating.skipped) == (0, 1, 59)
    with db.read() as s:
        assert s.scalars(select(Patient.phone).where(Patient.mrn == "PB-10001")).one() == (
            "(555) 019-0000"
        )
    # the choice is not remembered: the next file of this layout asks again
    remembered = import_queries.remembered_mapping(db, "patients", layout_of(updating_header(path)))
    assert remembered["update_existing"] is False
    engine.undo_import(db, staff.manager, updating.batch_id)
    with db.read() as s:
        assert s.scalars(select(Patient.phone).where(Patient.mrn == "PB-10001")).one() == (
            "(555) 013-2411"
        )


def updating_header(path: Path) -> tuple[str, ...]:
    return sheet.read_sheet(path).header


# ---------------------------------------------------------------- bad files


def _workbook(tmp_path: Path, fill) -> Path:
    book = openpyxl.Workbook()
    fill(book.active)
    path = tmp_path / "bad.xlsx"
    book.save(path)
    return path


def _formula(ws):
    ws.append(["Task", "Due"])
    ws.append(["Call back", "=TODAY()+3"])


def _merged(ws):
    ws.append(["Task", "Due"])
    ws.append(["Call back", "03/04/2026"])
    ws.merge_cells("A2:B2")


def _empty(ws):
    ws.append(["Task", "Due"])


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: _workbook(p, _formula), "formula"),
        (lambda p: _workbook(p, _merged), "merged cells"),
        (lambda p: _workbook(p, _empty), "nothing to import"),
        (lambda p: _write(p / "bad.csv", b"Task,Due\r\nCaf\x81,x\r\n"), "CSV UTF-8"),
        (lambda p: _write(p / "bad.csv", b"Ta\x00sk\r\n"), "CSV UTF-8"),
        (lambda p: _write(p / "bad.csv", b"\r\n \r\n"), "empty"),
        (lambda p: _write(p / "bad.xlsx", b"PK\x03\x04broken"), "not an Excel workbook"),
        (lambda p: _big(p / "big.csv"), "MB"),
    ],
)
def test_a_bad_file_gives_a_sentence_and_writes_nothing(db, staff, tmp_path, make, words):
    before = task_count(db)
    with pytest.raises(ValidationError, match=words) as caught:
        engine.import_tasks(db, staff.manager, sheet.read_sheet(make(tmp_path)), tracker_mapping())
    assert "Traceback" not in caught.value.message and caught.value.message.endswith(".")
    assert task_count(db) == before


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _big(path: Path) -> Path:
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    return path


def test_a_mapping_file_that_is_not_json_says_where(tmp_path):
    with pytest.raises(ValidationError, match="line 1"):
        Mapping.load("tasks", "{columns: }")
    with pytest.raises(ValidationError, match="not a field"):
        Mapping.from_json("tasks", json.loads('{"columns": {"Task": "color"}}'))

"""The weekly aging report's sections over the known fortnight (tests/support/weekly.py),
and its CSVs, on both engines."""

from __future__ import annotations

import csv

import pytest

from practiceboard.domain.errors import NotFound, PermissionDenied
from practiceboard.reports import csvfile, weekly
from support import HISTORY_FACTS, audit_rows, use_new_york, weekly_history
from support.weekly import MRN, THIS


@pytest.fixture
def history(db, staff, clock):
    use_new_york(db)
    return weekly_history(db, staff, clock)


def section(report, title_start: str):
    return next(s for s in report.sections if s.title.startswith(title_start))


def table(report, key: str):
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_every_section_and_its_numbers(db, staff, history):
    report = weekly.build(db, staff.manager, THIS)
    assert [s.title for s in report.sections] == [
        "Summary", "Aging by workflow and status", "The oldest 25 open items", "SLA exceptions",
        "Load by owner", "Approval turnaround and rework", "Care follow-ups overdue",
    ]  # fmt: skip
    this, last = HISTORY_FACTS["2025-W28"], HISTORY_FACTS["2025-W27"]
    assert [r[1:3] for r in table(report, "summary").rows] == list(zip(this, last, strict=True))
    assert table(report, "summary").rows[1][3] == "−1"  # new: 3 against 4
    aging = {(r[0], r[1]): r[2:] for r in table(report, "aging").rows}
    assert aging[("Records request", "New")] == (0, 1, 1, 0, 0, 2)
    assert aging[("All workflows", "")] == (0, 2, 2, 0, 0, 4)
    oldest = table(report, "oldest")
    assert oldest.header[1] == "Patient"
    assert [r[0] for r in oldest.rows][:2] == [ref for ref in refs(db, history, "DA")]
    assert oldest.rows[1][1] == MRN and oldest.rows[0][5] == 11
    breaches = table(report, "breaches")
    assert [r[0] for r in breaches.rows] == refs(db, history, "AF")
    assert table(report, "breaches_by_status").rows == (("Records request · New", 2),)
    assert ("Duplicate", "exception", 1) in table(report, "exception_reasons").rows
    assert table(report, "load_by_owner").rows[0][:2] == ("Fran Front", 4)
    approvals = {r[0]: r for r in table(report, "approvals").rows}
    assert approvals["Supply reorder"][1:] == (2, "12.5 h", "21.7 h", "100% (1 of 1)")
    assert table(report, "care_by_program").rows == ()
    assert report.has_patients and "HIPAA" in report.footer
    assert [r.action for r in audit_rows(db)][-1] == "report.weekly"


def test_the_admins_copy_has_no_patient_identifiers(db, staff, history):
    report = weekly.build(db, staff.admin, THIS)
    oldest = table(report, "oldest")
    assert "Patient" not in oldest.header
    assert MRN not in weekly.to_html(report)
    assert not report.has_patients and "HIPAA" not in report.footer


def test_the_report_needs_reports_view(db, staff, history):
    with pytest.raises(PermissionDenied):
        weekly.build(db, staff.front_desk, THIS)


def test_report_actor(db, staff):
    assert weekly.report_actor(db).user_id == staff.manager.user_id
    assert weekly.report_actor(db, "admin").user_id == staff.admin.user_id
    with pytest.raises(NotFound):
        weekly.report_actor(db, "nobody")


def test_csvs_one_per_table(db, staff, history, tmp_path):
    report = weekly.build(db, staff.manager, THIS)
    paths = weekly.write_csvs(report, tmp_path)
    assert len(paths) == len(weekly.tables(report))
    summary = tmp_path / "2025-W28 1 summary.csv"
    raw = summary.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    rows = list(csv.reader(summary.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["", "This week", "Last week", "Change"]
    assert rows[1] == ["Open at the end of the week", "4", "3", "'+1"]  # defused, as all +


def test_csv_cells_never_run_as_formulas():
    text = csvfile.csv_text(["a", "b"], [["=HYPERLINK(1)", "+1"], ["-2", "@me"], [-3, "ok"]])
    assert text.splitlines() == ["a,b", "'=HYPERLINK(1),'+1", "'-2,'@me", "-3,ok"]


def refs(db, history, keys: str) -> list[str]:
    from support import task_row

    return [task_row(db, history[k]).ref for k in keys]

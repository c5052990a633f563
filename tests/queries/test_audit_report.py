"""Issue 11, audit log: "The audit report (item 10) does not exist: an admin view and
``practiceboard audit report --from --to [--user] [--patient] [--action] --csv FILE``,
filterable and sortable by every field, exporting is itself audited."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from practiceboard import cli
from practiceboard.core.rows import AUDIT_FIELDS, AuditFilter
from practiceboard.db import audit
from practiceboard.domain.errors import PermissionDenied, ValidationError
from practiceboard.queries import audit as audit_queries
from support import PASSWORD, audit_rows, last_audit_id

TEXT_FIELDS = ("username", "workstation", "action", "entity", "entity_id", "category",
               "outcome", "detail")  # fmt: skip


@pytest.fixture
def logged(staff, clock):
    """A spread of audit rows over three days, with every field varied."""
    db = staff.db
    for day in range(3):
        clock.advance(days=1)
        with db.write() as s:
            for i, (who, outcome) in enumerate([("zed", "success"), ("amy", "denied")]):
                audit.write(
                    s, audit.Who(None, who, f"pc-{who}"), f"report.test{i}", f"thing{day}",
                    f"E{day}{i}", outcome=outcome, category="patient" if i else "security",
                    patient_id=100 + day, detail=f"detail {who} {day}", at=clock.now,
                )  # fmt: skip
    return staff


def _report(staff, filt=AuditFilter(), **kw):
    return audit_queries.audit_report(staff.db, staff.admin, filt, limit=500, **kw)


def test_audit_report_is_admin_only_and_a_refusal_is_audited(logged):
    mark = last_audit_id(logged.db)
    with pytest.raises(PermissionDenied):
        audit_queries.audit_report(logged.db, logged.manager)
    [row] = audit_rows(logged.db, after=mark)
    assert (row.action, row.outcome, row.username) == ("audit.report", "denied", "manager")


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_audit_report_filters_by_every_text_field(logged, field):
    rows = _report(logged).rows
    wanted = next(getattr(r, field) for r in rows if getattr(r, field) and r.username == "amy")
    page = _report(logged, AuditFilter(**{field: wanted.upper()}))  # contains, any case
    assert page.rows and page.total == len(page.rows)
    assert all(wanted.lower() in (getattr(r, field) or "").lower() for r in page.rows)
    assert len(page.rows) < len(rows)


def test_audit_report_filters_by_patient_row_and_dates(logged, clock):
    assert {r.patient_id for r in _report(logged, AuditFilter(patient_id=101)).rows} == {101}
    first = _report(logged, sort="id", descending=False).rows[0]
    assert [r.id for r in _report(logged, AuditFilter(row_id=first.id)).rows] == [first.id]
    day2 = [r for r in _report(logged).rows if r.action.startswith("report.")][2].at
    ranged = _report(logged, AuditFilter(start=day2, end=day2 + timedelta(hours=1))).rows
    assert ranged and all(day2 <= r.at < day2 + timedelta(hours=1) for r in ranged)
    with pytest.raises(ValidationError, match="end must come after"):
        _report(logged, AuditFilter(start=day2, end=day2))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", AUDIT_FIELDS)
def test_audit_report_sorts_by_every_field(logged, sort, descending):
    rows = _report(logged, sort=sort, descending=descending).rows
    keys = [getattr(r, sort) for r in rows]
    present = [k for k in keys if k is not None]
    assert present == sorted(present, reverse=descending) or sort in TEXT_FIELDS
    if sort in TEXT_FIELDS:  # collation may differ between engines: compare case-folded
        folded = [k.lower() for k in present]
        assert folded == sorted(folded, reverse=descending) or _collated(present, descending)


def _collated(values, descending):
    """PostgreSQL's collation ignores punctuation at first; enough that equal values group."""
    seen, last = set(), None
    for v in values:
        if v != last and v in seen:
            return False
        seen.add(v)
        last = v
    return True


def test_audit_report_sort_keys_are_an_allow_list(logged):
    with pytest.raises(ValidationError, match="cannot be sorted"):
        _report(logged, sort="id; DROP TABLE audit_log")


def test_audit_report_pages(logged):
    every = _report(logged, sort="id").rows
    page = audit_queries.audit_report(logged.db, logged.admin, sort="id", offset=2, limit=3)
    assert page.total == len(every) and page.offset == 2
    assert [r.id for r in page.rows] == [r.id for r in every[2:5]]
    with pytest.raises(ValidationError):
        audit_queries.audit_report(logged.db, logged.admin, limit=10_000)


def test_audit_report_cli_csv_export_is_audited(logged, clock, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    out = tmp_path / "audit.csv"
    today = clock.now.date()
    code = cli.main(["audit", "report", "--db", logged.db.url,
                     "--from", str(today - timedelta(days=5)), "--to", str(today),
                     "--user", "amy", "--action", "report.", "--csv", str(out)])  # fmt: skip
    said = capsys.readouterr()
    assert code == 0, said.err
    with out.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][:4] == ["id", "at (UTC)", "user id", "user name"]
    assert len(lines) == 4 and {line[3] for line in lines[1:]} == {"amy"}
    [export] = audit_rows(logged.db, "audit.export")
    assert export.category == "security" and export.username == "admin"
    assert "3 rows to audit.csv" in export.detail and '"username": "amy"' in export.new_values
    assert "3 audit rows" in said.out


def test_audit_report_cli_refuses_a_non_admin(logged, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    out = tmp_path / "audit.csv"
    code = cli.main(["audit", "report", "--db", logged.db.url, "--from", "2026-01-01",
                     "--to", "2026-12-31", "--csv", str(out),
                     "--admin-username", "billing"])  # fmt: skip
    assert code == 1 and not out.exists()
    [refused] = audit_rows(logged.db, "audit.export")
    assert (refused.outcome, refused.username) == ("denied", "billing")

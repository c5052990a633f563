"""Issue 11, audit log: the audit report's admin view — registered for ``audit.view`` only,
filtered and sorted (in SQL) by every field, paged, and its export audited."""

from __future__ import annotations

import csv

from PySide6.QtCore import QDate, Qt

from practiceboard.domain.policy import Cap
from practiceboard.gui.views import registry
from practiceboard.gui.views.audit import AuditView
from practiceboard.gui.views.audit import view as audit_view
from support import audit_rows


def _open(qtbot, ctx, wait_idle) -> AuditView:
    view = AuditView(ctx)
    qtbot.addWidget(view)
    view.resize(1300, 700)
    view.start.setDate(QDate(2000, 1, 1))
    wait_idle()
    return view


def _column(view, key: str) -> list[str]:
    col = audit_view.SORT_KEYS.index(key)
    model = view.table.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_audit_view_is_registered_for_the_admin_only(gui_staff, ctx_for):
    spec = registry.get("audit")
    assert spec is not None and spec.capability == Cap.AUDIT_VIEW
    assert ctx_for(gui_staff.admin).can(spec.capability)
    assert not ctx_for(gui_staff.manager).can(spec.capability)


def test_audit_view_lists_filters_and_sorts_in_sql(qtbot, ctx_for, gui_staff, wait_idle):
    view = _open(qtbot, ctx_for(gui_staff.admin), wait_idle)
    assert view.total == len(audit_rows(gui_staff.db)) > 5
    ids = [int(i) for i in _column(view, "id")]
    assert ids == sorted(ids, reverse=True)  # newest first

    view.fields["username"].setText("billing")
    view.apply()
    wait_idle()
    assert set(_column(view, "username")) == {"billing"}

    view.fields["username"].clear()
    view.outcome.setCurrentIndex(view.outcome.findData("success"))
    wait_idle()
    head = view.table.horizontalHeader()
    head.setSortIndicator(audit_view.SORT_KEYS.index("username"), Qt.SortOrder.AscendingOrder)
    wait_idle()
    names = _column(view, "username")
    assert view.sort == "username" and not view.descending
    assert names == sorted(names) and set(_column(view, "outcome")) == {"success"}


def test_audit_view_pages(qtbot, ctx_for, gui_staff, wait_idle, monkeypatch):
    monkeypatch.setattr(audit_view, "PAGE", 4)
    view = _open(qtbot, ctx_for(gui_staff.admin), wait_idle)
    first = _column(view, "id")
    assert len(first) == 4 and view.next_button.isEnabled()
    assert not view.previous_button.isEnabled()
    view.next_button.click()
    wait_idle()
    assert _column(view, "id") != first and view.previous_button.isEnabled()
    assert view.count_label.text().startswith("Rows 5–8 of ")


def test_audit_view_export_is_audited(qtbot, ctx_for, gui_staff, wait_idle, tmp_path):
    view = _open(qtbot, ctx_for(gui_staff.admin), wait_idle)
    view.fields["action"].setText("user.create")
    view.apply()
    wait_idle()
    target = tmp_path / "audit.csv"
    view.write_csv(str(target))
    wait_idle()
    with target.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert len(lines) == 1 + 7 and {line[5] for line in lines[1:]} == {"user.create"}
    [export] = audit_rows(gui_staff.db, "audit.export")
    assert export.username == "admin" and "7 rows to audit.csv" in export.detail


def test_audit_view_refused_for_another_role_says_so(qtbot, ctx_for, gui_staff, wait_idle):
    view = _open(qtbot, ctx_for(gui_staff.manager), wait_idle)
    assert view.section.currentWidget() is view.section.empty
    assert "Could not load the audit report" in view.section.empty.text()
    assert audit_rows(gui_staff.db, "audit.report")[-1].outcome == "denied"


def test_audit_view_admin_exports_the_audit_key(qtbot, ctx_for, gui_staff, wait_idle, tmp_path,
                                                pb_home):  # fmt: skip
    view = _open(qtbot, ctx_for(gui_staff.admin), wait_idle)
    assert view.key_button.isVisibleTo(view)
    target = tmp_path / "usb" / "practice.key"
    target.parent.mkdir()
    view.write_key(str(target))
    wait_idle()
    [key] = (pb_home / "config" / "audit-keys").glob("*.key")
    assert target.read_text().strip() == key.read_text().strip()
    assert target.stat().st_mode & 0o777 == 0o600
    [row] = audit_rows(gui_staff.db, "audit.key_export")
    assert row.outcome == "success" and row.username == "admin"
    view.write_key(str(target))  # never over an existing file, nothing audited
    wait_idle()
    assert len(audit_rows(gui_staff.db, "audit.key_export")) == 1

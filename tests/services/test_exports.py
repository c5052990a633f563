"""Exporting a list: who may, patient columns only for those who may see patients, and
one audit row with the row count; a file that cannot be written leaves no audit row."""

from __future__ import annotations

import json

import pytest

from practiceboard.domain.errors import PermissionDenied
from practiceboard.services import exports
from support import audit_rows

HEADER = ("Ref", "Title", "Patient MRN")
ROWS = (("REF-1", "Call back", "PB-1"), ("REF-2", "Fax", None))


def test_patient_columns_go_only_to_roles_that_see_patients(db, staff):
    written = {}

    def write(header, rows):
        written["header"], written["rows"] = header, rows

    assert exports.export_rows(db, staff.manager, "My queue", HEADER, ROWS, (2,), write) == 2
    assert written["header"] == ["Ref", "Title", "Patient MRN"]
    manager_row = audit_rows(db, "export.csv")[-1]
    assert manager_row.category == "patient" and json.loads(manager_row.new_values)["rows"] == 2
    exports.export_rows(db, staff.admin, "Board – New tasks", HEADER, ROWS, (2,), write)
    assert written["header"] == ["Ref", "Title"] and written["rows"][0] == ["REF-1", "Call back"]
    admin_row = audit_rows(db, "export.csv")[-1]
    assert admin_row.category == "operational" and admin_row.detail == "Board – New tasks"


def test_a_role_without_export_is_refused_and_nothing_is_written(db, staff):
    def write(header, rows):
        raise AssertionError("nothing may be written")

    with pytest.raises(PermissionDenied):
        exports.export_rows(db, staff.front_desk, "My queue", HEADER, ROWS, (2,), write)


def test_a_file_that_cannot_be_written_leaves_no_audit_row(db, staff):
    def write(header, rows):
        raise OSError("disk full")

    with pytest.raises(OSError):
        exports.export_rows(db, staff.manager, "My queue", HEADER, ROWS, (2,), write)
    assert audit_rows(db, "export.csv") == []

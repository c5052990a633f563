"""Patients: validation, literal storage and search, audit of every view and search,
and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from practiceboard.db.models import Patient
from practiceboard.domain.errors import ConflictError, PermissionDenied, ValidationError
from practiceboard.services import patients
from support import Clock, audit_rows

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    Clock(monkeypatch, NOW)


def test_front_desk_registers_a_patient(db, staff):
    row = patients.create_patient(
        db,
        staff.front_desk,
        "  MRN-001 ",
        "  Jane   Doe ",
        date(1970, 5, 6),
        staff.provider.user_id,
    )
    assert (row.mrn, row.display_name, row.date_of_birth) == (
        "MRN-001",
        "Jane Doe",
        date(1970, 5, 6),
    )
    assert row.primary_provider_name == "Dr. Pat Provider"
    assert row.version == 1
    with db.read() as s:
        assert s.get(Patient, row.id).search_name == "jane doe"
    [entry] = audit_rows(db, "patient.create")
    assert (entry.user_id, entry.patient_id, entry.category) == (
        staff.front_desk.user_id,
        row.id,
        "patient",
    )
    assert "Jane Doe" in entry.new_values


BAD_INPUT = [
    ("", "Jane Doe", None, "mrn"),
    ("MRN 1", "Jane Doe", None, "mrn"),
    ("MRN#1", "Jane Doe", None, "mrn"),
    ("1'; DROP TABLE patients;--", "Jane Doe", None, "mrn"),
    ("A" * 41, "Jane Doe", None, "mrn"),
    ("MRN-1", "   ", None, "display_name"),
    ("MRN-1", "x" * 121, None, "display_name"),
    ("MRN-1", "Jane Doe", date(2026, 3, 10), "date_of_birth"),
    ("MRN-1", "Jane Doe", date(1899, 12, 31), "date_of_birth"),
]


def test_bad_input_is_refused_with_its_field(db, staff):
    for mrn, name, dob, field in BAD_INPUT:
        with pytest.raises(ValidationError) as err:
            patients.create_patient(db, staff.front_desk, mrn, name, dob)
        assert err.value.field == field, (mrn, name, dob)
        assert err.value.message.endswith(".")
    with pytest.raises(ValidationError) as err:
        patients.create_patient(
            db, staff.front_desk, "MRN-1", "Jane Doe", primary_provider_id=staff.clinical.user_id
        )
    assert err.value.field == "primary_provider"  # a provider must hold the provider role
    with db.read() as s:
        assert s.scalars(select(Patient)).first() is None
    # The limits themselves are fine.
    row = patients.create_patient(db, staff.front_desk, "A" * 40, "x" * 120, date(1900, 1, 1))
    assert len(row.mrn) == 40 and len(row.display_name) == 120
    with pytest.raises(ValidationError) as err:
        patients.create_patient(db, staff.clinical, "A" * 40, "John Roe")
    assert err.value.field == "mrn" and "already has MRN" in err.value.message


def test_names_with_markup_and_sql_are_stored_and_found_literally(db, staff):
    names = [
        "<b>x</b>",
        "O'Brien; DROP TABLE patients;--",
        "Fifty% Off",
        "Under_Score",
        "Plain Person",
        "Slash/Path",
    ]
    for i, name in enumerate(names):
        patients.create_patient(db, staff.front_desk, f"MRN-{i}", name)
    found = lambda q: [r.display_name for r in patients.search_patients(db, staff.billing, q)]  # noqa: E731
    assert found("<b>") == ["<b>x</b>"]
    assert found("o'brien; drop") == ["O'Brien; DROP TABLE patients;--"]
    assert found("fifty%") == ["Fifty% Off"]
    assert found("%") == []  # a wildcard is a character: no name starts with it
    assert found("under_") == ["Under_Score"]
    assert found("slash/p") == ["Slash/Path"]
    assert found("' OR '1'='1") == []
    with db.read() as s:
        assert (
            s.get(Patient, patients.search_patients(db, staff.billing, "<b>")[0].id).display_name
            == "<b>x</b>"
        )


def test_search_by_mrn_anywhere_name_prefix_per_word_or_birth_date(db, staff):
    patients.create_patient(db, staff.front_desk, "AB-100", "Mary Major", date(1950, 2, 3))
    patients.create_patient(db, staff.front_desk, "XY-200", "Abby Minor")
    patients.create_patient(db, staff.front_desk, "CD-300", "Carl Cab")
    mrns = lambda q: [r.mrn for r in patients.search_patients(db, staff.clinical, q)]  # noqa: E731
    assert mrns("ab") == ["XY-200", "AB-100"]  # Abby by name; AB-100 by MRN; not "Cab"
    assert mrns("xy-2") == ["XY-200"]
    assert mrns("00") == ["XY-200", "CD-300", "AB-100"]  # MRN digits anywhere
    assert mrns("min ab") == ["XY-200"]  # each word starts a word of the name
    assert mrns("2/3/1950") == mrns("1950-02-03") == ["AB-100"]
    assert mrns("2/30/1950") == []  # not a date: no error either
    assert patients.search_patients(db, staff.clinical, "   ") == []
    for i in range(22):
        patients.create_patient(db, staff.front_desk, f"M-{i:02d}", f"Smith {i:02d}")
    assert len(patients.search_patients(db, staff.clinical, "smith")) == 20  # at most twenty


def test_search_is_audited_with_the_query_but_not_the_results(db, staff):
    patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")
    patients.search_patients(db, staff.clinical, "jane")
    [entry] = audit_rows(db, "patient.search")
    assert (entry.user_id, entry.category, entry.outcome) == (
        staff.clinical.user_id,
        "patient",
        "success",
    )
    assert entry.detail == "jane"
    assert entry.patient_id is None and entry.new_values is None
    assert "MRN-1" not in (entry.detail or "") + (entry.old_values or "")


def test_viewing_a_patient_is_audited_with_the_patient(db, staff):
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe", date(1980, 1, 2))
    seen = patients.get_patient(db, staff.billing, row.id)
    assert seen == row
    [entry] = audit_rows(db, "patient.view")
    assert (entry.user_id, entry.patient_id, entry.category, entry.entity_id) == (
        staff.billing.user_id,
        row.id,
        "patient",
        str(row.id),
    )


def test_admin_cannot_see_patient_names(db, staff):
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")
    with pytest.raises(PermissionDenied):
        patients.get_patient(db, staff.admin, row.id)
    with pytest.raises(PermissionDenied):
        patients.search_patients(db, staff.admin, "jane")
    [view] = audit_rows(db, "patient.view")
    assert (view.outcome, view.user_id, view.patient_id) == ("denied", staff.admin.user_id, row.id)
    [search] = audit_rows(db, "patient.search")
    assert search.outcome == "denied"


def test_who_may_add_patients(db, staff):
    ids = [
        patients.create_patient(db, getattr(staff, role), f"MRN-{i}", "Jane Doe").id
        for i, role in enumerate(
            ["front_desk", "clinical", "provider", "care_coordinator", "manager"]
        )
    ]
    for role in ["billing", "admin"]:
        with pytest.raises(PermissionDenied):
            patients.create_patient(db, getattr(staff, role), "MRN-X", "Jane Doe")
    denied = [e for e in audit_rows(db, "patient.create") if e.outcome == "denied"]
    assert [e.user_id for e in denied] == [staff.billing.user_id, staff.admin.user_id]
    assert patients.search_patients(db, staff.front_desk, "MRN-X") == []
    with pytest.raises(PermissionDenied):
        patients.update_patient(db, staff.billing, ids[0], expected_version=1, display_name="X")
    [entry] = audit_rows(db, "patient.update")
    assert (entry.outcome, entry.patient_id) == ("denied", ids[0])


def test_update_changes_fields_bumps_version_and_audits_old_and_new(db, staff):
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe", date(1980, 1, 2))
    updated = patients.update_patient(
        db,
        staff.clinical,
        row.id,
        expected_version=1,
        display_name="Jane Q. Doe",
        primary_provider_id=staff.provider.user_id,
    )
    assert (updated.display_name, updated.date_of_birth, updated.version) == (
        "Jane Q. Doe",
        date(1980, 1, 2),
        2,
    )
    assert updated.primary_provider_id == staff.provider.user_id
    with db.read() as s:
        assert s.get(Patient, row.id).search_name == "jane q. doe"
    [entry] = audit_rows(db, "patient.update")
    assert entry.patient_id == row.id and entry.category == "patient"
    assert "Jane Doe" in entry.old_values and "Jane Q. Doe" in entry.new_values
    assert "date_of_birth" not in entry.new_values  # unchanged fields are not listed
    cleared = patients.update_patient(
        db, staff.front_desk, row.id, expected_version=2, date_of_birth=None
    )
    assert (cleared.date_of_birth, cleared.version) == (None, 3)


def test_update_with_a_stale_version_is_a_conflict(db, staff):
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")
    patients.update_patient(db, staff.front_desk, row.id, expected_version=1, display_name="A B")
    with pytest.raises(ConflictError) as err:
        patients.update_patient(db, staff.clinical, row.id, expected_version=1, display_name="C D")
    assert "reload" in err.value.message
    assert patients.get_patient(db, staff.clinical, row.id).display_name == "A B"


def test_update_refuses_another_patients_mrn_and_bad_values(db, staff):
    patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")
    row = patients.create_patient(db, staff.front_desk, "MRN-2", "John Roe")
    with pytest.raises(ValidationError) as err:
        patients.update_patient(db, staff.front_desk, row.id, expected_version=1, mrn="MRN-1")
    assert err.value.field == "mrn"
    with pytest.raises(ValidationError) as err:
        patients.update_patient(
            db, staff.front_desk, row.id, expected_version=1, date_of_birth=date(2030, 1, 1)
        )
    assert err.value.field == "date_of_birth"
    assert (
        patients.update_patient(
            db, staff.front_desk, row.id, expected_version=1, mrn="MRN-2"
        ).version
        == 1
    )  # no change, no new version

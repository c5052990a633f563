"""Patient edits use the one optimistic lock: a stale save names who changed the
patient and when, on both engines, whether it is seen at load or at write time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from practiceboard.db.models import Patient, Setting
from practiceboard.domain.errors import ConflictError
from practiceboard.services import patients
from support import Clock, audit_rows

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # 9:00 AM in Chicago


@pytest.fixture(autouse=True)
def practice_in_chicago(db, monkeypatch):
    Clock(monkeypatch, NOW)
    with db.write() as s:
        s.execute(
            update(Setting)
            .where(Setting.key == "calendar")
            .values(value={"timezone": "America/Chicago"})
        )


def test_a_stale_save_names_who_changed_the_patient_and_when(db, staff):
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")
    patients.update_patient(db, staff.clinical, row.id, expected_version=1, display_name="A B")
    with pytest.raises(ConflictError) as err:
        patients.update_patient(
            db, staff.front_desk, row.id, expected_version=1, display_name="C D"
        )
    assert err.value.changed_by == "Cleo Clinical" and err.value.changed_at == NOW
    assert err.value.message == (
        "This patient was changed by Cleo Clinical at 9:00 AM on Mar 4 — reload to see "
        "their change."
    )  # the same sentence as a task's or a care plan's
    assert audit_rows(db, "patient.update")[-1].user_id == staff.clinical.user_id


def test_a_save_that_loses_the_race_at_write_time_is_the_same_conflict(db, staff):
    """Another PC saves between this save's version check and its UPDATE: the version
    column refuses the UPDATE and the user gets the reload sentence, not a crash."""
    row = patients.create_patient(db, staff.front_desk, "MRN-1", "Jane Doe")

    def saved_elsewhere(session, _context, _instances):
        table = Patient.__table__
        for obj in session.dirty:
            if isinstance(obj, Patient):
                session.connection().execute(
                    update(table).where(table.c.id == obj.id).values(version=table.c.version + 1)
                )

    event.listen(Session, "before_flush", saved_elsewhere)
    try:
        with pytest.raises(ConflictError) as err:
            patients.update_patient(
                db, staff.clinical, row.id, expected_version=1, display_name="C D"
            )
    finally:
        event.remove(Session, "before_flush", saved_elsewhere)
    assert err.value.message.startswith("This patient was changed by Fran Front at 9:00 AM")
    assert patients.get_patient(db, staff.clinical, row.id).display_name == "Jane Doe"
    assert audit_rows(db, "patient.update") == []

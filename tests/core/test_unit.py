"""core.unit: the one optimistic lock every versioned row uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm.exc import StaleDataError

from practiceboard.core.unit import check_version, conflict_if_stale
from practiceboard.db.models import Patient
from practiceboard.domain.errors import ConflictError, NotFound

AT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def patient_id(db, staff) -> int:
    with db.write() as s:
        p = Patient(mrn="M-1", display_name="Pat", search_name="pat", active=True,
                    created_at=AT, updated_at=AT, updated_by_id=staff.clinical.user_id)  # fmt: skip
        s.add(p)
        s.flush()
        return p.id


def test_check_version(db, patient_id):
    with db.read() as s:
        row = s.get(Patient, patient_id)
        assert row.version == 1  # version_id_col numbers versions from 1
        check_version(s, row, 1, "This patient")
        check_version(s, row, None, "This patient")  # no version loaded: nothing to compare
        with pytest.raises(ConflictError) as err:
            check_version(s, row, 0, "This patient")
    assert err.value.changed_by == "Cleo Clinical" and err.value.changed_at == AT
    assert err.value.message.startswith("This patient was changed by Cleo Clinical at ")


def test_conflict_if_stale_names_the_row_by_a_word_or_a_function(db, patient_id):
    with pytest.raises(ConflictError) as err, conflict_if_stale(db, Patient, patient_id, "It"):
        raise StaleDataError("0 rows matched")
    assert err.value.message.startswith("It was changed by Cleo Clinical")
    name = lambda row: row.mrn  # noqa: E731
    with pytest.raises(ConflictError) as err, conflict_if_stale(db, Patient, patient_id, name):
        raise StaleDataError("0 rows matched")
    assert err.value.message.startswith("M-1 was changed by")
    with pytest.raises(NotFound), conflict_if_stale(db, Patient, 999_999, "It"):
        raise StaleDataError("deleted meanwhile")
    with conflict_if_stale(db, Patient, patient_id, "It"):
        pass  # no error, no conflict

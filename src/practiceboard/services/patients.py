"""Patients: the minimum identifiers the board needs (MRN, name, date of birth,
primary provider) — the chart itself stays in the EHR.

Every read of one patient through here is audited ('patient.view'), and so is
every search ('patient.search', with the words searched for but not the
patients found).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.patient_match import patient_match
from practiceboard.core.unit import audited, check_version, conflict_if_stale, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import Patient, PatientProgram, Program, Role, User, UserRole
from practiceboard.domain import validation
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.domain.unchanged import UNCHANGED, Unchanged

MRN_MAX = 40
NAME_MAX = 120
SEARCH_MAX = 120
SEARCH_LIMIT = 20
EARLIEST_BIRTH = date(1900, 1, 1)
_MRN = re.compile(r"[A-Za-z0-9-]+")
_PHONE = re.compile(r"[0-9 ()+.\-]+")
PHONE_MAX = 30
PATIENT = "This patient"  # how a conflict names it: "This patient was changed by …"


@dataclass(frozen=True)
class PatientRow:
    id: int
    mrn: str
    display_name: str
    date_of_birth: date | None
    primary_provider_id: int | None
    primary_provider_name: str | None
    version: int
    phone: str | None = None
    program_ids: tuple[int, ...] = ()


# ---------------------------------------------------------------- input checks


def clean_mrn(value: str | None) -> str:
    mrn = (validation.plain(value, "mrn", "MRN") or "").strip()
    if not mrn:
        raise ValidationError("Enter the patient's MRN (medical record number).", "mrn")
    if len(mrn) > MRN_MAX:
        raise ValidationError(f"The MRN is too long (at most {MRN_MAX} characters).", "mrn")
    if not _MRN.fullmatch(mrn):
        raise ValidationError("An MRN may only contain letters, digits and dashes.", "mrn")
    return mrn


def clean_name(value: str | None) -> str:
    name = " ".join((validation.plain(value, "display_name", "name") or "").split())
    if not name:
        raise ValidationError(
            "Enter the patient's name as the practice knows them.", "display_name"
        )
    if len(name) > NAME_MAX:
        raise ValidationError(
            f"The name is {len(name)} characters; keep it under {NAME_MAX}.", "display_name"
        )
    return name


def clean_phone(value: str | None) -> str | None:
    phone = " ".join((validation.plain(value, "phone") or "").split())
    if not phone:
        return None
    if len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone):
        raise ValidationError(
            "Enter the phone number with digits, spaces, dashes or brackets, like (555) 010-2345.",
            "phone",
        )
    return phone


def _check_programs(session: Session, program_ids) -> tuple[int, ...]:
    ids = tuple(sorted(set(program_ids or ())))
    if ids:
        found = set(session.scalars(select(Program.id).where(Program.id.in_(ids))))
        if found != set(ids):
            raise ValidationError("Pick the programs from the practice's list.", "programs")
    return ids


def _set_programs(session: Session, patient_id: int, ids: tuple[int, ...]) -> None:
    session.execute(delete(PatientProgram).where(PatientProgram.patient_id == patient_id))
    session.add_all(PatientProgram(patient_id=patient_id, program_id=i) for i in ids)


def _programs_of(session: Session, patient_id: int) -> tuple[int, ...]:
    q = select(PatientProgram.program_id).where(PatientProgram.patient_id == patient_id)
    return tuple(sorted(session.scalars(q)))


def _check_birth(session: Session, dob: date | None) -> None:
    if validation.calendar_date(dob, "date of birth") is None:
        return
    if dob < EARLIEST_BIRTH:
        raise ValidationError("Check the date of birth: it is before 1900.", "date_of_birth")
    if dob > definitions.practice_today(session):
        raise ValidationError("Check the date of birth: it is in the future.", "date_of_birth")


def _check_provider(session: Session, provider_id: int | None) -> None:
    if provider_id is None:
        return
    ok = session.execute(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Role, Role.id == UserRole.role_id)
        .where(User.id == provider_id, User.active, Role.key == "provider")
    ).first()
    if ok is None:
        raise ValidationError(
            "The primary provider must be an active staff member with the provider role.",
            "primary_provider",
        )


def _check_mrn_free(session: Session, mrn: str, patient_id: int | None = None) -> None:
    taken = session.scalars(select(Patient.id).where(Patient.mrn == mrn)).first()
    if taken is not None and taken != patient_id:
        raise ValidationError(f"Another patient already has MRN {mrn}.", "mrn")


# ---------------------------------------------------------------- rows


def _rows(session: Session, where) -> list[PatientRow]:
    provider = aliased(User)
    result = session.execute(
        select(Patient, provider.display_name)
        .outerjoin(provider, provider.id == Patient.primary_provider_id)
        .where(where)
        .order_by(Patient.search_name, Patient.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        PatientRow(
            p.id,
            p.mrn,
            p.display_name,
            p.date_of_birth,
            p.primary_provider_id,
            name,
            p.version,
            p.phone,
        )  # fmt: skip
        for p, name in result
    ]


def _row(session: Session, patient_id: int) -> PatientRow:
    row = _rows(session, Patient.id == patient_id)[0]
    return replace(row, program_ids=_programs_of(session, patient_id))


def _values(p: Patient) -> dict:
    return {"mrn": p.mrn, "display_name": p.display_name, "date_of_birth": p.date_of_birth,
            "primary_provider_id": p.primary_provider_id, "phone": p.phone}  # fmt: skip


# What the spreadsheet import (services/imports) checks and writes the same way, inside
# its own transaction.
check_birth, check_provider, set_programs = _check_birth, _check_provider, _set_programs
programs_of, values_of = _programs_of, _values


# ---------------------------------------------------------------- use cases


def create_patient(
    db: Database,
    actor: Actor,
    mrn: str,
    display_name: str,
    date_of_birth: date | None = None,
    primary_provider_id: int | None = None,
    phone: str | None = None,
    program_ids: tuple[int, ...] = (),
) -> PatientRow:
    mrn = clean_mrn(mrn)
    name = clean_name(display_name)
    phone = clean_phone(phone)
    try:
        with audited(db, actor, "patient.create", "patient") as session:
            require(actor_policy(session, actor), Cap.PATIENT_EDIT)
            _check_birth(session, date_of_birth)
            _check_provider(session, primary_provider_id)
            _check_mrn_free(session, mrn)
            programs = _check_programs(session, program_ids)
            at = now()
            patient = Patient(
                mrn=mrn, display_name=name, search_name=name.lower(),
                date_of_birth=date_of_birth, primary_provider_id=primary_provider_id,
                phone=phone, active=True, version=1, created_at=at, updated_at=at,
                updated_by_id=actor.user_id,
            )  # fmt: skip
            session.add(patient)
            session.flush()
            _set_programs(session, patient.id, programs)
            audit.write(session, actor.who(), "patient.create", "patient", patient.id, at=at,
                        category="patient", patient_id=patient.id,
                        new={**_values(patient), "programs": list(programs)})  # fmt: skip
            return _row(session, patient.id)
    except IntegrityError:
        # Someone on another PC registered the same MRN a moment ago.
        raise ValidationError(f"Another patient already has MRN {mrn}.", "mrn") from None


def update_patient(
    db: Database,
    actor: Actor,
    patient_id: int,
    *,
    expected_version: int,
    mrn: str | Unchanged = UNCHANGED,
    display_name: str | Unchanged = UNCHANGED,
    date_of_birth: date | None | Unchanged = UNCHANGED,
    primary_provider_id: int | None | Unchanged = UNCHANGED,
    phone: str | None | Unchanged = UNCHANGED,
    program_ids: tuple[int, ...] | Unchanged = UNCHANGED,
) -> PatientRow:
    """Change the given fields; a stale ``expected_version`` is a ConflictError."""
    changes: dict = {}
    if not isinstance(phone, Unchanged):
        changes["phone"] = clean_phone(phone)
    if not isinstance(mrn, Unchanged):
        changes["mrn"] = clean_mrn(mrn)
    if not isinstance(display_name, Unchanged):
        changes["display_name"] = clean_name(display_name)
    if not isinstance(date_of_birth, Unchanged):
        changes["date_of_birth"] = date_of_birth
    if not isinstance(primary_provider_id, Unchanged):
        changes["primary_provider_id"] = primary_provider_id
    guard = audited(db, actor, "patient.update", "patient", patient_id)
    guard.patient_id = patient_id
    try:
        with conflict_if_stale(db, Patient, patient_id, PATIENT), guard as session:
            require(actor_policy(session, actor), Cap.PATIENT_EDIT)
            patient = get_or_404(session, Patient, patient_id, "patient")
            check_version(session, patient, expected_version, PATIENT)
            if "date_of_birth" in changes:
                _check_birth(session, changes["date_of_birth"])
            if "primary_provider_id" in changes:
                _check_provider(session, changes["primary_provider_id"])
            if "mrn" in changes:
                _check_mrn_free(session, changes["mrn"], patient.id)
            old = {**_values(patient), "programs": list(_programs_of(session, patient.id))}
            for key, value in changes.items():
                setattr(patient, key, value)
            patient.search_name = patient.display_name.lower()
            new = {**_values(patient), "programs": old["programs"]}
            if not isinstance(program_ids, Unchanged):
                new["programs"] = list(_check_programs(session, program_ids))
            changed = {k for k in new if new[k] != old[k]}
            if not changed:
                return _row(session, patient.id)
            if "programs" in changed:
                _set_programs(session, patient.id, tuple(new["programs"]))
            at = now()
            # version_id_col: the UPDATE itself bumps the version and refuses a stale one.
            patient.updated_at, patient.updated_by_id = at, actor.user_id
            session.flush()
            audit.write(
                session, actor.who(), "patient.update", "patient", patient.id, at=at,
                category="patient", patient_id=patient.id,
                old={k: old[k] for k in sorted(changed)}, new={k: new[k] for k in sorted(changed)},
            )  # fmt: skip
            return _row(session, patient.id)
    except IntegrityError:
        raise ValidationError(
            f"Another patient already has MRN {changes.get('mrn')}.", "mrn"
        ) from None


def get_patient(db: Database, actor: Actor, patient_id: int) -> PatientRow:
    """One patient's identifiers; the view itself is audited."""
    guard = audited(db, actor, "patient.view", "patient", patient_id)
    guard.patient_id = patient_id
    with guard as session:
        require(actor_policy(session, actor), Cap.PATIENT_VIEW)
        get_or_404(session, Patient, patient_id, "patient")
        audit.write(session, actor.who(), "patient.view", "patient", patient_id, at=now(),
                    category="patient", patient_id=patient_id)  # fmt: skip
        return _row(session, patient_id)


def search_patients(db: Database, actor: Actor, text: str) -> list[PatientRow]:
    """Active patients matching ``text`` by the app's one rule (core.patient_match:
    MRN anywhere, name prefix per word, date of birth; at most 20, by name). Empty
    text finds nobody."""
    query = " ".join((validation.plain(text, "search") or "").split())
    if len(query) > SEARCH_MAX:
        raise ValidationError(f"Search for at most {SEARCH_MAX} characters.", "search")
    with audited(db, actor, "patient.search", "patient") as session:
        require(actor_policy(session, actor), Cap.PATIENT_VIEW)
        if not query:
            return []
        where = Patient.active & patient_match(query)
        rows = _rows(session, where)
        audit.write(session, actor.who(), "patient.search", "patient", at=now(),
                    category="patient", detail=query)  # fmt: skip
        return rows

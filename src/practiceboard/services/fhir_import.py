"""FHIR R4 in: the Patients (and Practitioners) of an EHR's export, as a Bundle or as
NDJSON, create or update PracticeBoard's patients by MRN, in one audited batch that the
import history can undo like a spreadsheet's.

- A Patient's MRN is its identifier of the practice's MRN system (setting
  ``fhir_mrn_system``), else its identifier typed ``MR``, else its first identifier.
- A Practitioner is matched to a staff account (identifier ``urn:practiceboard:user``,
  else the same name); PracticeBoard does not create accounts from a file, so one that
  matches nobody is counted and named. A patient's ``generalPractitioner`` becomes their
  primary provider when it resolves to an active provider.
- Resources of other types are counted and skipped; an invalid resource is rejected with
  its index in the file and the validation message (``fhir.resources``, R4B models).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.definitions import setting
from practiceboard.core.unit import audited
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import ImportBatch, ImportRow, Patient, Role, User, UserRole
from practiceboard.domain.errors import ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.services import patients as patient_rules

USER_SYSTEM = "urn:practiceboard:user"
MAX_BYTES = 50 * 1024 * 1024
KNOWN = ("Patient", "Practitioner")


@dataclass
class FhirImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    practitioners_matched: int = 0
    practitioners_unmatched: list[str] = field(default_factory=list)
    skipped_types: dict[str, int] = field(default_factory=dict)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index, message)
    batch_id: int | None = None

    def lines(self) -> list[str]:
        out = [f"resource {i}: rejected: {msg}" for i, msg in self.rejected]
        for kind, n in sorted(self.skipped_types.items()):
            out.append(f"{n} {kind} resource{'s' if n != 1 else ''} skipped: PracticeBoard "
                       "imports Patient and Practitioner only")  # fmt: skip
        for name in self.practitioners_unmatched:
            out.append(f"Practitioner “{name}” matches no staff account; add them in Users "
                       "to link their patients")  # fmt: skip
        out.append(
            f"{self.created} patients created, {self.updated} updated, {self.unchanged} "
            f"unchanged, {len(self.rejected)} rejected"
        )
        return out


def read_resources(path: Path | str) -> list[dict]:
    """The resources of a Bundle (JSON) or an NDJSON file, in file order."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(
                f"{path.name} is {size // 1024 // 1024} MB; import FHIR files of up to 50 MB."
            )
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name} is not UTF-8 text, as FHIR JSON must be.") from None
    except OSError:
        raise ValidationError(f"{path.name} could not be opened.") from None
    stripped = text.strip()
    if not stripped:
        raise ValidationError(f"{path.name} is empty: there is nothing to import.")
    try:
        whole = json.loads(stripped)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        if whole.get("resourceType") == "Bundle":
            return [e.get("resource") or {} for e in whole.get("entry") or []]
        return [whole]
    resources = []
    for number, line in enumerate(stripped.splitlines(), 1):
        if not line.strip():
            continue
        try:
            resources.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"Line {number} of {path.name} is not JSON ({exc.msg}); a FHIR file is a "
                "Bundle or NDJSON (one resource per line)."
            ) from None
    return resources


def _validate(resource: dict) -> str | None:
    """None when the resource is valid FHIR, else the first validation message."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError as PydanticError

    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return None


def _text_name(name_list) -> str:
    for name in name_list or []:
        if name.get("text"):
            return name["text"]
        words = [*(name.get("given") or []), name.get("family") or ""]
        joined = " ".join(w for w in words if w)
        if joined:
            return joined
    return ""


def _mrn(resource: dict, system: str) -> str | None:
    ids = resource.get("identifier") or []
    for i in ids:
        if i.get("system") == system and i.get("value"):
            return i["value"]
    for i in ids:
        codes = [c.get("code") for c in (i.get("type") or {}).get("coding") or []]
        if "MR" in codes and i.get("value"):
            return i["value"]
    return next((i["value"] for i in ids if i.get("value")), None)


def _match_staff(session: Session, resource: dict) -> User | None:
    for i in resource.get("identifier") or []:
        if i.get("system") == USER_SYSTEM and i.get("value"):
            user = session.scalars(select(User).where(User.username == i["value"])).first()
            if user is not None:
                return user
    name = _text_name(resource.get("name")).strip().lower()
    if not name:
        return None
    for user in session.scalars(select(User).order_by(User.id)):
        if user.display_name.strip().lower() == name:
            return user
    return None


def import_fhir(
    db: Database, actor: Actor, path: Path | str, *, file_name: str | None = None
) -> FhirImportResult:
    resources = read_resources(path)
    result = FhirImportResult()
    with audited(db, actor, "import.fhir", "import_batch") as session:
        require(actor_policy(session, actor), Cap.PATIENT_EDIT)
        system = setting(session, "fhir_mrn_system")
        at = now()
        batch = ImportBatch(
            kind="patients", file_name=(file_name or Path(path).name)[:260], layout="fhir",
            created_at=at, created_by_id=actor.user_id, created_count=0, updated_count=0,
            skipped_count=0, error_count=0,
        )  # fmt: skip
        session.add(batch)
        session.flush()
        providers = set(
            session.scalars(
                select(UserRole.user_id)
                .join(Role, Role.id == UserRole.role_id)
                .join(User, User.id == UserRole.user_id)
                .where(Role.key == "provider", User.active)
            )
        )
        skipped: Counter[str] = Counter()
        staff_of: dict[str, int] = {}  # "Practitioner/<id>" or fullUrl -> user id
        valid: list[tuple[int, dict]] = []
        for index, res in enumerate(resources):
            kind = res.get("resourceType") if isinstance(res, dict) else None
            if kind not in KNOWN:
                skipped[str(kind or "untyped")] += 1
                continue
            problem = _validate(res)
            if problem:
                result.rejected.append((index, f"{kind}: {problem}"))
                continue
            valid.append((index, res))
        for _index, res in valid:
            if res["resourceType"] != "Practitioner":
                continue
            user = _match_staff(session, res)
            if user is None:
                result.practitioners_unmatched.append(_text_name(res.get("name")) or "?")
                continue
            result.practitioners_matched += 1
            if res.get("id"):
                staff_of[f"Practitioner/{res['id']}"] = user.id
            for i in res.get("identifier") or []:
                if i.get("value"):
                    staff_of[f"identifier:{i.get('system')}|{i['value']}"] = user.id
        for index, res in valid:
            if res["resourceType"] != "Patient":
                continue
            try:
                with session.begin_nested():
                    _patient(session, actor, batch, system, staff_of, providers, index, res,
                             result, at)  # fmt: skip
            except ValidationError as exc:
                result.rejected.append((index, f"Patient: {exc.message}"))
        result.skipped_types = dict(skipped)
        batch.created_count, batch.updated_count = result.created, result.updated
        batch.skipped_count = result.unchanged + sum(skipped.values())
        batch.error_count = len(result.rejected)
        result.batch_id = batch.id
        audit.write(session, actor.who(), "import.fhir", "import_batch", batch.id, at=at,
                    new={"file": batch.file_name, "created": result.created,
                         "updated": result.updated, "rejected": len(result.rejected)})  # fmt: skip
    return result


def _patient(session, actor, batch, system, staff_of, providers, index, res, result, at):
    mrn = patient_rules.clean_mrn(_mrn(res, system))
    name = patient_rules.clean_name(_text_name(res.get("name")))
    dob = date.fromisoformat(res["birthDate"]) if len(res.get("birthDate") or "") == 10 else None
    patient_rules.check_birth(session, dob)
    phone = next((t.get("value") for t in res.get("telecom") or [] if t.get("system") == "phone"),
                 None)  # fmt: skip
    phone = patient_rules.clean_phone(phone)
    provider_id = None
    for gp in res.get("generalPractitioner") or []:
        ref = gp.get("reference") or ""
        ident = gp.get("identifier") or {}
        user_id = staff_of.get(ref) or staff_of.get(
            f"identifier:{ident.get('system')}|{ident.get('value')}"
        )
        if user_id in providers:
            provider_id = user_id
            break
    values = {"mrn": mrn, "display_name": name, "date_of_birth": dob, "phone": phone,
              "primary_provider_id": provider_id}  # fmt: skip
    fp = hashlib.sha256(json.dumps(["fhir", res], sort_keys=True).encode()).hexdigest()
    existing = session.scalars(select(Patient).where(Patient.mrn == mrn)).first()
    if existing is None:
        active = res.get("active", True) is not False
        p = Patient(**values, search_name=name.lower(), active=active, version=1,
                    created_at=at, updated_at=at, updated_by_id=actor.user_id)  # fmt: skip
        session.add(p)
        session.flush()
        audit.write(session, actor.who(), "patient.create", "patient", p.id, at=at,
                    category="patient", patient_id=p.id,
                    new={**patient_rules.values_of(p), "import": batch.id})  # fmt: skip
        session.add(ImportRow(batch_id=batch.id, row_number=index, fingerprint=fp,
                              action="created", patient_id=p.id))  # fmt: skip
        result.created += 1
        return
    old = {**patient_rules.values_of(existing),
           "programs": list(patient_rules.programs_of(session, existing.id))}  # fmt: skip
    changes = {k: v for k, v in values.items() if v is not None and getattr(existing, k) != v}
    if not changes:
        result.unchanged += 1
        return
    for key, value in changes.items():
        setattr(existing, key, value)
    existing.search_name = existing.display_name.lower()
    existing.updated_at, existing.updated_by_id = at, actor.user_id
    session.flush()
    audit.write(session, actor.who(), "patient.update", "patient", existing.id, at=at,
                category="patient", patient_id=existing.id,
                old={k: old[k] for k in changes}, new=changes)  # fmt: skip
    session.add(ImportRow(batch_id=batch.id, row_number=index, fingerprint=fp, action="updated",
                          patient_id=existing.id,
                          old={k: v.isoformat() if isinstance(v, date) else v
                               for k, v in old.items()}))  # fmt: skip
    result.updated += 1

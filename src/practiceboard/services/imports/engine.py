"""Importing a practice's spreadsheet: tasks or patients, one audited batch.

``import_tasks`` / ``import_patients`` take a read sheet and a confirmed mapping and go
through every row in ONE write transaction: each row is tried inside a savepoint and
comes out created, updated, skipped (a duplicate, by its fingerprint) or an error with
the reason and the cell. A dry run is the very same pass, rolled back at the end, so
what it shows is what the import will do. Rows with errors are left out; the rest
commit together or not at all, so nothing is ever half-imported.

``undo_import`` undoes a batch as a whole: each task it created is closed with the
reason "Import undone" (history kept), each patient it created is made inactive and
each patient it updated gets its previous values back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, actor_policy, require
from practiceboard.core.clock import now
from practiceboard.core.unit import audited, get_or_404
from practiceboard.db import audit
from practiceboard.db.engine import Database
from practiceboard.db.models import (
    ImportBatch,
    ImportLayout,
    ImportRow,
    Location,
    Patient,
    Program,
    ReasonCode,
    Task,
    TaskEvent,
    User,
    Workflow,
)
from practiceboard.domain.errors import NotFound, PermissionDenied, ValidationError
from practiceboard.domain.policy import Cap
from practiceboard.domain.workflow import CLOSED_CATEGORIES, Category, StatusDef, WorkflowDef
from practiceboard.services import patients as patient_rules
from practiceboard.services.imports.mapping import (
    Mapping,
    fingerprint,
    layout_of,
    parse_date,
    parse_priority,
    text_of,
)
from practiceboard.services.imports.sheet import Sheet, column_letter
from practiceboard.services.tasks import TaskDraft, batch_intake, create_in

UNDONE_REASON = "import_undone"


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row: created | updated | skipped | error, why, and where."""

    row: int
    outcome: str
    message: str = ""
    cell: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file_name: str
    dry_run: bool
    outcomes: tuple[RowOutcome, ...]
    batch_id: int | None = None
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def errors(self) -> int:
        return self.count("error")

    def summary(self) -> str:
        """The last line the CLI prints and the wizard shows: 'N created, M skipped, K errors'."""
        return f"{self.created} created, {self.skipped} skipped, {self.errors} errors"


class _RowError(Exception):
    def __init__(self, target: str | None, message: str):
        super().__init__(message)
        self.target, self.message = target, message


class _DryRun(Exception):
    def __init__(self, result: ImportResult):
        super().__init__("dry run")
        self.result = result


# ---------------------------------------------------------------- look-ups


@dataclass
class _People:
    by_word: dict[str, User]

    @classmethod
    def load(cls, session: Session) -> _People:
        words: dict[str, User] = {}
        for user in session.scalars(select(User).order_by(User.id)):
            for word in (user.username, user.display_name):
                words.setdefault(word.strip().lower(), user)
        return cls(words)

    def find(self, word: str, mapped: dict[str, str]) -> User | None:
        key = word.strip().lower()
        key = mapped.get(key, key).strip().lower()
        return self.by_word.get(key)


def _workflow_words(session: Session) -> dict[str, WorkflowDef]:
    words: dict[str, WorkflowDef] = {}
    for wf in definitions.all_workflows(session):
        words.setdefault(wf.key.lower(), wf)
        words.setdefault(wf.name.lower(), wf)
        words.setdefault(wf.ref_prefix.lower(), wf)
    return words


def find_status(wf: WorkflowDef, word: str, mapped: dict[str, str]) -> StatusDef | None:
    key = word.strip().lower()
    for candidate in (mapped.get(f"{wf.key}:{key}"), mapped.get(key), key):
        if not candidate:
            continue
        for s in wf.statuses:
            if candidate.strip().lower() in (s.key.lower(), s.name.lower()):
                return s
    return None


@dataclass
class Unknowns:
    """Words in the file that match nobody and nothing yet, for the person to map once."""

    workflows: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # "workflow key:word"
    owners: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.workflows or self.statuses or self.owners or self.providers)


def unknown_values(db: Database, sheet: Sheet, mapping: Mapping) -> Unknowns:
    """The owners, statuses, workflows and providers the file names that PracticeBoard
    does not know (and the mapping does not yet translate), each once, in file order."""
    cols = mapping.mapped(sheet.header)
    found = Unknowns()
    with db.read() as session:
        people = _People.load(session)
        words = _workflow_words(session)
        for _n, row in sheet.rows:

            def cell(target: str, row=row) -> str:
                return text_of(sheet.cell(row, cols[target])) if target in cols else ""

            for target, bucket, mapped in (
                ("owner", found.owners, mapping.owners),
                ("provider", found.providers, mapping.providers),
            ):
                word = cell(target)
                if word and people.find(word, mapped) is None and word not in bucket:
                    bucket.append(word)
            if mapping.kind != "tasks":
                continue
            wf_word = cell("workflow") or (mapping.default_workflow or "")
            wf = words.get(mapping.workflows.get(wf_word.lower(), wf_word).lower())
            if wf is None:
                if wf_word and wf_word not in found.workflows:
                    found.workflows.append(wf_word)
                continue
            status = cell("status")
            if status and find_status(wf, status, mapping.statuses) is None:
                key = f"{wf.key}:{status}"
                if key not in found.statuses:
                    found.statuses.append(key)
    return found


# ---------------------------------------------------------------- one pass, either kind


def _run(
    db: Database,
    actor: Actor,
    sheet: Sheet,
    mapping: Mapping,
    dry_run: bool,
    caps: tuple[str, ...],
    each_row: Callable,
) -> ImportResult:
    started = time.perf_counter()
    cols = mapping.mapped(sheet.header)
    kind = mapping.kind
    action = f"import.{kind}"
    try:
        with audited(db, actor, action, "import_batch") as session:
            policy = actor_policy(session, actor)
            for cap in caps:
                require(policy, cap)
            at = now()
            batch = ImportBatch(
                kind=kind, file_name=sheet.file_name[:260], layout=layout_of(sheet.header),
                created_at=at, created_by_id=actor.user_id, created_count=0, updated_count=0,
                skipped_count=0, error_count=0,
            )  # fmt: skip
            session.add(batch)
            session.flush()
            seen: dict[str, int] = {}
            known = _known_fingerprints(session, kind)
            outcomes: list[RowOutcome] = []
            with batch_intake(session):  # staff, places, workflows read once, not per row
                for number, row in sheet.rows:
                    outcomes.append(
                        _one_row(session, batch, sheet, cols, number, row, seen, known, each_row)
                    )
            result = ImportResult(kind, sheet.file_name, dry_run, tuple(outcomes), batch.id)
            batch.created_count, batch.updated_count = result.created, result.updated
            batch.skipped_count, batch.error_count = result.skipped, result.errors
            if dry_run:
                raise _DryRun(result)
            _remember(session, actor, kind, batch.layout, mapping, at)
            audit.write(
                session, actor.who(), action, "import_batch", batch.id, at=at,
                new={"file": sheet.file_name, "rows": len(sheet.rows), "created": result.created,
                     "updated": result.updated, "skipped": result.skipped,
                     "errors": result.errors},
            )  # fmt: skip
    except _DryRun as dry:
        result = ImportResult(kind, sheet.file_name, True, dry.result.outcomes, None)
    seconds = time.perf_counter() - started
    return ImportResult(
        result.kind, result.file_name, result.dry_run, result.outcomes, result.batch_id, seconds
    )


def _known_fingerprints(session: Session, kind: str) -> set[str]:
    q = (
        select(ImportRow.fingerprint)
        .join(ImportBatch, ImportBatch.id == ImportRow.batch_id)
        .where(ImportBatch.kind == kind, ImportBatch.undone_at.is_(None))
    )
    return set(session.scalars(q))


def _one_row(session, batch, sheet, cols, number, row, seen, known, each_row) -> RowOutcome:
    def where(target: str | None) -> str | None:
        if target in cols:
            return f"{column_letter(cols[target])}{number}"
        return None

    try:
        with session.begin_nested():
            return each_row(session, batch, number, row, seen, known)
    except _RowError as exc:
        return RowOutcome(number, "error", exc.message, where(exc.target))
    except ValidationError as exc:
        return RowOutcome(
            number, "error", exc.message, where(_FIELD_TARGET.get(exc.field or "", exc.field))
        )
    except (PermissionDenied, NotFound) as exc:
        return RowOutcome(number, "error", exc.message)


# ValidationError.field (as the services name it) -> the import target of its column
_FIELD_TARGET = {
    "details": "notes", "display_name": "name", "primary_provider": "provider",
    "programs": "programs", "patient": "patient_mrn",
}  # fmt: skip


def _remember(session: Session, actor: Actor, kind: str, layout: str, mapping: Mapping, at):
    """Keep the mapping for the next file of this layout; "update existing" is not kept:
    existing patients change only when someone chooses it for that import."""
    mapping = Mapping.from_json(kind, {**mapping.to_json(), "update_existing": False})
    row = session.scalars(
        select(ImportLayout).where(ImportLayout.kind == kind, ImportLayout.layout == layout)
    ).first()
    if row is None:
        session.add(ImportLayout(kind=kind, layout=layout, mapping=mapping.to_json(),
                                 updated_at=at, updated_by_id=actor.user_id))  # fmt: skip
    else:
        row.mapping, row.updated_at, row.updated_by_id = mapping.to_json(), at, actor.user_id


def _duplicate(fp: str, number: int, seen: dict[str, int], known: set[str]) -> RowOutcome | None:
    if fp in seen:
        return RowOutcome(number, "skipped", f"Same as row {seen[fp]} of this file.")
    if fp in known:
        return RowOutcome(number, "skipped", "Already imported from an earlier file.")
    seen[fp] = number
    return None


# ---------------------------------------------------------------- tasks


def import_tasks(
    db: Database, actor: Actor, sheet: Sheet, mapping: Mapping, *, dry_run: bool = False
) -> ImportResult:
    """Create one task per row (see the module docstring). Needs task.create and
    task.reassign: an import hands work to other people."""
    cols = mapping.mapped(sheet.header)
    if "title" not in cols:
        raise ValidationError("Pick the column that holds each task's title.", "title")
    if "workflow" not in cols and not mapping.default_workflow:
        raise ValidationError(
            "Pick the column that says each task's workflow, or one workflow for every row.",
            "workflow",
        )
    state: dict = {}

    def each_row(session, batch, number, row, seen, known):
        if not state:
            state["people"] = _People.load(session)
            state["workflows"] = _workflow_words(session)
            state["policy"] = actor_policy(session, actor)
            state["locations"] = {
                name.lower(): i for i, name in session.execute(select(Location.id, Location.name))
            }
        return _task_row(session, actor, state, sheet, mapping, cols, batch, number, row, seen,
                         known)  # fmt: skip

    return _run(db, actor, sheet, mapping, dry_run, (Cap.TASK_CREATE, Cap.TASK_REASSIGN), each_row)


def _task_row(session, actor, state, sheet, mapping, cols, batch, number, row, seen, known):
    def cell(target: str):
        return sheet.cell(row, cols[target]) if target in cols else None

    def text(target: str) -> str:
        return text_of(cell(target))

    title = text("title")
    if not title:
        raise _RowError("title", "The title is empty.")
    wf_word = text("workflow") or (mapping.default_workflow or "")
    wf = state["workflows"].get(mapping.workflows.get(wf_word.lower(), wf_word).lower())
    if wf is None:
        raise _RowError(
            "workflow", f"No workflow called “{wf_word}”: map it to one of the practice's."
        )
    status = wf.first_status
    if text("status"):
        status = find_status(wf, text("status"), mapping.statuses)
        if status is None:
            raise _RowError(
                "status", f"{wf.name} has no status “{text('status')}”: map it to one of its own."
            )
    owner_id = _person(state, text("owner"), mapping.owners, "owner")
    provider_id = _person(state, text("provider"), mapping.providers, "provider")
    try:
        due = parse_date(cell("due_date"), "due date")
    except ValidationError as exc:
        raise _RowError("due_date", exc.message) from None
    try:
        priority = parse_priority(cell("priority"))
    except ValidationError as exc:
        raise _RowError("priority", exc.message) from None
    patient_id = None
    mrn = text("patient_mrn")
    if mrn:
        patient_id = session.scalars(select(Patient.id).where(Patient.mrn == mrn)).first()
        if patient_id is None:
            raise _RowError(
                "patient_mrn", f"No patient with MRN {mrn}: import or add the patient first."
            )
    location_id = None
    if text("location"):
        location_id = state["locations"].get(text("location").lower())
        if location_id is None:
            raise _RowError("location", f"No location called “{text('location')}”.")
    extra = {}
    detail = text("detail")
    fields_of = state.setdefault("fields", {})
    if wf.id not in fields_of:
        fields_of[wf.id] = _workflow_fields(session, wf.id)
    wf_fields = fields_of[wf.id]
    if detail and wf_fields:
        target = next((f for f in wf_fields if f.get("required")), wf_fields[0])
        extra[target["key"]] = detail
    values = {
        "title": title, "workflow": wf.key, "status": status.key, "owner": owner_id,
        "provider": provider_id, "due_date": due, "priority": priority, "patient": mrn,
        "payer": text("payer"), "location": location_id, "notes": text("notes"), "detail": detail,
    }  # fmt: skip
    fp = fingerprint("tasks", values)
    dup = _duplicate(fp, number, seen, known)
    if dup is not None:
        return dup
    draft = TaskDraft(
        workflow_id=wf.id, title=title, details=text("notes"), owner_id=owner_id, due_date=due,
        patient_id=patient_id, payer=text("payer") or None, provider_id=provider_id,
        location_id=location_id, priority=priority, extra=extra,
    )  # fmt: skip
    try:
        made = create_in(session, actor, state["policy"], draft)
    except ValidationError as exc:
        if any(f["key"] == exc.field for f in wf_fields):
            raise _RowError("detail", exc.message) from None
        raise
    if status.id != wf.first_status.id:
        _set_imported_status(session, actor, made.id, wf, status, batch, number)
    session.add(ImportRow(batch_id=batch.id, row_number=number, fingerprint=fp,
                          action="created", task_id=made.id))  # fmt: skip
    session.flush()
    return RowOutcome(number, "created", f"{made.ref}: {title}", ref=made.ref)


def _workflow_fields(session: Session, wf_id: int) -> list[dict]:
    row = session.get(Workflow, wf_id)
    return list(row.fields or []) if row else []


def _person(state, word: str, mapped: dict[str, str], target: str) -> int | None:
    if not word:
        return None
    user = state["people"].find(word, mapped)
    if user is None:
        raise _RowError(target, f"No staff member called “{word}”: map the name to a person.")
    if not user.active:
        raise _RowError(target, f"{user.display_name}'s account is disabled. Map “{word}” to "
                                "someone else.")  # fmt: skip
    return user.id


def _set_imported_status(session, actor, task_id, wf, status, batch, number) -> None:
    """The spreadsheet's status, set as part of the import (recorded in the history)."""
    task = session.get(Task, task_id)
    at = now()
    session.add(TaskEvent(
        task_id=task.id, at=at, actor_id=actor.user_id, kind="status",
        from_status_id=task.status_id, to_status_id=status.id,
        note=f"Status from the spreadsheet (import #{batch.id}, row {number})",
    ))  # fmt: skip
    task.status_id = status.id
    if status.category in CLOSED_CATEGORIES:
        task.closed_at = at
    task.updated_at, task.updated_by_id = at, actor.user_id


# ---------------------------------------------------------------- patients


def import_patients(
    db: Database, actor: Actor, sheet: Sheet, mapping: Mapping, *, dry_run: bool = False
) -> ImportResult:
    """Create a patient per row; a known MRN is updated only with ``update_existing``."""
    cols = mapping.mapped(sheet.header)
    if "mrn" not in cols:
        raise ValidationError("Pick the column that holds each patient's MRN.", "mrn")
    if "name" not in cols and not ("first_name" in cols or "last_name" in cols):
        raise ValidationError("Pick the column (or columns) with each patient's name.", "name")
    state: dict = {}

    def each_row(session, batch, number, row, seen, known):
        if not state:
            state["people"] = _People.load(session)
            state["programs"] = {}
            for p in session.scalars(select(Program).where(Program.active)):
                state["programs"][p.key.lower()] = p.id
                state["programs"][p.name.lower()] = p.id
        return _patient_row(session, actor, state, sheet, mapping, cols, batch, number, row,
                            seen, known)  # fmt: skip

    return _run(db, actor, sheet, mapping, dry_run, (Cap.PATIENT_EDIT,), each_row)


def _patient_row(session, actor, state, sheet, mapping, cols, batch, number, row, seen, known):
    def cell(target: str):
        return sheet.cell(row, cols[target]) if target in cols else None

    def text(target: str) -> str:
        return text_of(cell(target))

    try:
        mrn = patient_rules.clean_mrn(text("mrn"))
    except ValidationError as exc:
        raise _RowError("mrn", exc.message) from None
    name = text("name")
    if not name:
        name = " ".join(p for p in (text("first_name"), text("last_name")) if p)
    elif "," in name:  # "Doe, Jane" -> "Jane Doe"
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    try:
        name = patient_rules.clean_name(name)
    except ValidationError as exc:
        raise _RowError("name" if "name" in cols else "last_name", exc.message) from None
    try:
        dob = parse_date(cell("date_of_birth"), "date of birth")
        patient_rules.check_birth(session, dob)
    except ValidationError as exc:
        raise _RowError("date_of_birth", exc.message) from None
    try:
        phone = patient_rules.clean_phone(text("phone"))
    except ValidationError as exc:
        raise _RowError("phone", exc.message) from None
    provider_id = _person(state, text("provider"), mapping.providers, "provider")
    try:
        patient_rules.check_provider(session, provider_id)
    except ValidationError as exc:
        raise _RowError("provider", exc.message) from None
    programs: tuple[int, ...] = ()
    if text("programs"):
        ids = []
        for word in text("programs").replace(";", ",").replace("/", ",").split(","):
            word = word.strip().lower()
            if not word:
                continue
            if word not in state["programs"]:
                raise _RowError("programs", f"No care program called “{word}”.")
            ids.append(state["programs"][word])
        programs = tuple(sorted(set(ids)))
    values = {"mrn": mrn, "name": name, "dob": dob, "phone": phone, "provider": provider_id,
              "programs": ",".join(map(str, programs))}  # fmt: skip
    fp = fingerprint("patients", values)
    dup = _duplicate(fp, number, seen, known)
    if dup is not None:
        return dup
    existing = session.scalars(select(Patient).where(Patient.mrn == mrn)).first()
    at = now()
    if existing is None:
        patient = Patient(
            mrn=mrn, display_name=name, search_name=name.lower(), date_of_birth=dob,
            primary_provider_id=provider_id, phone=phone, active=True, version=1,
            created_at=at, updated_at=at, updated_by_id=actor.user_id,
        )  # fmt: skip
        session.add(patient)
        session.flush()
        patient_rules.set_programs(session, patient.id, programs)
        audit.write(session, actor.who(), "patient.create", "patient", patient.id, at=at,
                    category="patient", patient_id=patient.id,
                    new={**patient_rules.values_of(patient), "programs": list(programs),
                         "import": batch.id})  # fmt: skip
        session.add(ImportRow(batch_id=batch.id, row_number=number, fingerprint=fp,
                              action="created", patient_id=patient.id))  # fmt: skip
        return RowOutcome(number, "created", f"{mrn}: {name}")
    if not mapping.update_existing:
        return RowOutcome(
            number, "skipped",
            f"MRN {mrn} is already in PracticeBoard; choose “update existing” to change it.",
        )  # fmt: skip
    old = {**patient_rules.values_of(existing),
           "programs": list(patient_rules.programs_of(session, existing.id))}  # fmt: skip
    new = dict(old)
    new["display_name"] = name
    for key, target, value in (
        ("date_of_birth", "date_of_birth", dob), ("phone", "phone", phone),
        ("primary_provider_id", "provider", provider_id), ("programs", "programs", list(programs)),
    ):  # fmt: skip
        if target in cols and value not in (None, [], ""):
            new[key] = value
    changed = sorted(k for k in new if new[k] != old[k])
    if not changed:
        return RowOutcome(number, "skipped", f"MRN {mrn} is already up to date.")
    for key in changed:
        if key != "programs":
            setattr(existing, key, new[key])
    existing.search_name = existing.display_name.lower()
    if "programs" in changed:
        patient_rules.set_programs(session, existing.id, tuple(new["programs"]))
    existing.updated_at, existing.updated_by_id = at, actor.user_id
    session.flush()
    audit.write(session, actor.who(), "patient.update", "patient", existing.id, at=at,
                category="patient", patient_id=existing.id,
                old={k: old[k] for k in changed}, new={k: new[k] for k in changed})  # fmt: skip
    session.add(ImportRow(batch_id=batch.id, row_number=number, fingerprint=fp, action="updated",
                          patient_id=existing.id, old=_jsonable(old)))  # fmt: skip
    return RowOutcome(number, "updated", f"{mrn}: {', '.join(changed)} updated")


def _jsonable(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


# ---------------------------------------------------------------- undo


def undo_status(wf: WorkflowDef) -> StatusDef:
    """Where an undone import's task goes: the workflow's cancelled status, or the closed
    status its exception reasons lead to."""
    for s in sorted(wf.statuses, key=lambda s: s.position):
        if s.category is Category.CANCELLED:
            return s
    for t in wf.transitions:
        target = wf.status(t.to_status_id)
        if t.reason_kind == "exception" and target.category in CLOSED_CATEGORIES:
            return target
    raise ValidationError(f"{wf.name} has no status to close a task as not needed.")


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    closed: int
    deactivated: int
    restored: int


def undo_import(db: Database, actor: Actor, batch_id: int) -> UndoResult:
    """Undo one import as a whole, in one transaction (see the module docstring)."""
    with audited(db, actor, "import.undo", "import_batch", batch_id) as session:
        policy = actor_policy(session, actor)
        batch = get_or_404(session, ImportBatch, batch_id, "import")
        require(policy, Cap.TASK_CLOSE_ANY if batch.kind == "tasks" else Cap.PATIENT_EDIT)
        if batch.undone_at is not None:
            raise ValidationError("This import was already undone.")
        reason = session.scalars(
            select(ReasonCode).where(
                ReasonCode.kind == "exception", ReasonCode.key == UNDONE_REASON
            )  # fmt: skip
        ).one()
        at = now()
        closed = deactivated = restored = 0
        rows = session.scalars(
            select(ImportRow).where(ImportRow.batch_id == batch_id).order_by(ImportRow.id)
        ).all()
        for row in rows:
            if row.task_id is not None:
                closed += _close_undone(session, actor, row.task_id, reason.id, batch_id, at)
            elif row.patient_id is not None:
                patient = session.get(Patient, row.patient_id)
                if row.action == "created" and patient.active:
                    patient.active = False
                    deactivated += 1
                elif row.action == "updated" and row.old:
                    _restore(session, patient, row.old)
                    restored += 1
                patient.updated_at, patient.updated_by_id = at, actor.user_id
        batch.undone_at, batch.undone_by_id = at, actor.user_id
        session.flush()
        audit.write(session, actor.who(), "import.undo", "import_batch", batch_id, at=at,
                    new={"file": batch.file_name, "closed": closed, "deactivated": deactivated,
                         "restored": restored})  # fmt: skip
        return UndoResult(batch_id, closed, deactivated, restored)


def _close_undone(session, actor, task_id, reason_id, batch_id, at) -> int:
    task = session.get(Task, task_id)
    wf = definitions.load_workflow(session, task.workflow_id)
    target = undo_status(wf)
    if task.status_id == target.id and task.reason_code_id == reason_id:
        return 0
    note = f"Import #{batch_id} undone"
    session.add(TaskEvent(
        task_id=task.id, at=at, actor_id=actor.user_id, kind="status",
        from_status_id=task.status_id, to_status_id=target.id, reason_code_id=reason_id,
        note=note,
    ))  # fmt: skip
    if task.closed_at is None:
        task.closed_at = at
    task.status_id, task.status_since, task.last_touched_at = target.id, at, at
    task.reason_code_id, task.reason_note = reason_id, note
    task.updated_at, task.updated_by_id = at, actor.user_id
    return 1


def _restore(session: Session, patient: Patient, old: dict) -> None:
    patient.display_name = old["display_name"]
    patient.search_name = patient.display_name.lower()
    dob = old.get("date_of_birth")
    patient.date_of_birth = date.fromisoformat(dob) if dob else None
    patient.phone = old.get("phone")
    patient.primary_provider_id = old.get("primary_provider_id")
    patient_rules.set_programs(session, patient.id, tuple(old.get("programs") or ()))

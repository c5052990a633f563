"""Generate the performance.md scale: 250,000 tasks (about 5,000 open), 2.5 million task
events, 50 staff, on SQLite or PostgreSQL. Bulk inserts through SQLAlchemy Core so
the stored types are exactly what the app writes; the data is synthetic."""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text

from practiceboard.db.engine import Database
from practiceboard.db.migrate import upgrade
from practiceboard.db.models import (
    AuditEntry,
    Patient,
    Role,
    Status,
    Task,
    TaskEvent,
    User,
    UserRole,
    Workflow,
)
from practiceboard.services.users import hash_password

CHUNK = 20_000
PASSWORD = "bench-password-2026"
ROLE_MIX = ["front_desk"] * 10 + ["clinical"] * 12 + ["provider"] * 8 + ["billing"] * 8 + [
    "care_coordinator"] * 6 + ["manager"] * 4 + ["admin"] * 2  # fmt: skip


def generate(db: Database, tasks: int = 250_000, open_tasks: int = 5_000,
             events_per_task: int = 10, seed: int = 7, log=print) -> dict:  # fmt: skip
    rnd = random.Random(seed)
    upgrade(db, backup=False)
    now = datetime.now(UTC).replace(microsecond=0)
    t0 = time.perf_counter()
    with db.write() as s:
        roles = {r.key: r.id for r in s.scalars(select(Role))}
        wfs = {w.id: w for w in s.scalars(select(Workflow))}
        statuses = list(s.scalars(select(Status)))
        sees = s.execute(text("SELECT role_id, workflow_id FROM role_workflows")).all()
    by_wf_open = {w: [x.id for x in statuses if x.workflow_id == w and x.category not in
                      ("done", "cancelled")] for w in wfs}  # fmt: skip
    by_wf_closed = {w: [x.id for x in statuses if x.workflow_id == w and x.category in
                        ("done", "cancelled")] for w in wfs}  # fmt: skip
    hashed = hash_password(PASSWORD)
    users = [
        {"id": i, "username": f"{role}{i:02d}", "display_name": f"Staff {i:02d} ({role})",
         "password_hash": hashed, "active": True, "failed_logins": 0, "created_at": now}
        for i, role in enumerate(ROLE_MIX, 1)
    ]  # fmt: skip
    user_roles = [
        {"user_id": u["id"], "role_id": roles[r]} for u, r in zip(users, ROLE_MIX, strict=False)
    ]
    staff_ids = [u["id"] for u, r in zip(users, ROLE_MIX, strict=False) if r != "admin"]
    # Owners and requesters are people whose roles work on that workflow.
    eligible = {
        w: [u["id"] for u, r in zip(users, ROLE_MIX, strict=False)
            if r != "admin" and (roles[r], w) in set(map(tuple, sees))]
        for w in wfs
    }  # fmt: skip
    providers = [u["id"] for u, r in zip(users, ROLE_MIX, strict=False) if r == "provider"]
    patients = [
        {"id": i, "mrn": f"MRN-{100000 + i}", "display_name": f"Test Patient {i}",
         "search_name": f"test patient {i}", "date_of_birth": date(1940, 1, 1) + timedelta(days=i % 25000),
         "active": True, "version": 1, "created_at": now, "updated_at": now}
        for i in range(1, 5001)
    ]  # fmt: skip
    with db.write() as s:
        s.execute(insert(User), users)
        s.execute(insert(UserRole), user_roles)
        s.execute(insert(Patient), patients)
    payers = ["Medicare", "Medicaid", "Aetna", "BCBS", "UnitedHealthcare", "Cigna", "Self-pay"]
    wf_ids = list(wfs)
    open_ids = set(rnd.sample(range(1, tasks + 1), open_tasks))
    task_rows, event_rows, n_events = [], [], 0
    for tid in range(1, tasks + 1):
        wf = rnd.choice(wf_ids)
        is_open = tid in open_ids
        created = now - timedelta(
            days=rnd.uniform(0.5 if is_open else 20, 900 if not is_open else 60)
        )
        status = rnd.choice(by_wf_open[wf] if is_open else by_wf_closed[wf])
        since = created + (now - created) * rnd.uniform(0.1, 0.9)
        owner = rnd.choice(eligible[wf])
        ref = f"{wfs[wf].ref_prefix}-{tid:06d}"
        title = f"Task {tid} for {rnd.choice(payers)}"
        mrn = f"MRN-{100000 + (tid % 5000) + 1}"
        task_rows.append({
            "id": tid, "ref": ref, "workflow_id": wf, "status_id": status, "title": title,
            "details": "", "search_text": f"{ref} {title} {mrn}".lower(), "owner_id": owner,
            "requester_id": rnd.choice(eligible[wf]), "location_id": 1, "payer": rnd.choice(payers),
            "provider_id": rnd.choice(providers), "patient_id": (tid % 5000) + 1, "priority": rnd.choice((1, 1, 1, 2, 3, 0)),
            "due_date": (created + timedelta(days=rnd.randint(3, 30))).date(),
            "created_at": created, "status_since": since, "last_touched_at": since,
            "closed_at": None if is_open else since, "reopen_count": 0, "extra": {},
            "checklist": [], "version": 1, "updated_at": since, "updated_by_id": owner,
        })  # fmt: skip
        k = max(1, int(rnd.gauss(events_per_task, 2)))
        step = (since - created) / k
        for e in range(k):
            event_rows.append({
                "task_id": tid, "at": created + step * e, "actor_id": owner,
                "kind": "created" if e == 0 else ("note" if e % 4 == 0 else "status"),
                "from_status_id": None if e == 0 else status, "to_status_id": status,
                "manual": False,
            })  # fmt: skip
        n_events += k
        if len(event_rows) >= CHUNK * 5:
            _flush(db, task_rows, event_rows)
            task_rows, event_rows = [], []
            log(f"  {tid:,} tasks, {n_events:,} events ({time.perf_counter() - t0:.0f} s)")
    _flush(db, task_rows, event_rows)
    audit_rows = _audit_rows(db, min(n_events, 500_000), staff_ids, now)
    if not db.is_sqlite:
        with db.engine.begin() as conn:
            conn.execute(text("SELECT setval('tasks_id_seq', :n)"), {"n": tasks})
            conn.execute(text("ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    add_care(db, log=log)
    log(f"generated in {time.perf_counter() - t0:.0f} s")
    return {"tasks": tasks, "open": open_tasks, "events": n_events, "audit": audit_rows,
            "users": len(users), "password": PASSWORD}  # fmt: skip


def _flush(db: Database, task_rows: list, event_rows: list) -> None:
    with db.write() as s:
        for i in range(0, len(task_rows), CHUNK):
            s.execute(insert(Task), task_rows[i : i + CHUNK])
        for i in range(0, len(event_rows), CHUNK):
            s.execute(insert(TaskEvent), event_rows[i : i + CHUNK])


def _audit_rows(db: Database, n: int, staff_ids: list[int], now: datetime) -> int:
    """A valid HMAC chain of n rows (written with the app's own hashing)."""
    from practiceboard.db import audit

    with db.write() as s:
        key = audit.audit_key(s)
    prev, rows = audit.GENESIS, []
    start = now - timedelta(days=900)
    for i in range(1, n + 1):
        entry = SimpleNamespace(
            id=i, at=(start + timedelta(seconds=i * 150)).replace(microsecond=0),
            user_id=staff_ids[i % len(staff_ids)], username=f"user{i % 50}", workstation="bench",
            action="task.move", entity="task", entity_id=str(i % 250_000 + 1), patient_id=None,
            category="operational", outcome="success", old_values=None, new_values=None,
            detail=None, prev_hash=prev, row_hash="",
        )  # fmt: skip
        entry.row_hash = audit._hash(key, prev, audit._fields(entry))
        prev = entry.row_hash
        rows.append({c: getattr(entry, c) for c in (
            "id", "at", "user_id", "username", "workstation", "action", "entity", "entity_id",
            "patient_id", "category", "outcome", "old_values", "new_values", "detail",
            "prev_hash", "row_hash")})  # fmt: skip
        if len(rows) >= CHUNK:
            with db.write() as s:
                s.execute(insert(AuditEntry), rows)
            rows = []
    if rows:
        with db.write() as s:
            s.execute(insert(AuditEntry), rows)
    return n


CARE_PATIENTS, CARE_PLANS = 20_000, 5_000
# (cadence, weight) of the plans' interventions: weekly calls, monthly check-ins,
# quarterly reviews, every-90-days labs.
CARE_CADENCES = [("FREQ=WEEKLY", 3), ("FREQ=MONTHLY", 4), ("FREQ=MONTHLY;INTERVAL=3", 2),
                 ("FREQ=DAILY;INTERVAL=90", 1)]  # fmt: skip


def add_care(db: Database, patients: int = CARE_PATIENTS, plans: int = CARE_PLANS,
             seed: int = 8, log=print) -> dict:  # fmt: skip
    """The care plan tracker's scale on top of a bench data set (issue 8): patients up
    to ``patients`` (with phones and programs) and ``plans`` active care plans, each
    with a goal and one or two interventions whose next occurrence is today or later
    (generation starts from a clean slate, as in a practice running it every day).
    Adds only what is missing, so it may run on an existing data set."""
    from practiceboard.core.definitions import practice_today
    from practiceboard.db.models import (
        CareGoal,
        CareIntervention,
        CarePlan,
        PatientProgram,
        Program,
    )
    from practiceboard.domain.careplan import parse_cadence

    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with db.read() as s:
        have = s.scalar(select(func.max(Patient.id))) or 0
        n_plans = s.scalar(select(func.count(CarePlan.id))) or 0
        programs = list(s.scalars(select(Program.id).order_by(Program.id)))
        coordinators = list(s.scalars(text(
            "SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
            "WHERE r.key = 'care_coordinator' ORDER BY ur.user_id")))  # fmt: skip
        coordinator_role = s.scalar(text("SELECT id FROM roles WHERE key = 'care_coordinator'"))
        today = practice_today(s)
    t0 = time.perf_counter()
    rows = [
        {"id": i, "mrn": f"MRN-{100000 + i}", "display_name": f"Test Patient {i}",
         "search_name": f"test patient {i}", "date_of_birth": date(1940, 1, 1) + timedelta(days=i % 25000),
         "phone": f"(555) 555-01{i % 100:02d}", "active": True, "version": 1, "created_at": now,
         "updated_at": now}
        for i in range(have + 1, patients + 1)
    ]  # fmt: skip
    with db.write() as s:
        for i in range(0, len(rows), CHUNK):
            s.execute(insert(Patient), rows[i : i + CHUNK])
    if n_plans >= plans:
        return {"patients": len(rows), "plans": 0}
    plan_rows, goal_rows, iv_rows, links = [], [], [], []
    chosen = rnd.sample(range(1, patients + 1), plans - n_plans)
    for patient_id in chosen:
        program = rnd.choice(programs)
        start = today - timedelta(days=rnd.randint(0, 180))
        plan_rows.append({
            "patient_id": patient_id, "program_id": program, "status": "active",
            "risk": rnd.choice(("low", "low", "medium", "high")), "owner_id": rnd.choice(coordinators),
            "summary": "", "start_date": start, "review_date": start + timedelta(days=90),
            "version": 1, "created_at": now, "updated_at": now,
        })  # fmt: skip
        links.append({"patient_id": patient_id, "program_id": program})
    with db.write() as s:
        s.execute(insert(PatientProgram).prefix_with("OR IGNORE" if db.is_sqlite else ""), links)
        first = (s.scalar(select(func.max(CarePlan.id))) or 0) + 1
        s.execute(insert(CarePlan), plan_rows)
    cadences = [c for c, _w in CARE_CADENCES]
    weights = [w for _c, w in CARE_CADENCES]
    for k, plan in enumerate(plan_rows):
        plan_id = first + k
        goal_rows.append({"care_plan_id": plan_id, "description": "Follow-up kept",
                          "target": "Every contact made", "status": "open", "position": 1})  # fmt: skip
        for title in rnd.sample(["Check-in call", "Medication review", "BP log review",
                                 "Weigh-in call"], rnd.choice((1, 1, 2))):  # fmt: skip
            cadence = rnd.choices(cadences, weights)[0]
            anchor = plan["start_date"]
            next_due = parse_cadence(cadence).next_after(anchor, today - timedelta(days=1))
            iv_rows.append({
                "care_plan_id": plan_id, "title": title, "cadence": cadence,
                "role_id": coordinator_role, "start_date": anchor, "next_due": next_due,
                "active": True,
            })  # fmt: skip
    with db.write() as s:
        s.execute(insert(CareGoal), goal_rows)
        s.execute(insert(CareIntervention), iv_rows)
    if db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    log(f"care data: {len(rows):,} patients, {len(plan_rows):,} plans, {len(iv_rows):,} "
        f"interventions ({time.perf_counter() - t0:.0f} s)")  # fmt: skip
    return {"patients": len(rows), "plans": len(plan_rows), "interventions": len(iv_rows)}

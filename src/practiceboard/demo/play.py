"""Playing the demo practice's planned steps, oldest first, through the real services.

Task steps (intake, moves) share one write transaction per batch; the services
that commit per call (patients, care plans, generation runs, notes, watches,
handoffs) run between batches, so the audit chain stays in time order.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from practiceboard.core import definitions
from practiceboard.core.actor import Actor, load_policy
from practiceboard.db.models import (
    CarePlan,
    Location,
    ReasonCode,
    Setting,
    Task,
    User,
    UserRole,
    Workflow,
)
from practiceboard.demo import approvals as demo_approvals
from practiceboard.demo import data
from practiceboard.demo.story import Planner
from practiceboard.domain.workflow import Handoff, TransitionDef, WorkflowDef
from practiceboard.services import care_tasks, careplans, patients, task_actions, users
from practiceboard.services.tasks import TaskDraft, create_in, move_in

BATCH = 1000  # task steps per write transaction
_LOOKUPS = (Setting, User, Workflow, Location, ReasonCode)
_OWN_TRANSACTION = frozenset(
    {"patient", "plan", "plan_close", "care_run", "note", "watch", "reassign", "approval"}
)


@dataclass(frozen=True)
class DemoResult:
    accounts: list[tuple[str, str, tuple[str, ...], str]]  # username, name, roles, password
    tasks: int
    patients: int
    plans: int


class Builder(Planner):
    """Creates the staff, plans the six months, then plays them."""

    def run(self, n_tasks: int) -> DemoResult:
        self.say("Creating the staff accounts…")
        accounts = self.make_staff()
        self.plan_patients(min(300, max(40, round(n_tasks * 0.15))))
        care_estimate = self.plan_care(min(60, max(4, round(n_tasks * 0.03))))
        self.plan_tasks(max(0, n_tasks - care_estimate - len(demo_approvals.TASKS)))
        demo_approvals.plan_approvals(self)
        self.play()
        self.finish_care()
        return DemoResult(accounts, self.created, len(self.patient_ids), len(self.plan_ids))

    def make_staff(self) -> list:
        accounts, admin = [], None
        for i, (roles, name, username) in enumerate(data.STAFF):
            self.set_clock(0.02 + i * 0.005)
            if admin is None:
                uid = users.bootstrap_admin(self.db, username, name, data.DEMO_PASSWORD)
                admin = Actor(uid, username, name, self.db.workstation)
            else:
                users.create_user(self.db, admin, username, name, data.DEMO_PASSWORD, roles)
            accounts.append((username, name, tuple(roles), data.DEMO_PASSWORD))
        with self.db.read() as s:
            self.actors = {
                u.id: Actor(u.id, u.username, u.display_name, self.db.workstation)
                for u in s.scalars(select(User))
            }
            self.members = {
                key: sorted(s.scalars(select(UserRole.user_id).where(UserRole.role_id == rid)))
                for key, rid in self.role_ids.items()
            }
        return accounts

    def play(self) -> None:
        """Run every step due before the end of the history, oldest first."""
        heap, last_said = self.heap, -10
        while heap and heap[0][0] < self.pos_end:
            if heap[0][2] in _OWN_TRANSACTION:
                pos, _seq, kind, payload = heapq.heappop(heap)
                self.set_clock(pos)
                getattr(self, f"do_{kind}")(*payload)
                continue
            chunk = []
            while (heap and len(chunk) < BATCH and heap[0][0] < self.pos_end
                   and heap[0][2] not in _OWN_TRANSACTION):  # fmt: skip
                chunk.append(heapq.heappop(heap))
            with self.db.write() as session:
                self.open_batch(session, chunk)
                for pos, _seq, kind, payload in chunk:
                    self.set_clock(pos)
                    getattr(self, f"do_{kind}")(session, *payload)
            self.batch_tasks = {}
            pct = min(99, round(100 * self.now_pos / max(self.pos_end, 1)))
            if pct - last_said >= 10:
                self.say(f"Writing six months of history: {pct}%")
                last_said = pct
        self.say("Writing six months of history: 100%")

    def open_batch(self, session, chunk: list) -> None:
        definitions.pin_workflows(session, list(self.wfs.values()))
        # Strong references keep these small tables in the session's identity map for the
        # batch, so the services' session.get() calls find them without a query each.
        self.keep = [session.scalars(select(m)).all() for m in _LOOKUPS]
        ids = {self.task_ids[p[0]] for _, _, k, p in chunk if k == "move" and p[0] in self.task_ids}
        found = session.scalars(select(Task).where(Task.id.in_(ids))).all() if ids else []
        self.batch_tasks = {t.id: t for t in found}

    def act(self, session, uid: int):
        # Nobody's roles change while the demo is built, so each policy is read once.
        if uid not in self.policies:
            self.policies[uid] = load_policy(session, uid)
        return self.actors[uid], self.policies[uid]

    def do_create(self, session, idx: int, spec: dict) -> None:
        actor, policy = self.act(session, spec["creator"])
        draft = TaskDraft(
            workflow_id=self.wfs[spec["workflow"]].id, title=spec["title"],
            owner_id=spec.get("owner"), due_date=spec.get("due"),
            patient_id=self.patient_ids.get(spec.get("patient", -1)), payer=spec.get("payer"),
            provider_id=spec.get("provider"), priority=spec["priority"], extra=spec["extra"],
        )  # fmt: skip
        task_id = create_in(session, actor, policy, draft).id
        self.task_ids[idx] = task_id
        self.batch_tasks[task_id] = session.get(Task, task_id)
        self.created += 1

    def do_approval(self, scene: str, action: str, kw: dict) -> None:
        demo_approvals.play_step(self, scene, action, kw)

    def do_move(self, session, idx: int, key: str, by_manager: bool, handoff: bool) -> None:
        task = self.batch_tasks[self.task_ids[idx]]
        wf = self.wf_by_id[task.workflow_id]
        dst = wf.status_by_key(key)
        move = wf.transition(task.status_id, dst.id)
        if move is None:
            raise RuntimeError(f"Demo story error: {task.ref} cannot move to {key}.")
        new_owner = None
        if handoff and move.handoff is Handoff.KEEP:
            team = self.members_of(wf.intake_role_id)
            mates = [u for u in team if u != task.owner_id]
            if task.owner_id in team and mates:
                new_owner = self.rng.choice(mates)
        reason_id, note = self.reason_for(wf, move, key)
        uid = self.members["manager"][0] if by_manager else task.owner_id
        actor, policy = self.act(session, uid)
        move_in(session, actor, policy, task, dst.id, reason_id, note, new_owner)

    def reason_for(self, wf: WorkflowDef, move: TransitionDef, key: str):
        rng = self.rng
        note = rng.choice(data.NOTES) if rng.random() < 0.2 else None
        if move.reason_kind is None:
            return None, note
        kind = move.reason_kind.value
        if rng.random() < 0.04:
            return self.reasons[(kind, "other")], data.OTHER_NOTES[kind]
        choices = data.REASON_PICKS.get(key) if kind in ("waiting", "rejection") else None
        if kind == "reopen":
            choices = ["closed_in_error", "new_information"]
            if wf.key in ("prior_auth", "billing"):
                choices += ["payer_reversed"] * 2
        # "Import undone" is the app's own reason (an import's undo), never a person's.
        choices = choices or [k for (kd, k) in self.reasons
                              if kd == kind and k not in ("other", "import_undone")]  # fmt: skip
        return self.reasons[(kind, rng.choice(choices))], note

    def current(self, idx: int) -> tuple[int, int, bool]:
        """(owner, workflow, closed?) of a task as it stands now."""
        with self.db.read() as s:
            task = s.get(Task, self.task_ids[idx])
            return task.owner_id, task.workflow_id, task.closed_at is not None

    def do_note(self, idx: int, text: str) -> None:
        owner, _wf, _closed = self.current(idx)
        task_actions.add_note(self.db, self.actors[owner], self.task_ids[idx], text)

    def do_watch(self, idx: int, who: int) -> None:
        task_actions.watch(self.db, self.actors[who], self.task_ids[idx])

    def do_reassign(self, idx: int) -> None:
        """The manager evens out the load: an open task goes to a teammate."""
        owner, wf_id, closed = self.current(idx)
        team = self.members_of(self.wf_by_id[wf_id].intake_role_id)
        mates = [u for u in team if u != owner]
        if closed or owner not in team or not mates:
            return
        manager = self.actors[self.members["manager"][0]]
        task_actions.hand_off(self.db, manager, self.task_ids[idx], self.rng.choice(mates),
                              expected_version=None, note="Evening out the workload.")  # fmt: skip

    def do_patient(self, idx: int, spec: tuple) -> None:
        mrn, name, dob, provider, registrar = spec
        phone = f"(555) 555-01{idx % 100:02d}"  # the 555-01xx numbers are fictional
        row = patients.create_patient(self.db, self.actors[registrar], mrn, name, dob, provider,
                                      phone=phone)  # fmt: skip
        self.patient_ids[idx] = row.id

    def enroll(self, patient_id: int, program_id: int, actor: Actor) -> None:
        """The patient joins the plan's program (the Patients view lists programs)."""
        row = patients.get_patient(self.db, actor, patient_id)
        if program_id not in row.program_ids:
            patients.update_patient(self.db, actor, patient_id, expected_version=row.version,
                                    program_ids=(*row.program_ids, program_id))  # fmt: skip

    def finish_care(self) -> None:
        """The tracker in its other states, this morning: a plan made from a template
        by the care coordinator (its next check-ins generated at once), and a plan on
        hold with its reason."""
        self.set_clock(self.pos_end - 0.01)
        coordinator = self.actors[self.members["care_coordinator"][0]]
        with self.db.read() as s:
            active = s.execute(
                select(CarePlan.id, CarePlan.owner_id, CarePlan.version)
                .where(CarePlan.status == "active").order_by(CarePlan.id.desc())
            ).first()  # fmt: skip
            busy = set(s.scalars(select(CarePlan.patient_id).where(CarePlan.status != "closed")))
        if active is not None:
            careplans.hold_plan(self.db, self.actors[active.owner_id], active.id,
                                expected_version=active.version,
                                reason="In hospital; resume after discharge.")  # fmt: skip
        free = [pid for pid in sorted(self.patient_ids.values()) if pid not in busy]
        if not free:
            return
        start = self.day(self.pos_end) - timedelta(days=35)
        plan = careplans.create_plan_from_template(
            self.db, coordinator, free[0], "monthly_checkin", coordinator.user_id, start
        )
        self.enroll(free[0], self.programs["ccm"], coordinator)
        self.created += care_tasks.generate_for_plan(self.db, coordinator, plan.id).created
        self.plan_ids[-1] = plan.id

    def do_plan(self, j: int, spec: tuple) -> None:
        """A provider writes the plan (risk, summary, goals, interventions are clinical);
        a care coordinator owns it."""
        (p_idx, p_spec), program, goals, interventions, start = spec
        rng = self.rng
        provider = self.actors[p_spec[3] or self.members["provider"][0]]
        plan = careplans.create_care_plan(
            self.db, provider, self.patient_ids[p_idx], self.programs[program],
            rng.choice(self.members["care_coordinator"]), start,
            risk=rng.choices(["low", "medium", "high"], [50, 35, 15])[0],
            summary=rng.choice(data.PLAN_SUMMARIES), review_date=start + timedelta(days=90),
        )  # fmt: skip
        self.plan_ids[j] = plan.id
        self.enroll(self.patient_ids[p_idx], self.programs[program],
                    self.actors[rng.choice(self.members["care_coordinator"])])  # fmt: skip
        review = start + timedelta(days=90)
        goal_ids = [careplans.add_goal(self.db, provider, plan.id, g, review).id for g in goals]
        for i, (title, cadence, iv_start, role) in enumerate(interventions):
            careplans.add_intervention(
                self.db, provider, plan.id, title, cadence, iv_start,
                goal_id=goal_ids[min(i, len(goal_ids) - 1)], role_key=role,
            )  # fmt: skip

    def do_plan_close(self, j: int) -> None:
        if j not in self.plan_ids:
            return
        with self.db.read() as s:
            plan = s.get(CarePlan, self.plan_ids[j])
            owner, version = plan.owner_id, plan.version
        careplans.close_plan(
            self.db, self.actors[owner], self.plan_ids[j], expected_version=version,
            reason=self.rng.choice(["completed", "completed", "transferred", "patient_declined"]),
        )  # fmt: skip

    def do_care_run(self, through: date) -> None:
        """The care coordinator runs "generate due tasks"; each new task gets a story."""
        runner = self.actors[self.members["care_coordinator"][0]]
        care_tasks.generate_due_tasks(self.db, runner, through)
        wf_id = self.wfs["care_task"].id
        with self.db.read() as s:
            new = s.execute(
                select(Task.id, Task.due_date)
                .where(Task.workflow_id == wf_id, Task.id > self.care_seen)
                .order_by(Task.id)
            ).all()
        for task_id, due in new:
            self.care_seen = task_id
            self.created += 1
            self.plan_care_story(task_id, due)

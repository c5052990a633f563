"""The demo practice's stories: who does what, when, across six months.

Planning only: every step (a task's creation, each move, a note, a care plan, a
generation run) is pushed onto a heap with its time; play.py plays them in
order through the services. Times are positions in business days since the
first day; the fraction is the time of day within opening hours, so all activity
falls in business hours on business days.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from practiceboard.core import clock, definitions
from practiceboard.db.engine import Database
from practiceboard.db.models import Program, Role, Task
from practiceboard.demo import data
from practiceboard.domain import recurrence
from practiceboard.domain.errors import PracticeBoardError
from practiceboard.domain.workflow import ReasonKind, WorkflowDef
from practiceboard.services import careplans

DAYS_BACK = 196  # about six months of history, plus a fortnight of setting up
RUN_EVERY = 2  # business days between care task generation runs
RUN_AHEAD = 4  # calendar days of care tasks each run creates ahead
RECENT = 15  # business days before the end in which people follow up more often


class Planner:
    """The practice's definitions, its calendar, and the heap of planned steps."""

    def __init__(self, db: Database, rng: random.Random, today: date | None, progress):
        self.db, self.rng, self.say = db, rng, progress
        with db.read() as s:
            self.cal = definitions.practice_calendar(s)
            self.wfs: dict[str, WorkflowDef] = {w.key: w for w in definitions.all_workflows(s)}
            self.reasons = {
                (r.kind.value, r.key): r.id
                for kind in ReasonKind
                for r in definitions.reasons_of_kind(s, kind.value)
            }
            self.programs = {p.key: p.id for p in s.scalars(select(Program))}
            self.role_ids = {r.key: r.id for r in s.scalars(select(Role))}
        self.wf_by_id = {w.id: w for w in self.wfs.values()}
        self.paths = {key: _usable_paths(self.wfs[key], data.PATHS[key])
                      for key in data.PATHS if key in self.wfs}  # fmt: skip
        self.tz = self.cal.tzinfo()
        if today is not None:
            self.end = datetime.combine(today, time(12), self.tz).astimezone(UTC)
        else:
            self.end = clock.now().replace(microsecond=0)  # the injected clock (tests hold it)
        end_day = self.end.astimezone(self.tz).date()
        span = [end_day - timedelta(days=DAYS_BACK - i) for i in range(DAYS_BACK + 120)]
        self.days = [d for d in span if self.cal.is_business_day(d)]
        self.pos_end = self.pos_of(self.end)
        self.heap: list = []
        self.seq = 0
        self.now_pos = 0.0
        self.next_task = 0
        self.created = 0
        self.task_ids: dict[int, int] = {}
        self.batch_tasks: dict[int, Task] = {}
        self.patient_ids: dict[int, int] = {}
        self.plan_ids: dict[int, int] = {}
        self.approval_tasks: dict[str, int] = {}  # demo.approvals scene -> task id
        self.care_seen = 0
        self.policies: dict = {}
        self.keep: list = []
        # Closed states first: the care tasks covering the open ones come last, so they
        # are recent rather than weeks old.
        self.care_uncovered = sorted(
            (s.key for s in self.wfs["care_task"].statuses),
            key=lambda k: self.wfs["care_task"].status_by_key(k).is_open,
        )

    def dt(self, pos: float) -> datetime:
        i = int(pos)
        if i >= len(self.days):
            return self.end + timedelta(days=365)
        opens = datetime.combine(self.days[i], self.cal.opens, self.tz)
        return (opens + timedelta(seconds=round((pos - i) * self.cal.day_seconds))).astimezone(UTC)

    def pos_of(self, moment: datetime) -> float:
        local = moment.astimezone(self.tz)
        i = bisect_left(self.days, local.date())
        if i < len(self.days) and self.days[i] == local.date():
            opens = datetime.combine(local.date(), self.cal.opens, self.tz)
            frac = (local - opens).total_seconds() / self.cal.day_seconds
            return i + min(max(frac, 0.0), 0.999)
        return float(i)

    def day(self, pos: float) -> date:
        return self.days[min(int(pos), len(self.days) - 1)]

    def at(self, pos: float, kind: str, *payload) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (pos, self.seq, kind, payload))

    def set_clock(self, pos: float) -> None:
        self.now_pos = pos
        moment = self.dt(pos)
        clock.source = lambda: moment

    def members_of(self, role_id: int | None) -> list[int]:
        return [u for k, rid in self.role_ids.items() if rid == role_id for u in self.members[k]]

    def plan_patients(self, n: int) -> None:
        """Registered while the practice set up, in its first fortnight."""
        rng, self.patients = self.rng, []
        names = rng.sample([(f, s) for f in data.FIRST_NAMES for s in data.SURNAMES], n)
        registrars = self.members["front_desk"] + self.members["clinical"]
        end_day = self.day(self.pos_end)
        for i, (first, last) in enumerate(names):
            pos = rng.uniform(0.2, 8.0)
            age = rng.triangular(19, 94, 66)
            dob = end_day - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
            provider = rng.choice(self.members["provider"]) if rng.random() < 0.92 else None
            mrn = f"MRN-{10000 + i * 3 + rng.randint(0, 2)}"
            spec = (mrn, f"{first} {last}", dob, provider, rng.choice(registrars))
            self.patients.append((pos, i, spec))
            self.at(pos, "patient", i, spec)
        self.patients.sort()
        self.patient_pos = [p[0] for p in self.patients]

    def pick_patient(self, pos: float) -> tuple[int, tuple] | None:
        k = bisect_right(self.patient_pos, pos - 0.05)
        if k == 0:
            return None
        _pos, idx, spec = self.patients[self.rng.randrange(k)]
        return idx, spec

    def plan_care(self, n_plans: int) -> int:
        """Care plans, their closing, and the regular generation run (as the scheduler
        would). Returns how many care tasks the runs will create, so the total comes
        out near N."""
        rng, taken, runs, r = self.rng, set(), [], 10.01
        while r < self.pos_end:
            runs.append(r)
            self.at(r, "care_run", self.day(r) + timedelta(days=RUN_AHEAD))
            r += RUN_EVERY
        expected = 0
        for j in range(n_plans):
            # The last few plans are recent, so the tracker shows work in every state.
            late = j >= n_plans - 3
            lo, hi = (self.pos_end - 45, self.pos_end - 20) if late else (0, self.pos_end - 30)
            # Plans start on run mornings: their transactions fall between the same batches.
            pos = rng.choice([x for x in runs if lo <= x <= hi] or runs) - 0.005
            programs = [(k, w) for k, w in data.PROGRAM_WEIGHTS if not (late and k == "tcm")]
            program = rng.choices([k for k, _ in programs], [w for _, w in programs])[0]
            picked = self.pick_patient(pos)
            if picked is None or (picked[0], program) in taken:
                continue
            taken.add((picked[0], program))
            # TCM ends after about 30 days; a few other plans close early (on a run morning).
            target = pos + 22 if program == "tcm" else None
            if target is None and rng.random() < 0.1:
                target = pos + rng.uniform(30, 80)
            close = next((x - 0.004 for x in runs if target and x >= target), None)
            goals, ivs = data.PROGRAM_PLANS[program]
            interventions = []
            for title, cadence in ivs:
                start = self.day(pos + rng.randint(1, 4))
                clinical = "Medication" in title or rng.random() < 0.25
                interventions.append((title, cadence, start, "clinical" if clinical else
                                      "care_coordinator"))  # fmt: skip
                last_run = [x for x in runs if x > pos and (close is None or x < close)]
                if last_run:
                    through = self.day(last_run[-1]) + timedelta(days=RUN_AHEAD)
                    rule = recurrence.parse(cadence)
                    first = careplans.first_due(rule, start)
                    expected += len(recurrence.occurrences(rule, start, first, through))
            self.at(pos, "plan", j, (picked, program, goals, interventions, self.day(pos)))
            if close is not None:
                self.at(close, "plan_close", j)
        return expected

    def plan_tasks(self, n: int) -> None:
        """First, recent tasks that end in each status of each workflow and one reopened
        per workflow (so every column of the board has cards); then the random rest."""
        rng, keys = self.rng, list(data.WORKFLOW_MIX)
        cover: list[tuple[str, list[str] | None]] = []
        for key in keys:
            cover += [(key, self.path_to(key, s.key)) for s in self.wfs[key].statuses]
            cover.append((key, None))  # None: reopened along the first story
        for key, path in cover[:n]:
            span = 0.3 + 0.8 * (len(path) if path is not None else 6)
            pos = rng.uniform(self.pos_end - span - 1.5, self.pos_end - span - 0.2)
            if path is None:
                first = list(self.paths[key][0][1])
                self.plan_task(key, pos, first, compress=True, reopen=True, handoff=True)
            else:
                self.plan_task(key, pos, path, compress=True)
        weights = [data.WORKFLOW_MIX[k] for k in keys]
        for _ in range(max(0, n - len(cover))):
            key = rng.choices(keys, weights)[0]
            pos = rng.uniform(9.0, self.pos_end - 0.02)
            path = list(_weighted(rng, self.paths[key]))
            roll = rng.random()
            stalled = roll < 0.012  # stops part-way and sits there, neglected
            if stalled:
                path = path[: rng.randrange(len(path))]
            self.plan_task(key, pos, path, reopen=roll > 0.95, handoff=rng.random() < 0.07,
                           stalled=stalled)  # fmt: skip

    def plan_task(self, key, pos, path, *, compress=False, reopen=False, handoff=False,
                  stalled=False) -> None:  # fmt: skip
        rng, wf = self.rng, self.wfs[key]
        idx = self.next_task
        self.next_task += 1
        spec = self.draft_spec(key, pos)
        self.at(pos, "create", idx, spec)
        moves = [(k, False) for k in path]
        back = _reopen_status(wf, path[-1]) if reopen and path else None
        if back is not None:
            tail = data.REOPEN_TAILS.get(key, [])
            if not _allowed(wf, back, tail):
                tail = _route(wf, back, _done_key(wf)) or []
            moves += [(back, rng.random() < 0.25)] + [(k, False) for k in tail]
        times = self.dwell_times(wf, pos, [k for k, _ in moves])
        if compress and times and times[-1] > self.pos_end - 0.2:
            scale = (self.pos_end - 0.2 - pos) / (times[-1] - pos)
            times = [pos + (x - pos) * scale for x in times]
        hand_at = rng.randrange(len(moves)) if handoff and moves else -1
        for i, ((k, by_manager), when) in enumerate(zip(moves, times, strict=True)):
            self.at(when, "move", idx, k, by_manager, i == hand_at)
        if rng.random() < 0.05:
            watcher = self.members["manager"][0] if spec["priority"] >= 2 else spec["creator"]
            self.at(pos + 0.01, "watch", idx, watcher)
        if rng.random() < 0.02 and (not times or times[0] > pos + 0.3):
            self.at(pos + rng.uniform(0.05, 0.3), "reassign", idx)
        ends_open = wf.status_by_key(moves[-1][0]).is_open if moves else True
        self.plan_notes(idx, [pos, *times], open_at_end=ends_open and not stalled)

    def path_to(self, key: str, status_key: str) -> list[str]:
        """The first story path that reaches the status, up to it; else the shortest
        route the workflow allows."""
        if status_key == self.wfs[key].first_status.key:
            return []
        for _weight, path in self.paths[key]:
            if status_key in path:
                return path[: path.index(status_key) + 1]
        route = _route(self.wfs[key], self.wfs[key].first_status.key, status_key)
        if route is None:
            raise PracticeBoardError(f"No move in the workflow reaches “{status_key}”.")
        return route

    def dwell_times(self, wf: WorkflowDef, pos: float, keys: list[str]) -> list[float]:
        """When each move happens: a wait that depends on the kind of status left."""
        times, current = [], wf.first_status
        for k in keys:
            mean = data.DWELL_DAYS[current.category.value]
            pos += min(max(self.rng.expovariate(1 / mean), 0.03), 20)
            times.append(pos)
            current = wf.status_by_key(k)
        return times

    def plan_notes(self, idx: int, moments: list[float], open_at_end: bool) -> None:
        """Follow-up notes during long waits: often in the last weeks, now and then
        before (the history needs some, the board needs today's)."""
        rng = self.rng
        gaps = list(zip(moments, moments[1:], strict=False))
        if open_at_end:
            gaps.append((moments[-1], self.pos_end))
        for a, b in gaps:
            b = min(b, self.pos_end)
            for k in range(int((b - a) / 2)):
                when = a + 2 * (k + 1) - rng.uniform(0, 1)
                if rng.random() < (0.6 if when > self.pos_end - RECENT else 0.03):
                    self.at(when, "note", idx, rng.choice(data.NOTES))

    def draft_spec(self, key: str, pos: float) -> dict:
        rng = self.rng
        creator = rng.choice([u for role in data.CREATORS[key] for u in self.members[role]])
        spec = {"workflow": key, "creator": creator,
                "priority": rng.choices([0, 1, 2, 3], [10, 65, 20, 5])[0]}  # fmt: skip
        if rng.random() < 0.6:
            slow = 5 if key in ("prior_auth", "records", "billing") else 0
            spec["due"] = self.day(pos + rng.randint(5, 20) + slow)
        intake = self.wfs[key].intake_role_id
        if key == "signoff" or (creator in self.members_of(intake) and rng.random() < 0.5):
            spec["owner"] = creator
        if key != "supply":
            picked = self.pick_patient(pos)
            if picked:
                spec["patient"] = picked[0]
                spec["provider"] = picked[1][3] or rng.choice(self.members["provider"])
        if key == "signoff" and spec.get("provider") in (None, creator):
            spec["provider"] = rng.choice([u for u in self.members["provider"] if u != creator])
        if key in ("referral", "prior_auth", "billing", "lab_followup"):
            payers = [p for p in data.PAYERS if not (key == "prior_auth" and p[0] == "Self-pay")]
            spec["payer"] = rng.choices([p for p, _ in payers], [w for _, w in payers])[0]
        spec["title"], spec["extra"] = data.task_text(rng, key, spec.get("payer"))
        return spec

    def plan_care_story(self, task_id: int, due: date) -> None:
        """A generated care task is worked around its due date (sometimes late)."""
        rng, wf = self.rng, self.wfs["care_task"]
        idx = self.next_task
        self.next_task += 1
        self.task_ids[idx] = task_id
        now = self.now_pos
        if self.care_uncovered and now >= self.pos_end - 30:
            path = self.path_to("care_task", self.care_uncovered.pop(0))
            step = (self.pos_end - 0.2 - now) / (len(path) + 1)
            for i, key in enumerate(path, 1):
                self.at(now + step * i, "move", idx, key, False, False)
            return
        path = list(_weighted(rng, self.paths["care_task"]))
        start = bisect_left(self.days, due) + rng.uniform(0, 0.9) - rng.uniform(0, 2)
        if rng.random() < 0.12:
            start += rng.uniform(1, 6)  # worked late: overdue for a while
        start = max(start, now + 0.05)
        times = self.dwell_times(wf, start, path)
        times = [start + (x - times[0]) for x in times] if times else []
        for key, when in zip(path, times, strict=True):
            self.at(when, "move", idx, key, False, False)
        ends_open = wf.status_by_key(path[-1]).is_open if path else True
        self.plan_notes(idx, [start, *times], open_at_end=ends_open)


# ---------------------------------------------------------------- story helpers


def _weighted(rng: random.Random, options: list) -> list[str]:
    return rng.choices([o[1] for o in options], [o[0] for o in options])[0]


def _reopen_status(wf: WorkflowDef, closed_key: str) -> str | None:
    closed = wf.status_by_key(closed_key)
    back = next((t for t in wf.moves_from(closed.id) if t.is_reopen), None)
    return None if back is None else wf.status(back.to_status_id).key


def _allowed(wf: WorkflowDef, start_key: str, path: list[str]) -> bool:
    """Whether the workflow, as configured, allows these moves one after another."""
    keys = {s.key: s.id for s in wf.statuses}
    current = keys.get(start_key)
    for key in path:
        if key not in keys or current is None or wf.transition(current, keys[key]) is None:
            return False
        current = keys[key]
    return True


def _usable_paths(wf: WorkflowDef, options: list) -> list:
    usable = [o for o in options if _allowed(wf, wf.first_status.key, o[1])]
    return usable or [(1, _route(wf, wf.first_status.key, _done_key(wf)) or [])]


def _done_key(wf: WorkflowDef) -> str:
    return next((s.key for s in wf.statuses if s.category.value == "done"), wf.statuses[-1].key)


def _route(wf: WorkflowDef, start_key: str, target_key: str) -> list[str] | None:
    """The shortest chain of allowed moves (no reopens) from one status to another."""
    start, target = wf.status_by_key(start_key).id, wf.status_by_key(target_key).id
    previous, queue = {start: None}, [start]
    for here in queue:
        if here == target:
            chain = []
            while previous[here] is not None:
                chain.append(wf.status(here).key)
                here = previous[here]
            return chain[::-1]
        for t in wf.moves_from(here):
            if not t.is_reopen and t.to_status_id not in previous:
                previous[t.to_status_id] = here
                queue.append(t.to_status_id)
    return None

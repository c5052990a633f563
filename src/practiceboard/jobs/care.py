"""Care plan tasks generated ahead by the scheduler: a practice-wide job (one PC at a
time, under a lease), run as the signed-in user of the PC that holds the lease.

Generation is idempotent and safe from two PCs at once (services.care_tasks), so the
lease only saves work. A PC whose user may not generate care tasks (billing, front
desk) gives the lease back at once, so a PC whose user may takes it on its next run.
"""

from __future__ import annotations

from practiceboard.core.actor import Actor
from practiceboard.db.engine import Database
from practiceboard.jobs import lease
from practiceboard.services import care_tasks
from practiceboard.services.care_tasks import GenerationResult

JOB = "care:generate"
EVERY_SECONDS = 3600  # hourly: tasks are generated days ahead, a late run changes nothing


def generate(db: Database, actor: Actor, holder: str) -> GenerationResult | None:
    """One run over every active plan (None: this PC's user may not generate; the
    lease ``holder`` took is given back)."""
    if not care_tasks.may_generate(db, actor):
        lease.release(db, JOB, holder)
        return None
    return care_tasks.generate_due_tasks(db, actor)

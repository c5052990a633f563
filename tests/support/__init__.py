"""The one home of the helpers that test files share. Import them from here:

    from support import Clock, make_staff, new_task, status_id

(tests/ is on sys.path, as for conftest.py, so ``support`` is importable from every test
file.) Test files never import each other, nor import helpers from a conftest.py.

Where a new helper goes:

- a fixture (anything with ``@pytest.fixture``): the conftest.py of the narrowest folder
  that needs it. tests/conftest.py has ``db``, ``sqlite_db``, ``pg_db``, ``staff`` and
  ``clock``; tests/queries/conftest.py a New York ``clock``; tests/gui/conftest.py the
  Qt ones. Fixtures build on the helpers below; conftest.py files export nothing.
- a helper used by one test file only: that file.
- a helper shared by GUI test files only (widgets, Qt): tests/gui/helpers.py.
- anything shared by two or more test files, in the module of its kind:

  staff.py    the practice's people: Staff, make_staff, PASSWORD
  clock.py    time: Clock (a movable core.clock), START, WED_10AM, TZ, NY, ny
  ids.py      look-ups by key: wf_id, status_id, status_key, reason_id, program
  tasks.py    tasks through the services: FIELDS, new_task, make_task, move
  states.py   scenes set directly, not through a service: use_new_york, add_patient,
              set_task, let_see
  pg.py       the suite's PostgreSQL: pg_reachable, pg_where
  weekly.py   a known fortnight for the weekly report: weekly_history, HISTORY_FACTS
  records.py  what an action left behind, as plain values: task_row, version, events,
              audit_rows, last_event_id, last_audit_id, counts, snapshot, values

and re-export it below. Before writing one, look here: the same helper written twice
under two names is what this package exists to prevent.
"""

from .clock import NY, START, TZ, WED_10AM, Clock, ny
from .ids import program, reason_id, status_id, status_key, wf_id
from .pg import pg_reachable, pg_where
from .records import (
    audit_rows,
    counts,
    events,
    last_audit_id,
    last_event_id,
    snapshot,
    task_row,
    values,
    version,
)
from .staff import PASSWORD, Staff, make_staff
from .states import add_patient, let_see, set_calendar, set_task, use_new_york
from .tasks import FIELDS, make_task, move, new_task
from .weekly import HISTORY_FACTS, weekly_history

__all__ = [
    "FIELDS",
    "HISTORY_FACTS",
    "NY",
    "PASSWORD",
    "START",
    "TZ",
    "WED_10AM",
    "Clock",
    "Staff",
    "add_patient",
    "audit_rows",
    "counts",
    "events",
    "last_audit_id",
    "last_event_id",
    "let_see",
    "make_staff",
    "make_task",
    "move",
    "new_task",
    "pg_reachable",
    "pg_where",
    "ny",
    "program",
    "reason_id",
    "set_calendar",
    "set_task",
    "snapshot",
    "status_id",
    "status_key",
    "task_row",
    "use_new_york",
    "values",
    "version",
    "weekly_history",
    "wf_id",
]

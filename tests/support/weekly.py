"""A known fortnight of history for the weekly report and the dashboard: weeks
2025-W27 (Jun 30 – Jul 6, with the July 4 holiday on its Friday) and 2025-W28
(Jul 7 – 13), in New York, read at Monday Jul 14 08:00. The numbers each section
must show are in HISTORY_FACTS; the story is in weekly_history's docstring."""

from __future__ import annotations

from datetime import date

from practiceboard.db.engine import Database
from practiceboard.domain.weeks import Week

from .clock import Clock, ny
from .staff import Staff
from .states import add_patient
from .tasks import make_task, move

LAST = Week(date(2025, 6, 30))  # 2025-W27, the holiday week
THIS = Week(date(2025, 7, 7))  # 2025-W28, the week the report is about
READ_AT = ny(2025, 7, 14, 8)
MRN = "MRN-77123"

# week label -> (open at its end, created, closed, breached)
HISTORY_FACTS = {"2025-W27": (3, 4, 1, 1), "2025-W28": (4, 3, 3, 2)}


def weekly_history(db: Database, staff: Staff, clock: Clock) -> dict[str, int]:
    """Records requests (New breaches after 16 business hours, Requested after 56;
    Waiting on sender pauses the clock), owned by the front desk:

    - A  Thu Jul 3 10:00, stays New (patient MRN-77123): 7 h on Thursday, Friday is the
      holiday, so it breaches on Monday Jul 7 at 17:00 — in W28, not W27.
    - B  Mon Jun 30 09:00; Requested Wed Jul 2 09:00 (New breached Tue: W27); Waiting on
      sender Mon Jul 7 (records pending); Received Tue Jul 8 10:00 (closed in W28).
    - C  Tue Jul 1 09:00; Received 11:00 (closed in W27); reopened Wed Jul 9 10:00
      (new information) into Requested: closed at the end of W27, open at the end of W28.
    - D  Wed Jul 2 10:00; Waiting on sender 11:00 (records pending), still there: paused,
      never breached, the oldest open item.
    - E  Mon Jul 7 09:00; cancelled 10:00 as a duplicate (an exception reason).
    - F  Tue Jul 8 09:00, stays New: breaches Wed Jul 9 at 17:00 (W28).
    - S  a supply order: for review Mon Jul 7 09:00, sent back 10:00 (missing document),
      for review again 11:00, approved Tue Jul 8 11:00 (turnaround 1 h and 24 h; rework 1/1).
    """
    fd, cl, mgr = staff.front_desk, staff.clinical, staff.manager
    patient = add_patient(db, MRN, "Test Patient")
    ids: dict[str, int] = {}

    def at(*args: int) -> None:
        clock.set(ny(2025, *args))

    at(6, 30, 9)
    ids["B"] = make_task(db, fd, "records", "Records from St. Mary's")
    at(7, 1, 9)
    ids["C"] = make_task(db, fd, "records", "Records from Dr. Lee")
    at(7, 1, 11)
    move(db, fd, ids["C"], "received")
    at(7, 2, 9)
    move(db, fd, ids["B"], "requested")
    at(7, 2, 10)
    ids["D"] = make_task(db, fd, "records", "Imaging from Valley Radiology")
    at(7, 2, 11)
    move(db, fd, ids["D"], "waiting_sender", reason=("waiting", "records_pending"))
    at(7, 3, 10)
    ids["A"] = make_task(db, fd, "records", "Old chart request", patient_id=patient)
    at(7, 7, 9)
    ids["E"] = make_task(db, fd, "records", "Duplicate request")
    ids["S"] = make_task(db, cl, "supply", "Exam gloves")
    move(db, cl, ids["S"], "ready")
    at(7, 7, 10)
    move(db, fd, ids["B"], "waiting_sender", reason=("waiting", "records_pending"))
    move(db, fd, ids["E"], "cancelled", reason=("exception", "duplicate"))
    move(db, mgr, ids["S"], "needs_info", reason=("needs_info", "missing_document"))
    at(7, 7, 11)
    move(db, cl, ids["S"], "ready")
    at(7, 8, 9)
    ids["F"] = make_task(db, fd, "records", "Records from City Hospital")
    at(7, 8, 10)
    move(db, fd, ids["B"], "received")
    at(7, 8, 11)
    move(db, mgr, ids["S"], "approved")
    at(7, 9, 10)
    move(db, fd, ids["C"], "requested", reason=("reopen", "new_information"))
    clock.set(READ_AT)
    return ids

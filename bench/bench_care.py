"""Care plan tracker figures for bench.py (issue 8): the Patients search, the patient
page with its timeline, the care dashboard against its raw GROUP BY floors, and one
day's generation of care tasks for every active plan.

    python bench/bench_care.py                  # SQLite: a copy of bench/data/bench-250000.db
    python bench/bench_care.py --pg URL         # also a PostgreSQL bench database

Adds the care data (bench/generate.py ``add_care``: 20,000 patients, 5,000 active
plans) to a data set that lacks it. Generation is measured in steady state: a first
run generates the window (reported, not judged), then each following day's run
(the clock moved on a day) is timed.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import PASSWORD, add_care  # noqa: E402
from sqlalchemy import text  # noqa: E402

from practiceboard.core import clock  # noqa: E402
from practiceboard.db.engine import Database  # noqa: E402
from practiceboard.queries import care_dashboard as care_q  # noqa: E402
from practiceboard.queries import patients as patient_q  # noqa: E402
from practiceboard.services import care_tasks  # noqa: E402
from practiceboard.services.users import sign_in  # noqa: E402


def care_rows(db: Database, label: str, median_ms, row, raw_fetch, q: str) -> list:
    """``raw_fetch(sql, *params)`` runs SQL on the raw driver (the floors); ``q`` is its
    parameter mark."""
    add_care(db)
    with db.read() as s:
        username = s.scalar(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'care_coordinator' "
            "ORDER BY u.id"))  # fmt: skip
        manager_name = s.scalar(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'manager' ORDER BY u.id"))  # fmt: skip
        busiest = s.scalar(text(
            "SELECT patient_id FROM tasks WHERE patient_id IS NOT NULL GROUP BY patient_id "
            "ORDER BY count(*) DESC LIMIT 1"))  # fmt: skip
        n_patients = s.scalar(text("SELECT count(*) FROM patients"))
        n_plans = s.scalar(text("SELECT count(*) FROM care_plans WHERE status = 'active'"))
    coordinator = sign_in(db, username, PASSWORD, "bench")
    manager = sign_in(db, manager_name, PASSWORD, "bench")
    out = []

    # -- generation: the window once, then one day at a time. A data set measured before
    # is already generated some days ahead: start from the first day not yet covered.
    with db.read() as s:
        covered = s.scalar(text(
            "SELECT max(last_generated_due) FROM care_interventions WHERE cadence = 'FREQ=WEEKLY'"))  # fmt: skip
    start = 0
    if covered is not None:
        from practiceboard.core.definitions import practice_today, setting

        with db.read() as s:
            today, ahead = practice_today(s), setting(s, "care_days_ahead")
        if isinstance(covered, str):  # SQLite hands a date back as text to raw SQL
            covered = date.fromisoformat(covered)
        start = max(0, (covered - today).days - ahead)
    real = clock.source
    clock.source = lambda: real() + timedelta(days=start)
    try:
        t = time.perf_counter()
        first = care_tasks.generate_due_tasks(db, coordinator)
        first_ms = (time.perf_counter() - t) * 1000
    finally:
        clock.source = real
    out.append(row(f"[{label}] care generation, first run ({first.created:,} tasks)", first_ms,
                   None, "reference", True))  # fmt: skip
    days, created = [], 0
    try:
        for k in (start + 1, start + 2, start + 3):
            clock.source = lambda k=k: real() + timedelta(days=k)
            t = time.perf_counter()
            created += care_tasks.generate_due_tasks(db, coordinator).created
            days.append((time.perf_counter() - t) * 1000)
    finally:
        clock.source = real
    day = sorted(days)[1]
    out.append(row(f"[{label}] care generation, one day, {n_plans:,} plans (~{created // 3} tasks)",
                   day, None, "≤ 2,000 ms", day <= 2000))  # fmt: skip

    # -- the Patients search: a name fragment, an MRN prefix, a date of birth
    floor = median_ms(lambda: raw_fetch(
        "SELECT id, mrn, display_name, date_of_birth FROM patients WHERE active AND "
        f"search_name LIKE {q} ORDER BY search_name, id LIMIT 100", "%patient 1234%"))  # fmt: skip
    for what, words in [("name", "patient 1234"), ("MRN prefix", "MRN-11234"),
                        ("date of birth", "1956-04-12")]:  # fmt: skip
        ours = median_ms(lambda w=words: patient_q.list_patients(db, coordinator, w))
        out.append(row(f"[{label}] patients search by {what} ({n_patients:,})", ours, floor,
                       "≤ 20 ms", ours <= 20))  # fmt: skip

    # -- the patient page with its timeline (the patient with the most tasks)
    floor = median_ms(lambda: raw_fetch(
        "SELECT e.* FROM task_events e JOIN tasks t ON t.id = e.task_id "
        f"WHERE t.patient_id = {q} ORDER BY e.at DESC LIMIT 500", busiest))  # fmt: skip
    page = median_ms(lambda: patient_q.patient_page(db, coordinator, busiest), runs=9)
    out.append(row(f"[{label}] patient page with timeline", page, floor, "≤ 50 ms", page <= 50))

    # -- the care dashboard against the GROUP BYs it is made of, on the raw driver
    def floors():
        raw_fetch(
            "SELECT p.program_id, count(*) FROM tasks t JOIN care_plans p ON p.id = t.care_plan_id"
            " WHERE t.closed_at IS NULL AND t.due_date < CURRENT_DATE GROUP BY p.program_id"
        )
        raw_fetch(
            "SELECT owner_id, count(*) FROM tasks WHERE care_plan_id IS NOT NULL AND "
            "closed_at IS NULL AND due_date < CURRENT_DATE GROUP BY owner_id"
        )
        raw_fetch(
            "SELECT p.risk, count(DISTINCT t.patient_id) FROM tasks t JOIN care_plans p "
            "ON p.id = t.care_plan_id WHERE t.closed_at IS NULL AND t.due_date < CURRENT_DATE "
            "GROUP BY p.risk"
        )
        raw_fetch(
            "SELECT title, count(*) FROM tasks WHERE care_plan_id IS NOT NULL AND "
            "due_date < CURRENT_DATE GROUP BY title"
        )
        raw_fetch(
            "SELECT count(*) FROM tasks WHERE care_plan_id IS NOT NULL AND "
            "due_date <= CURRENT_DATE AND closed_at IS NULL")  # fmt: skip

    floor = median_ms(floors)
    ours = median_ms(lambda: care_q.care_dashboard(db, manager))
    out.append(row(f"[{label}] care dashboard", ours, floor, "≤ 3× floor", ours <= 3 * floor))
    return out


def main() -> None:
    import argparse

    from bench import (
        DATA,
        Row,
        _care_copy,
        ensure_pg,
        ensure_sqlite,
        median_ms,
        pg_floor,
        sqlite_floor,
    )
    from sqlalchemy.engine import make_url

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks", type=int, default=250_000)
    ap.add_argument("--pg", help="PostgreSQL server URL")
    ap.add_argument("--pg-db", help="name of the PostgreSQL bench database")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    dbs = []
    if not args.no_sqlite:
        # On the set's copy (bench-N-care.db): the generation rows add care tasks to it.
        base = ensure_sqlite(args.tasks)
        care_db, care_raw = _care_copy(base)
        care_raw.close()
        base.dispose()
        dbs.append(("SQLite", care_db))
    if args.pg:
        dbs.append(("PostgreSQL", ensure_pg(args.pg, args.tasks, args.pg_db)))
    results = []
    for label, db in dbs:
        raw = sqlite_floor(make_url(db.url).database) if db.is_sqlite else pg_floor(db.url)
        results += care_rows(db, label, median_ms, Row, fetcher(raw, db.is_sqlite),
                             "?" if db.is_sqlite else "%s")  # fmt: skip
        raw.close()
    print(f"{'operation':<46} {'ours ms':>9} {'floor ms':>9} {'ratio':>7}  {'target':<22} verdict")
    for r in results:
        print(r.line())


def fetcher(raw, is_sqlite: bool):
    def fetch(sql: str, *params):
        if is_sqlite:
            sql = sql.replace("CURRENT_DATE", "date('now')")
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        if not is_sqlite:
            raw.commit()
        return rows

    return fetch


if __name__ == "__main__":
    main()

"""Alert-scan figures for bench.py: one person's scan, everyone's scan, and the app's
idle CPU with the scheduler running.

Steady state is what a clinic PC pays every minute: the first scan of a run records
what is new; the measured scans find it already raised.

    python bench/bench_alerts.py [--pg URL --pg-db NAME]   # these rows alone, on the
                                                           # bench databases bench.py built
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import text

from practiceboard.db.engine import Database
from practiceboard.jobs import alerts
from practiceboard.jobs.alerts import PRACTICE_SCAN_SECONDS, SCAN_SECONDS


def alert_rows(db: Database, label: str, median_ms, row, *, idle: bool = True) -> list:
    with db.read() as s:
        # The busiest owner who is not a manager, and the busiest manager: a manager's scan
        # also reads every breach in the practice (theirs to hear of, bundled).
        managers = set(s.scalars(text(
            "SELECT ur.user_id FROM user_roles ur JOIN role_capabilities rc "
            "ON rc.role_id = ur.role_id WHERE rc.capability_key = 'task.reassign'")))  # fmt: skip
        owners = s.execute(text(
            "SELECT owner_id FROM tasks WHERE closed_at IS NULL "
            "GROUP BY owner_id ORDER BY count(*) DESC")).scalars().all()  # fmt: skip
    staff = next(o for o in owners if o not in managers)
    manager = next((o for o in owners if o in managers), staff)
    alerts.scan(db)  # record what is new once; then measure the every-minute cost
    one = median_ms(lambda: alerts.scan(db, user_id=staff), runs=9)
    boss = median_ms(lambda: alerts.scan(db, user_id=manager), runs=9)
    everyone = median_ms(lambda: alerts.scan(db), runs=5)
    out = [
        row(f"[{label}] alert scan, one person (staff)", one, None, "≤ 20 ms", one <= 20),
        row(f"[{label}] alert scan, one person (manager)", boss, None, "≤ 20 ms", boss <= 20),
        row(f"[{label}] alert scan, everyone", everyone, None, "≤ 200 ms", everyone <= 200),
    ]
    if idle:
        cpu = idle_cpu_percent(db, manager)  # the heavier of the two
        out.append(row(f"[{label}] idle CPU, scheduler running (%)", cpu, None, "≤ 1 %", cpu <= 1))
    return out


def idle_cpu_percent(db: Database, user_id: int, runs: int = 5) -> float:
    """The app's CPU share with the scheduler running and nothing else happening: the CPU
    time of one run of each alert job (median of ``runs``), over the minute in which the
    desktop app runs them: the person's own scan and hand-over every minute, the
    practice-wide scan every five minutes (jobs.alerts.SCAN_SECONDS, PRACTICE_SCAN_SECONDS)."""

    def cpu(job) -> float:
        samples = []
        for _ in range(runs):
            start = time.process_time()
            job()
            samples.append(time.process_time() - start)
        return statistics.median(samples)

    mine = cpu(lambda: (alerts.scan(db, user_id=user_id), alerts.deliver(db, user_id)))
    practice = cpu(lambda: alerts.scan(db))
    return 100 * (mine / SCAN_SECONDS + practice / PRACTICE_SCAN_SECONDS)


def main() -> None:
    import argparse
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    import bench  # sets PRACTICEBOARD_HOME to the bench's own before anything opens

    ap = argparse.ArgumentParser(description="The alert-scan rows of bench.py, alone.")
    ap.add_argument("--tasks", type=int, default=250_000)
    ap.add_argument("--pg", help="PostgreSQL server URL (also measure there)")
    ap.add_argument("--pg-db", help="name of the PostgreSQL bench database")
    args = ap.parse_args()
    rows = alert_rows(bench.ensure_sqlite(args.tasks), "SQLite", bench.median_ms, bench.Row)
    if args.pg:
        db = bench.ensure_pg(args.pg, args.tasks, args.pg_db)
        rows += alert_rows(db, "PostgreSQL", bench.median_ms, bench.Row, idle=False)
    for r in rows:
        print(r.line())


if __name__ == "__main__":
    main()

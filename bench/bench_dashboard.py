"""Dashboard and weekly-report figures for bench.py (also runnable on its own):

    python bench/bench_dashboard.py [--db URL]     # default: bench/data/bench-250000.db

- the whole dashboard read (data.load: every tile and chart, last week against the week
  before, as the manager) against the sum of its raw floors: the same counts written as
  the plainest SQL on the driver (open per status and owner; created, closed and the
  period's moves — what breaches are found among — for both periods; created and closed
  over the twelve weeks);
- the same with the metrics tables (a manager's view), for reference;
- the weekly aging report, built and written as a PDF (≤ 3 s).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "data"
os.environ.setdefault("PRACTICEBOARD_HOME", str(DATA / "home"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def dashboard_rows(db, manager, label: str, median_ms, row, raw) -> list:
    from practiceboard.core.clock import now
    from practiceboard.domain.weeks import week_of
    from practiceboard.gui.printing.document import ensure_app, write_pdf
    from practiceboard.gui.views.dashboard import data
    from practiceboard.queries.cards import load_snapshot
    from practiceboard.reports import weekly

    q = "?" if db.is_sqlite else "%s"
    at = now()
    with db.read() as s:
        snap = load_snapshot(s, manager, at)
    zone = snap.cal.tzinfo()
    week = week_of(snap.today).previous()
    closed = ",".join(str(sid) for sid, st in snap.statuses.items()
                      if st.category in ("done", "cancelled"))  # fmt: skip
    # The floors: each number as the plainest SQL on the driver, through the same indexes.
    first = week_of(snap.today).previous(11).bounds(zone)[0]

    def fetch(sql: str, *params):
        cur = raw.cursor()
        cur.execute(sql, params)
        out = cur.fetchall()
        if not db.is_sqlite:
            raw.commit()
        return out

    def stamp(moment):  # SQLite stores UTC text; PostgreSQL takes the datetime
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if db.is_sqlite else moment

    def floors():
        fetch("SELECT status_id, owner_id, count(*) FROM tasks WHERE closed_at IS NULL "
              "GROUP BY status_id, owner_id")  # fmt: skip
        for w in (week, week.previous()):
            a, b = (stamp(x) for x in w.bounds(zone))
            fetch(f"SELECT count(*) FROM tasks WHERE created_at >= {q} AND created_at < {q}", a, b)
            fetch(f"SELECT count(DISTINCT task_id) FROM task_events WHERE kind IN "
                  f"('created', 'status') AND to_status_id IN ({closed}) AND at >= {q} "
                  f"AND at < {q}", a, b)  # fmt: skip
            fetch(f"SELECT task_id, to_status_id, at FROM task_events WHERE kind IN "
                  f"('created', 'status', 'reopen') AND at >= {q} AND at < {q}", a, b)  # fmt: skip
        a, b = stamp(first), stamp(at)
        fetch(f"SELECT count(*) FROM tasks WHERE created_at >= {q} AND created_at < {q}", a, b)
        fetch(f"SELECT count(*) FROM tasks WHERE closed_at >= {q} AND closed_at < {q}", a, b)

    floor = median_ms(floors, runs=7)
    request = data.Request("last_week")
    tiles = median_ms(lambda: data.load(db, manager, request, with_metrics=False), runs=7)
    whole = median_ms(lambda: data.load(db, manager, request), runs=5)
    ensure_app()
    out_dir = Path(tempfile.mkdtemp(prefix="pb-bench-report-"))

    def report():
        rep = weekly.build(db, manager, week)
        write_pdf(rep, out_dir / "weekly.pdf")

    pdf = median_ms(report, runs=3, warmup=1)
    return [
        row(f"[{label}] dashboard, all tiles and charts", tiles, floor, "≤ 2× floor",
            tiles <= 2 * floor),
        row(f"[{label}] dashboard with metrics (manager)", whole, floor, "reference", True),
        row(f"[{label}] weekly report, built and PDF", pdf, None, "≤ 3,000 ms", pdf <= 3000),
    ]  # fmt: skip


def main() -> None:
    import argparse
    import sqlite3

    sys.path.insert(0, str(Path(__file__).parent))
    from bench import Row, median_ms, pg_floor  # noqa: E402
    from generate import PASSWORD  # noqa: E402
    from sqlalchemy import text  # noqa: E402
    from sqlalchemy.engine import make_url  # noqa: E402

    from practiceboard.db.engine import Database  # noqa: E402
    from practiceboard.db.migrate import upgrade  # noqa: E402
    from practiceboard.services.users import sign_in  # noqa: E402

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default=f"sqlite:///{DATA / 'bench-250000.db'}")
    args = ap.parse_args()
    db = Database(args.db)
    upgrade(db, backup=False)
    with db.read() as s:
        name = s.execute(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'manager' ORDER BY u.id")).scalar()  # fmt: skip
    manager = sign_in(db, name, PASSWORD, "bench")
    raw = sqlite3.connect(make_url(db.url).database) if db.is_sqlite else pg_floor(db.url)
    label = "SQLite" if db.is_sqlite else "PostgreSQL"
    for r in dashboard_rows(db, manager, label, median_ms, Row, raw):
        print(r.line())


if __name__ == "__main__":
    main()

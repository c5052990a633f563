"""Benchmark the performance.md targets against their raw-driver floors, in one run.

    python bench/bench.py                 # SQLite, builds bench/data/bench-250000.db once
    python bench/bench.py --pg URL        # also PostgreSQL (URL of a server; a database
                                          # pb_bench is created and filled once)
    python bench/bench.py --tasks 20000   # a smaller, quicker data set
    python bench/bench_open.py            # only the board over 20,000 open tasks (its own
                                          # data set, bench/data/bench-open-20000.db, built once)

Prints one table: operation, our median, floor median, ratio, target. Medians of
several runs; timings on shared machines are noisy. Not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
DATA = Path(__file__).parent / "data"
os.environ.setdefault("PRACTICEBOARD_HOME", str(DATA / "home"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_alerts import alert_rows  # noqa: E402
from bench_approvals import approval_rows  # noqa: E402
from bench_care import care_rows  # noqa: E402
from bench_care import fetcher as care_fetcher  # noqa: E402
from bench_dashboard import dashboard_rows  # noqa: E402
from bench_move import find_move  # noqa: E402
from generate import PASSWORD, generate  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from practiceboard.db.engine import Database  # noqa: E402
from practiceboard.db.migrate import upgrade  # noqa: E402
from practiceboard.queries import dashboard as dash_q  # noqa: E402
from practiceboard.queries import tasks as task_q  # noqa: E402
from practiceboard.queries import timeline as timeline_q  # noqa: E402
from practiceboard.services import tasks as task_s  # noqa: E402
from practiceboard.services.users import sign_in  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


class Row:
    """One line of the table. A figure that could not be measured prints NOT MEASURED
    (with why) and counts as a miss: a guess must never read as meeting a target."""

    def __init__(self, name: str, ours: float | None, floor: float | None, target: str,
                 ok: bool, why: str = ""):  # fmt: skip
        self.name, self.ours, self.floor, self.target = name, ours, floor, target
        self.ok = ok and ours is not None
        self.why = why

    @classmethod
    def not_measured(cls, name: str, target: str, why: str) -> Row:
        return cls(name, None, None, target, False, why)

    def line(self) -> str:
        floor = f"{self.floor:9.2f}" if self.floor is not None else "        –"
        if self.ours is None:
            return f"{self.name:<46} {'–':>9} {floor} {'–':>7}  {self.target:<22} NOT MEASURED ({self.why})"
        ratio = f"{self.ours / self.floor:6.1f}×" if self.floor else "      –"
        mark = "meets" if self.ok else "MISSES"
        return f"{self.name:<46} {self.ours:9.2f} {floor} {ratio}  {self.target:<22} {mark}"


def sqlite_floor(path: str):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def pg_floor(url: str):
    import psycopg

    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))


def measure(db: Database, label: str, gui: bool) -> list[Row]:
    rows: list[Row] = []
    with db.read() as s:
        manager_name = s.execute(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'manager' ORDER BY u.id")).scalar()  # fmt: skip
    manager = sign_in(db, manager_name, PASSWORD, "bench")
    with db.read() as s:
        busiest = s.execute(text(
            "SELECT owner_id, count(*) FROM tasks WHERE closed_at IS NULL "
            "GROUP BY owner_id ORDER BY 2 DESC LIMIT 1")).first()[0]  # fmt: skip
        username = s.execute(
            text("SELECT username FROM users WHERE id = :i"), {"i": busiest}
        ).scalar()
        open_task = s.execute(text(
            "SELECT t.id FROM tasks t JOIN statuses s ON s.id = t.status_id "
            "WHERE t.closed_at IS NULL AND t.owner_id = :o ORDER BY t.id LIMIT 1"), {"o": busiest}
        ).scalar()  # fmt: skip
    worker = sign_in(db, username, PASSWORD, "bench")
    raw = sqlite_floor(make_url(db.url).database) if db.is_sqlite else pg_floor(db.url)
    q = "?" if db.is_sqlite else "%s"

    def raw_fetch(sql: str, *params):
        cur = raw.cursor()
        cur.execute(sql, params)
        out = cur.fetchall()
        if not db.is_sqlite:
            raw.commit()
        return out

    all_rows = median_ms(lambda: raw_fetch("SELECT * FROM tasks"), runs=3, warmup=1)
    rows.append(Row(f"[{label}] floor: fetch all task rows", all_rows, None, "reference", True))

    board_floor = median_ms(lambda: raw_fetch(
        "SELECT id, ref, title, status_id, owner_id, due_date, status_since, last_touched_at, "
        "reason_code_id, patient_id, priority FROM tasks WHERE closed_at IS NULL"))  # fmt: skip
    board = median_ms(lambda: task_q.board(db, manager, None), runs=9)
    rows.append(Row(f"[{label}] board query, all workflows, 5,000 open", board, board_floor,
                    "≤ 150 ms incl. paint", board <= 150))  # fmt: skip

    queue_floor = median_ms(lambda: raw_fetch(
        f"SELECT * FROM tasks WHERE owner_id = {q} AND closed_at IS NULL "
        "ORDER BY due_date LIMIT 100", busiest))  # fmt: skip
    for name, fn in [
        ("my queue", lambda: task_q.my_queue(db, worker)),
        ("needs attention (first 100)", lambda: task_q.needs_attention(db, manager, limit=100)),
        ("needs approval (first 100)", lambda: task_q.needs_approval(db, manager)),
    ]:
        ours = median_ms(fn)
        rows.append(Row(f"[{label}] queue page: {name}", ours, queue_floor, "≤ 10 ms", ours <= 10))

    group_floor = median_ms(lambda: raw_fetch(
        "SELECT status_id, owner_id, count(*) FROM tasks WHERE closed_at IS NULL "
        "GROUP BY status_id, owner_id"))  # fmt: skip
    dash = median_ms(lambda: dash_q.dashboard(db, manager))
    rows.append(Row(f"[{label}] dashboard counts", dash, group_floor, "≤ 2× floor",
                    dash <= 2 * group_floor))  # fmt: skip

    hist_floor = median_ms(lambda: raw_fetch(
        f"SELECT * FROM task_events WHERE task_id = {q} ORDER BY at", open_task))  # fmt: skip
    tl = median_ms(lambda: timeline_q.task_timeline(db, worker, open_task))
    rows.append(Row(f"[{label}] task timeline", tl, hist_floor, "≤ 5 ms", tl <= 5))

    if db.is_sqlite:
        rows.append(_move_row(db, worker, raw, label))
    if db.is_sqlite:
        # The care rows generate care tasks; on a copy, so that the next run's board, queue,
        # dashboard and alert rows still see the data set's 5,000 open tasks.
        care_db, care_raw = _care_copy(db)
        rows.extend(care_rows(care_db, label, median_ms, Row, care_fetcher(care_raw, True), q))
        care_raw.close()
        care_db.dispose()
    else:  # PostgreSQL: on a copy made afresh each run, for the same reason
        raw.close()
        care_db = _pg_care_copy(db)
        care_raw = pg_floor(care_db.url)
        rows.extend(care_rows(care_db, label, median_ms, Row, care_fetcher(care_raw, False), q))
        care_raw.close()
        care_db.dispose()
        raw = pg_floor(db.url)
    rows.extend(dashboard_rows(db, manager, label, median_ms, Row, raw))
    raw.close()
    rows.extend(alert_rows(db, label, median_ms, Row, idle=db.is_sqlite))
    rows.extend(approval_rows(db, label, median_ms, Row, PASSWORD, gui=gui and db.is_sqlite))
    if gui:
        rows.extend(_gui_rows(db, manager, label))
    return rows


def _move_row(db: Database, worker, raw, label: str) -> Row:
    """Move a card back and forth between two statuses that need no reason (bench_move
    finds such a card, or makes one)."""
    name, target = f"[{label}] move a card (transition+event+audit)", "≤ 5 ms"
    try:
        found = find_move(db, worker, PASSWORD)
    except Exception as exc:  # noqa: BLE001 - reported in the table, not hidden
        return Row.not_measured(name, target, f"finding a move failed: {exc}")
    if found is None:
        return Row.not_measured(name, target, "no workflow offers a reversible move")
    actor, task_id, a, b = found
    with db.read() as s:
        version = s.execute(
            text("SELECT version FROM tasks WHERE id = :i"), {"i": task_id}
        ).scalar()
    state = {"at": a, "version": version}

    def move():
        to = b if state["at"] == a else a
        saved = task_s.move_task(db, actor, task_id, to, expected_version=state["version"])
        state["at"], state["version"] = saved.status_id, saved.version

    try:
        ours = median_ms(move, runs=21)
    except Exception as exc:  # noqa: BLE001
        return Row.not_measured(name, target, f"the move was refused: {exc}")

    def raw_move():
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("UPDATE tasks SET version = version + 1 WHERE id = ?", (task_id,))
        raw.execute(
            "INSERT INTO task_events (task_id, at, actor_id, kind, manual) "
            "VALUES (?, '2026-01-01 00:00:00.000000', 1, 'note', 0)", (task_id,))  # fmt: skip
        raw.execute("COMMIT")

    floor = median_ms(raw_move, runs=21)
    return Row(name, ours, floor, target, ours <= 5)


def _gui_rows(db: Database, manager, label: str) -> list[Row]:
    try:
        from bench_gui import board_paint_rows
    except ImportError:
        return []
    rows = board_paint_rows(db, manager, label, median_ms, Row)
    return rows + _cold_start_rows(db, manager, label)


def _cold_start_rows(db: Database, manager, label: str, runs: int = 5) -> list[Row]:
    """A fresh interpreter each run: import, sign in, main window, board loaded and painted."""
    import subprocess

    script = Path(__file__).parent / "bench_start.py"
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run(  # noqa: S603 - our own script with our own interpreter
            [sys.executable, str(script), db.url, manager.username, PASSWORD],
            capture_output=True, text=True, check=True, env={**os.environ},
        ).stdout.split()  # fmt: skip
        times.append(float(out[-2]) * 1000)
        if out[-1] != "-":  # "-": this platform's memory figure could not be read
            rss.append(float(out[-1]))
    start = statistics.median(times)
    memory = (
        Row(f"[{label}] resident memory after start (MiB)", statistics.median(rss), None,
            "≤ 250 MiB", statistics.median(rss) <= 250)
        if rss else Row.not_measured(f"[{label}] resident memory after start (MiB)",
                                     "≤ 250 MiB", "no memory figure on this platform")
    )  # fmt: skip
    return [
        Row(f"[{label}] cold start to an interactive board", start, None, "≤ 1,000 ms",
            start <= 1000),
        memory,
    ]  # fmt: skip


def _care_copy(db: Database):
    """The SQLite bench set's copy the care rows work on (made once, kept between runs)."""
    import sqlite3

    source = Path(make_url(db.url).database)
    path = source.with_name(source.stem + "-care.db")
    if not path.exists():
        with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
    return Database(f"sqlite:///{path}"), sqlite3.connect(path)


def _pg_care_copy(db: Database) -> Database:
    """A fresh copy of the PostgreSQL bench database for the care rows (CREATE DATABASE …
    TEMPLATE; the source may have no connections while it is copied, so ``db`` lets go
    of its own first and opens new ones when next used)."""
    url = make_url(db.url)
    name = f"{url.database}_care"
    db.dispose()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return Database(url.set(database=name).render_as_string(False))


def ensure_sqlite(tasks: int) -> Database:
    path = DATA / f"bench-{tasks}.db"
    if not path.exists():
        print(f"generating {path} (once; minutes)…")
        db = Database(f"sqlite:///{path}")
        generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))
        return db
    db = Database(f"sqlite:///{path}")
    upgrade(db, backup=False)  # a data set built by an older schema: bring it to head
    return db


def ensure_pg(url: str, tasks: int, name: str | None = None) -> Database:
    name = name or f"pb_bench_{tasks}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db = Database(make_url(url).set(database=name).render_as_string(False))
    if not exists:
        print(f"generating PostgreSQL {name} (once; minutes)…")
        generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))
    else:
        upgrade(db, backup=False)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tasks", type=int, default=250_000)
    ap.add_argument(
        "--pg", help="PostgreSQL server URL, e.g. postgresql://postgres@127.0.0.1/postgres"
    )
    ap.add_argument("--pg-db", help="name of the PostgreSQL bench database (default pb_bench_N)")
    ap.add_argument("--no-gui", action="store_true", help="skip the Qt board measurements")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    # One QApplication for the whole run, made first: the weekly report's PDF would
    # otherwise make a bare QGuiApplication, and the board rows cannot make widgets on it.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench"])  # noqa: F841 (kept alive)
    results = measure(ensure_sqlite(args.tasks), "SQLite", not args.no_gui)
    if not args.no_gui:
        from bench_open import open_rows  # the board over 20,000 open tasks (its own data set)

        results += open_rows(median_ms, Row)
    if args.pg:
        results += measure(ensure_pg(args.pg, args.tasks, args.pg_db), "PostgreSQL", False)
        try:
            from bench_live import notify_latency_rows

            results += notify_latency_rows(ensure_pg(args.pg, args.tasks, args.pg_db), Row)
        except ImportError:
            pass
    print()
    print(f"{'operation':<46} {'ours ms':>9} {'floor ms':>9} {'ratio':>7}  {'target':<22} verdict")
    print("-" * 110)
    for r in results:
        print(r.line())
    missed = [r for r in results if not r.ok]
    print(f"\n{len(results) - len(missed)} of {len(results)} rows meet their target; "
          f"{len(missed)} miss or were not measured.")  # fmt: skip


if __name__ == "__main__":
    main()

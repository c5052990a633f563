"""Documents and blockers against the board (issue 17), on a data set of its own:

    python bench/bench_documents.py                   # SQLite, 50,000 tasks (5,000 open)
    python bench/bench_documents.py --pg URL          # also PostgreSQL (database pb_docs_N)
    python bench/bench_documents.py --docs 200 --mb 5 --blocks 50

Measures the board (all workflows, the manager), needs attention, and the dashboard
counts on a fresh copy of the data set; then attaches ``--docs`` files of ``--mb`` MB each
(distinct random bytes behind a PDF signature) to as many open tasks, blocks ``--blocks``
open tasks on others, and measures the same reads again. The board reads the paper clip
and the block from counters on the task's row and never touches document content, so
the two columns should agree within the noise of a shared machine. Also prints the time
to attach one file and to write one out (open), and the database's size.

Medians of several runs; not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
DATA = Path(__file__).parent / "data"
os.environ.setdefault("PRACTICEBOARD_HOME", str(DATA / "home"))

from generate import PASSWORD, generate  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from practiceboard.db.engine import Database  # noqa: E402
from practiceboard.db.models import Task  # noqa: E402
from practiceboard.domain.documents import megabytes  # noqa: E402
from practiceboard.queries import dashboard as dash_q  # noqa: E402
from practiceboard.queries import tasks as task_q  # noqa: E402
from practiceboard.queries.documents import database_size  # noqa: E402
from practiceboard.services import dependencies, documents  # noqa: E402
from practiceboard.services.users import sign_in  # noqa: E402


def median_ms(fn, runs: int = 9, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def manager_of(db: Database):
    with db.read() as s:
        name = s.execute(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'manager' ORDER BY u.id")).scalar()  # fmt: skip
    return sign_in(db, name, PASSWORD, "bench")


def reads(db: Database, manager) -> dict[str, float]:
    return {
        "board, all workflows": median_ms(lambda: task_q.board(db, manager, None)),
        "needs attention (first 100)": median_ms(
            lambda: task_q.needs_attention(db, manager, limit=100)
        ),
        "dashboard counts": median_ms(lambda: dash_q.dashboard(db, manager)),
    }


def load(db: Database, manager, docs: int, mb: int, blocks: int, tmp: Path) -> dict:
    with db.read() as s:
        open_ids = list(s.scalars(
            select(Task.id).where(Task.closed_at.is_(None)).order_by(Task.id)
            .limit(docs + 2 * blocks)
        ))  # fmt: skip
    attach_ms = []
    path = tmp / "scan.pdf"
    for i, task_id in enumerate(open_ids[:docs]):
        with path.open("wb") as f:
            f.write(b"%PDF-1.4\n")
            f.write(os.urandom(mb * 1024 * 1024 - 9))
        t = time.perf_counter()
        saved = documents.attach_file(db, manager, task_id, path, label=f"Scan {i + 1}")
        attach_ms.append((time.perf_counter() - t) * 1000)
    out = tmp / "opened.pdf"
    open_ms = median_ms(lambda: documents.write_out(db, manager, saved.id, out), runs=5, warmup=1)
    rest = open_ids[docs:]
    for blocked, blocker in zip(rest[:blocks], rest[blocks : 2 * blocks], strict=False):
        with db.read() as s:
            version = s.get(Task, blocked).version
        dependencies.set_blocker(db, manager, blocked, blocker, expected_version=version)
    return {"attach": statistics.median(attach_ms), "open": open_ms, "count": len(attach_ms)}


def run(db: Database, label: str, args, tmp: Path) -> list[str]:
    manager = manager_of(db)
    before = reads(db, manager)
    size_before = database_size(db)[0]
    got = load(db, manager, args.docs, args.mb, args.blocks, tmp)
    after = reads(db, manager)
    total, docs = database_size(db)
    lines = [f"[{label}] {name:<30} {before[name]:9.2f} {after[name]:9.2f} "
             f"{after[name] / before[name]:6.2f}×" for name in before]  # fmt: skip
    lines += [
        f"[{label}] attach one {args.mb} MB file (median of {got['count']}): {got['attach']:.1f} ms",
        f"[{label}] write one out (open, SHA-256 checked): {got['open']:.1f} ms",
        f"[{label}] database size: {megabytes(size_before)} before, {megabytes(total)} after "
        f"({megabytes(docs)} of documents)",
    ]
    return lines


def sqlite_copy(tasks: int, tmp: Path) -> Database:
    source = DATA / f"bench-docs-{tasks}.db"
    if not source.exists():
        print(f"generating {source} (once)…")
        db = Database(f"sqlite:///{source}")
        generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))
        db.dispose()
    target = tmp / "docs.db"
    shutil.copyfile(source, target)
    db = Database(f"sqlite:///{target}")
    from practiceboard.db.migrate import upgrade

    upgrade(db, backup=False)
    return db


def pg_fresh(url: str, tasks: int) -> tuple[Database, callable]:
    name = f"pb_docs_{tasks}"
    if make_url(url).drivername == "postgresql":
        url = make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(url).set(database=name).render_as_string(False))
    print(f"generating PostgreSQL {name}…")
    generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))

    def drop() -> None:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return db, drop


def report(lines: list[str], args) -> None:
    print()
    print(f"{args.docs} documents of {args.mb} MB and {args.blocks} blocks; medians in ms")
    print(f"{'read':<41} {'before':>9} {'after':>9} {'ratio':>7}")
    for line in lines:
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tasks", type=int, default=50_000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("--blocks", type=int, default=50)
    ap.add_argument(
        "--pg", help="PostgreSQL server URL, e.g. postgresql://postgres@127.0.0.1/postgres"
    )
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pb-bench-docs-") as tmp:
        db = sqlite_copy(args.tasks, Path(tmp))
        try:
            lines += run(db, "SQLite", args, Path(tmp))
        finally:
            db.dispose()
        report(lines, args)
        if args.pg:
            db, drop = pg_fresh(args.pg, args.tasks)
            try:
                report(run(db, "PostgreSQL", args, Path(tmp)), args)
            finally:
                drop()


if __name__ == "__main__":
    main()

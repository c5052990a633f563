"""Documents and blockers against the board (issue 17), on a data set of its own:

    python bench/bench_documents.py                   # SQLite, 50,000 tasks (5,000 open)
    python bench/bench_documents.py --pg URL          # also PostgreSQL (database pb_docs_N)
    python bench/bench_documents.py --docs 200 --mb 5 --blocks 50

Makes two copies of one data set: "plain", and "loaded", to which ``--docs`` files of
``--mb`` MB each (distinct random bytes behind a PDF signature) are attached on as many
open tasks and where ``--blocks`` open tasks wait on others. Then, in a fresh process,
measures the board (all workflows, the manager), needs attention and the dashboard
counts on both copies in turn, round after round, so both see the same machine load.
The board reads the paper clip and the block from counters on the task's row and never
touches document content, so the two should agree within the noise. Also prints the
time to attach one file and to write one out (open), and the database's size.

Minimum and median of the rounds (the minimum is the steadier figure on a shared
machine); not a test: nothing here fails.
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


OPS = ("board, all workflows", "needs attention (first 100)", "dashboard counts")


def compare(urls: list[str], rounds: int) -> dict:
    """Run in a fresh process: each op on each database in turn, ``rounds`` times;
    returns {(url index, op): [ms, …]}."""
    dbs = [Database(u) for u in urls]
    managers = [manager_of(db) for db in dbs]
    calls = {
        OPS[0]: lambda db, m: task_q.board(db, m, None),
        OPS[1]: lambda db, m: task_q.needs_attention(db, m, limit=100),
        OPS[2]: lambda db, m: dash_q.dashboard(db, m),
    }
    out: dict = {}
    for r in range(rounds + 2):
        for op, fn in calls.items():
            for i, (db, m) in enumerate(zip(dbs, managers, strict=True)):
                t = time.perf_counter()
                fn(db, m)
                if r >= 2:  # two warm-up rounds
                    out.setdefault(f"{i}|{op}", []).append((time.perf_counter() - t) * 1000)
    for db in dbs:
        db.dispose()
    return out


def compare_in_subprocess(urls: list[str], rounds: int) -> dict:
    import json
    import subprocess

    done = subprocess.run(  # noqa: S603 - this script, with our own interpreter
        [sys.executable, __file__, "--compare", *urls, "--rounds", str(rounds)],
        capture_output=True, text=True, check=True, env={**os.environ},
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def run(plain_url: str, loaded_url: str, label: str, args, tmp: Path) -> list[str]:
    loaded = Database(loaded_url)
    try:
        size_before = database_size(loaded)[0]
        got = load(loaded, manager_of(loaded), args.docs, args.mb, args.blocks, tmp)
        total, docs = database_size(loaded)
    finally:
        loaded.dispose()
    times = compare_in_subprocess([plain_url, loaded_url], args.rounds)
    lines = []
    for op in OPS:
        a, b = times[f"0|{op}"], times[f"1|{op}"]
        lines.append(
            f"[{label}] {op:<28} {min(a):8.2f} {min(b):8.2f} {min(b) / min(a):6.2f}×   "
            f"{statistics.median(a):8.2f} {statistics.median(b):8.2f}"
        )
    lines += [
        f"[{label}] attach one {args.mb} MB file (median of {got['count']}): {got['attach']:.1f} ms",
        f"[{label}] write one out (open, SHA-256 checked): {got['open']:.1f} ms",
        f"[{label}] database size: {megabytes(size_before)} before, {megabytes(total)} after "
        f"({megabytes(docs)} of documents)",
    ]
    return lines


def sqlite_pair(tasks: int, tmp: Path) -> tuple[str, str]:
    from practiceboard.db.migrate import upgrade

    source = DATA / f"bench-docs-{tasks}.db"
    if not source.exists():
        print(f"generating {source} (once)…")
        db = Database(f"sqlite:///{source}")
        generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))
        db.dispose()
    db = Database(f"sqlite:///{source}")
    upgrade(db, backup=False)  # a data set built by an older schema: bring it to head
    db.dispose()
    urls = []
    for name in ("plain", "loaded"):
        shutil.copyfile(source, tmp / f"{name}.db")
        urls.append(f"sqlite:///{tmp / f'{name}.db'}")
    return urls[0], urls[1]


def pg_pair(url: str, tasks: int):
    """(plain URL, loaded URL, drop): one generated database and a copy of it."""
    if make_url(url).drivername == "postgresql":
        url = make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)
    plain, loaded = f"pb_docs_{tasks}", f"pb_docs_{tasks}_loaded"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in (loaded, plain):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{plain}"'))
    db = Database(make_url(url).set(database=plain).render_as_string(False))
    print(f"generating PostgreSQL {plain}…")
    generate(db, tasks=tasks, open_tasks=min(5000, tasks // 10))
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{loaded}" TEMPLATE "{plain}"'))

    def drop() -> None:
        with admin.connect() as conn:
            for name in (loaded, plain):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    def at(name: str) -> str:
        return make_url(url).set(database=name).render_as_string(False)

    return at(plain), at(loaded), drop


def report(lines: list[str], args) -> None:
    print()
    print(f"{args.docs} documents of {args.mb} MB and {args.blocks} blocks; ms over "
          f"{args.rounds} rounds")  # fmt: skip
    print(f"{'read':<37} {'plain':>8} {'loaded':>8} {'ratio':>7}   {'(medians)':>17}")
    for line in lines:
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tasks", type=int, default=50_000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("--blocks", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=25)
    ap.add_argument(
        "--pg", help="PostgreSQL server URL, e.g. postgresql://postgres@127.0.0.1/postgres"
    )
    ap.add_argument("--compare", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compare:
        import json

        print(json.dumps(compare(args.compare, args.rounds)))
        return
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pb-bench-docs-") as tmp:
        plain, loaded = sqlite_pair(args.tasks, Path(tmp))
        report(run(plain, loaded, "SQLite", args, Path(tmp)), args)
        if args.pg:
            plain, loaded, drop = pg_pair(args.pg, args.tasks)
            try:
                report(run(plain, loaded, "PostgreSQL", args, Path(tmp)), args)
            finally:
                drop()


if __name__ == "__main__":
    main()

"""The 300-row tracker of tests/data through the import wizard's service calls, timed.

    python bench/bench_import.py                  # SQLite
    python bench/bench_import.py --pg URL         # also PostgreSQL (a database pb_bench_import
                                                  # is created afresh on that server)

The wizard's path, step by step, on a fresh practice each round (60 patients imported
first): read the file, propose or recall the mapping, list the words to map, the dry run,
the import, and the same file again (every row a duplicate). Prints the median of
``--rounds`` rounds per step and the total. Not a test: nothing here fails. The target
(issue 13): the whole file in through the wizard in under two minutes, a person's clicks
included; this measures the machine's part.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PRACTICEBOARD_HOME", tempfile.mkdtemp(prefix="pb-bench-import-"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from practiceboard.db.engine import Database  # noqa: E402
from practiceboard.db.migrate import upgrade  # noqa: E402
from practiceboard.queries import imports as import_queries  # noqa: E402
from practiceboard.services import users  # noqa: E402
from practiceboard.services.imports import engine, sheet  # noqa: E402
from practiceboard.services.imports.mapping import Mapping, layout_of, propose  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
PASSWORD = "bench-password-2026"
STAFF = [("frontdesk", "Fran Front", "front_desk"), ("clinical", "Cleo Clinical", "clinical"),
         ("provider", "Dr. Pat Provider", "provider"), ("billing", "Bill Billing", "billing"),
         ("carecoordinator", "Cora Coordinator", "care_coordinator"),
         ("manager", "Max Manager", "manager")]  # fmt: skip


def fresh(url: str) -> Database:
    db = Database(url, workstation="bench")
    upgrade(db, backup=False)
    users.bootstrap_admin(db, "admin", "Ada Admin", PASSWORD)
    admin = users.sign_in(db, "admin", PASSWORD, "bench")
    for username, name, role in STAFF:
        users.create_user(db, admin, username, name, PASSWORD, [role])
    return db


def one_round(url: str) -> dict[str, float]:
    db = fresh(url)
    try:
        manager = users.sign_in(db, "manager", PASSWORD, "bench")
        people = propose("patients", sheet.read_sheet(DATA / "patients.csv").header)
        people.providers = {"dr. provider": "provider"}
        engine.import_patients(db, manager, sheet.read_sheet(DATA / "patients.csv"), people)
        saved = Mapping.load("tasks", (DATA / "tracker-mapping.json").read_text())
        took: dict[str, float] = {}

        def timed(name, fn, *args, **kw):
            start = time.perf_counter()
            out = fn(*args, **kw)
            took[name] = time.perf_counter() - start
            return out

        read = timed("read the file", sheet.read_sheet, DATA / "tracker.csv")
        timed("recall the mapping", import_queries.remembered_mapping, db, "tasks",
              layout_of(read.header))  # fmt: skip
        timed("words to map", engine.unknown_values, db, read, saved)
        dry = timed("dry run", engine.import_tasks, db, manager, read, saved, dry_run=True)
        done = timed("import", engine.import_tasks, db, manager, read, saved)
        again = timed("same file again", engine.import_tasks, db, manager, read, saved)
        assert dry.summary() == done.summary() == "293 created, 1 skipped, 6 errors"
        assert again.summary() == "0 created, 294 skipped, 6 errors"
        return took
    finally:
        db.dispose()


def run(label: str, make_url_for_round, rounds: int) -> None:
    results = [one_round(make_url_for_round(i)) for i in range(rounds)]
    print(f"\n{label}: the 300-row tracker (median of {rounds} rounds)")
    total = 0.0
    for step in results[0]:
        median = statistics.median(r[step] for r in results)
        if step != "same file again":
            total += median
        print(f"  {step:<20} {median * 1000:8.0f} ms")
    print(f"  {'wizard path total':<20} {total * 1000:8.0f} ms  (file → words → dry run → import)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="also a PostgreSQL server")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pb-bench-import-db-"))
    run("SQLite", lambda i: f"sqlite:///{tmp / f'import-{i}.db'}", args.rounds)
    if args.pg:
        server = make_url(args.pg)
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")

        def pg_url(_i: int) -> str:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS pb_bench_import"))
                conn.execute(text("CREATE DATABASE pb_bench_import"))
            return server.set(database="pb_bench_import").render_as_string(hide_password=False)

        run("PostgreSQL", pg_url, args.rounds)
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Approvals inbox figures for bench.py (and on their own):

    python bench/bench_approvals.py                      # SQLite bench/data/bench-250000.db
    python bench/bench_approvals.py --pg URL-OF-DATABASE # an existing PostgreSQL bench copy

- the inbox of a provider with 500 pending requests: the query (inbox + header
  figures), and on SQLite also the query, the table model and a first paint of the
  inbox table (offscreen Qt) — target ≤ 100 ms;
- a decision: approve one request (transition, decision event, audit row, commit) and
  take it out of the inbox's model — target ≤ 50 ms.

The first run gives a provider 500 pending sign-offs, requested by a manager through the
services (a few seconds); the decisions then use up some of them, and the next run tops
the pile up to 500 again before measuring the inbox.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("PRACTICEBOARD_HOME", str(HERE / "data" / "home"))  # the audit key
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from sqlalchemy import text  # noqa: E402

from practiceboard.db.engine import Database  # noqa: E402
from practiceboard.queries import approvals as approval_q  # noqa: E402
from practiceboard.services import approvals  # noqa: E402
from practiceboard.services.tasks import TaskDraft, create_task  # noqa: E402
from practiceboard.services.users import sign_in  # noqa: E402

PENDING = 500
DECISIONS = 15


def _people(db: Database, password: str):
    with db.read() as s:
        provider = s.execute(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'provider' AND u.active "
            "ORDER BY u.id")).scalars().first()  # fmt: skip
        manager = s.execute(text(
            "SELECT u.username FROM users u JOIN user_roles ur ON ur.user_id = u.id "
            "JOIN roles r ON r.id = ur.role_id WHERE r.key = 'manager' AND u.active "
            "ORDER BY u.id")).scalars().first()  # fmt: skip
        signoff = s.execute(text("SELECT id FROM workflows WHERE key = 'signoff'")).scalar()
    return (
        sign_in(db, provider, password, "bench"),
        sign_in(db, manager, password, "bench"),
        signoff,
    )


def top_up(db: Database, provider, manager, signoff: int, want: int) -> int:
    """Pending sign-offs for the provider up to ``want``; returns how many were added."""
    have = approval_q.inbox(db, provider, limit=1).waiting
    for n in range(max(0, want - have)):
        t = create_task(db, manager, TaskDraft(
            workflow_id=signoff, title=f"Bench letter {n}", owner_id=manager.user_id,
            provider_id=provider.user_id, extra={"document": "Letter"},
        ))  # fmt: skip
        approvals.request_approval(db, manager, t.id, expected_version=1, question="Sign?")
    return max(0, want - have)


def approval_rows(db: Database, label: str, median_ms, row, password: str, *, gui: bool) -> list:
    provider, manager, signoff = _people(db, password)
    added = top_up(db, provider, manager, signoff, PENDING)
    box = approval_q.inbox(db, provider)
    name = f"[{label}] approvals inbox, {box.waiting} pending (query)"
    ours = median_ms(lambda: approval_q.inbox(db, provider), runs=9)
    out = [row(name, ours, None, "≤ 100 ms", ours <= 100)]
    if added:
        print(f"  ({added} pending sign-offs added for {provider.display_name})")
    table = None
    if gui:
        table = _table()
        if table is not None:
            from PySide6.QtWidgets import QApplication

            app = QApplication.instance()

            def open_inbox():
                items = approval_q.inbox(db, provider).items
                table.items().set_items(items)
                table.repaint()  # synchronous first paint of the visible rows (as bench_gui)
                app.processEvents()

            shown = median_ms(open_inbox, runs=9)
            out.append(row(f"[{label}] approvals inbox open (query+model+paint)", shown, None,
                           "≤ 100 ms", shown <= 100))  # fmt: skip
    items = list(approval_q.inbox(db, provider).items)
    model = table.items() if table is not None else None
    if model is not None:
        model.set_items(items)
    queue = iter(items)

    def decide():
        item = next(queue)
        saved = approvals.approve(db, provider, item.card.id, expected_version=item.card.version)
        if model is not None:
            model.remove_ids({saved.id})

    took = median_ms(decide, runs=DECISIONS - 2, warmup=2)
    what = "commit + leave the list" if model is not None else "commit"
    out.append(row(f"[{label}] approve one request ({what})", took, None, "≤ 50 ms", took <= 50))
    return out


def _table():
    """The inbox's own table widget, offscreen (None without Qt)."""
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication, QWidget

        from practiceboard.gui.views.approvals.model import INBOX_COLUMNS
        from practiceboard.gui.views.approvals.view import ApprovalTable
    except ImportError:
        return None
    app = QApplication.instance() or QApplication([])
    parent = QWidget()
    parent.resize(900, 700)
    table = ApprovalTable(INBOX_COLUMNS, parent, multi=True, keys=True)
    table.resize(900, 700)
    parent.show()
    app.processEvents()
    _table.keep = (app, parent)  # type: ignore[attr-defined]
    return table


# ---------------------------------------------------------------- on its own


def _median_ms(fn: Callable[[], object], runs: int = 15, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    from bench import Row
    from generate import PASSWORD

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sqlite", default=str(HERE / "data" / "bench-250000.db"))
    ap.add_argument("--pg", help="URL of a PostgreSQL bench database (a copy you may change)")
    args = ap.parse_args()
    from practiceboard.db.migrate import upgrade

    rows = []
    if Path(args.sqlite).exists():
        db = Database(f"sqlite:///{args.sqlite}")
        upgrade(db, backup=False)  # the shared data set is at an older revision
        rows += approval_rows(db, "SQLite", _median_ms, Row, PASSWORD, gui=True)
    if args.pg:
        db = Database(args.pg)
        upgrade(db, backup=False)
        rows += approval_rows(db, "PostgreSQL", _median_ms, Row, PASSWORD, gui=False)
    for r in rows:
        print(r.line())


if __name__ == "__main__":
    main()

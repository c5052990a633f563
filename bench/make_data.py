"""Build the benchmark database once (it takes minutes): python bench/make_data.py [--pg URL]."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

from practiceboard.db.engine import Database  # noqa: E402

DATA = Path(__file__).parent / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", help="PostgreSQL URL of an EMPTY database to fill")
    ap.add_argument("--tasks", type=int, default=250_000)
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    os.environ.setdefault("PRACTICEBOARD_HOME", str(DATA / "home"))
    if args.pg:
        db = Database(args.pg)
    else:
        path = DATA / f"bench-{args.tasks}.db"
        path.unlink(missing_ok=True)
        db = Database(f"sqlite:///{path}")
    print(generate(db, tasks=args.tasks, open_tasks=min(5000, args.tasks // 10)))


if __name__ == "__main__":
    main()

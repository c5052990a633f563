"""Backups are made with SQLite's online backup API, checked, and restore (security.md 18)."""

from __future__ import annotations

from sqlalchemy import func, select

from practiceboard.db.backup import backup_database, restore_sqlite
from practiceboard.db.engine import Database
from practiceboard.db.models import Workflow


def test_backup_then_restore_gives_back_the_same_data(sqlite_db, tmp_path):
    with sqlite_db.read() as s:
        before = s.scalar(select(func.count(Workflow.id)))
    backup = backup_database(sqlite_db, label="test", folder=tmp_path)
    assert backup.exists() and backup.stat().st_size > 0

    target = f"sqlite:///{tmp_path / 'restored.db'}"
    restore_sqlite(backup, target)
    restored = Database(target)
    try:
        with restored.read() as s:
            assert s.scalar(select(func.count(Workflow.id))) == before
    finally:
        restored.dispose()

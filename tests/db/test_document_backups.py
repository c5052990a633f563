"""Backups carry the documents kept in the database: a restored backup gives back the
same bytes, with the same fingerprint, on SQLite (the online backup API) and on
PostgreSQL (pg_dump -Fc, then pg_restore into a new database)."""

from __future__ import annotations

import subprocess
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from practiceboard.db.backup import backup_database, restore_sqlite
from practiceboard.db.engine import Database
from practiceboard.queries.documents import task_documents
from practiceboard.services import documents
from support import make_staff, make_task

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 2000  # ~0.5 MB, two chunks


def attach(db, tmp_path):
    staff = make_staff(db)
    task = make_task(db, staff.front_desk, "referral", "Referral with records")
    src = tmp_path / "records.pdf"
    src.write_bytes(PDF)
    saved = documents.attach_file(db, staff.front_desk, task, src, label="Records")
    return staff, task, saved


def same_document(restored, staff, task, saved, tmp_path) -> None:
    (row,) = task_documents(restored, staff.front_desk, task)
    assert (row.label, row.sha256, row.size) == ("Records", saved.sha256, len(PDF))
    out = documents.write_out(restored, staff.front_desk, row.id, tmp_path / "back.pdf")
    assert out.read_bytes() == PDF


def test_a_sqlite_backup_restores_the_documents(sqlite_db, tmp_path):
    staff, task, saved = attach(sqlite_db, tmp_path)
    backup = backup_database(sqlite_db, label="test", folder=tmp_path / "bk")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    restore_sqlite(backup, target)
    restored = Database(target, workstation="test-pc")
    try:
        same_document(restored, staff, task, saved, tmp_path)
    finally:
        restored.dispose()


def test_a_postgres_backup_restores_the_documents(pg_db, tmp_path):
    staff, task, saved = attach(pg_db, tmp_path)
    backup = backup_database(pg_db, label="test", folder=tmp_path / "bk")
    name = f"pb_restore_{uuid.uuid4().hex[:10]}"
    url = make_url(pg_db.url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = url.set(database=name)
    restored = None
    try:
        dsn = target.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(  # noqa: S603 - the test's own restore, arguments as a list
            ["pg_restore", "--no-owner", "-d", dsn, str(backup)],  # noqa: S607
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        restored = Database(target.render_as_string(hide_password=False), workstation="test-pc")
        same_document(restored, staff, task, saved, tmp_path)
    finally:
        if restored is not None:
            restored.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""Files and secrets (security.md items 3 and 11): everything PracticeBoard writes that may
hold patient data or a secret is for this user only — 0600 files in 0700 folders on POSIX
(the platform function is tested for every platform; on Windows files inherit the
per-user profile's access list) — and pg_dump never sees the password on its command line."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from practiceboard.core import connection
from practiceboard.core.paths import (
    config_dir,
    data_dir,
    private_dir,
    private_file,
    private_modes,
)
from practiceboard.db import backup, migrate
from practiceboard.db.engine import Database
from practiceboard.jobs import weekly_report
from practiceboard.reports.csvfile import write_csv
from support import WED_10AM, make_staff

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("platform", ["linux", "darwin", "freebsd", "win32"])
def test_files_and_secrets_the_platform_function(platform, tmp_path):
    expected = None if platform == "win32" else (0o600, 0o700)
    assert private_modes(platform) == expected
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    file = folder / "kept.txt"
    file.write_text("kept")
    os.chmod(file, 0o644)
    assert private_dir(folder, platform) == folder
    assert private_file(file, platform) == file
    assert file.read_text() == "kept"  # an existing file is never emptied
    if sys.platform != "win32":
        assert (mode(folder), mode(file)) == ((0o700, 0o600) if expected else (0o755, 0o644))
    made = private_file(private_dir(tmp_path / "new" / "folder", platform) / "f", platform)
    assert made.exists() and made.read_bytes() == b""


@posix_only
def test_files_and_secrets_data_and_config_folders_are_private(pb_home):
    assert mode(data_dir()) == 0o700
    assert mode(config_dir()) == 0o700
    connection.save_url("postgresql://clinic@server/practice")
    assert mode(connection.config_path()) == 0o600


@posix_only
def test_files_and_secrets_sqlite_database_and_its_wal_and_shm_are_private(tmp_path):
    path = tmp_path / "clinic.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db, backup=False)
    with db.write() as session:
        session.execute(migrate.text("SELECT 1"))
        names = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        assert len(names) == 3, names
        assert {p.name: mode(p) for p in names} == {p.name: 0o600 for p in names}
    db.dispose()


@posix_only
def test_files_and_secrets_an_older_open_database_is_tightened_at_upgrade(tmp_path):
    path = tmp_path / "old.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db, backup=False)
    db.dispose()
    os.chmod(path, 0o644)
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    assert mode(path) == 0o600
    db.dispose()


@posix_only
def test_files_and_secrets_every_backup_is_private(db, pb_home):
    made = backup.backup_database(db)
    assert made.suffix == (".db" if db.is_sqlite else ".dump")
    assert mode(made) == 0o600
    assert mode(made.parent) == 0o700
    before = migrate._backup_first(db, migrate.head_revision())  # the pre-upgrade backup
    assert "before-upgrade" in before.name
    assert mode(before) == 0o600


def test_files_and_secrets_pg_dump_gets_the_password_in_its_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    url = "postgresql+psycopg://clinic:s3cret-Pa55@db.example:5433/practice"
    args, env = backup.pg_dump_call(url, Path("/usr/bin/pg_dump"), tmp_path / "x.dump")
    assert not any("s3cret-Pa55" in a for a in args)
    assert env["PGPASSWORD"] == "s3cret-Pa55"
    dbname = make_url(args[args.index("--dbname") + 1])
    assert (dbname.username, dbname.host, dbname.port, dbname.database, dbname.password) == (
        "clinic", "db.example", 5433, "practice", None
    )  # fmt: skip
    _, env = backup.pg_dump_call("postgresql+psycopg://clinic@db/practice", Path("pg_dump"),
                                 tmp_path / "y.dump")  # fmt: skip
    assert "PGPASSWORD" not in env  # nobody else's password is passed on


@pytest.mark.postgres
def test_files_and_secrets_a_real_pg_dump_runs_without_the_password_in_argv(
    pg_db, pb_home, monkeypatch
):
    seen: list[tuple[list[str], dict | None]] = []
    real = backup._run

    def watching(args, env=None):
        seen.append((args, env))
        return real(args, env)

    monkeypatch.setattr(backup, "_run", watching)
    url = make_url(pg_db.url).set(password="not-on-the-command-line").render_as_string(False)
    with_password = Database(url, workstation="test-pc")
    try:
        made = backup.backup_database(with_password)
    finally:
        with_password.dispose()
    assert mode(made) == 0o600
    dump = [call for call in seen if "-Fc" in call[0]]
    assert dump and all("not-on-the-command-line" not in a for a in dump[0][0])
    assert dump[0][1]["PGPASSWORD"] == "not-on-the-command-line"


@posix_only
def test_files_and_secrets_reports_folder_and_scheduler_files_are_private(
    qapp, sqlite_db, tmp_path
):
    """``qapp``: the PDF needs a Qt application; pytest-qt's, so that the GUI tests that
    run later in the suite find the QApplication they expect, not a bare QGuiApplication."""
    folder = weekly_report.reports_folder(sqlite_db)
    assert folder.name == "Reports" and mode(folder) == 0o700
    made = write_csv(tmp_path / "table.csv", ["a"], [["1"]])
    assert mode(made) == 0o600
    from practiceboard.gui.printing.document import write_pdf

    make_staff(sqlite_db)
    written = weekly_report.run(sqlite_db, write_pdf, at=WED_10AM)  # the scheduler's job
    assert written is not None and written.path.parent == folder
    assert mode(written.path) == 0o600

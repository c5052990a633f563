"""PostgreSQL backups where PCs are not alike: pg_dump found where PostgreSQL's installers
put it (platform given as a parameter, fake folder trees), refused when older than the
server, recorded when verified, and a front-desk PC with no pg_dump never at a dead end
when a new version must upgrade the schema (Windows readiness, issue 15 item 1)."""

from __future__ import annotations

import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path, PureWindowsPath

import pytest
from alembic import command

from practiceboard import cli
from practiceboard.db import backup, migrate
from support import PASSWORD, audit_rows, make_staff

WIN_ROOT = r"C:\Program Files"


def fake_glob(found: list[str]):
    def expand(pattern: str) -> list[str]:
        prefix = pattern.split("*")[0]
        return [p for p in found if p.startswith(prefix)]

    return expand


def test_windows_looks_in_program_files_newest_first():
    found = [
        str(PureWindowsPath(WIN_ROOT, "PostgreSQL", v, "bin", "pg_dump.exe"))
        for v in ("9.6", "16", "12")
    ]
    got = backup.pg_dump_candidates(
        "win32", setting="", which=lambda name: None, environ={"ProgramFiles": WIN_ROOT},
        expand=fake_glob(found),
    )  # fmt: skip
    assert [str(p) for p in got] == [found[1], found[2], found[0]]


def test_the_path_comes_before_the_standard_folders_on_linux():
    got = backup.pg_dump_candidates(
        "linux", setting="", which=lambda name: "/usr/bin/pg_dump", environ={},
        expand=fake_glob([f"/usr/lib/postgresql/{v}/bin/pg_dump" for v in (13, 17)]),
    )  # fmt: skip
    assert got == [Path("/usr/bin/pg_dump"), Path("/usr/lib/postgresql/17/bin/pg_dump"),
                   Path("/usr/lib/postgresql/13/bin/pg_dump")]  # fmt: skip


def test_the_setting_names_the_one_to_use():
    assert backup.pg_dump_candidates("win32", setting=r"D:\pg\bin") == [
        Path(r"D:\pg\bin") / "pg_dump.exe"
    ]
    assert backup.pg_dump_candidates("linux", setting="/opt/pg/bin/pg_dump") == [
        Path("/opt/pg/bin/pg_dump")
    ]


def test_a_pg_dump_older_than_the_server_is_passed_over(tmp_path):
    old, new = tmp_path / "12" / "pg_dump", tmp_path / "16" / "pg_dump"
    for exe in (old, new):
        exe.parent.mkdir()
        exe.write_text("")
    versions = {old: 12, new: 16}
    assert backup.choose_pg_dump(16, [old, new], versions.get) == new
    with pytest.raises(backup.NoPgDump, match="runs PostgreSQL 17.*12_?.*version 12"):
        backup.choose_pg_dump(17, [old], versions.get)
    with pytest.raises(backup.NoPgDump, match="not installed on this PC"):
        backup.choose_pg_dump(16, [tmp_path / "nowhere" / "pg_dump"], versions.get)


def old_pg_dump(folder: Path) -> Path:
    """A pg_dump that says it is version 9.6 (a PC with an old client installed)."""
    exe = folder / "pg_dump"
    exe.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.mark.skipif(sys.platform == "win32", reason="the fake pg_dump is a shell script")
def test_a_real_backup_with_an_old_pg_dump_is_refused_with_a_sentence(pg_db, tmp_path,
                                                                      monkeypatch):  # fmt: skip
    monkeypatch.setenv("PRACTICEBOARD_PG_DUMP", str(old_pg_dump(tmp_path)))
    with pytest.raises(backup.NoPgDump, match="refuses a server newer than itself"):
        backup.backup_database(pg_db, folder=tmp_path / "bk")


def test_a_verified_backup_is_recorded_for_the_other_pcs(pg_db, tmp_path):
    made = backup.backup_database(pg_db, label="manual", folder=tmp_path)
    when, file, pc = backup.last_verified_backup(pg_db)
    assert file == str(made) and pc and datetime.now(UTC) - when < timedelta(minutes=5)
    [row] = audit_rows(pg_db, "backup.verified")
    assert row.category == "system"


def behind_head(db) -> str:
    cfg = migrate.alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    return migrate.current_revision(db)


def no_pg_dump_here(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PRACTICEBOARD_PG_DUMP", str(tmp_path / "no-postgresql-here"))


def record(db, at: datetime) -> None:
    backup.record_backup(db, Path("/srv/backups/practiceboard-nightly.dump"), at=at)


def test_a_front_desk_pc_without_pg_dump_is_told_the_two_ways_on(pg_db, tmp_path, monkeypatch):
    before = behind_head(pg_db)
    no_pg_dump_here(monkeypatch, tmp_path)
    with pytest.raises(migrate.BackupNeeded) as caught:
        migrate.upgrade(pg_db)
    text = str(caught.value)
    assert "none has been recorded" in text
    assert "“practiceboard backup” on the server PC" in text and "--without-backup" in text
    assert migrate.current_revision(pg_db) == before  # nothing changed

    record(pg_db, datetime.now(UTC) - timedelta(days=3))  # too old to rely on
    with pytest.raises(migrate.BackupNeeded, match="the last one recorded was made on"):
        migrate.upgrade(pg_db)
    assert migrate.current_revision(pg_db) == before


def test_a_recent_server_backup_lets_a_front_desk_pc_upgrade(pg_db, tmp_path, monkeypatch):
    behind_head(pg_db)
    no_pg_dump_here(monkeypatch, tmp_path)
    record(pg_db, datetime.now(UTC) - timedelta(hours=3))
    made = migrate.upgrade(pg_db)
    assert made == Path("/srv/backups/practiceboard-nightly.dump")
    assert migrate.current_revision(pg_db) == migrate.head_revision()


def test_an_admin_may_upgrade_without_a_backup(pg_db, tmp_path, monkeypatch, capsys):
    make_staff(pg_db)
    before = behind_head(pg_db)
    no_pg_dump_here(monkeypatch, tmp_path)
    monkeypatch.setenv("PRACTICEBOARD_ADMIN_PASSWORD", PASSWORD)
    args = ["db", "upgrade", "--db", pg_db.url, "--without-backup"]
    assert cli.main([*args, "--admin-username", "frontdesk"]) == 1  # not an admin
    assert migrate.current_revision(pg_db) == before
    assert cli.main(args) == 0
    assert migrate.current_revision(pg_db) == migrate.head_revision()
    [row] = audit_rows(pg_db, "schema.upgrade_without_backup")
    assert row.username == "admin" and row.category == "security"
    assert "as the admin confirmed" in capsys.readouterr().out


def test_the_setting_is_declared():
    from practiceboard.core.settings import ENVIRONMENT, SETTINGS

    assert "PRACTICEBOARD_PG_DUMP" in ENVIRONMENT
    assert SETTINGS["last_verified_backup"].seeded is False

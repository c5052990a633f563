"""A SQLite file on a network share: recognised on each platform (given as a parameter,
with its look-ups faked), kept off WAL, and a second PC using it is told plainly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from practiceboard.db import share
from practiceboard.db.engine import Database

PROC_MOUNTS = """/dev/vda1 / ext4 rw 0 0
//nas/clinic /mnt/clinic cifs rw 0 0
nas:/export /srv/records nfs4 rw 0 0
tmpfs /mnt/clinic/local-cache tmpfs rw 0 0
"""
MAC_MOUNT = """/dev/disk1s1 on / (apfs, local, journaled)
//fran@nas._smb._tcp.local/Clinic on /Volumes/Clinic (smbfs, nodev, nosuid, mounted by fran)
"""


@pytest.mark.parametrize(
    ("path", "drive", "expected"),
    [
        (r"\\NAS\Clinic\practice.db", 3, "unc"),
        ("//nas/clinic/practice.db", 3, "unc"),
        (r"Z:\PracticeBoard\practice.db", share.DRIVE_REMOTE, "remote drive"),
        (r"C:\Users\fran\AppData\Local\PracticeBoard\practice.db", 3, None),
    ],
)
def test_windows_knows_unc_paths_and_mapped_drives(path, drive, expected):
    asked = []
    kind = share.network_kind(path, "win32", drive_type=lambda root: asked.append(root) or drive)
    assert kind == expected
    if expected != "unc":
        assert asked == [path[:2] + "\\"]  # GetDriveTypeW is asked about the drive's root


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/mnt/clinic/practice.db", "cifs"),
        ("/srv/records/x/practice.db", "nfs4"),
        ("/mnt/clinic/local-cache/practice.db", None),  # a local mount inside the share
        ("/mnt/clinical/practice.db", None),  # a name that only starts like the share
        ("/home/fran/practice.db", None),
    ],
)
def test_linux_reads_the_mount_table(path, expected):
    assert share.network_kind(path, "linux", mounts=lambda: PROC_MOUNTS) == expected


def test_macos_reads_mount_output():
    assert share.network_kind("/Volumes/Clinic/practice.db", "darwin",
                              mounts=lambda: MAC_MOUNT) == "smbfs"  # fmt: skip
    assert share.network_kind("/Users/fran/practice.db", "darwin", mounts=lambda: MAC_MOUNT) is None


def test_a_second_pc_is_noticed_and_old_visits_are_not(tmp_path):
    db_file = tmp_path / "practice.db"
    now = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert share.note_this_pc(db_file, "FRONT-DESK-1", now) == []
    assert share.note_this_pc(db_file, "FRONT-DESK-1", now + timedelta(minutes=1)) == []
    assert share.note_this_pc(db_file, "EXAM-2", now + timedelta(minutes=5)) == ["FRONT-DESK-1"]
    later = now + timedelta(hours=2)
    assert share.note_this_pc(db_file, "EXAM-2", later) == []  # the other left long ago


def test_an_unreadable_note_counts_as_none(tmp_path):
    db_file = tmp_path / "practice.db"
    Path(f"{db_file}.pcs").write_text("{not json")
    assert share.note_this_pc(db_file, "FRONT-DESK-1") == []


def test_the_warning_points_to_postgresql(tmp_path, monkeypatch):
    db_file = tmp_path / "practice.db"
    monkeypatch.setattr(share, "on_network_share", lambda path, platform=None: True)
    assert share.several_pcs_warning(db_file, "FRONT-DESK-1") is None
    text = share.several_pcs_warning(db_file, "EXAM-2")
    assert "FRONT-DESK-1 opened it in the last 15 minutes" in text
    assert "Set up the PostgreSQL server" in text


def test_the_journal_mode_can_be_forced_for_a_rollback_journal_run(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICEBOARD_SQLITE_JOURNAL", "DELETE")
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    db.dispose()
    monkeypatch.delenv("PRACTICEBOARD_SQLITE_JOURNAL")
    db = Database(f"sqlite:///{tmp_path / 'y.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()

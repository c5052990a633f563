"""Where the app finds its bundled folders and where shared data goes."""

from __future__ import annotations

import sys

from practiceboard.core import paths
from practiceboard.core.connection import default_url
from practiceboard.db.backup import backup_folder


def test_resources_are_found_from_the_source_tree():
    for name in ("migrations", "ui", "resources"):
        assert (paths.resource_dir(name)).is_dir()


def test_a_frozen_build_looks_in_its_bundle_first(tmp_path, monkeypatch):
    bundled = tmp_path / "practiceboard" / "_data" / "ui"
    bundled.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.bundle_dir() == tmp_path
    assert paths.resource_dir("ui") == bundled


def test_not_frozen_means_no_bundle(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert paths.bundle_dir() is None


def test_machine_folder_only_on_windows_when_the_installer_made_it(tmp_path):
    env = {"ProgramData": str(tmp_path)}
    assert paths.machine_dir("win32", env) is None  # not installed: no folder yet
    (tmp_path / "PracticeBoard").mkdir()
    assert paths.machine_dir("win32", env) == tmp_path / "PracticeBoard"
    assert paths.machine_dir("linux", env) is None
    assert paths.machine_dir("win32", {**env, "PRACTICEBOARD_HOME": "x"}) is None
    assert paths.machine_dir("win32", {}) is None


def test_shared_files_go_machine_wide_but_existing_ones_stay(tmp_path):
    env = {"ProgramData": str(tmp_path / "pd")}
    machine = tmp_path / "pd" / "PracticeBoard"
    machine.mkdir(parents=True)
    personal = tmp_path / "me" / "practiceboard.db"
    assert paths.shared_place("practiceboard.db", personal, platform="win32", environ=env) == (
        machine / "practiceboard.db"
    )
    personal.parent.mkdir()
    personal.write_text("")  # this person's database from before the installer
    assert paths.shared_place("practiceboard.db", personal, platform="win32", environ=env) == (
        personal
    )
    (machine / "practiceboard.db").write_text("")  # once machine-wide, machine-wide it is
    assert paths.shared_place("practiceboard.db", personal, platform="win32", environ=env) == (
        machine / "practiceboard.db"
    )
    assert paths.shared_place("x", personal, platform="linux", environ=env) == personal


def test_database_backups_and_audit_keys_use_the_shared_place(tmp_path, monkeypatch):
    machine = tmp_path / "ProgramData" / "PracticeBoard"
    machine.mkdir(parents=True)
    monkeypatch.setattr(paths, "machine_dir", lambda *a, **k: machine)
    assert default_url() == f"sqlite:///{machine / 'practiceboard.db'}"
    assert backup_folder() == machine / "backups"
    from practiceboard.db import audit

    assert audit._key_path("abc") == machine / "audit-keys" / "abc.key"

"""The private folder opened documents go to: the user's own, files 0600, emptied."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from practiceboard.core import opened


@pytest.fixture(autouse=True)
def own_temp(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))


def test_files_are_private_and_cleared(tmp_path):
    a = opened.new_file(7, "records.pdf")
    b = opened.new_file(7, "records.pdf")
    a.write_bytes(b"x")

    assert a != b and a.name == b.name == "records.pdf"
    if sys.platform != "win32":
        assert stat.S_IMODE(a.stat().st_mode) == 0o600
        assert stat.S_IMODE(opened.folder().stat().st_mode) == 0o700
    assert opened.clear() == 2
    assert list(opened.folder().iterdir()) == []


def test_a_name_cannot_leave_the_folder():
    path = opened.new_file(3, "../../etc/passwd")
    assert opened.folder() in path.parents and path.name == "passwd"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_opened_to_others_is_made_private_again():
    base = opened.folder()
    base.chmod(0o777)
    assert stat.S_IMODE(opened.folder().stat().st_mode) == 0o700

"""One app per person per PC: a second start asks the first to show its window, then ends."""

from __future__ import annotations

from practiceboard.gui.shell.single import SingleInstance, instance_key


def test_the_second_start_knocks_and_the_first_shows_itself(qtbot, tmp_path):
    first = SingleInstance(tmp_path, "frontdesk")
    assert first.claim()
    second = SingleInstance(tmp_path, "frontdesk")
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert not second.claim()
    first.release()
    third = SingleInstance(tmp_path, "frontdesk")  # once the first ended, a start is first
    assert third.claim()
    third.release()


def test_each_person_and_each_data_folder_has_its_own(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    assert instance_key(a, "rdelgado") != instance_key(a, "dwhitcombe")
    assert instance_key(a, "rdelgado") != instance_key(b, "rdelgado")
    assert instance_key(a, "rdelgado") == instance_key(a, "rdelgado")
    first, other_user = SingleInstance(a, "rdelgado"), SingleInstance(b, "dwhitcombe")
    assert first.claim() and other_user.claim()
    first.release(), other_user.release()

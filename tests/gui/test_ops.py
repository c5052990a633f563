"""Operations (kit/ops.py): a call off the GUI thread, one sentence for any error, and
the Change it made announced on data_changed; views refresh only for their kinds."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from practiceboard.domain.errors import ValidationError, first_line
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.errors import TRY_AGAIN, sentence
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.views.lists.views import QueueView


def test_a_practice_error_keeps_its_own_sentence():
    assert sentence(ValidationError("Pick a workflow.", "workflow")) == "Pick a workflow."


def test_any_other_error_gets_the_fallback_with_the_plain_cause_of_the_driver_error():
    driver = OperationalError("SELECT 1", {}, Exception("server closed\nmore detail"))
    assert first_line(driver) == "server closed"
    assert (
        sentence(driver, "Could not reach it ({detail}).")
        == "Could not reach it (the database server did not answer)."
    )
    assert sentence(RuntimeError("boom")) == TRY_AGAIN


def test_change_touches_its_kinds_and_everything_touches_all():
    one = Change.of(Kind.TASK, 7)
    assert one.touches(Kind.TASK) and not one.touches(Kind.SAVED_FILTER)
    assert one.touches_id(Kind.TASK, 7) and not one.touches_id(Kind.TASK, 8)
    assert Change.of(Kind.TASK).touches_id(Kind.TASK, 8)  # no ids known: maybe
    both = one | Change.of(Kind.PATIENT, 3)
    assert both.ids_of(Kind.PATIENT) == {3} and both.touches(Kind.PATIENT)
    every = Change.everything()
    assert all(every.touches(k) for k in Kind) and every.touches_id(Kind.USER, 1)


def test_a_successful_write_announces_its_change_after_the_callback(qtbot, ctx, wait_idle):
    seen: list[object] = []
    ctx.signals.data_changed.connect(seen.append)

    def service(db, actor, value, *, twice=False):
        return value * (2 if twice else 1)

    Op(ctx, service, 21, twice=True).changes(lambda result: Change.of(Kind.TASK, result)).success(
        lambda result: seen.append(("done", result))
    ).run()
    wait_idle()
    assert seen == [("done", 42), Change.of(Kind.TASK, 42)]


def test_a_read_announces_nothing(qtbot, ctx, wait_idle):
    seen: list[object] = []
    ctx.signals.data_changed.connect(seen.append)
    got: list[int] = []
    Op(ctx, lambda db, actor: 5).success(got.append).run()
    wait_idle()
    assert got == [5] and seen == []


def test_a_failure_brings_one_sentence_and_no_change(qtbot, ctx, wait_idle):
    seen: list[object] = []
    ctx.signals.data_changed.connect(seen.append)
    failures: list[tuple[type, str]] = []

    def refuse(db, actor):
        raise ValidationError("That name is taken.", "name")

    Op(ctx, refuse).changes(Change.of(Kind.SAVED_FILTER)).failure(
        lambda exc, text: failures.append((type(exc), text))
    ).run()
    wait_idle()
    assert failures == [(ValidationError, "That name is taken.")] and seen == []


def test_without_a_failure_callback_the_sentence_is_shown(qtbot, ctx, wait_idle, messages):
    def broken(db, actor):
        raise RuntimeError("bug")

    Op(ctx, broken).report_to(None, "Not saved").run()
    wait_idle()
    assert messages.log[-1] == ("Not saved", TRY_AGAIN)


@pytest.mark.parametrize(
    ("change", "reloads"),
    [
        (Change.of(Kind.TASK, 1), True),
        (Change.everything(), True),
        (Change.of(Kind.SAVED_FILTER, 1), False),
        (Change.of(Kind.CARE_PLAN), False),
    ],
)
def test_a_list_view_reloads_only_when_the_change_touches_tasks(
    qtbot, ctx, wait_idle, change, reloads
):
    view = QueueView(ctx)
    qtbot.addWidget(view)
    view.show()
    wait_idle()
    before = view._ticket
    ctx.signals.data_changed.emit(change)
    wait_idle()
    assert (view._ticket > before) is reloads


def test_another_pcs_change_is_everything_and_waits_for_a_hold(qtbot, ctx):
    from practiceboard.gui.shell.live import LiveUpdates

    seen: list[object] = []
    ctx.signals.data_changed.connect(seen.append)
    live = LiveUpdates(ctx)  # not started: the watcher thread is not needed here
    hold = live.hold()  # a drag in progress, or unsaved edits
    live._noticed()
    assert seen == [] and live.pending
    hold.release()
    assert seen == [Change.everything()]

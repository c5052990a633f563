"""Other PCs' changes reach an open window: data_version polling on SQLite,
LISTEN/NOTIFY on PostgreSQL, held while a drag or an editor is open."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

from practiceboard.db.engine import Database
from practiceboard.gui.kit.change import Change
from practiceboard.gui.shell import live
from practiceboard.gui.shell.live import LiveUpdates
from practiceboard.gui.shell.main_window import MainWindow
from support import make_staff, status_id, wf_id

from .helpers import new_records_task, open_board

SECOND_PC = textwrap.dedent(
    """
    import sys
    from practiceboard.db.engine import Database
    from practiceboard.services import tasks
    from practiceboard.core.actor import Actor
    url, user_id, username, title, records = sys.argv[1:6]
    db = Database(url, workstation="front-desk-2")
    actor = Actor(int(user_id), username, username, "front-desk-2")
    draft = tasks.TaskDraft(
        int(records), title, owner_id=int(user_id), extra={"records_from": "Valley"}
    )
    tasks.create_task(db, actor, draft)
    db.dispose()
    """
)


def run_second_pc(db: Database, actor, title: str) -> subprocess.Popen:
    """Another process on the same database, as another PC would be."""
    records = str(wf_id(db, "records"))  # the records-request workflow, looked up by key
    args = [
        sys.executable, "-c", SECOND_PC, db.url, str(actor.user_id), actor.username, title,
        records,
    ]  # fmt: skip
    return subprocess.Popen(args, env=dict(os.environ), stderr=subprocess.PIPE, text=True)


@pytest.fixture
def watching(qtbot, ctx):
    """Live updates on the test's context, polling quickly; stopped at the end."""
    started: list[LiveUpdates] = []

    def start(context=None, interval: float = 0.05) -> LiveUpdates:
        updates = LiveUpdates(context or ctx, interval=interval)
        with qtbot.waitSignal(updates.ready, timeout=10_000):
            updates.start()
        started.append(updates)
        return updates

    yield start
    for updates in started:
        updates.stop()


def test_a_second_process_change_appears_after_the_refresh_tick(
    qtbot, ctx_for, signed_in, gui_staff, qt_settings, wait_idle
):
    # GIVEN the front desk's window open on My queue, watching the database
    actor = gui_staff.front_desk
    window = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    wait_idle()
    queue = window.views["queue"]
    assert queue.owned.cards().rowCount() == 0
    with qtbot.waitSignal(window.live.ready, timeout=10_000):
        window.live.start()

    # WHEN another PC creates a task for them
    with qtbot.waitSignal(window.ctx.signals.data_changed, timeout=20_000):
        second = run_second_pc(gui_staff.db, actor, "Created on the other PC")
        _, errors = second.communicate(timeout=60)
        assert second.returncode == 0, errors

    # THEN the card shows up without anyone pressing F5
    qtbot.waitUntil(lambda: queue.owned.cards().rowCount() == 1, timeout=10_000)
    assert queue.owned.cards().rows[0].title == "Created on the other PC"
    window.close()
    assert not window.live.running


def test_changes_wait_while_held_and_arrive_once_on_release(qtbot, ctx, gui_staff, watching):
    updates = watching()
    seen: list[int] = []
    ctx.signals.data_changed.connect(lambda: seen.append(1))

    with live.hold(ctx) as held:  # a drag in progress
        assert updates.held
        new_records_task(ctx.db, gui_staff.front_desk, "First while dragging")
        qtbot.waitUntil(lambda: updates.pending, timeout=10_000)
        new_records_task(ctx.db, gui_staff.front_desk, "Second while dragging")
        assert seen == []
    assert not updates.held and not updates.pending
    assert seen == [1]
    held.release()  # a second release does nothing
    assert not updates.held


def test_holds_nest(ctx, watching):
    updates = watching()
    outer = live.hold(ctx)
    inner = live.hold(ctx)
    inner.release()
    assert updates.held
    outer.release()
    assert not updates.held


def test_a_hold_without_live_updates_does_nothing(ctx):
    """A view under test (no LiveUpdates running) may hold: the hold swallows nothing,
    and its own changes still reach the views at once."""
    seen: list[int] = []
    ctx.signals.data_changed.connect(lambda _change: seen.append(1))
    assert live.current(ctx) is None
    with live.hold(ctx) as held:
        ctx.signals.data_changed.emit(Change.everything())
        assert seen == [1]
    assert seen == [1]  # nothing kept back to announce on release
    held.release()
    assert live.current(ctx) is None


@pytest.mark.postgres
def test_a_commit_on_another_connection_refreshes_the_open_board(
    qtbot, pg_db, ctx_for, watching, wait_idle
):
    """Not only the signal: the board on the screen shows the new card by itself."""
    staff = make_staff(pg_db)
    me = staff.front_desk
    context = ctx_for(me, pg_db)
    view = open_board(qtbot, context, wait_idle, "records")
    assert view.cards == {}
    watching(context, interval=0.2)

    other_pc = Database(pg_db.url, workstation="front-desk-2")
    try:
        new_records_task(other_pc, me, "Written on the other PC")
    finally:
        other_pc.dispose()

    qtbot.waitUntil(lambda: len(view.cards) == 1, timeout=10_000)
    assert [c.title for c in view.cards.values()] == ["Written on the other PC"]
    assert view.pane(status_id(pg_db, "records", "new")).model.card_count() == 1


@pytest.mark.postgres
def test_a_rolled_back_write_stays_silent(qtbot, pg_db, ctx_for, watching):
    staff = make_staff(pg_db)
    context = ctx_for(staff.front_desk, pg_db)
    updates = watching(context, interval=0.2)

    with qtbot.assertNotEmitted(updates.changed, wait=2_000):
        with pytest.raises(RuntimeError, match="changed my mind"):
            with pg_db.write() as s:
                s.execute(text("UPDATE settings SET value = value WHERE key = 'calendar'"))
                raise RuntimeError("changed my mind")

    with qtbot.waitSignal(updates.changed, timeout=10_000):  # the same write, committed
        with pg_db.write() as s:
            s.execute(text("UPDATE settings SET value = value WHERE key = 'calendar'"))


@pytest.mark.postgres
def test_postgres_notifications_reach_the_window(qtbot, pg_db, ctx_for, watching):
    staff = make_staff(pg_db)
    context = ctx_for(staff.front_desk, pg_db)
    watching(context, interval=0.2)
    with qtbot.waitSignal(context.signals.data_changed, timeout=10_000):
        new_records_task(pg_db, staff.front_desk, "Written on the server")


def test_an_unreachable_server_shows_offline(qtbot, ctx, runner):
    from practiceboard.gui.kit.context import AppContext

    gone = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", workstation="test-pc")
    context = AppContext(gone, ctx.actor, ctx.policy, runner)
    updates = LiveUpdates(context, interval=0.05)
    try:
        with qtbot.waitSignal(updates.offline_changed, timeout=10_000) as got:
            updates.start()
        offline, text = got.args
        assert offline and updates.offline
        assert text.startswith("Offline: the database server cannot be reached")
        assert text.endswith("Retrying…")
    finally:
        updates.stop()
        gone.dispose()


def test_the_window_shows_when_it_is_offline(qtbot, ctx_for, signed_in, gui_staff, qt_settings):
    actor = gui_staff.front_desk
    window = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.live.offline_changed.emit(True, "Offline: the database server cannot be reached.")
    assert window.offline_label.isVisible()
    window.live.offline_changed.emit(False, "")
    assert not window.offline_label.isVisible()

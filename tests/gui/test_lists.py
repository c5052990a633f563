"""My queue, Needs attention and Search over a real SQLite database, driven like a user:
what rows show in which order, why stuck work is stuck, filters, paging, Enter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select, update

from practiceboard.core.rows import TaskFilter
from practiceboard.db.models import Setting, Task
from practiceboard.gui.kit.change import Change
from practiceboard.gui.views.lists import views
from practiceboard.gui.views.lists.model import TASK_ID_ROLE
from practiceboard.gui.views.lists.views import AttentionView, QueueView, SearchView
from practiceboard.services import task_actions
from support import START, new_task, status_id, wf_id


@pytest.fixture
def world(sqlite_db, gui_staff, clock):
    """The default staff, in a practice on Chicago time (business hours are local)."""
    with sqlite_db.write() as s:
        row = s.get(Setting, "calendar")
        row.value = {**row.value, "timezone": "America/Chicago"}
    return gui_staff


def refs(table) -> list[str]:
    return [c.ref for c in table.cards().rows]


def titles(table) -> list[str]:
    return [c.title for c in table.cards().rows]


def shown(qtbot, view, ctx) -> None:
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitUntil(lambda: view.loaded_once and not ctx.runner.busy, timeout=10_000)


# ---------------------------------------------------------------- My queue


def test_my_queue_is_most_urgent_first_and_watched_tasks_have_their_own_section(
    qtbot, ctx_for, wait_idle, world, clock
):
    db, fd = world.db, world.front_desk
    old = new_task(db, fd, "referral", "Oldest plain", owner_id=fd.user_id)
    clock.advance(days=7)  # "old" is now far past the New status's breach limit
    today = clock.now.date()
    newer = new_task(db, fd, "referral", "Newer plain", owner_id=fd.user_id)
    due_today = new_task(db, fd, "referral", "Due today", owner_id=fd.user_id, due_date=today)
    overdue = new_task(
        db, fd, "referral", "Overdue", owner_id=fd.user_id, due_date=today - timedelta(days=2)
    )
    theirs = new_task(
        db, world.clinical, "referral", "Someone else's", owner_id=world.clinical.user_id
    )
    task_actions.watch(db, fd, theirs.id)
    clock.advance(minutes=5)
    ctx = ctx_for(fd)

    view = QueueView(ctx)
    shown(qtbot, view, ctx)

    assert titles(view.owned)[0] == "Oldest plain"  # breached
    assert refs(view.owned) == [old.ref, overdue.ref, due_today.ref, newer.ref]
    assert refs(view.watched) == [theirs.ref]
    assert view.heading.text() == "My tasks (4)" and view.watch_heading.text() == "Watching (1)"


def test_a_filter_narrows_both_parts_of_the_queue(qtbot, ctx_for, wait_idle, world):
    db, fd = world.db, world.front_desk
    new_task(db, fd, "referral", "Cardiology referral", owner_id=fd.user_id, payer="Aetna")
    new_task(db, fd, "referral", "Dermatology referral", owner_id=fd.user_id)
    watched = new_task(db, world.clinical, "referral", "Aetna records",
                       owner_id=world.clinical.user_id, payer="Aetna")  # fmt: skip
    task_actions.watch(db, fd, watched.id)
    other = new_task(db, world.clinical, "referral", "Other", owner_id=world.clinical.user_id)
    task_actions.watch(db, fd, other.id)
    ctx = ctx_for(fd)
    view = QueueView(ctx)
    shown(qtbot, view, ctx)
    assert len(view.owned.cards().rows) == 2 and len(view.watched.cards().rows) == 2

    view.set_filter(TaskFilter(payers=("Aetna",)))
    wait_idle()
    assert titles(view.owned) == ["Cardiology referral"]
    assert titles(view.watched) == ["Aetna records"]

    view.set_filter(TaskFilter(text="nothing like this"))
    wait_idle()
    assert view.owned_section.empty.text() == "None of your tasks match this filter."


def test_an_empty_queue_says_so(qtbot, ctx_for, wait_idle, world):
    ctx = ctx_for(world.billing)
    view = QueueView(ctx)
    shown(qtbot, view, ctx)

    assert view.owned_section.currentWidget() is view.owned_section.empty
    assert view.owned_section.empty.text() == "Nothing in your queue. Nice."


def test_enter_and_double_click_open_the_selected_task(qtbot, ctx_for, wait_idle, world):
    db, fd = world.db, world.front_desk
    first = new_task(db, fd, "referral", "First", owner_id=fd.user_id)
    ctx = ctx_for(fd)
    view = QueueView(ctx)
    shown(qtbot, view, ctx)

    view.owned.setFocus()
    view.owned.selectRow(0)
    with qtbot.waitSignal(view.task_activated) as opened:
        qtbot.keyClick(view.owned, Qt.Key.Key_Return)
    assert opened.args == [first.id] and view.current_task_id() == first.id

    index = view.owned.cards().index(0, 1)
    with qtbot.waitSignal(view.task_activated) as opened:
        view.owned.doubleClicked.emit(index)
    assert opened.args == [first.id]


def test_the_selection_survives_a_refresh(qtbot, ctx_for, wait_idle, world):
    db, fd = world.db, world.front_desk
    new_task(db, fd, "referral", "A", owner_id=fd.user_id)
    b = new_task(db, fd, "referral", "B", owner_id=fd.user_id)
    ctx = ctx_for(fd)
    view = QueueView(ctx)
    shown(qtbot, view, ctx)
    view.owned.select_task(b.id)

    new_task(db, fd, "referral", "C", owner_id=fd.user_id)
    ctx.signals.data_changed.emit(Change.everything())
    wait_idle()

    assert len(view.owned.cards().rows) == 3 and view.current_task_id() == b.id


# ---------------------------------------------------------------- Needs attention


def test_needs_attention_says_why_each_task_is_stuck(qtbot, ctx_for, wait_idle, world, clock):
    db, fd = world.db, world.front_desk
    untouched = new_task(db, fd, "referral", "Forgotten referral", owner_id=fd.user_id)
    clock.advance(days=6)
    overdue = new_task(
        db, world.clinical, "records", "Late records", owner_id=world.clinical.user_id,
        due_date=clock.now.date() - timedelta(days=3),
    )  # fmt: skip
    fine = new_task(db, fd, "referral", "Fresh", owner_id=fd.user_id)
    ctx = ctx_for(world.manager)

    view = AttentionView(ctx)
    shown(qtbot, view, ctx)

    why = {c.ref: view.table.cards().data(view.table.cards().index(i, 2))
           for i, c in enumerate(view.table.cards().rows)}  # fmt: skip
    assert set(why) == {untouched.ref, overdue.ref} and fine.ref not in why
    assert "Untouched for 6d" in why[untouched.ref] and "Past its time limit" in why[untouched.ref]
    assert why[overdue.ref].startswith("Overdue by 3 days")
    model = view.table.cards()
    tip = model.data(
        model.index(refs(view.table).index(untouched.ref), 2), Qt.ItemDataRole.ToolTipRole
    )
    assert "In “New” for 6d, past the time limit for that step." in tip
    assert view.heading.text() == "2 tasks need attention"


def test_needs_attention_filters_by_owner_and_workflow(qtbot, ctx_for, wait_idle, world, clock):
    db, fd = world.db, world.front_desk
    mine = new_task(db, fd, "referral", "Mine", owner_id=fd.user_id)
    records = new_task(db, world.clinical, "records", "Records", owner_id=world.clinical.user_id)
    clock.advance(days=6)
    ctx = ctx_for(world.manager)
    view = AttentionView(ctx)
    shown(qtbot, view, ctx)
    assert set(refs(view.table)) == {mine.ref, records.ref}

    view.set_filter(TaskFilter(owner_ids=(fd.user_id,)))
    wait_idle()
    assert refs(view.table) == [mine.ref]

    view.set_filter(TaskFilter(workflow_ids=(wf_id(db, "records"),)))
    wait_idle()
    assert refs(view.table) == [records.ref]

    view.set_filter(TaskFilter(workflow_ids=(wf_id(db, "billing"),)))
    wait_idle()
    assert view.section.empty.text() == "Nothing needs attention with these filters."


def test_nothing_stuck_shows_the_calm_message(qtbot, ctx_for, wait_idle, world):
    new_task(world.db, world.front_desk, "referral", "Fresh", owner_id=world.front_desk.user_id)
    ctx = ctx_for(world.manager)
    view = AttentionView(ctx)
    shown(qtbot, view, ctx)

    assert view.section.currentWidget() is view.section.empty
    assert view.section.empty.text() == "Nothing needs attention. Nice."


# ---------------------------------------------------------------- Search


@pytest.fixture
def search_world(world, clock):
    """Six tasks across workflows, owners, payers, providers and due dates."""
    db, fd, cl, bi = world.db, world.front_desk, world.clinical, world.billing
    today = clock.now.date()
    prov = world.provider.user_id
    made = {
        "cardio": new_task(db, fd, "referral", "Cardiology referral", owner_id=fd.user_id,
                           payer="Aetna", due_date=today),
        "derm": new_task(db, fd, "referral", "Dermatology referral", owner_id=cl.user_id,
                         payer="Cigna", provider_id=prov),
        "mri": new_task(db, cl, "prior_auth", "MRI prior auth", owner_id=bi.user_id,
                        payer="Aetna", due_date=today + timedelta(days=10)),
        "claim": new_task(db, bi, "billing", "Denied claim 100%", owner_id=bi.user_id,
                          due_date=today - timedelta(days=2)),
        "under": new_task(db, fd, "records", "Records_for_x", owner_id=fd.user_id),
        "html": new_task(db, fd, "referral", "<b>x</b>", owner_id=fd.user_id),
    }  # fmt: skip
    return made


def searched(qtbot, view, ctx, filt: TaskFilter) -> set[str]:
    view.set_filter(filt)
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=10_000)
    return {c.title for c in view.table.cards().rows}


def test_search_by_words_and_each_filter(qtbot, ctx_for, wait_idle, world, search_world, clock):
    db = world.db
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)
    everything = {"Cardiology referral", "Dermatology referral", "MRI prior auth",
                  "Denied claim 100%", "Records_for_x", "<b>x</b>"}  # fmt: skip
    today = clock.now.date()

    assert searched(qtbot, view, ctx, TaskFilter(text="referral")) == {
        "Cardiology referral", "Dermatology referral"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(text=search_world["mri"].ref.lower())) == {
        "MRI prior auth"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(workflow_ids=(wf_id(db, "billing"),))) == {
        "Denied claim 100%"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(categories=("new",))) == everything
    assert searched(qtbot, view, ctx, TaskFilter(status_ids=(status_id(db, "records", "new"),)))\
        == {"Records_for_x"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(owner_ids=(world.billing.user_id,))) == {
        "MRI prior auth", "Denied claim 100%"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(role_keys=("clinical",))) == {
        "Dermatology referral"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(location_ids=(1,))) == everything
    assert searched(qtbot, view, ctx, TaskFilter(payers=("Aetna",))) == {
        "Cardiology referral", "MRI prior auth"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(provider_ids=(world.provider.user_id,))) == {
        "Dermatology referral"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(due_from=today, due_to=today)) == {
        "Cardiology referral"}  # fmt: skip
    assert searched(qtbot, view, ctx, TaskFilter(needs_attention=True)) == {"Denied claim 100%"}
    # Combined: every part must hold.
    assert searched(
        qtbot, view, ctx, TaskFilter(payers=("Aetna",), owner_ids=(world.billing.user_id,))
    ) == {"MRI prior auth"}
    assert searched(qtbot, view, ctx, TaskFilter(payers=("Aetna",), text="derm")) == set()
    assert view.section.empty.text() == "No tasks match. Try fewer words or remove a filter."
    # Clear: the bar's Clear button empties the filter and the view shows everything again.
    view.filter_bar.set_filter(TaskFilter(text="derm"), emit=True)
    wait_idle()
    qtbot.mouseClick(view.filter_bar.clear_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert view.filter().is_empty() and {c.title for c in view.table.cards().rows} == everything


@pytest.mark.parametrize(
    "text, expected",
    [
        ("'; DROP TABLE tasks; --", set()),
        ("%", {"Denied claim 100%"}),
        ("_", {"Records_for_x"}),
        ("100%", {"Denied claim 100%"}),
        ("\\", set()),
    ],
)
def test_sql_metacharacters_are_just_text(
    qtbot, ctx_for, wait_idle, world, search_world, text, expected
):
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)

    assert searched(qtbot, view, ctx, TaskFilter(text=text)) == expected
    assert "Could not load" not in view.section.empty.text()
    with world.db.read() as s:
        assert s.scalar(select(Task.id).limit(1)) is not None  # the table is still there


def test_markup_in_a_title_is_shown_literally(qtbot, ctx_for, wait_idle, world, search_world):
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)
    searched(qtbot, view, ctx, TaskFilter(text="<b>"))

    model = view.table.cards()
    assert model.data(model.index(0, 1)) == "<b>x</b>"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.UserRole + 77) is None


def test_search_pages_and_sorts_in_sql(qtbot, ctx_for, wait_idle, world, search_world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)
    view.table.horizontalHeader().sectionClicked.emit(0)  # Ref, ascending
    wait_idle()
    first_page = refs(view.table)
    assert view.summary.text() == "Showing 1–4 of 6 tasks"
    assert not view.previous.isEnabled() and view.next.isEnabled()

    qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    wait_idle()
    assert view.summary.text() == "Showing 5–6 of 6 tasks" and not view.next.isEnabled()
    all_refs = first_page + refs(view.table)
    assert all_refs == sorted(all_refs)

    view.table.horizontalHeader().sectionClicked.emit(0)  # again: descending, first page
    wait_idle()
    assert refs(view.table) == sorted(all_refs, reverse=True)[:4]
    assert view.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_closed_tasks_only_when_asked(qtbot, ctx_for, wait_idle, world, search_world):
    db = world.db
    with db.write() as s:
        s.execute(update(Task).where(Task.title == "MRI prior auth").values(closed_at=START))
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)

    assert searched(qtbot, view, ctx, TaskFilter(text="MRI")) == set()
    assert searched(qtbot, view, ctx, TaskFilter(text="MRI", include_closed=True)) == {
        "MRI prior auth"}  # fmt: skip


def test_a_row_knows_its_task(qtbot, ctx_for, wait_idle, world, search_world):
    ctx = ctx_for(world.manager)
    view = SearchView(ctx)
    shown(qtbot, view, ctx)
    searched(qtbot, view, ctx, TaskFilter(text="Cardiology"))

    model = view.table.cards()
    assert model.data(model.index(0, 0), TASK_ID_ROLE) == search_world["cardio"].id


def test_high_priority_and_new_to_you_wear_markers(qapp):
    from practiceboard.gui.kit import theme
    from practiceboard.gui.views.lists.model import CardTableModel, badges

    from .helpers import card

    model = CardTableModel()
    model.set_rows([card(id=1, priority=2), card(id=2, priority=1), card(id=3, new_to_you=True)])
    title = model.columns.index("title")
    marker = model.data(model.index(0, title), Qt.ItemDataRole.DecorationRole)
    assert marker is not None and marker.cacheKey() == theme.icon("priority").cacheKey()
    assert model.data(model.index(1, title), Qt.ItemDataRole.DecorationRole) is None
    assert "High priority" in model.data(model.index(0, title), Qt.ItemDataRole.ToolTipRole)
    assert badges(model.card(0)) == ["priority"] and badges(model.card(2)) == ["fresh"]
    badge_col = model.columns.index("badges")
    assert model.data(model.index(2, badge_col)) == "New to you"


@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing"
)
@pytest.mark.parametrize("how", ["m", "menu_key", "right_click"])
def test_m_the_menu_key_and_right_click_offer_the_rows_actions_in_every_list(
    qtbot, ctx_for, wait_idle, world, how
):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    db, fd = world.db, world.front_desk
    task = new_task(db, fd, "referral", "Move me", owner_id=fd.user_id)
    ctx = ctx_for(fd)
    for view in (QueueView(ctx), SearchView(ctx)):
        shown(qtbot, view, ctx)
        if isinstance(view, SearchView):
            view.set_filter(TaskFilter(text="Move me"))
            wait_idle()
        table = view.owned if isinstance(view, QueueView) else view.table
        table.setFocus()
        table.selectRow(0)
        if how == "m":
            qtbot.keyClick(table, Qt.Key.Key_M)
        elif how == "menu_key":
            at = QPoint(5, 5)
            event = QContextMenuEvent(
                QContextMenuEvent.Reason.Keyboard, at, table.viewport().mapToGlobal(at)
            )
            QApplication.sendEvent(table.viewport(), event)
        else:
            rect = table.visualRect(table.cards().index(0, 1))
            event = QContextMenuEvent(
                QContextMenuEvent.Reason.Mouse,
                rect.center(),
                table.viewport().mapToGlobal(rect.center()),
            )
            QApplication.sendEvent(table.viewport(), event)
        wait_idle()
        qtbot.waitUntil(lambda v=view: getattr(v, "menu", None) is not None, timeout=5000)
        texts = [a.text() for a in view.menu.actions()]
        assert texts[0] == f"Open {task.ref}" and "Move to" in texts
        view.menu.close()
    # The menu's move works from a list too: Ready to schedule needs no reason.
    view = QueueView(ctx)
    shown(qtbot, view, ctx)
    view.owned.selectRow(0)
    qtbot.keyClick(view.owned, Qt.Key.Key_M)
    qtbot.waitUntil(lambda: getattr(view, "menu", None) is not None, timeout=5000)
    ready = next(a for a in view.menu.actions() if a.text().startswith("Ready to schedule"))
    ready.trigger()
    wait_idle()
    with db.read() as s:
        assert s.get(Task, task.id).status_id == status_id(db, "referral", "ready")


def test_the_watching_pane_is_as_tall_as_its_rows_and_folds(
    qtbot, ctx_for, wait_idle, world, qt_settings
):
    db, fd = world.db, world.front_desk
    for n in range(3):
        new_task(db, fd, "referral", f"Mine {n}", owner_id=fd.user_id)
    theirs = new_task(db, world.clinical, "referral", "Theirs", owner_id=world.clinical.user_id)
    task_actions.watch(db, fd, theirs.id)
    ctx = ctx_for(fd)
    view = QueueView(ctx)
    shown(qtbot, view, ctx)
    wait_idle()
    assert view.watched.cards().rowCount() == 1
    row = view.watched.verticalHeader().defaultSectionSize()
    assert view.watched_section.height() <= row * 4  # one row, a header and a margin
    assert view.owned_section.height() > 2 * view.watched_section.height()

    view.watch_toggle.click()  # fold it: remembered on this PC
    assert not view.watched_section.isVisible()
    again = QueueView(ctx)
    shown(qtbot, again, ctx)
    assert not again.watch_toggle.isChecked() and not again.watched_section.isVisible()
    again.watch_toggle.click()
    assert again.watched_section.isVisible()


def test_columns_fit_their_contents_and_the_title_keeps_room(qapp, qtbot):
    from practiceboard.gui.views.lists.model import CardTableModel
    from practiceboard.gui.views.lists.table import TITLE_MIN, TaskTable

    from .helpers import card

    table = TaskTable(CardTableModel())
    qtbot.addWidget(table)
    table.resize(1400, 400)
    table.show()
    long_owner = "Dr. Alexandra Monte"  # longer than the header and the default width
    table.set_cards([card(id=1, owner_name=long_owner), card(id=2)], date(2026, 3, 4))
    cols = table.cards().columns
    head = table.horizontalHeader()
    owner, badges = cols.index("owner"), cols.index("badges")
    assert head.sectionSize(owner) >= table.fontMetrics().horizontalAdvance(long_owner)
    badge_header = head.fontMetrics().horizontalAdvance("Badges") + 24
    assert head.sectionSize(badges) == badge_header  # empty: shrunk to its header
    assert table.cards().data(
        table.cards().index(0, cols.index("ref")), Qt.ItemDataRole.ToolTipRole
    )

    table.resize(700, 400)  # a narrow window: the widest columns give way to the title
    qtbot.wait(10)
    title = head.sectionSize(cols.index("title"))
    assert title >= TITLE_MIN * table.fontMetrics().averageCharWidth() - 4

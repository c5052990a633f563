"""The filter bar: pickers build one combined TaskFilter, the active parts show as chips
that remove themselves, Clear empties it, and saved filters come back per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel

from practiceboard.core.rows import TaskFilter
from practiceboard.gui.views.lists.filter_bar import FilterBar
from practiceboard.queries import lookups
from practiceboard.services.tasks import TaskDraft, create_task


@pytest.fixture
def bar(qtbot, ctx, wait_idle) -> FilterBar:
    widget = FilterBar(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 90)
    widget.show()
    wait_idle()
    return widget


def action(bar: FilterBar, menu_key: str, text: str, submenu: str | None = None):
    menu = bar.menus[menu_key].menu()
    if submenu is not None:
        menu = next(a.menu() for a in menu.actions() if a.menu() and a.text() == submenu)
    return next(a for a in menu.actions() if a.text() == text)


def emitted(bar: FilterBar) -> list[TaskFilter]:
    seen: list[TaskFilter] = []
    bar.filter_changed.connect(seen.append)
    return seen


def test_pickers_combine_into_one_filter(bar, ctx, gui_staff):
    seen = emitted(bar)
    action(bar, "owner", "Fran Front").trigger()
    action(bar, "owner", "Cleo Clinical").trigger()
    action(bar, "status", "Waiting").trigger()
    action(bar, "status", "Ready to schedule", submenu="Referral intake").trigger()
    action(bar, "role", "Billing").trigger()
    action(bar, "location", "Main office").trigger()
    action(bar, "provider", "Dr. Pat Provider").trigger()
    action(bar, "workflow", "Records request").trigger()
    bar.attention.setChecked(True)

    f = bar.filter()
    assert f.owner_ids == (gui_staff.front_desk.user_id, gui_staff.clinical.user_id)
    assert f.categories == ("waiting",) and len(f.status_ids) == 1
    assert f.role_keys == ("billing",) and f.location_ids == (1,)
    assert f.provider_ids == (gui_staff.provider.user_id,) and f.needs_attention
    assert f.workflow_ids == (next(w.id for w in lookups.workflows(ctx.db, ctx.actor)
                                   if w.name == "Records request"),)  # fmt: skip
    assert seen[-1] == f and len(seen) == 9
    assert bar.chip_texts() == [
        "Workflow: Records request", "Stage: Waiting", "Status: Referral intake: Ready to schedule",
        "Owner: Fran Front, Cleo Clinical", "Role: Billing", "Location: Main office",
        "Provider: Dr. Pat Provider", "Needs attention",
    ]  # fmt: skip


def test_a_chip_removes_its_part_and_clear_removes_all(qtbot, bar, gui_staff):
    action(bar, "owner", "Fran Front").trigger()
    bar.attention.setChecked(True)
    owner_chip = next(c for c in bar.chips if c.property("fullText").startswith("Owner"))

    qtbot.mouseClick(owner_chip, Qt.MouseButton.LeftButton)
    assert bar.filter() == TaskFilter(needs_attention=True)
    assert not action(bar, "owner", "Fran Front").isChecked()
    assert bar.chip_texts() == ["Needs attention"]

    seen = emitted(bar)
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert bar.filter().is_empty() and seen == [TaskFilter()]
    assert bar.chips == [] and not bar.no_filter.isHidden()
    assert not bar.attention.isChecked() and not bar.clear_button.isEnabled()


def test_text_goes_out_after_a_pause_or_at_once_on_enter(qtbot, bar):
    seen = emitted(bar)
    qtbot.keyClicks(bar.text, "cardio")
    assert seen == []  # not on every keystroke
    qtbot.waitUntil(lambda: seen == [TaskFilter(text="cardio")], timeout=3000)

    qtbot.keyClicks(bar.text, "logy")
    qtbot.keyClick(bar.text, Qt.Key.Key_Return)
    assert seen[-1] == TaskFilter(text="cardiology")
    assert bar.chip_texts() == ["Text: “cardiology”"]


def test_due_presets_and_a_custom_range(bar):
    today = bar.today()
    action(bar, "due", "Overdue").trigger()
    assert (bar.filter().due_from, bar.filter().due_to) == (None, today - timedelta(days=1))
    assert bar.chip_texts() == ["Due: overdue"]

    action(bar, "due", "Due today").trigger()
    assert bar.chip_texts() == ["Due: Today"]
    assert (bar.filter().due_from, bar.filter().due_to) == (today, today)

    bar.due_from.setDate(bar.due_from.date().addDays(10))
    bar.due_to.setDate(bar.due_to.date().addDays(2))
    bar._apply_custom_due()  # the Apply button inside the Due menu
    assert (bar.filter().due_from, bar.filter().due_to) == (
        today + timedelta(days=2), today + timedelta(days=10))  # fmt: skip

    action(bar, "due", "Any due date").trigger()
    assert bar.filter().is_empty()


def test_payers_and_names_with_markup_or_ampersands_stay_literal(qtbot, ctx, gui_staff, wait_idle):
    wf = next(w.id for w in lookups.workflows(ctx.db, ctx.actor) if w.name == "Referral intake")
    create_task(ctx.db, ctx.actor, TaskDraft(wf, "t", payer="Blue Cross & Blue Shield",
                                             extra={"referred_to": "x"}))  # fmt: skip
    gui_staff.add("odd", ["front_desk"], "<b>x</b>")
    bar = FilterBar(ctx)
    qtbot.addWidget(bar)
    wait_idle()

    action(bar, "payer", "Blue Cross && Blue Shield").trigger()
    action(bar, "owner", "<b>x</b>").trigger()

    assert bar.filter().payers == ("Blue Cross & Blue Shield",)
    assert bar.chip_texts() == ["Owner: <b>x</b>", "Payer: Blue Cross & Blue Shield"]


def test_save_pick_and_delete_a_saved_filter(qtbot, bar, ctx, wait_idle, messages):
    action(bar, "owner", "Fran Front").trigger()
    bar.attention.setChecked(True)
    mine = bar.filter()

    bar.saved.save_as("My stuck work")
    wait_idle()
    assert [r.name for r in lookups.saved_filters(ctx.db, ctx.actor)] == ["My stuck work"]
    assert bar.saved.combo.currentText() == "My stuck work" and bar.saved.delete_button.isEnabled()

    bar.clear()
    seen = emitted(bar)
    bar.saved.pick("My stuck work")
    assert bar.filter() == mine and seen == [mine]
    assert bar.chip_texts() == ["Owner: Fran Front", "Needs attention"]

    qtbot.mouseClick(bar.saved.delete_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert messages.log[-1] == ("Delete filter", "Delete the saved filter “My stuck work”?")
    assert lookups.saved_filters(ctx.db, ctx.actor) == []
    assert bar.saved.combo.count() == 1 and not bar.saved.delete_button.isEnabled()


def test_a_refused_name_asks_again_with_what_was_typed(qtbot, bar, ctx, wait_idle):
    bar.attention.setChecked(True)
    bar.saved.save_as("Stuck")
    wait_idle()
    action(bar, "owner", "Fran Front").trigger()

    bar.saved.save_as("stuck")
    wait_idle()

    prompt = bar.findChild(QInputDialog)
    qtbot.addWidget(prompt)
    assert prompt.isVisible() and prompt.textValue() == "stuck"
    assert "You already have a filter called “Stuck”" in prompt.labelText()
    prompt.setTextValue("Stuck at Fran")
    prompt.accept()
    wait_idle()
    names = [r.name for r in lookups.saved_filters(ctx.db, ctx.actor)]
    assert names == ["Stuck", "Stuck at Fran"]


def test_save_is_offered_only_for_a_real_filter(bar):
    assert not bar.saved.save_button.isEnabled()
    bar.attention.setChecked(True)
    assert bar.saved.save_button.isEnabled()


def test_set_filter_shows_a_filter_without_sending_it(bar, gui_staff):
    seen = emitted(bar)
    bar.set_filter(TaskFilter(owner_ids=(gui_staff.clinical.user_id,), text="abc"))

    assert seen == [] and action(bar, "owner", "Cleo Clinical").isChecked()
    assert bar.text.text() == "abc"
    assert bar.chip_texts() == ["Text: “abc”", "Owner: Cleo Clinical"]


def test_a_name_that_looks_like_markup_is_asked_about_as_plain_text(qtbot, bar, wait_idle):
    bar.attention.setChecked(True)
    bar.saved.save_as("<b>x</b>")
    wait_idle()
    bar.saved.save_as("<B>X</B>")
    wait_idle()

    prompt = bar.findChild(QInputDialog)
    qtbot.addWidget(prompt)
    (label,) = [w for w in prompt.findChildren(QLabel) if "already have" in w.text()]
    assert "“<b>x</b>”" in label.text() and label.textFormat() == Qt.TextFormat.PlainText
    assert bar.saved.combo.itemText(1) == "<b>x</b>"


def test_the_bar_wraps_rather_than_widening_a_narrow_window(qtbot, bar):
    """1366 px at 150 % is 910 device-independent pixels; less the navigation, about 700."""
    assert bar.minimumSizeHint().width() <= 680, bar.minimumSizeHint()
    bar.resize(1500, bar.heightForWidth(1500))
    one_line = bar.heightForWidth(1500)
    assert bar.heightForWidth(650) > one_line  # the menus went onto a second line

"""The dashboard over the known fortnight (tests/support/weekly.py), read on Monday
Jul 14 2025: tiles with their comparison, a bar opens the tasks behind it, the period
picker, CSV exports, and the weekly report's print preview."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtWidgets import QPushButton

from practiceboard.gui.views.dashboard import DashboardView
from support import NY, use_new_york, weekly_history
from support.weekly import THIS


@pytest.fixture
def history(sqlite_db, gui_staff, clock):
    use_new_york(sqlite_db)
    return weekly_history(sqlite_db, gui_staff, clock)


@pytest.fixture
def dash(qtbot, ctx_for, gui_staff, history, wait_idle):
    view = DashboardView(ctx_for(gui_staff.manager))
    qtbot.addWidget(view)
    view.resize(1280, 900)
    view.show()
    qtbot.waitUntil(lambda: view.result is not None, timeout=15_000)
    wait_idle()
    return view


def pick_period(qtbot, view, key: str, wait_idle) -> None:
    before = view.result
    view.set_period(key)
    qtbot.waitUntil(lambda: view.result is not before, timeout=15_000)
    wait_idle()


def test_tiles_compare_last_week_with_the_week_before(qtbot, dash, wait_idle):
    pick_period(qtbot, dash, "last_week", wait_idle)  # Jul 7–13 against Jun 30 – Jul 6
    assert dash.result.period.start == THIS.bounds(NY)[0]
    numbers = {k: t.number.text() for k, t in dash.tiles.items()}
    assert numbers == {"open": "4", "created": "3", "closed": "3", "breached": "2"}
    assert dash.tiles["breached"].delta.text() == "▲ 1 vs the week before (1)"
    assert dash.tiles["created"].delta.text() == "▼ 1 vs the week before (4)"
    assert "business time" in dash.tiles["breached"].toolTip()


def test_this_week_so_far(dash):
    # Monday 8:00: nothing happened yet this week; last week is the comparison
    assert dash.tiles["created"].number.text() == "0"
    assert dash.tiles["open"].number.text() == "4"
    assert "last week (3)" in dash.tiles["created"].delta.text()


def test_the_aging_bar_opens_its_tasks(qtbot, dash, history, wait_idle):
    aging = dash.charts["aging"]
    row = aging.categories.index("Records request")
    assert [v[row] for v in aging.values] == [0, 2, 2, 0, 0]
    aging.clicked.emit(2, row)  # 8–14 days in status: A (10 days) and D (11 days)
    assert dash.stack.currentIndex() == 1
    qtbot.waitUntil(lambda: dash.list.loaded_once, timeout=10_000)
    wait_idle()
    assert {c.id for c in dash.list.table.cards().rows} == {history["A"], history["D"]}
    chips = dash.list.filter_bar.chip_texts()
    assert "In status: 8–14 days" in chips and "Workflow: Records request" in chips
    dash.findChild(QPushButton, "backToDashboard").click()
    assert dash.stack.currentIndex() == 0


def test_one_workflow_shows_aging_per_status(qtbot, dash, history, wait_idle):
    before = dash.result
    dash.workflow.setCurrentIndex(dash.workflow.findText("Records request"))
    qtbot.waitUntil(lambda: dash.result is not before, timeout=15_000)
    wait_idle()
    aging = dash.charts["aging"]
    assert aging.categories == ("New", "Requested", "Waiting on sender")
    aging.clicked.emit(2, 0)  # New, 8–14 days: A
    qtbot.waitUntil(lambda: dash.list.loaded_once, timeout=10_000)
    wait_idle()
    assert [c.id for c in dash.list.table.cards().rows] == [history["A"]]


def test_a_tile_opens_the_tasks_behind_its_number(qtbot, dash, history, wait_idle):
    pick_period(qtbot, dash, "last_week", wait_idle)
    dash.tiles["breached"].clicked.emit()
    qtbot.waitUntil(
        lambda: dash.stack.currentIndex() == 1 and dash.list.loaded_once, timeout=10_000
    )
    wait_idle()
    assert {c.id for c in dash.list.table.cards().rows} == {history["A"], history["F"]}
    assert "From the dashboard: 2 tasks" in dash.list.filter_bar.chip_texts()


def test_the_load_bar_opens_an_owners_work(qtbot, dash, gui_staff, wait_idle):
    owners = dash.charts["load_owner"]
    assert owners.categories[0] == "Fran Front"
    owners.clicked.emit(0, 0)
    qtbot.waitUntil(lambda: dash.list.loaded_once, timeout=10_000)
    wait_idle()
    assert len(dash.list.table.cards().rows) == 4


def test_metrics_show_for_a_manager(qtbot, dash, wait_idle):
    pick_period(qtbot, dash, "last_week", wait_idle)
    table = dash.tables["metrics"]
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    supply = rows["Supply reorder"]
    assert table.item(supply, 5).text() == "12.5 h"  # approval turnaround, median
    assert table.item(supply, 6).text() == "100%"  # rework
    assert "review" in table.horizontalHeaderItem(5).toolTip()


def test_front_desk_sees_no_metrics_and_no_report(qtbot, ctx_for, gui_staff, history):
    view = DashboardView(ctx_for(gui_staff.front_desk))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.result is not None, timeout=15_000)
    assert view.tables == {} and view.result.metrics is None
    assert view.findChild(object, "weeklyReportButton") is None


def test_exports_are_excel_safe_csv(qtbot, dash, tmp_path, wait_idle):
    path = dash.charts["aging"].write_csv(tmp_path / "aging.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["", "0–2 days", "3–7 days", "8–14 days", "15–30 days", "over 30 days"]
    assert ["Records request", "0", "2", "2", "0", "0"] in rows
    dash.charts["load_owner"].clicked.emit(0, 0)
    qtbot.waitUntil(lambda: dash.list.loaded_once, timeout=10_000)
    wait_idle()
    listed = dash.export_list(tmp_path / "list.csv")
    assert listed.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(listed.read_text(encoding="utf-8-sig").splitlines()) == 5


def test_print_preview_opens(qtbot, dash, wait_idle):
    dash.report_actions.preview()
    qtbot.waitUntil(lambda: dash.report_actions.dialog is not None, timeout=15_000)
    dialog = dash.report_actions.dialog
    assert "2025-W28" in dialog.windowTitle()
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    dialog.close()

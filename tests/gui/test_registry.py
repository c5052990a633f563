"""The view registry: the main window builds its navigation from it and names no view,
so a new view is one module plus one registration."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from practiceboard.domain.policy import Cap
from practiceboard.gui.shell import main_window
from practiceboard.gui.shell.main_window import MainWindow
from practiceboard.gui.views import registry
from practiceboard.gui.views.registry import ViewSpec


class ThrowawayView(QWidget):
    """The smallest view the contract allows, plus the optional attach hook."""

    task_activated = Signal(int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.refreshed = 0
        self.host = None
        QVBoxLayout(self).addWidget(QLabel("Nothing to see", self))

    def refresh(self) -> None:
        self.refreshed += 1

    def current_task_id(self) -> int | None:
        return None

    def attach(self, host) -> None:
        self.host = host


@pytest.fixture
def throwaway() -> Iterator[ViewSpec]:
    spec = registry.register(
        ViewSpec("throwaway", "Throwaway", "about", ThrowawayView, shortcut="Ctrl+9", order=35)
    )
    yield spec
    registry.unregister("throwaway")


@pytest.fixture
def window(qtbot, ctx_for, signed_in, qt_settings, wait_idle, gui_staff):
    def make(actor=None) -> MainWindow:
        actor = actor or gui_staff.manager
        made = MainWindow(ctx_for(actor), signed_in(actor), settings=qt_settings,
                          live_updates=False)  # fmt: skip
        qtbot.addWidget(made)
        made.show()
        wait_idle()
        return made

    return make


def nav_labels(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_a_registered_view_appears_in_the_navigation(window, throwaway):
    w = window()
    assert nav_labels(w) == ["Board", "My queue", "Needs attention", "Approvals", "Throwaway",
                             "Patients", "Care dashboard", "Dashboard",
                             "Search results"]  # fmt: skip
    assert not w.nav_item("throwaway").isHidden()
    action = w.view_actions["throwaway"]
    assert action.shortcut().toString() == "Ctrl+9" and action.isVisible()
    assert action in w.menus[1].actions()  # the View menu

    w.nav.setCurrentItem(w.nav_item("throwaway"))
    view = w.current_view()
    assert isinstance(view, ThrowawayView) and w.current_key() == "throwaway"
    assert view.host is w  # the attach hook was called with the window as host
    w.refresh()
    assert view.refreshed == 1


def test_a_view_needing_a_capability_is_hidden_from_those_without_it(window, gui_staff):
    registry.register(ViewSpec("admin_only", "Admin only", "about", ThrowawayView,
                               capability=Cap.ADMIN, order=36))  # fmt: skip
    try:
        assert "Admin only" in nav_labels(window(gui_staff.admin))
        assert "Admin only" not in nav_labels(window(gui_staff.front_desk))
    finally:
        registry.unregister("admin_only")


def test_the_main_window_names_no_view():
    source = inspect.getsource(main_window)
    # "search" is also the magnifier icon of the search box and the Find action
    source = source.replace('theme.icon("search")', "").replace('"search", self.focus', "")
    for spec in registry.all_views():
        assert f'"{spec.key}"' not in source


def test_the_builtin_views_are_registered_once_in_order():
    keys = [s.key for s in registry.all_views()]
    assert keys == ["board", "queue", "attention", "approvals", "patients", "care", "dashboard",
                    "search", "admin", "settings", "audit"]  # fmt: skip
    search = registry.get("search")
    assert search.transient and search.search
    assert [s.key for s in registry.all_views() if s.fallback_start] == ["queue"]


def test_a_transient_view_is_not_remembered(window, qt_settings, gui_staff):
    w = window()
    w.search_box.setText("Valley")
    w.search()
    assert w.current_key() == "search"
    w.save_state()
    assert w.state.last_view != "search"

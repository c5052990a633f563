"""The main window: navigation pane, the views, the search box, the status bar.

The window names no view. Its navigation, View menu, shortcuts and start view come
from the view registry (gui/views/registry.py, which also describes the contract a
view keeps: ``refresh()``, ``current_task_id()``, ``task_activated(int)`` and the
optional ``attach``/``restore`` hooks). The window builds a view the first time it
is shown, lands each person on their role's start view (or the view they last used
on this PC), remembers geometry per user in QSettings, owns the live updates from
other PCs, the idle lock and the alerts (gui/shell/alerts/window.py). Where the
desktop has a system tray, closing the window leaves the app running there so alerts
keep coming; Quit (menu or tray) ends it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from practiceboard import __version__
from practiceboard.domain.policy import Cap
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.shell.idle_lock import IdleLock, LockScreen
from practiceboard.gui.shell.live import LiveUpdates
from practiceboard.gui.shell.sign_in import SignedIn
from practiceboard.gui.shell.status_bar import ShellStatusBar
from practiceboard.gui.shell.window_state import WindowState
from practiceboard.gui.views import registry
from practiceboard.gui.views.registry import ViewSpec

DEFAULT_SIZE = (1400, 860)


class MainWindow(QMainWindow):
    """``ended(reason, payload)`` when the session is over: "quit" (window closed),
    "sign_out", "switch" (someone else signed in at the lock screen; payload is
    their SignedIn) or "gave_up" (too many wrong passwords at the lock screen)."""

    ended = Signal(str, object)

    def __init__(
        self,
        ctx: AppContext,
        session: SignedIn,
        *,
        settings: QSettings | None = None,
        live_updates: bool = True,
        alerts: bool | None = None,
        idle_clock: Callable[[], float] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("PracticeBoard")
        self.setWindowIcon(theme.icon("app"))
        self.ctx, self.session = ctx, session
        self.settings = settings if settings is not None else QSettings()
        self.state = WindowState(self.settings, ctx.actor.username)
        self.specs: dict[str, ViewSpec] = {s.key: s for s in registry.views_for(ctx.can)}
        self.views: dict[str, QWidget] = {}
        self._end_reason: tuple[str, object] = ("quit", None)
        self._hidden_dialogs: list[QWidget] = []
        self._lock_hold = None
        self._quitting = False
        self._before_search = session.start_view  # where an emptied search goes back to

        self._build_actions()
        self._build_tool_bar()
        self._build_menus()
        self._build_central()
        self._build_status_bar()
        from practiceboard.gui.shell.alerts.window import WindowAlerts

        # The scheduler is background work like the live updates: tests and the bench
        # build windows without either.
        self.alerts = WindowAlerts(self, run=live_updates if alerts is None else alerts)
        self.menus[0].insertAction(self.lock_action, self.alerts.settings_action)
        self.session_actions.append(self.alerts.settings_action)

        self.live = LiveUpdates(ctx)
        self.live.offline_changed.connect(self.status.show_offline)
        if live_updates:
            self.live.start()
        clock = {"clock": idle_clock, "wall": idle_clock} if idle_clock is not None else {}
        self.idle = IdleLock(session.idle_minutes, parent=self, **clock)
        self.idle.locked.connect(self.lock)

        ctx.signals.data_changed.connect(self.status.expect_update)
        ctx.signals.open_task.connect(self.open_task)
        ctx.signals.status_message.connect(lambda text: self.status.showMessage(text, 6000))

        self._restore()

    # ---------------------------------------------------------------- building

    def _action(self, text: str, icon: str | None, slot, shortcut=None, name: str = "") -> QAction:
        action = QAction(theme.icon(icon) if icon else QIcon(), text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work with the tool bar hidden (and die with the lock)
        return action

    def _build_actions(self) -> None:
        self.new_task_action = self._action(
            "&New task…", "add", self.new_task, "Ctrl+N", "newTaskAction"
        )
        self.new_task_action.setToolTip("New task (Ctrl+N)")
        self.new_task_action.setEnabled(self.ctx.can(Cap.TASK_CREATE))
        self.refresh_action = self._action(
            "&Refresh", "refresh", self.refresh, "F5", "refreshAction"
        )
        self.refresh_action.setToolTip("Refresh (F5)")
        self.find_action = self._action(
            "&Find tasks…", "search", self.focus_search, "Ctrl+F", "findAction"
        )
        self.open_action = self._action(
            "&Open selected task", None, self.open_selected, "Ctrl+O", "openTaskAction"
        )
        self.sign_out_action = self._action(
            "Sign &out", "sign-out", self.sign_out, "Ctrl+Shift+Q", "signOutAction"
        )
        self.lock_action = self._action("&Lock screen", "lock", self.lock, "Ctrl+L", "lockAction")
        self.quit_action = self._action("&Quit", None, self.quit, "Ctrl+Q", "quitAction")
        self.about_action = self._action("&About PracticeBoard", "about", self.about)
        self.view_actions: dict[str, QAction] = {}
        for spec in self.specs.values():
            go = partial(self.show_view, spec.key, focus=True)
            act = self._action(spec.label, spec.icon, go, spec.shortcut, f"{spec.key}ViewAction")
            act.setVisible(not spec.transient)
            self.view_actions[spec.key] = act
        self.session_actions = [
            self.new_task_action, self.refresh_action, self.find_action, self.open_action,
            self.lock_action, *self.view_actions.values(),
        ]  # fmt: skip

    def _build_tool_bar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.toggleViewAction().setEnabled(False)
        bar.addAction(self.new_task_action)
        bar.addSeparator()
        self.search_box = QLineEdit(bar)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search reference, title or MRN  (Ctrl+F)")
        self.search_box.setAccessibleName("Search tasks")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        self.search_box.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.returnPressed.connect(self.search)
        bar.addWidget(self.search_box)
        bar.addAction(self.refresh_action)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.sign_out_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.tool_bar = bar

    def _build_menus(self) -> None:
        menus = self.menuBar()
        tasks = menus.addMenu("&Tasks")
        tasks.addActions([self.new_task_action, self.open_action, self.find_action])
        tasks.addSeparator()
        tasks.addActions([self.lock_action, self.sign_out_action, self.quit_action])
        view = menus.addMenu("&View")
        view.addActions(list(self.view_actions.values()))
        view.addSeparator()
        view.addAction(self.refresh_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.about_action)
        self.menus = [tasks, view, help_menu]

    def _build_central(self) -> None:
        self.nav = QListWidget(self)
        self.nav.setObjectName("navPane")
        self.nav.setAccessibleName("Views")
        self.nav.setFixedWidth(196)
        self.nav.setUniformItemSizes(True)
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for spec in self.specs.values():
            item = QListWidgetItem(theme.icon(spec.icon), spec.label, self.nav)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            keys = self.view_actions[spec.key].shortcut().toString()
            item.setToolTip(f"{spec.label} ({keys})" if keys else spec.label)
            item.setHidden(spec.transient)
        self.nav.currentItemChanged.connect(self._nav_changed)

        self.view_stack = QStackedWidget(self)
        self.view_stack.setObjectName("viewStack")
        self.work_area = QWidget(self)
        self.work_area.setObjectName("workArea")
        row = QHBoxLayout(self.work_area)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.view_stack, 1)

        self.lock_screen = LockScreen(self.ctx.db, self.ctx.runner, self.ctx.actor, self)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switched.connect(lambda s: self.end_session("switch", s))
        self.lock_screen.gave_up.connect(lambda: self.end_session("gave_up"))

        self.central = QStackedWidget(self)
        self.central.setObjectName("central")
        self.central.addWidget(self.work_area)
        self.central.addWidget(self.lock_screen)
        self.setCentralWidget(self.central)
        self.setTabOrder(self.search_box, self.nav)
        self.setTabOrder(self.nav, self.view_stack)

    def _build_status_bar(self) -> None:
        roles = ", ".join(self.session.role_names)
        who = self.ctx.actor.display_name + (f" ({roles})" if roles else "")
        self.status = ShellStatusBar(who, self.ctx.db.describe(), self.ctx.runner, self)
        self.setStatusBar(self.status)
        # Shorthands the tests and the screenshots read.
        self.user_label, self.database_label = self.status.user_label, self.status.database_label
        self.updated_label, self.offline_label = (
            self.status.updated_label,
            self.status.offline_label,
        )
        self.busy = self.status.busy

    # ---------------------------------------------------------------- views

    def nav_item(self, key: str) -> QListWidgetItem:
        return next(
            self.nav.item(i)
            for i in range(self.nav.count())
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key
        )

    def view(self, key: str) -> QWidget:
        """The view, built on first use."""
        if key not in self.views:
            widget = self.specs[key].factory(self.ctx, self.view_stack)
            widget.setObjectName(widget.objectName() or f"{key}View")
            widget.task_activated.connect(self.open_task)
            attach = getattr(widget, "attach", None)
            if attach is not None:
                attach(self)
            self.views[key] = widget
            self.view_stack.addWidget(widget)
        return self.views[key]

    def current_key(self) -> str | None:
        widget = self.view_stack.currentWidget()
        return next((k for k, v in self.views.items() if v is widget), None)

    def current_view(self) -> QWidget | None:
        return self.view_stack.currentWidget()

    def show_view(self, key: str, *, focus: bool = False) -> QWidget:
        """Make a view current; ``focus`` puts the keyboard in it (not while arrowing
        through the navigation pane)."""
        widget = self.view(key)
        if self.specs[key].transient:  # in use now: shown until it is given up
            self._show_transient(key, True)
        self.view_stack.setCurrentWidget(widget)
        self.nav.blockSignals(True)
        self.nav.setCurrentItem(self.nav_item(key))
        self.nav.blockSignals(False)
        self.status.expect_update()
        if focus:
            _focus_into(widget)
        return widget

    def _show_transient(self, key: str, shown: bool) -> None:
        self.nav_item(key).setHidden(not shown)
        self.view_actions[key].setVisible(shown)

    def _nav_changed(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None:
            self.show_view(item.data(Qt.ItemDataRole.UserRole))

    # ---------------------------------------------------------------- actions

    def refresh(self) -> None:
        view = self.current_view()
        if view is not None:
            self.status.expect_update()
            view.refresh()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def search(self) -> None:
        """Enter in the search box: the search view, with these words. An empty box with
        no other filter ends the search and goes back where the user was."""
        key = next((s.key for s in self.specs.values() if s.search), None)
        text = self.search_box.text().strip()
        if key is None or (not text and key not in self.views):
            return
        if self.current_key() != key:
            self._before_search = self.current_key() or self.session.start_view
        view = self.show_view(key, focus=bool(text))
        view.search_text(text)
        if not view.in_use():
            if self.specs[key].transient:
                self._show_transient(key, False)
            self.show_view(self._before_search)

    def show_search_text(self, text: str) -> None:
        """A view's own search words, echoed in the tool bar's box (ViewHost)."""
        self.search_box.setText(text)

    def new_task(self) -> None:
        if not self.ctx.can(Cap.TASK_CREATE) or self.idle.is_locked:
            return
        from practiceboard.gui.dialogs import open_intake

        open_intake(self.ctx, self)

    def open_selected(self) -> None:
        view = self.current_view()
        task_id = view.current_task_id() if view is not None else None
        if task_id is not None:
            self.open_task(task_id)
        else:
            self.statusBar().showMessage("Select a task first, then press Enter to open it.", 4000)

    def open_task(self, task_id: int) -> None:
        if self.idle.is_locked:
            return
        from practiceboard.gui.dialogs import open_task_detail

        open_task_detail(self.ctx, task_id, self)

    def about(self) -> None:
        """The version, the database and how big it is (documents included): the size is
        read in a worker first."""
        from practiceboard.gui.kit.ops import Op
        from practiceboard.queries.documents import size_words

        Op(self.ctx, lambda db, _actor: size_words(db)).success(self._show_about).failure(
            lambda _exc, _text: self._show_about("")
        ).run()

    def _show_about(self, size: str) -> None:
        self.ctx.messages.info(
            self,
            "About PracticeBoard",
            f"PracticeBoard {__version__}\n\n"
            "The task board, approvals inbox and care plan tracker of your practice.\n\n"
            f"Database: {self.ctx.db.describe()}\n"
            + (f"Size: {size}\n" if size else "")
            + f"Workstation: {self.ctx.db.workstation}",
        )

    def sign_out(self) -> None:
        self.end_session("sign_out")

    def quit(self) -> None:
        """End the app, tray or not (closing the window only hides it where there is one)."""
        self._quitting = True
        self.close()

    def end_session(self, reason: str, payload: object = None) -> None:
        self._end_reason = (reason, payload)
        self.close()

    # ---------------------------------------------------------------- the lock

    def lock(self) -> None:
        """Hide every patient detail: the work area, the tool bar, open task windows."""
        if self.central.currentWidget() is self.lock_screen:
            return
        if not self.idle.is_locked:
            self.idle.lock()  # the Lock screen action: the same state as an idle lock
            return
        self._lock_hold = self.live.hold()  # nothing to refresh behind a lock screen
        self._hidden_dialogs = [
            w for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and _owned_by(w, self)
        ]  # fmt: skip
        for widget in self._hidden_dialogs:
            widget.hide()
        self.central.setCurrentWidget(self.lock_screen)
        self.tool_bar.hide()
        self.menuBar().setEnabled(False)
        for action in self.session_actions:
            action.setEnabled(False)
        self.setWindowTitle("PracticeBoard — locked")
        self.lock_screen.reset()

    def unlock(self) -> None:
        self.central.setCurrentWidget(self.work_area)
        self.tool_bar.show()
        self.menuBar().setEnabled(True)
        for action in self.session_actions:
            action.setEnabled(True)
        self.new_task_action.setEnabled(self.ctx.can(Cap.TASK_CREATE))
        self.setWindowTitle("PracticeBoard")
        for widget in self._hidden_dialogs:
            widget.show()  # the user's unsaved typing is still in them
        self._hidden_dialogs = []
        self.idle.unlock()
        if self._lock_hold is not None:
            hold, self._lock_hold = self._lock_hold, None
            hold.release()
        view = self.current_view()
        if view is not None:
            view.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def locked(self) -> bool:
        return self.central.currentWidget() is self.lock_screen

    # ---------------------------------------------------------------- remembering

    def _restore(self) -> None:
        geometry = self.state.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        start = self.state.last_view or self.session.start_view
        if start not in self.specs or self.specs[start].transient:
            start = next(
                (s.key for s in self.specs.values() if s.fallback_start and not s.transient),
                next(k for k, s in self.specs.items() if not s.transient),
            )
        view = self.view(start)
        restore = getattr(view, "restore", None)
        if restore is not None:
            restore(self)  # e.g. the board goes back to the workflow it showed last
        self.show_view(start, focus=True)

    def save_state(self) -> None:
        self.state.geometry = self.saveGeometry()
        self.state.last_view = self.current_key()
        self.state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if (
            self.alerts.keeps_running_in_tray
            and self._end_reason[0] == "quit"
            and not (self._quitting)
        ):
            event.ignore()  # closing the window: the app stays in the tray, alerts go on
            self.save_state()
            self.hide()
            return
        self.alerts.stop()
        self.save_state()
        self.live.stop()
        self.idle.stop()
        for widget in QApplication.topLevelWidgets():
            if widget is not self and widget.isVisible() and _owned_by(widget, self):
                widget.close()
        super().closeEvent(event)
        reason, payload = self._end_reason
        self.ended.emit(reason, payload)


def _focus_into(view: QWidget) -> None:
    """The keyboard goes to the view's own focus target, else its first visible list."""
    target = view.focusProxy() or next(
        (v for v in view.findChildren(QAbstractItemView) if v.isVisibleTo(view)), view
    )
    target.setFocus(Qt.FocusReason.OtherFocusReason)


def _owned_by(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False

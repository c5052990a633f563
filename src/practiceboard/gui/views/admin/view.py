"""The Admin view: one tab per kind of thing an admin looks after."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from practiceboard.gui.kit.change import Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.views.admin.backups import BackupsPanel
from practiceboard.gui.views.admin.reasons import ReasonsPanel
from practiceboard.gui.views.admin.users import UsersPanel
from practiceboard.gui.views.admin.workflows import WorkflowsPanel


class AdminView(QWidget):
    task_activated = Signal(int)  # the view contract; the admin area opens no task

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AdminView")
        self.ctx = ctx
        self._host = None
        self.tabs = QTabWidget(self)
        self.users = UsersPanel(ctx, self)
        self.workflows = WorkflowsPanel(ctx, self)
        self.reasons = ReasonsPanel(ctx, self)
        self.backups = BackupsPanel(ctx, self)
        self.tabs.addTab(self.users, "&Users")
        self.tabs.addTab(self.workflows, "&Workflows")
        self.tabs.addTab(self.reasons, "Reason &codes")
        self.tabs.addTab(self.backups, "&Backups")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        self.backups.restored.connect(self._restored)
        ctx.signals.data_changed.connect(self._changed)
        self.refresh()

    def attach(self, host) -> None:
        self._host = host

    def refresh(self) -> None:
        for panel in (self.users, self.workflows, self.reasons, self.backups):
            panel.refresh()

    def current_task_id(self) -> int | None:
        return None

    def _changed(self, change) -> None:
        if change.everything_changed or change.touches(Kind.USER):
            self.refresh()

    def _restored(self, restored) -> None:
        """The database was replaced: the window ends, and the app opens it again."""
        end = getattr(self._host, "end_session", None)
        if end is not None:
            end("restored", restored)

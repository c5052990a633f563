"""What the main window remembers per person on this PC (QSettings, group users/NAME):
window geometry, the last view, the board's workflow. Never a search or a filter —
those may name a patient, and settings files are not a place for patient data."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from practiceboard.gui.views import registry

ALL_MY_WORKFLOWS = "all"


def _restorable(key: str | None) -> bool:
    """A registered view that is not transient (search results are not restored)."""
    spec = registry.get(key) if key else None
    return spec is not None and not spec.transient


def settings_group(username: str) -> str:
    return f"users/{username}"


class WindowState:
    def __init__(self, settings: QSettings, username: str):
        self.settings, self.group = settings, settings_group(username)

    def _get(self, key: str, default=None):
        return self.settings.value(f"{self.group}/{key}", default)

    def _set(self, key: str, value) -> None:
        self.settings.setValue(f"{self.group}/{key}", value)

    @property
    def geometry(self) -> QByteArray | None:
        value = self._get("geometry")
        return QByteArray(value) if isinstance(value, QByteArray | bytes) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._set("geometry", value)

    @property
    def last_view(self) -> str | None:
        value = str(self._get("lastView", "") or "")
        return value if _restorable(value) else None

    @last_view.setter
    def last_view(self, key: str | None) -> None:
        if _restorable(key):
            self._set("lastView", key)

    def board_workflow(self, default: int | None) -> int | None:
        """The workflow the board showed last (None: all my workflows), else ``default``."""
        value = str(self._get("boardWorkflow", "") or "")
        if value == ALL_MY_WORKFLOWS:
            return None
        return int(value) if value.isdigit() else default

    def set_board_workflow(self, workflow_id: int | None) -> None:
        self._set("boardWorkflow", workflow_id or ALL_MY_WORKFLOWS)

    def sync(self) -> None:
        self.settings.sync()

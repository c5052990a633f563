"""What a view does with a change it is told about: reload now when it is on screen,
else once it is shown again (a hidden view reads nothing)."""

from __future__ import annotations

from practiceboard.gui.kit.change import Change, Kind


class RefreshWhenShown:
    """Mixed into a view (before its QWidget base): ``shown_kinds`` are the change kinds
    it shows; its ``refresh()`` clears ``_stale``. Connect ``_data_changed`` to the
    context's ``data_changed`` signal."""

    shown_kinds: tuple[Kind, ...] = ()
    _stale = False

    def _data_changed(self, change: Change) -> None:
        if not change.touches(*self.shown_kinds):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

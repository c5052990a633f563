"""Every disabled action says why: in its tooltip, and on the status line when the
pointer rests on it (a greyed-out button takes no clicks, but it does see the
pointer arrive).

    explain_disabled(button, ctx.signals.status_message.emit)

The sentence is the widget's tooltip, set wherever the action is enabled or not.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _WhyDisabled(QObject):
    def __init__(self, say: Callable[[str], None], parent: QObject):
        super().__init__(parent)
        self.say = say

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            event.type() == QEvent.Type.Enter
            and isinstance(watched, QWidget)
            and not watched.isEnabled()
            and watched.toolTip()
        ):
            self.say(watched.toolTip())
        return False


def explain_disabled(widget: QWidget, say: Callable[[str], None]) -> None:
    """While ``widget`` is disabled, the pointer on it puts its tooltip on the status line."""
    widget.installEventFilter(_WhyDisabled(say, widget))

"""The dialogs: intake and task detail (the two designed dialogs of a task's life),
the patient picker and the reason dialog.

Intake and detail open non-modally (the board stays usable beside them) and return
the dialog, so the caller — or a test — can drive it. Their modules load on first
use: the board imports the reason dialog from here and should not pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from practiceboard.gui.dialogs.detail import TaskDetailDialog
    from practiceboard.gui.dialogs.intake import IntakeDialog
    from practiceboard.gui.kit.context import AppContext

__all__ = ["IntakeDialog", "TaskDetailDialog", "open_intake", "open_task_detail"]

# One detail window per task and parent: opening it again brings it to the front.
_open_details: dict[tuple[int, int], TaskDetailDialog] = {}


def _show(dialog) -> None:
    dialog.setModal(False)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.activateWindow()


def __getattr__(name: str):
    if name == "IntakeDialog":
        from practiceboard.gui.dialogs.intake import IntakeDialog

        return IntakeDialog
    if name == "TaskDetailDialog":
        from practiceboard.gui.dialogs.detail import TaskDetailDialog

        return TaskDetailDialog
    raise AttributeError(name)


def open_intake(ctx: AppContext, parent: QWidget | None = None) -> IntakeDialog:
    from practiceboard.gui.dialogs.intake import IntakeDialog

    dialog = IntakeDialog(ctx, parent)
    _show(dialog)
    return dialog


def open_task_detail(
    ctx: AppContext, task_id: int, parent: QWidget | None = None
) -> TaskDetailDialog:
    key = (id(parent), task_id)
    existing = _open_details.get(key)
    if existing is not None:
        existing.showNormal()
        existing.activateWindow()
        return existing
    from practiceboard.gui.dialogs.detail import TaskDetailDialog

    dialog = TaskDetailDialog(ctx, task_id, parent)
    _open_details[key] = dialog
    dialog.destroyed.connect(lambda *_: _open_details.pop(key, None))
    _show(dialog)
    return dialog

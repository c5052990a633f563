"""Intake and task detail: the two designed dialogs of a task's life.

Both open non-modally (the board stays usable beside them) and return the dialog,
so the caller — or a test — can drive it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

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


def open_intake(ctx: AppContext, parent: QWidget | None = None) -> IntakeDialog:
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
    dialog = TaskDetailDialog(ctx, task_id, parent)
    _open_details[key] = dialog
    dialog.destroyed.connect(lambda *_: _open_details.pop(key, None))
    _show(dialog)
    return dialog

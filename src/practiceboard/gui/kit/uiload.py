"""Designed dialogs come from ``ui/*.ui`` (the single source), loaded at run time."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from practiceboard.core.paths import resource_dir


def load_ui(name: str, parent: QWidget | None = None) -> QWidget:
    """Build the widget tree of ``ui/<name>.ui``; children are found by objectName."""
    path = resource_dir("ui") / f"{name}.ui"
    handle = QFile(str(path))
    if not handle.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"PracticeBoard is missing its {name} form; reinstall the app.")
    try:
        widget = QUiLoader().load(handle, parent)
    finally:
        handle.close()
    if widget is None:
        raise RuntimeError(f"The {name} form could not be loaded.")
    return widget


def child(root: QWidget, cls: type, name: str):
    found = root.findChild(cls, name)
    if found is None:
        raise LookupError(f"{name} missing from the form")
    return found

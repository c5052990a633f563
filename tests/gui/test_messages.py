"""The message boxes for real, once: every other GUI test answers them at once
(``Messages.auto_answer``), so here a box is opened, read while it is on the screen and
answered with its own buttons. Patient and user text in it is plain text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from practiceboard.gui.kit.messages import Messages

TYPED = "Pat <b>Doe</b> & <i>co</i>: call back"


@pytest.fixture
def really_ask(messages):
    messages.auto_answer = None  # the real QMessageBox.exec()
    return messages


def answer_with(pick: Callable[[QMessageBox], object]) -> dict:
    """When the box is up: note what it shows, then click the button ``pick`` names."""
    seen: dict = {}

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, look)
            return
        label = box.findChild(QLabel, "qt_msgbox_label")
        seen.update(title=box.windowTitle(), format=box.textFormat(), text=label.text(),
                    label_format=label.textFormat(), icon=box.icon())  # fmt: skip
        pick(box).click()

    QTimer.singleShot(0, look)
    return seen


def test_a_warning_shows_the_text_as_typed(qtbot, really_ask):
    seen = answer_with(lambda box: box.button(QMessageBox.StandardButton.Ok))

    Messages.warn(None, "Move not allowed", TYPED)

    assert seen == {
        "title": "Move not allowed", "format": Qt.TextFormat.PlainText, "text": TYPED,
        "label_format": Qt.TextFormat.PlainText, "icon": QMessageBox.Icon.Warning,
    }  # fmt: skip
    assert really_ask.log == [("Move not allowed", TYPED)]


@pytest.mark.parametrize("button, expected", [
    (QMessageBox.StandardButton.Yes, True),
    (QMessageBox.StandardButton.No, False),
])  # fmt: skip
def test_confirm_returns_the_button_pressed(qtbot, really_ask, button, expected):
    seen = answer_with(lambda box: box.button(button))

    assert Messages.confirm(None, "Discard changes?", TYPED) is expected
    assert seen["format"] == Qt.TextFormat.PlainText and seen["text"] == TYPED
    assert seen["icon"] == QMessageBox.Icon.Question


@pytest.mark.parametrize("label, expected", [("&Retry", True), ("&Quit", False)])
def test_retry_or_quit(qtbot, really_ask, label, expected):
    seen = answer_with(lambda box: next(b for b in box.buttons() if b.text() == label))

    assert Messages.retry(None, "Database unreachable", TYPED) is expected
    assert seen["format"] == Qt.TextFormat.PlainText and seen["text"] == TYPED

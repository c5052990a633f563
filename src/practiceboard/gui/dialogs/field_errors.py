"""Inline problems on a form: the message right under the field, the field outlined,
the cursor moved there — and everything the user typed left where it was.

The same display serves the form's own checks before saving and a service's
ValidationError(field=...) after, so a user cannot tell which one spoke.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """resources/style.qss outlines fields with invalid="true"; re-polish to repaint."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldErrors(QObject):
    """Fields by key (the ValidationError.field names), each with a hidden error row
    under it in ``form``; anything without a field goes to ``banner``."""

    def __init__(
        self,
        form: QFormLayout,
        banner: QLabel,
        parent: QObject | None = None,
        *,
        kind: str = "error",
        outline: bool = True,
    ):
        super().__init__(parent)
        self.form, self.banner = form, banner
        self.kind, self.outline = kind, outline
        self.fields: dict[str, tuple[QWidget, QLabel]] = {}
        banner.hide()

    def register(self, key: str, focus: QWidget, row: QWidget | None = None) -> None:
        """``focus`` is outlined and focused; the message goes under ``row`` (the
        widget in the form's field column: ``focus`` itself or its container)."""
        row = row or focus
        label = QLabel(focus.parentWidget(), objectName=f"{key}_{self.kind}")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setProperty("kind", self.kind)
        at, _role = self.form.getWidgetPosition(row)
        self.form.insertRow(at + 1, "", label)
        self.form.setRowVisible(label, False)
        self.fields[key] = (focus, label)

    def unregister(self, key: str) -> None:
        found = self.fields.pop(key, None)
        if found is not None:
            self.form.removeRow(found[1])

    def show(self, key: str | None, message: str, *, focus: bool = True) -> None:
        if key in self.fields:
            widget, label = self.fields[key]
            label.setText(message)
            self.form.setRowVisible(label, True)
            mark_invalid(widget, self.outline)
            if focus:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.banner.setText(message)
            self.banner.show()

    def show_all(self, problems: list[tuple[str | None, str]]) -> None:
        """Every problem at once; the cursor goes to the first."""
        self.clear()
        for i, (key, message) in enumerate(problems):
            self.show(key, message, focus=i == 0)

    def clear(self, key: str | None = None) -> None:
        keys = [key] if key is not None else list(self.fields)
        for k in keys:
            if k in self.fields:
                widget, label = self.fields[k]
                self.form.setRowVisible(label, False)
                mark_invalid(widget, False)
        if key is None:
            self.banner.hide()

    def message(self, key: str) -> str | None:
        """The message showing for ``key`` (None when the field is fine)."""
        widget, label = self.fields[key]
        return label.text() if not label.isHidden() else None

"""My alert choices: which kinds, sound, the digest time, and starting at sign-in.

Designed in ui/alert_settings.ui; this class fills it from the person's saved
choices and saves through services.notifications (the kinds, sound and digest
follow the person to every PC) and core.autostart (this PC only).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core import autostart
from practiceboard.domain.alerts import KIND_LABELS, AlertKind
from practiceboard.gui.kit import theme
from practiceboard.gui.kit.change import Change, Kind
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.ops import Op
from practiceboard.gui.kit.uiload import child, load_ui
from practiceboard.queries import notifications as inbox
from practiceboard.queries.notifications import AlertChoices
from practiceboard.services import notifications


class AlertSettingsDialog(QDialog):
    """``saved(AlertChoices)`` once the choices are stored."""

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, platform=sys.platform):
        super().__init__(parent)
        self.ctx, self.platform = ctx, platform
        self.setWindowTitle("Alert settings")
        self.form = load_ui("alert_settings", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.kinds: dict[str, QCheckBox] = {}
        box = child(self.form, QGroupBox, "kindsBox")
        for kind in AlertKind:
            check = QCheckBox(KIND_LABELS[kind], box)
            check.setObjectName(f"kind_{kind.value}")
            check.setChecked(True)
            box.layout().addWidget(check)
            self.kinds[kind.value] = check
        self.sound = child(self.form, QCheckBox, "soundCheck")
        self.digest = child(self.form, QTimeEdit, "digestTime")
        self.autostart = child(self.form, QCheckBox, "autostartCheck")
        self.error = child(self.form, QLabel, "errorLabel")
        self.error.setStyleSheet(f"color: {theme.ERROR};")
        self.offers_autostart = offered = autostart.supported(platform)
        self.autostart.setVisible(offered)
        if offered:
            self.autostart.setChecked(autostart.is_enabled(platform))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.buttons.setEnabled(False)  # until the saved choices are in
        Op(ctx, inbox.alert_choices).success(self.fill).failure(self._failed).run()

    def fill(self, choices: AlertChoices) -> None:
        for key, check in self.kinds.items():
            check.setChecked(key not in choices.muted_kinds)
        self.sound.setChecked(choices.sound)
        self.digest.setTime(QTime.fromString(choices.digest_time, "HH:mm"))
        self.buttons.setEnabled(True)

    def choices(self) -> AlertChoices:
        muted = frozenset(k for k, check in self.kinds.items() if not check.isChecked())
        return AlertChoices(muted, self.sound.isChecked(), self.digest.time().toString("HH:mm"))

    def save(self) -> None:
        wanted = self.choices()
        self.error.clear()
        if self.offers_autostart:
            try:
                autostart.set_enabled(self.autostart.isChecked(), self.platform)
            except OSError as exc:
                self.error.setText(f"Starting at sign-in could not be changed: {exc}")
                return
        self.buttons.setEnabled(False)
        Op(
            self.ctx, notifications.set_preferences,
            muted_kinds=wanted.muted_kinds, sound=wanted.sound, digest_time=wanted.digest_time,
        ).changes(Change.of(Kind.ALERT)).success(lambda _none: self._saved(wanted)).failure(
            self._failed
        ).run()  # fmt: skip

    def _saved(self, wanted: AlertChoices) -> None:
        self.saved.emit(wanted)
        self.accept()

    def _failed(self, _exc: Exception, text: str) -> None:
        self.buttons.setEnabled(True)  # the choices stay as the person set them
        self.error.setText(text)

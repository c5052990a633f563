"""The practice calendar as a form: time zone, working days and hours, holidays (US
federal, the state's own from the ``holidays`` package, the practice's closures), with
this year's closed days listed as they change. Used by the first-run wizard and the
Practice settings screen; both read ``value()`` (the calendar setting's dict) and check
it with ``services.practice.calendar_value``."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from practiceboard.core.timezone import local_timezone_name
from practiceboard.domain.calendar import (
    PRACTICE_CLOSED,
    state_holidays,
    us_federal_holidays,
    us_states,
)

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Fields of ValidationError -> the control that shows it.
FIELDS = {"timezone": "zoneBox", "workdays": "day0", "opens": "opensEdit", "closes": "closesEdit",
          "state": "stateBox", "extra_holidays": "closureList"}  # fmt: skip


class CalendarForm(QWidget):
    changed = Signal()  # anything in the form was changed (by the person or set_value)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("calendarForm")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)

        self.zone = QComboBox(self, objectName="zoneBox", editable=True)
        zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
        us_first = [z for z in zones if z.startswith(("America/", "Pacific/Honolulu"))]
        self.zone.addItems(us_first + [z for z in zones if z not in us_first])
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setAccessibleName("Time zone")
        form.addRow("Time &zone:", self.zone)

        days = QHBoxLayout()
        self.days: list[QCheckBox] = []
        for i, name in enumerate(DAYS):
            box = QCheckBox(name, self, objectName=f"day{i}")
            box.toggled.connect(self._changed)
            days.addWidget(box)
            self.days.append(box)
        days.addStretch(1)
        form.addRow("Open on:", days)

        hours = QHBoxLayout()
        self.opens = QTimeEdit(self, objectName="opensEdit", displayFormat="h:mm AP")
        self.closes = QTimeEdit(self, objectName="closesEdit", displayFormat="h:mm AP")
        self.opens.setAccessibleName("Opens at")
        self.closes.setAccessibleName("Closes at")
        hours.addWidget(self.opens)
        hours.addWidget(QLabel("to", self))
        hours.addWidget(self.closes)
        hours.addStretch(1)
        form.addRow("Business hours:", hours)

        self.federal = QCheckBox("Closed on US federal holidays", self, objectName="federalCheck")
        self.federal.toggled.connect(self._changed)
        form.addRow("Holidays:", self.federal)
        self.state = QComboBox(self, objectName="stateBox")
        self.state.addItem("No state holidays", None)
        for code, name in us_states().items():
            self.state.addItem(f"{name} ({code})", code)
        self.state.currentIndexChanged.connect(self._changed)
        self.state.setAccessibleName("State holidays")
        form.addRow("Also the &state's:", self.state)

        closures = QVBoxLayout()
        adding = QHBoxLayout()
        self.closure_date = QDateEdit(self, objectName="closureDate", calendarPopup=True,
                                      displayFormat="ddd MMM d, yyyy")  # fmt: skip
        self.closure_date.setDate(QDate.currentDate())
        add = QPushButton("Add closure", self, objectName="addClosureButton")
        add.clicked.connect(self.add_closure)
        self.remove_button = QPushButton("Remove", self, objectName="removeClosureButton")
        self.remove_button.clicked.connect(self.remove_closure)
        adding.addWidget(self.closure_date)
        adding.addWidget(add)
        adding.addWidget(self.remove_button)
        adding.addStretch(1)
        self.closure_list = QListWidget(self, objectName="closureList")
        self.closure_list.setMaximumHeight(64)
        self.closure_list.setAccessibleName("The practice's own closures")
        closures.addLayout(adding)
        closures.addWidget(self.closure_list)
        form.addRow("Local closures:", closures)

        self.preview = QLabel(self, objectName="holidayPreview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setProperty("kind", "muted")
        form.addRow("", self.preview)
        for signal in (self.zone.currentTextChanged, self.opens.timeChanged,
                       self.closes.timeChanged, self.closure_list.model().rowsInserted,
                       self.closure_list.model().rowsRemoved):  # fmt: skip
            signal.connect(self._changed)
        self.set_value({})

    # ---------------------------------------------------------------- value

    def set_value(self, data: dict) -> None:
        zone = data.get("timezone") or local_timezone_name()
        if self.zone.findText(zone) < 0:
            self.zone.addItem(zone)
        self.zone.setCurrentText(zone)
        workdays = set(data.get("workdays") if data.get("workdays") is not None else range(5))
        for i, box in enumerate(self.days):
            box.setChecked(i in workdays)
        self.opens.setTime(QTime.fromString(data.get("opens") or "08:00", "HH:mm"))
        self.closes.setTime(QTime.fromString(data.get("closes") or "17:00", "HH:mm"))
        self.federal.setChecked(data.get("observe_us_federal_holidays", True) is not False)
        index = self.state.findData(data.get("state"))
        self.state.setCurrentIndex(max(index, 0))
        self.closure_list.clear()
        for text in sorted(data.get("extra_holidays") or []):
            self._add_item(date.fromisoformat(text))
        self._refresh_preview()

    def value(self) -> dict:
        return {
            "timezone": self.zone.currentText().strip(),
            "workdays": [i for i, box in enumerate(self.days) if box.isChecked()],
            "opens": self.opens.time().toString("HH:mm"),
            "closes": self.closes.time().toString("HH:mm"),
            "observe_us_federal_holidays": self.federal.isChecked(),
            "extra_holidays": sorted(
                self.closure_list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.closure_list.count())
            ),
            "state": self.state.currentData(),
        }

    def control_for(self, field: str | None) -> QWidget | None:
        name = FIELDS.get(field or "")
        return self.findChild(QWidget, name) if name else None

    # ---------------------------------------------------------------- closures

    def add_closure(self) -> None:
        day = self.closure_date.date().toPython()
        if day.isoformat() not in self.value()["extra_holidays"]:
            self._add_item(day)
            self._refresh_preview()

    def remove_closure(self) -> None:
        for item in self.closure_list.selectedItems():
            self.closure_list.takeItem(self.closure_list.row(item))
        self._refresh_preview()

    def _add_item(self, day: date) -> None:
        item = QListWidgetItem(f"{day:%a %b} {day.day}, {day.year}")
        item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
        self.closure_list.addItem(item)
        self.closure_list.sortItems()

    def _changed(self, *_args) -> None:
        self._refresh_preview()
        self.changed.emit()

    def _refresh_preview(self) -> None:
        """This year's closed working days as the form stands. Computed from the holiday
        lists themselves, not by building a PracticeCalendar: each calendar built takes a
        slot of the calendars' shared cache, which the practice's own calendar needs."""
        year = date.today().year
        data = self.value()
        held = {date.fromisoformat(d): PRACTICE_CLOSED for d in data["extra_holidays"]
                if d.startswith(str(year))}  # fmt: skip
        if data["state"]:
            held.update(state_holidays(data["state"], year))
        if data["observe_us_federal_holidays"]:
            held.update(us_federal_holidays(year))
        workdays = set(data["workdays"])
        days = [f"{d:%b} {d.day} {name}" for d, name in sorted(held.items())
                if d.weekday() in workdays]  # fmt: skip
        self.preview.setText(
            f"Closed on {len(days)} working days in {year}: " + "; ".join(days) + "."
            if days else f"No holidays or closures on working days in {year}."
        )  # fmt: skip

"""What every window and view is given: the database, who is signed in, the worker
runner, the message facade and the app-wide signals. Views get this, never a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from practiceboard.gui.kit.messages import Messages

if TYPE_CHECKING:  # types only: the start-up path does not load the ORM for them
    from practiceboard.core.actor import Actor
    from practiceboard.db.engine import Database
    from practiceboard.domain.policy import Policy
    from practiceboard.gui.kit.runner import Runner


class AppSignals(QObject):
    """App-wide events. ``data_changed(Change)`` fires after our own writes (what they
    changed, see kit/change.py) and when another PC's change is noticed
    (``Change.everything()``); views refresh themselves when the change touches what
    they show (keeping selection and drags)."""

    data_changed = Signal(object)  # a kit.change.Change
    task_saved = Signal(int)  # task id, after a successful write from this window
    open_task = Signal(int)  # ask the main window to open the task detail
    status_message = Signal(str)
    minute = Signal()  # once a minute: repaint relative times (gui.kit.ages)


@dataclass
class AppContext:
    db: Database
    actor: Actor
    policy: Policy  # a snapshot for showing/hiding controls; services enforce the real rules
    runner: Runner
    signals: AppSignals = field(default_factory=AppSignals)
    messages: type[Messages] = Messages

    def can(self, capability: str) -> bool:
        return self.policy.can(capability)

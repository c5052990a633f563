"""One PracticeBoard per person per PC: a second start brings the running window forward.

Two copies would poll the database, scan for alerts, notify and idle-lock twice. The
first start holds a lock file (``QLockFile``: released by the system when the process
dies, so a crash leaves no stale lock behind) and listens on a local socket (a named pipe
on Windows, a socket file elsewhere); a second start finds the lock taken, says "show
yourself" on the socket and ends. Both names are per user and per data folder, so
another Windows account on the same PC, or a test with its own folder, runs its own.
"""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from practiceboard.core.paths import data_dir

HELLO = b"show\n"
WAIT_MS = 1000


def instance_key(folder: Path, user: str) -> str:
    """The socket name for this person and data folder (short, no path characters)."""
    digest = hashlib.sha256(f"{user}\0{folder.resolve()}".encode()).hexdigest()[:16]
    return f"PracticeBoard-{digest}"


class SingleInstance(QObject):
    """``claim()``: True for the first start (which then gets ``activated`` whenever a
    later start asks for the window); False for a later one, after it asked."""

    activated = Signal()

    def __init__(self, folder: Path | None = None, user: str | None = None,
                 parent: QObject | None = None):  # fmt: skip
        super().__init__(parent)
        folder = folder or data_dir()
        self.name = instance_key(folder, user or _user())
        self.lock = QLockFile(str(folder / "app.lock"))
        self.lock.setStaleLockTime(0)  # never "stale" by age: only a dead owner frees it
        self.server: QLocalServer | None = None

    def claim(self) -> bool:
        if not self.lock.tryLock(100):
            self._ask_first_to_show()
            return False
        self.server = QLocalServer(self)
        QLocalServer.removeServer(self.name)  # a socket file a crash left behind (Unix)
        self.server.newConnection.connect(self._knocked)
        self.server.listen(self.name)
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()

    def _ask_first_to_show(self) -> None:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(WAIT_MS):
            socket.write(HELLO)
            socket.waitForBytesWritten(WAIT_MS)
            socket.disconnectFromServer()

    def _knocked(self) -> None:
        """A later start connected: read its few bytes (they are written at once) and
        let it go. No slots on the connection: nothing fires after it is gone."""
        while self.server is not None and self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            if conn.bytesAvailable() or conn.waitForReadyRead(WAIT_MS):
                hello = bytes(conn.readAll().data())
            else:
                hello = b""
            conn.abort()
            conn.deleteLater()
            if hello.startswith(HELLO.strip()):
                self.activated.emit()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 — no user name in the environment: one key for all
        return "user"

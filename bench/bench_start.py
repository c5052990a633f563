"""Cold start to an interactive board on a big database, and resident memory.

Run as its own process (a cold interpreter): imports PySide6 and the app, signs a
manager in through the real service, builds the real main window on the board view
and waits until the board has loaded and painted. Prints "<seconds> <MiB>".
bench.py runs it several times and reports the median.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import resource  # noqa: E402
import sys  # noqa: E402


def _peak_rss_mib() -> float:
    """This process's own peak resident memory. ru_maxrss would not do: on Linux it keeps
    the parent's peak across fork/exec, so it reports the benchmark's size, not ours."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str, username: str, password: str) -> None:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from practiceboard.db.engine import Database
    from practiceboard.gui.kit.context import AppContext
    from practiceboard.gui.kit.runner import Runner
    from practiceboard.gui.shell.main_window import MainWindow
    from practiceboard.gui.shell.sign_in import load_signed_in
    from practiceboard.services.users import sign_in

    app = QApplication(sys.argv[:1])
    db = Database(url)
    actor = sign_in(db, username, password, "bench")
    session = load_signed_in(db, actor)
    ctx = AppContext(db=db, actor=actor, policy=session.policy, runner=Runner())
    settings = QSettings(
        str(__import__("tempfile").mkdtemp()) + "/s.ini", QSettings.Format.IniFormat
    )
    window = MainWindow(ctx, session, settings=settings, live_updates=False)
    window.show()
    board = window.show_view("board")

    def loaded() -> None:
        board.repaint()
        elapsed = time.perf_counter() - T0
        rss_mib = _peak_rss_mib()
        print(f"{elapsed:.3f} {rss_mib:.0f}")
        QTimer.singleShot(0, app.quit)

    board.board_loaded.connect(loaded)
    board.refresh()
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""Cold start to an interactive board on a big database, and resident memory.

Run as its own process (a cold interpreter): imports PySide6 and the app, signs a
manager in through the real service, builds the real main window on the board view
and waits until the board has loaded and painted. Prints "<seconds> <MiB>".
bench.py runs it several times and reports the median.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import sys  # noqa: E402


def _peak_rss_mib(platform: str = sys.platform) -> float | None:
    """This process's own peak resident memory, or None where it cannot be read.
    Linux: VmHWM (ru_maxrss would not do: it keeps the parent's peak across fork/exec,
    so it reports the benchmark's size, not ours); Windows: the peak working set;
    macOS: ru_maxrss, which counts bytes there (KiB on Linux)."""
    if platform == "win32":
        return _windows_peak_mib()
    if platform.startswith("linux"):
        try:
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
    import resource  # POSIX only

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform == "darwin" else peak / 1024


def _windows_peak_mib() -> float | None:
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD)] + [
            (name, ctypes.c_size_t)
            for name in ("PeakWorkingSetSize", "WorkingSetSize", "QuotaPeakPagedPoolUsage",
                         "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage",
                         "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage")
        ]  # fmt: skip

    counters = Counters(cb=ctypes.sizeof(Counters))
    process = ctypes.windll.kernel32.GetCurrentProcess()  # type: ignore[attr-defined]
    if not ctypes.windll.psapi.GetProcessMemoryInfo(  # type: ignore[attr-defined]
        process, ctypes.byref(counters), counters.cb
    ):
        return None
    return counters.PeakWorkingSetSize / (1024 * 1024)


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
        print(f"{elapsed:.3f} {'-' if rss_mib is None else f'{rss_mib:.0f}'}")
        QTimer.singleShot(0, app.quit)

    board.board_loaded.connect(loaded)
    board.refresh()
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:4])

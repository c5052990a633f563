"""The frozen app's entry point (installer/practiceboard.spec builds it).

``PracticeBoard`` with no command opens the desktop app; with a command it is the
command line (``PracticeBoard --version``, ``init``, ``backup``, ``audit verify``).
A windowed build on Windows has no console (``sys.stdout`` is None): there it runs
as ``practiceboard-app`` does, showing in a message box what could not start.
"""

import sys

from practiceboard.cli import app_main, main

if __name__ == "__main__":
    raise SystemExit(app_main() if sys.stdout is None else main())

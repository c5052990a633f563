"""The Makefile's two commands for a PC without make (Windows): the same steps in Python.

    py scripts\\task.py run      # = make run: make .venv, install, open the app (demo on first run)
    py scripts\\task.py test     # = make test: make .venv, install, the whole suite offscreen
    py scripts\\task.py lint     # = make lint

On Linux and macOS ``python3 scripts/task.py …`` does the same as make.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def venv_python(platform: str = sys.platform, root: Path = VENV) -> Path:
    """The virtual environment's interpreter: Scripts\\python.exe on Windows, bin/python
    elsewhere."""
    return root / "Scripts" / "python.exe" if platform == "win32" else root / "bin" / "python"


def ensure_env() -> Path:
    """Create .venv and install the app with its dev extras when pyproject.toml is newer
    than the last install (what the Makefile's stamp file does)."""
    python, stamp = venv_python(), VENV / ".installed"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    project = ROOT / "pyproject.toml"
    if not stamp.exists() or stamp.stat().st_mtime < project.stat().st_mtime:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
                       check=True)  # fmt: skip
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
                       cwd=ROOT, check=True)  # fmt: skip
        stamp.touch()
    return python


def main(argv: list[str]) -> int:
    task = argv[0] if argv else "help"
    if task not in ("run", "test", "lint"):
        print(__doc__)
        return 2
    python = ensure_env()
    if task == "run":
        return subprocess.call([str(python), "-m", "practiceboard", "--demo-if-empty"])
    if task == "test":
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        return subprocess.call([str(python), "-m", "pytest", *argv[1:]], cwd=ROOT, env=env)
    folders = ["src", "tests", "bench", "migrations", "scripts", "installer"]
    ruff = [str(python), "-m", "ruff"]
    return subprocess.call([*ruff, "check", *folders], cwd=ROOT) or subprocess.call(
        [*ruff, "format", "--check", *folders], cwd=ROOT
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

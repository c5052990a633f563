"""scripts/task.py: the Makefile's commands where there is no make (Windows PCs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_task():
    spec = importlib.util.spec_from_file_location("task", ROOT / "scripts" / "task.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_environment_interpreter_is_where_each_platform_puts_it(tmp_path):
    task = load_task()
    assert task.venv_python("win32", tmp_path) == tmp_path / "Scripts" / "python.exe"
    assert task.venv_python("linux", tmp_path) == tmp_path / "bin" / "python"
    assert task.venv_python("darwin", tmp_path) == tmp_path / "bin" / "python"


def test_an_unknown_task_prints_the_help_and_installs_nothing(capsys, monkeypatch):
    task = load_task()
    monkeypatch.setattr(task, "ensure_env", lambda: (_ for _ in ()).throw(AssertionError))
    assert task.main(["deploy"]) == 2
    assert "scripts\\task.py run" in capsys.readouterr().out


def test_the_makefile_and_the_runner_run_the_same_commands():
    makefile = (ROOT / "Makefile").read_text()
    runner = (ROOT / "scripts" / "task.py").read_text()
    assert "--demo-if-empty" in makefile and "--demo-if-empty" in runner
    assert "QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest" in makefile
    assert '"QT_QPA_PLATFORM": "offscreen"' in runner
    assert "-e '.[dev]'" in makefile and '"-e", ".[dev]"' in runner

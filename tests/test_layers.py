"""The house's walls, held by a test: which package may import which.

Read from the source with ``ast``, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "practiceboard"

# room -> rooms of ours it must never import
FORBIDDEN = {
    "domain": {"db", "core", "services", "queries", "gui", "cli", "demo", "jobs", "reports"},
    "db": {"core", "services", "queries", "gui", "cli", "demo", "jobs", "reports"},
    "core": {"services", "queries", "gui", "cli", "demo", "jobs", "reports"},
    "services": {"queries", "gui", "cli", "demo", "jobs", "reports"},
    "queries": {"services", "gui", "cli", "demo", "jobs", "reports"},
    "jobs": {"gui", "cli"},
    "reports": {"gui", "cli"},
}
QT = ("PySide6", "shiboken6")
# core's leaves: where files, environment variables and the PC's time zone come from.
# They import nothing of ours but each other, so db/ may use them too.
CORE_LEAVES = {"paths", "settings", "timezone"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules(room: str) -> list[Path]:
    folder = PKG / room
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_a_room_imports_only_what_stands_below_it(room):
    offences = []
    for path in _modules(room):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "practiceboard" or len(parts) < 2 or parts[1] not in FORBIDDEN[room]:
                continue
            if room == "db" and parts[1] == "core" and len(parts) > 2 and parts[2] in CORE_LEAVES:
                continue
            offences.append(f"{path.relative_to(PKG)} imports {name}")
    assert offences == []


def test_core_leaves_import_nothing_of_ours_but_each_other():
    offences = [
        f"core/{leaf}.py imports {name}"
        for leaf in sorted(CORE_LEAVES)
        if (PKG / "core" / f"{leaf}.py").exists()
        for name in _imports(PKG / "core" / f"{leaf}.py")
        if name.startswith("practiceboard.")
        and not any(name.startswith(f"practiceboard.core.{other}") for other in CORE_LEAVES)
        and not name.startswith("practiceboard.domain.errors")
    ]
    assert offences == []


def test_qt_lives_only_in_gui():
    offences = [
        f"{path.relative_to(PKG)} imports {name}"
        for path in sorted(PKG.rglob("*.py"))
        if path.relative_to(PKG).parts[0] != "gui"
        for name in _imports(path)
        if name.split(".")[0] in QT
    ]
    assert offences == []


def test_no_loose_demo_modules_at_the_package_top():
    assert sorted(p.name for p in PKG.glob("demo*.py")) == []

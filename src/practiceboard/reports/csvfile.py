"""CSV as Excel opens it: UTF-8 with a byte-order mark, and no cell that a spreadsheet
would run as a formula (a text cell starting with = + - @, a tab or a carriage return
gets a leading apostrophe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from practiceboard.core.paths import private_file

_RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """Numbers stay numbers; text that a spreadsheet would treat as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_RISKY) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write the file (replacing it) and return its path."""
    path = Path(path)
    private_file(path)  # for this user only, before the rows are in it
    path.write_text(csv_text(header, rows), encoding="utf-8-sig", newline="")
    return path

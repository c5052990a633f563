"""Reading a spreadsheet (CSV or XLSX) into a header and rows of cells, or refusing the
file with one sentence a clinic user can act on.

A file is read whole before anything is written, so a file refused here leaves the
database as it was. Refused: a file over ``MAX_BYTES``, text in an encoding we cannot
read, a workbook whose cells hold formulas or are merged, a sheet with no rows under its
header, anything that is neither CSV nor a workbook.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from practiceboard.domain.errors import ValidationError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

Cell = str | date | datetime | int | float | None


@dataclass(frozen=True)
class Sheet:
    """A file's first sheet: its header (the first non-empty row) and the rows below it,
    each with its row number in the file (1-based, as a spreadsheet shows it)."""

    file_name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    sheet_name: str = ""

    def cell(self, row: tuple[Cell, ...], column: int) -> Cell:
        return row[column] if column < len(row) else None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_sheet(path: Path | str) -> Sheet:
    """The file's header and rows, or ValidationError with the sentence saying why not."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        msg = f"{path.name} could not be opened. Check that it still exists."
        raise ValidationError(msg) from None
    if size > MAX_BYTES:
        raise ValidationError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB; PracticeBoard imports files of up to "
            f"{MAX_BYTES // 1024 // 1024} MB. Save only the sheet and rows you need and try again."
        )
    data = path.read_bytes()
    if not data.strip():
        raise ValidationError(f"{path.name} is empty: there is nothing to import.")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(path.name, data)
    if path.suffix.lower() in (".xls", ".xlsm", ".xlsb", ".ods", ".numbers"):
        raise ValidationError(
            f"{path.name} is not a file PracticeBoard can read. Save it as an Excel workbook "
            "(.xlsx) or as “CSV UTF-8” and try again."
        )
    return _read_csv(path.name, data)


# ---------------------------------------------------------------- CSV


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            # What Excel on a US Windows PC writes for "CSV (Comma delimited)".
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise ValidationError(
        f"{name} is not text in an encoding PracticeBoard can read. In your spreadsheet use "
        "Save As → “CSV UTF-8 (Comma delimited)” and import that file."
    )


def _read_csv(name: str, data: bytes) -> Sheet:
    text = _decode(name, data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(f"{name} is not a well-formed CSV file ({exc}).") from None
    rows = [(i, tuple(c.strip() for c in r)) for i, r in enumerate(raw, 1)]
    return _framed(name, "", rows)


# ---------------------------------------------------------------- XLSX


def _read_xlsx(name: str, data: bytes) -> Sheet:
    import openpyxl  # only for workbooks: it takes a moment to import
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ValidationError(
            f"{name} is not an Excel workbook PracticeBoard can read. Open it in your "
            "spreadsheet, save it as .xlsx or as “CSV UTF-8”, and try again."
        ) from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise ValidationError(f"{name} has no sheet to import.")
    if sheet.merged_cells.ranges:
        first = sorted(str(r) for r in sheet.merged_cells.ranges)[0]
        raise ValidationError(
            f"The sheet “{sheet.title}” has merged cells ({first}). Unmerge them so each "
            "row stands on its own, then import again."
        )
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), 1):
        values = []
        for cell in cells:
            if cell.data_type == "f":
                raise ValidationError(
                    f"Cell {cell.coordinate} of “{sheet.title}” holds a formula ({cell.value}). "
                    "Copy the sheet and paste values only, save, and import again."
                )
            value = cell.value
            values.append(value.strip() if isinstance(value, str) else value)
        rows.append((number, tuple(values)))
        if number > MAX_ROWS + 50:
            break
    return _framed(name, sheet.title, rows)


# ---------------------------------------------------------------- both


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _framed(name: str, sheet_name: str, rows: list[tuple[int, tuple[Cell, ...]]]) -> Sheet:
    filled = [(n, r) for n, r in rows if not all(_blank(c) for c in r)]
    where = f"The sheet “{sheet_name}”" if sheet_name else name
    if not filled:
        raise ValidationError(f"{where} is empty: there is nothing to import.")
    (_, header), body = filled[0], filled[1:]
    names = tuple("" if _blank(h) else str(h).strip() for h in header)
    while names and not names[-1]:
        names = names[:-1]
    if not body:
        raise ValidationError(
            f"{where} has a header row but no rows under it: there is nothing to import."
        )
    if len(body) > MAX_ROWS:
        raise ValidationError(
            f"{where} has more than {MAX_ROWS:,} rows. Split it into smaller files and import "
            "them one after another."
        )
    return Sheet(name, names, tuple(body), sheet_name)

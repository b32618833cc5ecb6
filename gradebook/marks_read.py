"""Reading a filled-in marks file (XLSX or CSV) into plain rows.

The layout is :mod:`sheetgrade.gradebook.marks_files`'s; what the rows ask for is
worked out by :mod:`sheetgrade.gradebook.marks_plan`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sheetgrade.gradebook.errors import MarksError


@dataclass
class FileRows:
    """A marks file read into plain rows: (row number, values)."""

    path: Path
    meta: list[str]
    header: list[str]
    rows: Sequence[tuple[int, Sequence[object]]]
    column_names: list[str]  # how to name a column in messages: letter for xlsx, number for csv


def read_file(path: Path) -> FileRows:
    """Read ``path`` by its suffix (.xlsx/.xlsm or .csv/.txt).

    Raises:
        MarksError: the file is missing, of another type or not readable.
    """
    if not path.is_file():
        raise MarksError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise MarksError(f"{path.name}: unknown file type '{suffix}'; marks files are .xlsx or .csv")


def _read_xlsx(path: Path) -> FileRows:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise MarksError(
            f"{path.name}: not a readable XLSX file ({exc.__class__.__name__})"
        ) from None
    ws = wb["marks"] if "marks" in wb.sheetnames else wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    meta = [("" if v is None else str(v)) for v in (values[0] if values else [])]
    header = [("" if v is None else str(v)) for v in (values[1] if len(values) > 1 else [])]
    rows = [(i + 1, list(r)) for i, r in enumerate(values[2:], start=2)]
    names = [get_column_letter(i + 1) for i in range(max(len(header), 1))]
    return FileRows(path, meta, header, rows, names)


def _read_csv(path: Path) -> FileRows:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = text.splitlines()
    second = lines[1] if len(lines) > 1 else ""
    delimiter = ";" if second.count(";") > second.count(",") else ","
    values = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    meta = values[0] if values else []
    header = values[1] if len(values) > 1 else []
    rows = [(i + 1, list(r)) for i, r in enumerate(values[2:], start=2)]
    names = [str(i + 1) for i in range(max(len(header), 1))]
    return FileRows(path, meta, header, rows, names)


def cell(row: Sequence[object], index: int | None) -> object:
    """The value at ``index`` (None past the row's end or for a missing column)."""
    if index is None or index >= len(row):
        return None
    return row[index]


def cell_text(value: object) -> str:
    """A cell as text: blank for None, ``3`` for 3.0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column(data: FileRows, index: int) -> str:
    """How messages name column ``index``: its letter (xlsx) or number (csv)."""
    return data.column_names[index] if index < len(data.column_names) else str(index + 1)

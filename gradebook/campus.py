"""The campus-system admission list, laid out as ``course.yml`` declares (``exports.campus``).

A layout is a preset with any of its keys replaced: the columns (header and
what each holds), the delimiter, the decimal mark, the encoding and the words
for passed and failed. The only preset is ``sheetgrade``, the layout this tool
always wrote (``Matrikelnummer;Nachname;Vorname;Punkte;Prozent;Status``, decimal
comma, UTF-8 with a byte-order mark, CRLF line ends): no campus system
(CAMPUSonline/heiCO, HISinOne) documents an admission-list import publicly, so
no other layout can be cited; declare the one your examination office asks for.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheetgrade.course.export_config import CampusColumn, CampusExport
from sheetgrade.gradebook.errors import GradebookError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class CampusLayout:
    """A complete layout: every key has a value."""

    columns: tuple[CampusColumn, ...]
    delimiter: str
    decimal_mark: str
    encoding: str
    passed: str
    failed: str
    header: bool = True
    line_end: str = "\r\n"


PRESETS: dict[str, CampusLayout] = {
    "sheetgrade": CampusLayout(
        columns=(
            CampusColumn(header="Matrikelnummer", value="matrikel"),
            CampusColumn(header="Nachname", value="last_name"),
            CampusColumn(header="Vorname", value="first_name"),
            CampusColumn(header="Punkte", value="points"),
            CampusColumn(header="Prozent", value="percent"),
            CampusColumn(header="Status", value="status"),
        ),
        delimiter=";",
        decimal_mark=",",
        encoding="utf-8-sig",
        passed="bestanden",
        failed="nicht bestanden",
    ),
}


def campus_layout(config: CampusExport | None = None) -> CampusLayout:
    """The preset with the keys ``config`` sets."""
    config = config or CampusExport()
    layout = PRESETS[config.preset]
    changes = {
        key: getattr(config, key)
        for key in ("delimiter", "decimal_mark", "encoding", "passed", "failed", "header")
        if getattr(config, key) is not None
    }
    if config.columns is not None:
        changes["columns"] = tuple(config.columns)
    return dataclasses.replace(layout, **changes)


def _blank(value: object) -> bool:
    return value is None or value != value or str(value).strip() == ""  # None, NaN, ""


def _cell(row: pd.Series, column: CampusColumn, layout: CampusLayout) -> str:
    value = column.value
    if value == "constant":
        return column.text
    if value == "status":
        return layout.passed if bool(row["admitted"]) else layout.failed
    if value == "name":
        return f"{row['last_name']}, {row['first_name']}"
    raw = row[value]
    if value in ("points", "max", "percent"):
        return f"{float(raw):.{column.digits}f}".replace(".", layout.decimal_mark)
    return "" if _blank(raw) else str(raw)


def campus_text(table: pd.DataFrame, layout: CampusLayout, *, limit: int | None = None) -> str:
    """The list as text (no byte-order mark); ``limit``: only the first rows (a preview)."""
    if any(c.value == "matrikel" for c in layout.columns):
        missing = [str(r["student"]) for _, r in table.iterrows() if _blank(r["matrikel"])]
        if missing:
            raise GradebookError(
                f"{len(missing)} students have no matriculation number ({', '.join(missing[:5])}); "
                f"the campus list needs one for everyone: fix the roster and import it again"
            )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.delimiter, lineterminator=layout.line_end)
    if layout.header:
        writer.writerow([c.header for c in layout.columns])
    rows = table if limit is None else table.head(limit)
    for _, row in rows.iterrows():
        writer.writerow([_cell(row, c, layout) for c in layout.columns])
    return buffer.getvalue()


def campus_bytes(table: pd.DataFrame, layout: CampusLayout) -> bytes:
    """The list encoded as declared.

    Raises:
        GradebookError: a cell the encoding cannot hold, with the student and the column;
            nothing is written then.
    """
    text = campus_text(table, layout)
    try:
        return text.encode(layout.encoding)
    except UnicodeEncodeError:
        pass
    problems = []
    for _, row in table.iterrows():
        for column in layout.columns:
            cell = _cell(row, column, layout)
            try:
                cell.encode(layout.encoding)
            except UnicodeEncodeError as exc:
                problems.append(
                    f"student {row['student']}: {column.header} {cell!r} has "
                    f"{cell[exc.start : exc.end]!r}"
                )
    for column in layout.columns:
        try:
            column.header.encode(layout.encoding)
        except UnicodeEncodeError:
            problems.append(f"header {column.header!r}")
    raise GradebookError(
        f"course.yml exports.campus: the encoding {layout.encoding} cannot write "
        f"{len(problems)} cell(s); nothing was written. Use encoding: utf-8 if the campus "
        f"system accepts it, or correct the names in the roster",
        problems[:20],
    )

"""The ``exports:`` settings of course.yml: the layout of the campus-system list.

Declared once, with help text, like every setting (:mod:`sheetgrade.course.config`
holds the rest of course.yml and includes these as ``exports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sheetgrade.course.schema import setting


@dataclass(frozen=True, kw_only=True)
class CampusColumn:
    """One column of the campus export."""

    header: str = setting(
        help="The column's header, as the campus system expects it.", example="Matrikelnummer"
    )
    value: Literal[
        "matrikel",
        "student",
        "last_name",
        "first_name",
        "name",
        "email",
        "group",
        "points",
        "max",
        "percent",
        "status",
        "explanation",
        "constant",
    ] = setting(
        help="What the column holds: `matrikel`, `student` (id), `last_name`, `first_name`, "
        "`name` (Last, First), `email`, `group`, `points`, `max`, `percent`, `status` (the "
        "passed/failed word), `explanation`, or `constant` (the `text` below).",
        example="matrikel",
    )
    digits: int = setting(2, "Decimal places of `points`, `max` and `percent`.")
    text: str = setting("", "The fixed text of a `constant` column (e.g. an exam number).")


@dataclass(frozen=True, kw_only=True)
class CampusExport:
    """The campus-system list of `admission export --format campus`.

    Every key left out takes its value from the preset."""

    preset: Literal["sheetgrade"] = setting(
        "sheetgrade",
        "Layout the other keys start from. `sheetgrade`: Matrikelnummer;Nachname;Vorname;"
        "Punkte;Prozent;Status, `;`, decimal comma, UTF-8 with byte-order mark, "
        "bestanden/nicht bestanden (no campus system documents an import format publicly; "
        "declare yours with the keys below).",
    )
    columns: list[CampusColumn] | None = setting(
        None, "The columns, in order (default: the preset's)."
    )
    delimiter: str | None = setting(
        None, "Field separator, one character (default: the preset's `;`)."
    )
    decimal_mark: Literal[",", "."] | None = setting(
        None, "Decimal mark of numbers (default: the preset's `,`)."
    )
    encoding: str | None = setting(
        None,
        "Text encoding: `utf-8`, `utf-8-sig` (with byte-order mark), `cp1252`, `latin-1`… "
        "(default: the preset's `utf-8-sig`).",
    )
    passed: str | None = setting(None, "The word for admitted (default: the preset's `bestanden`).")
    failed: str | None = setting(
        None, "The word for not admitted (default: the preset's `nicht bestanden`)."
    )
    header: bool | None = setting(None, "Write a header line (default: the preset's, yes).")

    def __validate__(self) -> list[str]:
        import codecs

        problems = []
        if self.delimiter is not None and (len(self.delimiter) != 1 or self.delimiter in '"\r\n'):
            problems.append(
                f'delimiter: "{self.delimiter}" is not one character (write ";", "," or "\\t")'
            )
        if self.delimiter is not None and self.delimiter == self.decimal_mark:
            problems.append(f'delimiter and decimal_mark are both "{self.delimiter}"')
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                problems.append(
                    f'encoding: "{self.encoding}" is not a known encoding '
                    f"(e.g. utf-8, utf-8-sig, cp1252, latin-1)"
                )
        for i, column in enumerate(self.columns or []):
            if column is not None and column.value == "constant" and not column.text:
                problems.append(f"columns[{i}]: a constant column needs `text`")
            if column is not None and not 0 <= column.digits <= 10:
                problems.append(f"columns[{i}].digits: {column.digits} is not between 0 and 10")
        if self.columns is not None and not self.columns:
            problems.append("columns: at least one column")
        return problems


@dataclass(frozen=True, kw_only=True)
class Exports:
    """Layouts of exported files."""

    campus: CampusExport = setting(CampusExport(), "The campus-system admission list.")

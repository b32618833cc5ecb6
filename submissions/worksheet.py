"""Moodle's grading worksheet: reading it, and writing it back with grades.

The worksheet is the CSV of an assignment's "Download grading worksheet"
(feedback plugin ``assignfeedback_offline``; the table is
``mod/assign/gradingtable.php`` in download mode). Its header names are
Moodle's language strings in the language of the person who downloaded it;
English and German are understood:

============================  ===============================  =============================
column                        English                          German
============================  ===============================  =============================
identifier                    Identifier                       ID
full name                     Full name                        Vollständiger Name
e-mail                        Email address                    E-Mail-Adresse
status                        Status                           Status
group (team mode only)        Group                            Gruppe
grade                         Grade                            Bewertung
maximum grade                 Maximum Grade                    Bestwertung
scale (instead of maximum)    Scale                            Skala
grade can be changed          Grade can be changed             Bewertung kann geändert werden
submission time               Last modified (submission)       Zuletzt geändert (Abgabe)
grade time                    Last modified (grade)            Zuletzt geändert (Bewertung)
feedback comments             Feedback comments                Feedback als Kommentar
============================  ===============================  =============================

Other columns (online text, profile fields, marker, workflow state) are kept
as they are. An identifier is ``Participant `` (German ``Teilnehmer/in``)
followed by the participant id; Moodle's import strips the prefix by its
length. Times are Moodle's ``userdate``: ``Tuesday, 3 November 2026, 9:55 AM``
or ``Dienstag, 3. November 2026, 09:55``, in the downloader's timezone, which
the file does not name: they are read in the course timezone. Grades are
written with the decimal mark and the decimals of the file's maximum grade.

Writing back keeps every row, column, identifier and ``Last modified (grade)``
as downloaded (Moodle compares that time to skip grades changed in Moodle
since), and fills in ``Grade`` and ``Feedback comments``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from sheetgrade.submissions.errors import SubmissionError

#: canonical column -> the header texts it has in English and German
COLUMNS: dict[str, tuple[str, ...]] = {
    "identifier": ("Identifier", "ID"),
    "full_name": ("Full name", "Vollständiger Name"),
    "email": ("Email address", "E-Mail-Adresse"),
    "status": ("Status",),
    "group": ("Group", "Gruppe"),
    "grade": ("Grade", "Bewertung"),
    "max_grade": ("Maximum Grade", "Maximum grade", "Bestwertung"),
    "scale": ("Scale", "Skala"),
    "can_change": ("Grade can be changed", "Bewertung kann geändert werden"),
    "submitted": ("Last modified (submission)", "Zuletzt geändert (Abgabe)"),
    "graded": ("Last modified (grade)", "Zuletzt geändert (Bewertung)"),
    "feedback": ("Feedback comments", "Feedback als Kommentar"),
}
PARTICIPANT_PREFIXES = (
    "Participant ",
    "Participant",
    "Teilnehmer/in ",
    "Teilnehmer/in",
    "Teilnehmer*in",
)
DEFAULT_GROUP_NAMES = ("Default group", "Standard-Gruppe")  # mod_assign 'defaultteam', en and de

_MONTHS = {
    name: i + 1
    for names in (
        ("january february march april may june july august september october november december"),
        "januar februar märz april mai juni juli august september oktober november dezember",
        "jan feb mar apr may jun jul aug sep oct nov dec",
        "jan feb mär apr mai jun jul aug sep okt nov dez",
    )
    for i, name in enumerate(names.split())
}
_USERDATE = re.compile(
    r"^(?:[^\W\d_]+,?\s+)?(?P<day>\d{1,2})\.?\s+(?P<month>[^\W\d_]+)\.?\s+(?P<year>\d{4}),?\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<ampm>[AaPp]\.?\s*[Mm]\.?))?$"
)


def parse_userdate(text: str, tz: tzinfo) -> datetime | None:
    """A worksheet time (Moodle's ``userdate``, English or German, or ISO 8601), in ``tz``;
    None for ``-`` or an empty cell.

    Raises:
        ValueError: the text is not such a time.
    """
    text = text.strip()
    if text in ("", "-"):
        return None
    m = _USERDATE.match(text)
    if m is None:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time") from None
        return value if value.tzinfo else value.replace(tzinfo=tz)
    month = _MONTHS.get(m["month"].casefold())
    if month is None:
        raise ValueError(f"{text!r}: unknown month {m['month']!r}")
    hour = int(m["hour"])
    if m["ampm"]:
        pm = m["ampm"][0] in "Pp"
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if pm else 0)
    try:
        return datetime(int(m["year"]), month, int(m["day"]), hour, int(m["minute"]), tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


@dataclass
class WorksheetRow:
    """One participant's row."""

    line: int
    cells: list[str]
    identifier: str
    participant_id: str
    full_name: str = ""
    email: str = ""
    status: str = ""
    group: str = ""
    grade: str = ""
    feedback: str = ""
    submitted_at: datetime | None = None

    @property
    def in_default_group(self) -> bool:
        return self.group.strip().casefold() in {n.casefold() for n in DEFAULT_GROUP_NAMES}


@dataclass
class Worksheet:
    """A parsed grading worksheet, with what is needed to write it back unchanged."""

    path: Path
    header: list[str]
    columns: dict[str, int]  # canonical column -> index
    rows: list[WorksheetRow] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"
    bom: bool = False
    max_grade: float | None = None
    grade_decimals: int = 2
    decimal_mark: str = "."
    scale: list[str] | None = None

    def by_participant(self) -> dict[str, WorksheetRow]:
        return {r.participant_id: r for r in self.rows}


def _decode(raw: bytes) -> tuple[str, str, bool]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8", True
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "cp1252", False


def _number(text: str) -> tuple[float, int, str] | None:
    """``'10,00'`` -> (10.0, 2, ','); None when not a number."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    m = re.fullmatch(r"(\d+)(?:([.,])(\d+))?", text)
    if not m:
        return None
    mark = m[2] or "."
    decimals = len(m[3] or "")
    return float(f"{m[1]}.{m[3] or 0}"), decimals, mark


def read_worksheet(path: Path, tz: tzinfo) -> Worksheet:
    """Read a grading worksheet downloaded from Moodle.

    Raises:
        SubmissionError: not a worksheet (no identifier or grade column), or rows that
            cannot be read; every problem with its line number.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{path}: cannot read the worksheet ({exc.strerror})") from None
    text, encoding, bom = _decode(raw)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in COLUMNS.items():
            if name.strip() in names and key not in columns:
                columns[key] = index
    missing = [COLUMNS[k][0] for k in ("identifier", "grade") if k not in columns]
    if missing:
        raise SubmissionError(
            f"{path}: not a Moodle grading worksheet: no {' or '.join(repr(m) for m in missing)} "
            f"column (found: {', '.join(header) or 'nothing'}); download it in Moodle from the "
            f"assignment's grading page, 'Download grading worksheet'"
        )
    sheet = Worksheet(path, header, columns, delimiter=delimiter, encoding=encoding, bom=bom)
    problems = _read_rows(sheet, reader, tz)
    _read_grade_kind(sheet)
    if problems:
        raise SubmissionError(
            f"{path}: {len(problems)} problem(s) in the grading worksheet; nothing was read",
            problems,
        )
    return sheet


def _read_rows(sheet: Worksheet, reader: Iterator[list[str]], tz: tzinfo) -> list[str]:
    """Read the rows after the header into ``sheet.rows``; return the problems, by line."""
    columns, header = sheet.columns, sheet.header
    problems: list[str] = []
    seen: dict[str, int] = {}

    def cell(cells: list[str], key: str) -> str:
        i = columns.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        identifier = cell(cells, "identifier")
        participant = ""
        for prefix in PARTICIPANT_PREFIXES:
            if identifier.startswith(prefix) and identifier[len(prefix) :].strip().isdigit():
                participant = identifier[len(prefix) :].strip()
                break
        if not participant:
            problems.append(f"line {line}: identifier {identifier!r} is not 'Participant <number>'")
            continue
        if participant in seen:
            problems.append(
                f"line {line}: {identifier!r} appears twice (first on line {seen[participant]})"
            )
            continue
        seen[participant] = line
        try:
            submitted = parse_userdate(cell(cells, "submitted"), tz)
        except ValueError as exc:
            problems.append(f"line {line}: {COLUMNS['submitted'][0]}: {exc}")
            continue
        sheet.rows.append(
            WorksheetRow(
                line=line,
                cells=list(cells) + [""] * (len(header) - len(cells)),
                identifier=identifier,
                participant_id=participant,
                full_name=cell(cells, "full_name"),
                email=cell(cells, "email"),
                status=cell(cells, "status"),
                group=cell(cells, "group"),
                grade=cell(cells, "grade"),
                feedback=cell(cells, "feedback"),
                submitted_at=submitted,
            )
        )
    return problems


def _read_grade_kind(sheet: Worksheet) -> None:
    """The maximum grade (its decimals and decimal mark), or the scale's items."""
    columns = sheet.columns
    if "max_grade" in columns:
        found = next(
            (n for r in sheet.rows if (n := _number(r.cells[columns["max_grade"]])) is not None),
            None,
        )
        if found is not None:
            sheet.max_grade, sheet.grade_decimals, sheet.decimal_mark = found
    elif "scale" in columns and sheet.rows:
        items = sheet.rows[0].cells[columns["scale"]]
        sheet.scale = [s.strip() for s in re.split(r"[\n,]", items) if s.strip()]


def format_grade(sheet: Worksheet, value: float) -> str:
    """A grade as Moodle wrote the maximum grade: its decimals and decimal mark."""
    text = f"{value:.{sheet.grade_decimals}f}"
    return text.replace(".", sheet.decimal_mark)


def parse_grade(sheet: Worksheet, text: str) -> float | None:
    """A grade cell as a number (None when empty)."""
    if not text.strip():
        return None
    found = _number(text)
    if found is None:
        raise ValueError(f"{text!r} is not a grade")
    return found[0]


def write_worksheet(
    sheet: Worksheet, grades: dict[str, tuple[str, str]], path: Path | None = None
) -> str:
    """The worksheet with new ``Grade`` and ``Feedback comments`` cells.

    Args:
        sheet: The worksheet as downloaded.
        grades: participant id -> (grade text, feedback comment); rows not in it stay as they were.
        path: Where to write it (same encoding, delimiter and byte-order mark as the download).

    Returns:
        The CSV text.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sheet.delimiter, lineterminator="\n")
    writer.writerow(sheet.header)
    grade_col = sheet.columns["grade"]
    feedback_col = sheet.columns.get("feedback")
    for row in sheet.rows:
        cells = list(row.cells)
        if row.participant_id in grades:
            grade, comment = grades[row.participant_id]
            cells[grade_col] = grade
            if feedback_col is not None:
                cells[feedback_col] = comment
        writer.writerow(cells)
    text = buffer.getvalue()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode(sheet.encoding, errors="replace")
        path.write_bytes((b"\xef\xbb\xbf" if sheet.bom else b"") + data)
    return text

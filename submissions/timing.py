"""Times: parsing submission times, deadlines with extensions, and lateness.

``late_seconds`` is measured after the deadline *plus the grace period*: a
submission within the grace period has ``late_seconds == 0`` and counts as on
time. A personal extension replaces the deadline (the grace period still
applies on top). For a team, the latest extension of any member holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheetgrade.course.errors import ConfigError
from sheetgrade.submissions.errors import SubmissionError

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.submissions.matching import Matcher

_TRAILING_ZONE = re.compile(r"\s+([A-Za-z][A-Za-z_/+-]*)$")
_OFFSET_AFTER_SPACE = re.compile(r"\s+([+-]\d\d:?\d\d)$")  # "… 09:55:01 +0100"


def parse_time(text: str, default_tz: tzinfo) -> datetime:
    """Parse an ISO 8601 time (``2026-10-28T09:55``, ``…+01:00``, ``…Z``) or nbgrader's
    ``2026-10-28 09:55:01.123456 UTC``; a time without zone is in ``default_tz``.

    Raises:
        ValueError: the text is not a time.
    """
    text = _OFFSET_AFTER_SPACE.sub(r"\1", text.strip())
    zone: tzinfo | None = None
    m = _TRAILING_ZONE.search(text)
    abbreviation = ""
    if m:
        name = m.group(1)
        if name.upper() in ("UTC", "GMT", "Z"):
            zone = UTC
        else:
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                abbreviation = name  # "CET", "CEST": nbgrader's %Z of a named timezone
        text = text[: m.start()]
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if abbreviation:
        # an abbreviation names no zone; it is the default zone's when that zone uses it then
        if value.tzinfo is not None or value.replace(tzinfo=default_tz).tzname() != abbreviation:
            raise ValueError(f"unknown timezone {abbreviation!r} in {text!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or default_tz)
    return value


def course_tz(course: Course) -> tzinfo:
    """The course timezone (course.yml ``timezone``)."""
    try:
        return ZoneInfo(course.config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SubmissionError(
            f"course.yml: timezone {course.config.timezone!r} is not a known timezone "
            f"(expected e.g. Europe/Berlin)"
        ) from None


@dataclass(frozen=True)
class Deadlines:
    """The deadline of one sheet and the personal extensions to it."""

    due: datetime
    grace: timedelta
    extensions: dict[str, datetime]  # student id -> extended deadline

    def deadline_for(self, student_ids: Iterable[str]) -> tuple[datetime, bool]:
        """The deadline that holds for these students (one, or a team's members),
        and whether it is an extension."""
        extended = [self.extensions[s] for s in student_ids if s in self.extensions]
        if extended and max(extended) > self.due:
            return max(extended), True
        return self.due, False

    def late_seconds(self, received_at: datetime, student_ids: Iterable[str]) -> tuple[float, bool]:
        """Seconds late after deadline + grace (0 when on time), and whether an extension applied."""
        deadline, extended = self.deadline_for(student_ids)
        late = (received_at - (deadline + self.grace)).total_seconds()
        return max(0.0, late), extended


def load_deadlines(
    course: Course,
    sheet_id: str,
    people: Matcher,
    extensions_file: Path | None,
    warnings: list[str],
) -> Deadlines:
    """The sheet's deadline, grace period and extensions (course.yml and an extensions CSV).

    An unknown student in course.yml's extensions is a warning; in the CSV file it is
    an error with the line number, and nothing is collected.
    """
    entry = course.config.sheet(sheet_id)
    assert entry is not None
    extensions: dict[str, datetime] = {}
    for ext in course.config.extensions:
        if course_sheet(course, ext.sheet) != sheet_id:
            continue
        student = people.find_student(ext.student)
        if student is None:
            warnings.append(
                f"course.yml: extensions: no student {ext.student!r} in the roster; extension ignored"
            )
            continue
        extensions[student.id] = max(ext.due, extensions.get(student.id, ext.due))
    if extensions_file is not None:
        for student_id, due in read_extensions_csv(
            extensions_file, course, sheet_id, people
        ).items():
            extensions[student_id] = max(due, extensions.get(student_id, due))
    return Deadlines(due=entry.due, grace=course.config.late.grace, extensions=extensions)


def course_sheet(course: Course, name: str) -> str | None:
    """The sheet id ``name`` refers to, or None."""
    try:
        return course.resolve_sheet_id(name)
    except ConfigError:  # an unknown name simply does not apply
        return None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


_STUDENT_COLS = (
    "student",
    "student_id",
    "id",
    "matrikel",
    "matrikelnummer",
    "matriculation",
    "email",
    "e-mail",
)
_DUE_COLS = ("due", "deadline", "until", "bis", "frist")


def read_extensions_csv(
    path: Path, course: Course, sheet_id: str, people: Matcher
) -> dict[str, datetime]:
    """Extensions for ``sheet_id`` from a CSV with columns ``student``, ``due`` and an
    optional ``sheet`` (rows without a sheet apply to the sheet being collected).

    Raises:
        SubmissionError: with every problem and its line number; nothing applies then.
    """
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise SubmissionError(f"{path}: cannot read the extensions file ({exc.strerror})") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {(h or "").strip().casefold(): h for h in reader.fieldnames or []}
    student_col = next((header[c] for c in _STUDENT_COLS if c in header), None)
    due_col = next((header[c] for c in _DUE_COLS if c in header), None)
    sheet_col = header.get("sheet") or header.get("blatt")
    if student_col is None or due_col is None:
        raise SubmissionError(
            f"{path}: the extensions file needs the columns 'student' and 'due' "
            f"(found: {', '.join(reader.fieldnames or []) or 'none'})"
        )
    problems: list[str] = []
    result: dict[str, datetime] = {}
    tz = course_tz(course)
    for line, row in enumerate(reader, start=2):
        key = (row.get(student_col) or "").strip()
        if not key:
            continue
        sheet_name = (row.get(sheet_col) or "").strip() if sheet_col else ""
        if sheet_name:
            resolved = course_sheet(course, sheet_name)
            if resolved is None:
                problems.append(f"line {line}: no sheet {sheet_name!r} in course.yml")
                continue
            if resolved != sheet_id:
                continue
        student = people.find_student(key)
        if student is None:
            problems.append(
                f"line {line}: no student {key!r} in the roster (by id, matriculation number or e-mail)"
            )
            continue
        try:
            due = parse_time(row.get(due_col) or "", tz)
        except ValueError:
            problems.append(
                f"line {line}: {row.get(due_col)!r} is not a time (expected e.g. 2026-11-05T10:00+01:00)"
            )
            continue
        result[student.id] = max(due, result.get(student.id, due))
    if problems:
        raise SubmissionError(
            f"{path}: {len(problems)} problem(s) in the extensions file; nothing was collected",
            problems,
        )
    return result


def human_delay(seconds: float) -> str:
    """``93784`` → ``1d 2h 3m``; ``0`` → ``""``."""
    if seconds <= 0:
        return ""
    minutes = int(seconds // 60) + (1 if seconds % 60 else 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"

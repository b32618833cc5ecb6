"""Grading worksheets written the way Moodle's grading table writes them in download mode."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

EN = {
    "identifier": "Identifier",
    "prefix": "Participant ",
    "full_name": "Full name",
    "email": "Email address",
    "status": "Status",
    "group": "Group",
    "grade": "Grade",
    "max_grade": "Maximum Grade",
    "can_change": "Grade can be changed",
    "submitted": "Last modified (submission)",
    "onlinetext": "Online text",
    "graded": "Last modified (grade)",
    "feedback": "Feedback comments",
    "yes": "Yes",
}
DE = {
    "identifier": "ID",
    "prefix": "Teilnehmer/in",
    "full_name": "Vollständiger Name",
    "email": "E-Mail-Adresse",
    "status": "Status",
    "group": "Gruppe",
    "grade": "Bewertung",
    "max_grade": "Bestwertung",
    "can_change": "Bewertung kann geändert werden",
    "submitted": "Zuletzt geändert (Abgabe)",
    "onlinetext": "Texteingabe online",
    "graded": "Zuletzt geändert (Bewertung)",
    "feedback": "Feedback als Kommentar",
    "yes": "Ja",
}
_EN_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_DE_DAYS = "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split()
_EN_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_DE_MONTHS = (
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
)


def userdate(when: datetime | None, lang: str = "en") -> str:
    """Moodle's userdate with strftimedaydatetime: English '%A, %d %B %Y, %I:%M %p' and German
    '%A, %d. %B %Y, %H:%M', day and (English) hour without a leading zero."""
    if when is None:
        return "-"
    if lang == "de":
        return (
            f"{_DE_DAYS[when.weekday()]}, {when.day}. {_DE_MONTHS[when.month - 1]} {when.year}, "
            f"{when:%H:%M}"
        )
    hour = when.hour % 12 or 12
    return (
        f"{_EN_DAYS[when.weekday()]}, {when.day} {_EN_MONTHS[when.month - 1]} {when.year}, "
        f"{hour}:{when:%M} {'PM' if when.hour >= 12 else 'AM'}"
    )


@dataclass
class Row:
    participant_id: int
    full_name: str
    email: str
    submitted: datetime | None
    group: str | None = None  # team mode only
    status: str = "Submitted for grading"
    grade: str = ""
    onlinetext: str = ""


def worksheet_csv(
    path: Path,
    rows: list[Row],
    *,
    lang: str = "en",
    max_grade: str = "10.00",
    team: bool = False,
    onlinetext: bool = False,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A grading worksheet as Moodle writes it (columns in the grading table's order)."""
    t = DE if lang == "de" else EN
    header = [t["identifier"], t["full_name"], t["email"], t["status"]]
    header += [t["group"]] if team else []
    header += [t["grade"], t["max_grade"], t["can_change"], t["submitted"]]
    header += [t["onlinetext"]] if onlinetext else []
    header += [t["graded"], t["feedback"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        cells = [f"{t['prefix']}{r.participant_id}", r.full_name, r.email, r.status]
        cells += [r.group or ""] if team else []
        cells += [r.grade, max_grade, t["yes"], userdate(r.submitted, lang)]
        cells += [r.onlinetext] if onlinetext else []
        cells += ["-", ""]
        writer.writerow(cells)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path

"""What a SOURCE is split into: uploads, one per uploader, with what is known of
their time and origin; shared by the layouts (:mod:`~sheetgrade.submissions.layouts`,
:mod:`~sheetgrade.submissions.nbgrader_tree`, :mod:`~sheetgrade.submissions.noto`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sheetgrade.course.config import Limits
from sheetgrade.submissions.archive import Entry, Refusal
from sheetgrade.submissions.timing import parse_time

TIMESTAMP = "timestamp.txt"


@dataclass
class Upload:
    """The files one person (or team) handed in through one source."""

    source: str  # where it came from, for the report
    label: str  # what is matched against the roster
    layout: str  # moodle | nbgrader | inbound | noto | folder | file | zip
    entries: list[Entry]
    received_at: datetime | None = None
    time_origin: str = ""  # "zip entry time" | "timestamp.txt" | ""
    group: int = 0  # index of the SOURCE argument
    by_team: bool = False  # the label may be a team name (Moodle team mode)
    blind: bool = False  # Moodle blind marking: the label hides the name
    moodle: MoodleOrigin | None = None  # where it sat in a Moodle download
    also: tuple[str, ...] = ()  # further labels, tried in turn when ``label`` matches nobody


@dataclass(frozen=True)
class MoodleOrigin:
    """What a Moodle download says about one submission, kept with it for the way back."""

    participant_id: str  # participant id, group id (team mode), "" for the default group
    folder: str  # the folder the download held it in, e.g. "Anna Berg_4711_assignsubmission_file"
    default_group: bool = False


@dataclass
class Scan:
    """What one SOURCE held."""

    uploads: list[Upload] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What the layouts need to know about the course."""

    sheet_id: str
    resolve_sheet: Callable[[str], str | None]
    is_student: Callable[[str], bool]
    limits: Limits
    tz: tzinfo
    assignment: str | None = None  # the nbgrader assignment named with --assignment


def take_timestamp(
    entries: list[Entry], prefix: str, ctx: Context, source: str, scan: Scan
) -> tuple[list[Entry], datetime | None]:
    """Take ``prefix/timestamp.txt`` out of the entries and parse it."""
    name = f"{prefix}/{TIMESTAMP}" if prefix else TIMESTAMP
    rest = [e for e in entries if e.path != name]
    stamp = next((e for e in entries if e.path == name), None)
    if stamp is None:
        return rest, None
    text = stamp.read().decode("utf-8", "replace").strip()
    try:
        return rest, parse_time(text, ctx.tz)
    except ValueError:
        scan.warnings.append(
            f"{source}/{name}: {text[:60]!r} is not a time; the time falls back to --received-at"
        )
        return rest, None

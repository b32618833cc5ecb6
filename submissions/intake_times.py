"""When an upload was handed in, for ``collect``: the time a source carries
(zip entries, ``timestamp.txt``), ``--received-at``, Moodle's grading
worksheet, or the current time, in that order of trust; and the warning when
a Moodle zip's entries all carry the download time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.layouts import Upload
from sheetgrade.submissions.moodle_intake import WORKSHEET_ORIGIN, WorksheetIndex
from sheetgrade.submissions.outcomes import CollectReport, Item
from sheetgrade.submissions.timing import parse_time


def parse_given(received_at: str | datetime | None, tz: Any) -> datetime | None:
    if received_at is None or isinstance(received_at, datetime):
        if isinstance(received_at, datetime) and received_at.tzinfo is None:
            return received_at.replace(tzinfo=tz)
        return received_at
    try:
        return parse_time(received_at, tz)
    except ValueError:
        raise SubmissionError(
            f"--received-at {received_at!r} is not a time "
            f"(expected ISO 8601 such as 2026-11-03T09:55 or 2026-11-03T09:55+01:00)"
        ) from None


def check_uniform_times(
    uploads: list[Upload], source: str, given: datetime | None, report: CollectReport
) -> None:
    """Moodle zips whose entries all carry one time carry the download time, not the upload time."""
    moodle = [u for u in uploads if u.layout == "moodle" and u.received_at is not None]
    if len(moodle) < 2:
        if moodle:
            report.notes.append(
                f"{source}: times are the zip entries' times (Moodle's folder names carry none)"
            )
        return
    times = {u.received_at for u in moodle}
    if len(times) == 1:
        when = next(iter(times))
        if given is not None:
            report.warnings.append(
                f"{source}: every entry carries the same time ({when:%Y-%m-%d %H:%M}), "
                f"probably the download time; using --received-at instead"
            )
            for u in moodle:
                u.received_at, u.time_origin = None, ""
        else:
            report.warnings.append(
                f"{source}: every entry carries the same time ({when:%Y-%m-%d %H:%M}), "
                f"probably the download time, not the upload time; lateness may be wrong; "
                f"pass --received-at TIME to set the time"
            )
    else:
        report.notes.append(
            f"{source}: times are the zip entries' times (Moodle's folder names carry none)"
        )


def resolve_time(item: Item, given: datetime | None, now: datetime, report: CollectReport) -> None:
    up = item.upload
    if up.received_at is not None:
        item.received_at, item.time_origin = up.received_at, up.time_origin
        if up.layout == "moodle":
            item.flags.append("time:zip-entry")
    elif given is not None:
        item.received_at, item.time_origin = given, "--received-at"
    else:
        item.received_at, item.time_origin = now, "now"
        item.flags.append("time:now")
        report.warnings.append(
            f"{up.source}: no time known (no LMS time, no timestamp.txt, no --received-at); "
            f"using the current time"
        )


def worksheet_time(item: Item, sheet_ws: WorksheetIndex, report: CollectReport) -> None:
    """The worksheet's submission time replaces any other (it is Moodle's own record)."""
    participant = item.upload.moodle.participant_id if item.upload.moodle is not None else ""
    if item.upload.moodle is not None and not item.upload.blind and item.match.kind == "team":
        participant = ""  # team mode: the folder holds the group id, not a participant id
    when = sheet_ws.submitted_at(participant, item.members)
    if when is None:
        report.notes.append(
            f"{item.upload.source}: the grading worksheet has no submission time for it; "
            f"kept the {item.time_origin or 'current time'}"
        )
        return
    item.received_at, item.time_origin = when, WORKSHEET_ORIGIN
    item.flags = [f for f in item.flags if not f.startswith("time:")] + ["time:worksheet"]

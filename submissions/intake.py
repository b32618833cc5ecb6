"""``collect``: turn uploads into immutable, versioned submissions.

One call handles a batch of sources. Good items are collected even when others
are refused; the report says what happened to each and whether anything failed.
See :mod:`sheetgrade.submissions.layouts` for the kinds of source,
:mod:`~sheetgrade.submissions.archive` and :mod:`~sheetgrade.submissions.contents`
for what is refused, :mod:`~sheetgrade.submissions.intake_times` and
:mod:`~sheetgrade.submissions.timing` for times and lateness,
:mod:`~sheetgrade.submissions.versions` for numbering and writing versions and
:mod:`~sheetgrade.submissions.storage` for the store and its crash safety.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store
from sheetgrade.submissions.archive import Refusal
from sheetgrade.submissions.contents import SheetRules, read_contents
from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.intake_times import (
    check_uniform_times,
    parse_given,
    resolve_time,
    worksheet_time,
)
from sheetgrade.submissions.layouts import Context, scan_source
from sheetgrade.submissions.matching import Match, Matcher
from sheetgrade.submissions.moodle_intake import (
    WorksheetIndex,
    default_group_match,
    keep_worksheet_copy,
    legacy_team_match,
    store_worksheet,
)
from sheetgrade.submissions.outcomes import (
    CollectReport,
    Item,
    Outcome,
    unmatched_outcome,
    write_reports,
)
from sheetgrade.submissions.sheetmatch import check_sources
from sheetgrade.submissions.storage import SheetStore
from sheetgrade.submissions.timing import Deadlines, course_sheet, course_tz, load_deadlines
from sheetgrade.submissions.versions import store_versions
from sheetgrade.submissions.worksheet import read_worksheet

if TYPE_CHECKING:
    from sheetgrade.course.course import Course, Sheet

__all__ = ["CollectReport", "Outcome", "collect"]


@dataclass
class _Run:
    """What every step of one collect needs."""

    course: Course
    sheet_id: str
    people: Matcher
    report: CollectReport
    tz: tzinfo
    now: datetime
    given_time: datetime | None
    sheet_ws: WorksheetIndex | None


def collect(
    course: Course,
    sheet: str,
    sources: Sequence[str | Path],
    *,
    dry_run: bool = False,
    received_at: str | datetime | None = None,
    extensions_file: str | Path | None = None,
    worksheet: str | Path | None = None,
    now: datetime | None = None,
    force: bool = False,
    assignment: str | None = None,
) -> CollectReport:
    """Collect uploads for one sheet into the store.

    Args:
        course: The open course.
        sheet: Sheet id or number (``03``).
        sources: Files and folders (see :mod:`sheetgrade.submissions.layouts`).
        dry_run: Report what would happen; change nothing (no files, no rows).
        received_at: Time for uploads that carry none (ISO 8601; without zone: course timezone).
        extensions_file: CSV of personal extensions (``student,due[,sheet]``).
        worksheet: Moodle's grading worksheet of the assignment: its "Last modified
            (submission)" times replace the zip entries' times, its rows name the
            members of team mode's default group and the students behind blind
            marking's participant ids; it is kept for ``gradebook moodle-worksheet``.
        now: The current time (tests); the fallback when no other time is known.
        force: Collect a source even when most of its uploads look like another sheet's.
        assignment: The nbgrader assignment (folder name) that is this sheet, when its
            name is neither the sheet's id, its number, nor its id without the number.

    Returns:
        The report; ``report.failed`` tells whether anything was refused or unmatched.

    Raises:
        SubmissionError: bad ``received_at``, bad extensions file, empty roster.
        SheetBusy: another ``collect`` or ``grade`` of the sheet is running.
    """
    sheet_obj = course.sheet(sheet)
    tz = course_tz(course)
    report = CollectReport(
        sheet_id=sheet_obj.id, dry_run=dry_run, sources=[str(s) for s in sources], force=force
    )
    people = Matcher.load(course.engine)
    if not people.students:
        raise SubmissionError(
            "the roster is empty, so nothing can be matched; run `sheetgrade roster import FILE` first"
        )
    run = _Run(
        course,
        sheet_obj.id,
        people,
        report,
        tz,
        now or datetime.now(UTC),
        parse_given(received_at, tz),
        _load_worksheet(worksheet, tz, people, report),
    )
    deadlines = load_deadlines(
        course,
        run.sheet_id,
        people,
        Path(extensions_file) if extensions_file else None,
        report.warnings,
    )
    # 1. scan sources into uploads, match them
    items = _merge(_match_sources(run, sources, assignment), report)
    # 2. contents, owner, time, lateness
    good = _read_uploads(run, items, sheet_rules(sheet_obj), deadlines)
    good = check_sources(course, run.sheet_id, good, report)
    if run.sheet_ws is not None:
        covered = {m for item in items for m in item.members}
        covered |= {item.match.id for item in items if item.match.id}
        report.warnings += run.sheet_ws.not_in_download(covered, people)
    # 3. recover leftovers, plan versions, write
    _store(run, good, dry_run=dry_run)
    return report


def sheet_rules(sheet: Sheet) -> SheetRules:
    """What the sheet accepts, from its sheet.yml."""
    config = sheet.config
    return SheetRules(
        notebooks=tuple(Path(n).name for n in config.notebook_names),
        paper=any(t.kind == "manual" for t in config.tasks) or not config.notebook_names,
        data_files=frozenset(Path(d).name for d in config.data),
    )


def _load_worksheet(
    worksheet: str | Path | None, tz: tzinfo, people: Matcher, report: CollectReport
) -> WorksheetIndex | None:
    if not worksheet:
        return None
    sheet_ws = WorksheetIndex(read_worksheet(Path(worksheet), tz), people)
    report.warnings += sheet_ws.warnings()
    report.notes.append(
        f"times are the grading worksheet's 'Last modified (submission)' "
        f"({Path(worksheet).name}; read in the course timezone, {tz})"
    )
    return sheet_ws


def _match_sources(run: _Run, sources: Sequence[str | Path], assignment: str | None) -> list[Item]:
    course, people, report, sheet_ws = run.course, run.people, run.report, run.sheet_ws
    ctx = Context(
        sheet_id=run.sheet_id,
        resolve_sheet=lambda n: course_sheet(course, n),
        is_student=lambda label: people.match(label).kind == "student",
        limits=course.config.limits,
        tz=run.tz,
        assignment=assignment,
    )
    items: list[Item] = []
    for group, source in enumerate(sources):
        scan = scan_source(Path(source), str(source), ctx, group)
        report.refusals += scan.refusals
        report.notes += scan.notes
        report.warnings += scan.warnings
        if not scan.uploads and not scan.refusals:
            report.refused_sources.append(
                f"{source}: empty, nothing in it to collect; is it the right file?"
            )
        if sheet_ws is None:
            check_uniform_times(scan.uploads, str(source), run.given_time, report)
        for upload in scan.uploads:
            unresolved = ""
            if upload.moodle is not None and upload.moodle.default_group:
                members = sheet_ws.default_group_members() if sheet_ws else None
                match, unresolved = default_group_match(upload.label, people, run.sheet_id, members)
            elif upload.blind:
                revealed = (
                    sheet_ws.student_for(upload.moodle.participant_id)
                    if sheet_ws is not None and upload.moodle is not None
                    else None
                )
                match = Match("student", revealed, "worksheet") if revealed else Match("unknown")
            else:
                match = people.match(upload.label, by_team=upload.by_team)
                for other in upload.also:
                    if match.kind == "unknown":
                        match = people.match(other)
                if match.kind == "unknown" and upload.moodle is not None:
                    match = legacy_team_match(upload.label, people) or match
            items.append(Item(upload, len(items), match, unresolved=unresolved))
    if assignment is not None and not any(
        i.upload.layout in ("nbgrader", "inbound") for i in items
    ):
        report.warnings.append(
            f"--assignment {assignment}: no nbgrader submissions of it in the sources; "
            f"it only picks the assignment of an nbgrader tree"
        )
    return items


def _read_uploads(
    run: _Run, items: list[Item], rules: SheetRules, deadlines: Deadlines
) -> list[Item]:
    report, limits = run.report, run.course.config.limits
    good: list[Item] = []
    for item in items:
        up = item.upload
        if item.match.kind in ("unknown", "ambiguous"):
            report.outcomes.append(unmatched_outcome(item))
            continue
        item.contents = read_contents(
            up.entries, up.source, rules, limits, run.tz, named_by_owner=up.layout == "file"
        )
        report.refusals += [
            Refusal(r.source, r.path, r.reason, item.match.id) for r in item.contents.refusals
        ]
        report.notes += [f"{up.source}: {p}" for p in item.contents.problems]
        if not item.contents.files:
            report.outcomes.append(
                Outcome(
                    up.source,
                    "refused",
                    message="nothing acceptable to collect "
                    "(every file was refused or the upload is empty)",
                )
            )
            continue
        _resolve_owner(item, run.people, run.sheet_id)
        resolve_time(item, run.given_time, run.now, report)
        if run.sheet_ws is not None:
            worksheet_time(item, run.sheet_ws, report)
        assert item.received_at is not None
        late, extended = deadlines.late_seconds(item.received_at, item.members)
        item.flags = [*item.contents.flags, *item.flags, *(["extension"] if extended else [])]
        item.upload.entries = []  # contents are read; drop the readers
        item.late = late
        good.append(item)
    return good


def _store(run: _Run, good: list[Item], *, dry_run: bool) -> None:
    course, sheet_id, report = run.course, run.sheet_id, run.report
    sheet_store = SheetStore(course.root, course.submissions_dir, sheet_id)
    if dry_run:
        store_versions(
            course, sheet_id, sheet_store, good, run.people, report, run.now, dry_run=True
        )
        return
    from sheetgrade.course.locks import sheet_lock

    with sheet_lock(course, sheet_id, "collect"):
        store_versions(
            course, sheet_id, sheet_store, good, run.people, report, run.now, dry_run=False
        )
        report.report_files = write_reports(sheet_store.dir, report, run.now.astimezone(run.tz))
        if run.sheet_ws is not None:
            with store.transaction(course.engine) as conn:
                store_worksheet(conn, sheet_id, run.sheet_ws)
            report.report_files.append(keep_worksheet_copy(sheet_store.dir, run.sheet_ws.sheet))


def _merge(items: list[Item], report: CollectReport) -> list[Item]:
    """One upload per person per source: ``s001.ipynb`` and ``s001.pdf`` in a flat folder go together."""
    merged: dict[tuple[int, str, str], Item] = {}
    out: list[Item] = []
    for item in items:
        if (
            item.match.kind not in ("student", "team")
            or item.match.id is None
            or item.upload.layout == "inbound"  # each inbound folder is one submission
        ):
            out.append(item)
            continue
        key = (item.upload.group, item.match.kind, item.match.id)
        first = merged.get(key)
        if first is None:
            merged[key] = item
            out.append(item)
            continue
        taken = {e.path for e in first.upload.entries}
        for e in item.upload.entries:
            if e.path in taken:
                report.refusals.append(
                    Refusal(
                        item.upload.source,
                        e.path,
                        f"the same name again, from "
                        f"{first.upload.source}; duplicate upload refused",
                    )
                )
            else:
                first.upload.entries.append(e)
        times = [t for t in (first.upload.received_at, item.upload.received_at) if t is not None]
        first.upload.received_at = max(times) if times else None
        first.upload.time_origin = first.upload.time_origin or item.upload.time_origin
        if first.upload.layout == "file":
            first.upload.source = (
                f"{first.upload.source} + {item.upload.source.rsplit(': ', 1)[-1]}"
            )
    return out


def _resolve_owner(item: Item, people: Matcher, sheet_id: str) -> None:
    match = item.match
    assert match.id is not None
    if match.kind == "team":
        item.owner, item.owner_kind = match.id, "team"
        item.members = list(people.teams[match.id].members)
        return
    item.submitted_by = match.id
    team = people.roster.team_of(match.id, sheet_id)
    if team is not None:
        item.owner, item.owner_kind, item.members = team.id, "team", list(team.members)
    else:
        item.owner, item.owner_kind, item.members = match.id, "student", [match.id]

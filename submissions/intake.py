"""``collect``: turn uploads into immutable, versioned submissions.

One call handles a batch of sources. Good items are collected even when others
are refused; the report says what happened to each and whether anything failed.
See :mod:`sheetgrade.submissions.layouts` for the kinds of source,
:mod:`~sheetgrade.submissions.archive` and :mod:`~sheetgrade.submissions.contents`
for what is refused, :mod:`~sheetgrade.submissions.timing` for lateness and
:mod:`~sheetgrade.submissions.storage` for the store and its crash safety.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.submissions.archive import Refusal
from sheetgrade.submissions.contents import Contents, SheetRules, read_contents
from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.layouts import Context, Upload, scan_source
from sheetgrade.submissions.matching import Match, Matcher
from sheetgrade.submissions.moodle_intake import (
    WORKSHEET_ORIGIN,
    WorksheetIndex,
    default_group_match,
    keep_worksheet_copy,
    legacy_team_match,
    origin_kind,
    store_origins,
    store_worksheet,
)
from sheetgrade.submissions.storage import Recovery, SheetStore
from sheetgrade.submissions.timing import course_sheet, course_tz, load_deadlines, parse_time
from sheetgrade.submissions.worksheet import read_worksheet

if TYPE_CHECKING:
    from sheetgrade.course.course import Course

UNMATCHED_CSV = "unmatched.csv"
REFUSED_CSV = "refused.csv"
FAILED = ("duplicate", "unmatched", "ambiguous", "unresolved", "refused")


@dataclass
class Outcome:
    """What happened to one upload."""

    source: str
    status: str  # stored | unchanged | duplicate | unmatched | ambiguous | unresolved | refused
    owner: str | None = None
    owner_kind: str | None = None
    submitted_by: str | None = None
    version: int | None = None
    files: list[str] = field(default_factory=list)
    notebook: str | None = None
    received_at: datetime | None = None
    time_origin: str = ""
    late_seconds: float = 0.0
    flags: list[str] = field(default_factory=list)
    message: str = ""
    candidates: list[str] = field(default_factory=list)


@dataclass
class CollectReport:
    """The result of one ``collect`` run."""

    sheet_id: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # single files refused
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    team_uploads: list[str] = field(default_factory=list)  # one member uploaded for the whole team
    recovery: Recovery = field(default_factory=Recovery)
    report_files: list[Path] = field(default_factory=list)
    # whole sources refused: empty, no notebook, or another sheet's
    refused_sources: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    force: bool = False
    operation_id: int | None = None  # the recorded collect (None: nothing stored)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> bool:
        """True when anything was refused or could not be matched."""
        return (
            bool(self.refusals)
            or bool(self.refused_sources)
            or any(o.status in FAILED for o in self.outcomes)
        )


@dataclass
class _Item:
    upload: Upload
    order: int
    match: Match
    contents: Contents | None = None
    owner: str | None = None
    owner_kind: str = "student"
    submitted_by: str | None = None
    members: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    time_origin: str = ""
    late: float = 0.0
    flags: list[str] = field(default_factory=list)
    unresolved: str = ""  # why a Moodle default group could not be credited


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

    Returns:
        The report; ``report.failed`` tells whether anything was refused or unmatched.

    Raises:
        SubmissionError: bad ``received_at``, bad extensions file, empty roster.
        SheetBusy: another ``collect`` or ``grade`` of the sheet is running.
    """
    sheet_obj = course.sheet(sheet)
    sheet_id = sheet_obj.id
    tz = course_tz(course)
    report = CollectReport(
        sheet_id=sheet_id, dry_run=dry_run, sources=[str(s) for s in sources], force=force
    )
    people = Matcher.load(course.engine)
    if not people.students:
        raise SubmissionError(
            "the roster is empty, so nothing can be matched; run `sheetgrade roster import FILE` first"
        )
    given_time = _parse_given(received_at, tz)
    sheet_ws = WorksheetIndex(read_worksheet(Path(worksheet), tz), people) if worksheet else None
    if sheet_ws is not None:
        report.warnings += sheet_ws.warnings()
        report.notes.append(
            f"times are the grading worksheet's 'Last modified (submission)' "
            f"({Path(worksheet or '').name}; read in the course timezone, {tz})"
        )
    deadlines = load_deadlines(
        course,
        sheet_id,
        people,
        Path(extensions_file) if extensions_file else None,
        report.warnings,
    )
    rules = SheetRules(
        notebook=Path(sheet_obj.config.notebook).name if sheet_obj.config.notebook else None,
        paper=any(t.kind == "manual" for t in sheet_obj.config.tasks)
        or sheet_obj.config.notebook is None,
        data_files=frozenset(Path(d).name for d in sheet_obj.config.data),
    )
    ctx = Context(
        sheet_id=sheet_id,
        resolve_sheet=lambda n: course_sheet(course, n),
        is_student=lambda label: people.match(label).kind == "student",
        limits=course.config.limits,
        tz=tz,
    )
    now = now or datetime.now(UTC)

    # 1. scan sources into uploads, match them
    items: list[_Item] = []
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
            _check_uniform_times(scan.uploads, str(source), given_time, report)
        for upload in scan.uploads:
            unresolved = ""
            if upload.moodle is not None and upload.moodle.default_group:
                members = sheet_ws.default_group_members() if sheet_ws else None
                match, unresolved = default_group_match(upload.label, people, sheet_id, members)
            elif upload.blind:
                revealed = (
                    sheet_ws.student_for(upload.moodle.participant_id)
                    if sheet_ws is not None and upload.moodle is not None
                    else None
                )
                match = Match("student", revealed, "worksheet") if revealed else Match("unknown")
            else:
                match = people.match(upload.label, by_team=upload.by_team)
                if match.kind == "unknown" and upload.moodle is not None:
                    match = legacy_team_match(upload.label, people) or match
            items.append(_Item(upload, len(items), match, unresolved=unresolved))
    items = _merge(items, report)

    # 2. contents, owner, time, lateness
    good: list[_Item] = []
    for item in items:
        up = item.upload
        if item.match.kind in ("unknown", "ambiguous"):
            report.outcomes.append(_unmatched(item))
            continue
        item.contents = read_contents(
            up.entries,
            up.source,
            rules,
            course.config.limits,
            tz,
            named_by_owner=up.layout == "file",
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
        _resolve_owner(item, people, sheet_id)
        _resolve_time(item, given_time, now, report)
        if sheet_ws is not None:
            _worksheet_time(item, sheet_ws, report)
        assert item.received_at is not None
        late, extended = deadlines.late_seconds(item.received_at, item.members)
        item.flags = [*item.contents.flags, *item.flags, *(["extension"] if extended else [])]
        item.upload.entries = []  # contents are read; drop the readers
        item.late = late
        good.append(item)

    good = _check_sheet(course, sheet_id, good, report)
    if sheet_ws is not None:
        covered = {m for item in items for m in item.members}
        covered |= {item.match.id for item in items if item.match.id}
        report.warnings += sheet_ws.not_in_download(covered, people)

    # 3. recover leftovers, plan versions, write
    sheet_store = SheetStore(course.root, course.submissions_dir, sheet_id)
    if dry_run:
        _run(course, sheet_id, sheet_store, good, people, report, now, dry_run=True)
    else:
        from sheetgrade.course.locks import sheet_lock

        with sheet_lock(course, sheet_id, "collect"):
            _run(course, sheet_id, sheet_store, good, people, report, now, dry_run=False)
            report.report_files = _write_reports(sheet_store.dir, report, now.astimezone(tz))
            if sheet_ws is not None:
                with store.transaction(course.engine) as conn:
                    store_worksheet(conn, sheet_id, sheet_ws)
                report.report_files.append(keep_worksheet_copy(sheet_store.dir, sheet_ws.sheet))
    return report


def _check_sheet(
    course: Course, sheet_id: str, items: list[_Item], report: CollectReport
) -> list[_Item]:
    """Refuse a source whose uploads mostly look like another sheet's (unless forced);
    flag single uploads that do."""
    from sheetgrade.submissions.sheetmatch import SheetMatcher, describe_source

    matcher = SheetMatcher.load(course)
    by_source: dict[int, list[tuple[_Item, Any]]] = {}
    for item in items:
        assert item.contents is not None
        guess = matcher.guess(sheet_id, item.contents.files, item.contents.notebook)
        if guess is not None:
            item.flags.append(f"looks-like:{guess.sheet_id}")
        by_source.setdefault(item.upload.group, []).append((item, guess))
    kept: list[_Item] = []
    expected = course.sheet(sheet_id).config.notebook
    for group, pairs in by_source.items():
        source = report.sources[group] if group < len(report.sources) else pairs[0][0].upload.source
        many = Path(source).is_dir() or Path(source).suffix.lower() == ".zip"
        if (
            expected
            and many
            and not any(
                p.lower().endswith(".ipynb")
                for item, _ in pairs
                for p in (item.contents.files if item.contents else {})
            )
        ):
            # a download of scans for the pen-and-paper part is fine; say so all the same
            report.warnings.append(
                f"{source}: no notebook (.ipynb) in any of its {len(pairs)} upload(s), though "
                f"sheet {sheet_id} expects {Path(expected).name}; collected the write-ups only. "
                f"If that was not meant: `sheetgrade submissions undo {sheet_id}`"
            )
        guesses = [g for _, g in pairs if g is not None]
        verdict = describe_source(source, guesses, len(pairs))
        if verdict is not None:
            likely, line = verdict
            if not report.force:
                report.refused_sources.append(
                    f"{source}: {line}; nothing from it was collected for {sheet_id}. "
                    f"If it is sheet {likely}'s: `sheetgrade collect {likely} {source}`; "
                    f"to collect it for {sheet_id} anyway: --force"
                )
                continue
            report.warnings.append(f"{source}: {line}; collected for {sheet_id} (--force)")
        else:
            for item, guess in pairs:
                if guess is not None:
                    report.warnings.append(
                        f"{item.upload.source}: looks like sheet {guess.sheet_id} "
                        f"({guess.reason}); collected, flagged looks-like:{guess.sheet_id}"
                    )
        kept += [item for item, _ in pairs]
    return kept


def _parse_given(received_at: str | datetime | None, tz: Any) -> datetime | None:
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


def _check_uniform_times(
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


def _merge(items: list[_Item], report: CollectReport) -> list[_Item]:
    """One upload per person per source: ``s001.ipynb`` and ``s001.pdf`` in a flat folder go together."""
    merged: dict[tuple[int, str, str], _Item] = {}
    out: list[_Item] = []
    for item in items:
        if item.match.kind not in ("student", "team") or item.match.id is None:
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


def _unmatched(item: _Item) -> Outcome:
    up, match = item.upload, item.match
    if item.unresolved:
        return Outcome(
            up.source, "unresolved", message=item.unresolved, candidates=match.candidates
        )
    if up.blind:
        msg = (
            f"Moodle blind marking hides the name ({up.label!r}); reveal identities in Moodle and "
            f"download again"
        )
    elif match.kind == "ambiguous":
        msg = f"{up.label!r} could be any of: {', '.join(match.candidates)}; not guessed"
    else:
        near = (
            f"; near miss: {', '.join(match.candidates)} (not matched: names must match exactly)"
            if match.candidates
            else ""
        )
        msg = f"{up.label!r} matches no student by id, matriculation number, e-mail or name{near}"
    return Outcome(
        up.source,
        "ambiguous" if match.kind == "ambiguous" else "unmatched",
        message=msg,
        candidates=match.candidates,
    )


def _resolve_owner(item: _Item, people: Matcher, sheet_id: str) -> None:
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


def _resolve_time(
    item: _Item, given: datetime | None, now: datetime, report: CollectReport
) -> None:
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


def _worksheet_time(item: _Item, sheet_ws: WorksheetIndex, report: CollectReport) -> None:
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


def _existing(course: Course, sheet_id: str) -> list[dict[str, Any]]:
    t = store.submissions
    with course.engine.connect() as conn:
        rows = conn.execute(
            select(t).where(t.c.sheet_id == sheet_id).order_by(t.c.owner, t.c.version)
        ).all()
    return [dict(r._mapping) for r in rows]


def _run(
    course: Course,
    sheet_id: str,
    sheet_store: SheetStore,
    items: list[_Item],
    people: Matcher,
    report: CollectReport,
    now: datetime,
    *,
    dry_run: bool,
) -> None:
    rows = _existing(course, sheet_id)
    report.recovery = sheet_store.recover(
        {r["path"] for r in rows}, {(r["owner"], r["sha256"]) for r in rows}, dry_run=dry_run
    )
    adopted = report.recovery.adopted
    if adopted and not dry_run:
        with store.transaction(course.engine) as conn:
            conn.execute(store.submissions.insert(), adopted)
    rows += adopted
    with course.engine.connect() as conn:
        from sheetgrade.submissions.operations import withdrawn_ids

        gone = withdrawn_ids(conn, sheet_id)
    withdrawn = {(r["owner"], r["sha256"]) for r in rows if r.get("id") in gone}
    versions: dict[str, int] = {}
    shas: dict[tuple[str, str], int] = {}
    sha_owners: dict[str, set[str]] = {}
    latest_by: dict[str, str | None] = {}
    for r in sorted(rows, key=lambda r: (r["owner"], r["version"])):
        versions[r["owner"]] = max(versions.get(r["owner"], 0), r["version"])
        shas[(r["owner"], r["sha256"])] = r["version"]
        sha_owners.setdefault(r["sha256"], set()).add(r["owner"])
        latest_by[r["owner"]] = r["submitted_by"]

    by_owner: dict[str, list[_Item]] = {}
    for item in items:
        assert item.owner is not None and item.contents is not None
        by_owner.setdefault(item.owner, []).append(item)
        sha_owners.setdefault(item.contents.sha256, set()).add(item.owner)

    created = now.astimezone(UTC).isoformat()
    new_rows: list[dict[str, Any]] = []
    planned: list[tuple[_Item, Outcome]] = []
    for owner, group in by_owner.items():
        group.sort(key=lambda i: (i.received_at or now, i.order))
        _team_report(owner, group, people, latest_by.get(owner), report)
        batch: dict[str, str] = {}
        for item in group:
            assert item.contents is not None and item.received_at is not None
            sha = item.contents.sha256
            outcome = Outcome(
                item.upload.source,
                "stored",
                owner,
                item.owner_kind,
                item.submitted_by,
                files=sorted(item.contents.files),
                notebook=item.contents.notebook,
                received_at=item.received_at,
                time_origin=item.time_origin,
                late_seconds=item.late,
                flags=list(item.flags),
            )
            if (owner, sha) in shas:
                outcome.status, outcome.version = "unchanged", shas[(owner, sha)]
                outcome.message = f"the same files as version {shas[(owner, sha)]}; nothing to do"
                if (owner, sha) in withdrawn:
                    outcome.message = (
                        f"the same files as version {shas[(owner, sha)]}, which was withdrawn; "
                        f"`sheetgrade submissions restore {sheet_id} {owner} "
                        f"{shas[(owner, sha)]}` makes it count again"
                    )
                    outcome.flags.append("withdrawn")
            elif sha in batch:
                outcome.status = "duplicate"
                outcome.message = f"duplicate upload: the same files as {batch[sha]}"
            else:
                batch[sha] = item.upload.source
                versions[owner] = versions.get(owner, 0) + 1
                outcome.version = versions[owner]
                others = sorted(sha_owners.get(sha, set()) - {owner})
                outcome.flags += [f"same-as:{o}" for o in others]
                planned.append((item, outcome))
            report.outcomes.append(outcome)

    if dry_run:
        return
    origins: list[dict[str, Any]] = []
    for item, outcome in planned:
        assert (
            item.contents is not None and outcome.owner is not None and outcome.version is not None
        )
        manifest = _manifest(sheet_id, item, outcome, created)
        rel = sheet_store.write_version(
            outcome.owner, outcome.version, item.contents.files, manifest
        )
        origin = item.upload.moodle
        if origin is not None:
            origins.append(
                {
                    "owner": outcome.owner,
                    "version": outcome.version,
                    "participant_id": origin.participant_id,
                    "folder": origin.folder,
                    "kind": origin_kind(
                        origin, outcome.owner_kind or "", item.match.kind, item.upload.blind
                    ),
                }
            )
        new_rows.append(
            {
                "sheet_id": sheet_id,
                "owner": outcome.owner,
                "owner_kind": outcome.owner_kind,
                "submitted_by": outcome.submitted_by,
                "version": outcome.version,
                "sha256": manifest["sha256"],
                "path": rel,
                "notebook": outcome.notebook,
                "received_at": manifest["received_at"],
                "late_seconds": outcome.late_seconds,
                "source": outcome.source,
                "flags": json.dumps(outcome.flags),
                "created_at": created,
            }
        )
    if new_rows:
        from sheetgrade.submissions.operations import record_collect

        with store.transaction(course.engine) as conn:
            conn.execute(store.submissions.insert(), new_rows)
            store_origins(conn, sheet_id, origins)
            t = store.submissions
            stored = {(r["owner"], r["version"]) for r in new_rows}
            ids = [
                int(r.id)
                for r in conn.execute(
                    select(t.c.id, t.c.owner, t.c.version).where(t.c.sheet_id == sheet_id)
                )
                if (r.owner, r.version) in stored
            ]
            report.operation_id = record_collect(
                conn,
                sheet_id=sheet_id,
                submission_ids=sorted(ids),
                sources=report.sources,
                forced=report.force,
                at=created,
            )


def _manifest(sheet_id: str, item: _Item, outcome: Outcome, created: str) -> dict[str, Any]:
    assert item.contents is not None and outcome.received_at is not None
    return {
        "sheet": sheet_id,
        "owner": outcome.owner,
        "owner_kind": outcome.owner_kind,
        "submitted_by": outcome.submitted_by,
        "version": outcome.version,
        "sha256": item.contents.sha256,
        "received_at": outcome.received_at.astimezone(UTC).isoformat(),
        "time_origin": outcome.time_origin,
        "late_seconds": outcome.late_seconds,
        "source": outcome.source,
        "notebook": outcome.notebook,
        "flags": outcome.flags,
        "created_at": created,
        **(
            {
                "moodle": {
                    "participant_id": item.upload.moodle.participant_id,
                    "folder": item.upload.moodle.folder,
                }
            }
            if item.upload.moodle is not None
            else {}
        ),
        "files": {
            p: {"sha256": item.contents.digest(p), "size": len(d)}
            for p, d in sorted(item.contents.files.items())
        },
    }


def _team_report(
    owner: str, group: list[_Item], people: Matcher, previous_by: str | None, report: CollectReport
) -> None:
    if group[0].owner_kind != "team" or owner not in people.teams:
        return
    members = people.roster.members(owner)
    names = ", ".join(m.label for m in members)
    uploaders = []
    for item in group:
        if item.submitted_by and item.submitted_by not in uploaders:
            uploaders.append(item.submitted_by)
    if len(uploaders) > 1:
        labels = [people.students[s].label for s in uploaders]
        who = f"{', '.join(labels[:-1])} and {labels[-1]} " + (
            "both" if len(labels) == 2 else "all"
        )
        last = group[-1]
        report.warnings.append(
            f"team {owner}: {who} submitted; the latest ({people.students[last.submitted_by].label if last.submitted_by else '?'}, "
            f"received {last.received_at:%Y-%m-%d %H:%M %Z}) is the newest version and counts"
        )
        for item in group:
            item.flags.append("team-conflict")
    elif uploaders:
        student = people.students[uploaders[0]]
        report.team_uploads.append(
            f"team {owner}: {student.label} submitted for the team; credited to every "
            f"member ({names})"
        )
        if previous_by and previous_by != uploaders[0] and previous_by in people.students:
            report.warnings.append(
                f"team {owner}: {student.label} submitted over the version of "
                f"{people.students[previous_by].label}; the newest version counts"
            )


def _write_reports(folder: Path, report: CollectReport, when: datetime) -> list[Path]:
    """unmatched.csv (this run's, replaced each run) and refused.csv (every run's,
    appended with the collect's time) in the sheet's submissions folder."""
    unmatched = [o for o in report.outcomes if o.status in ("unmatched", "ambiguous", "unresolved")]
    refused = [(s.split(": ", 1)[0], "", s.split(": ", 1)[-1]) for s in report.refused_sources]
    refused += [
        (o.source, "", o.message) for o in report.outcomes if o.status in ("refused", "duplicate")
    ]
    refused += [(r.source, r.path, r.reason) for r in report.refusals]
    stamp = when.isoformat(timespec="seconds")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["source", "problem", "message", "candidates"])
    writer.writerows([o.source, o.status, o.message, "; ".join(o.candidates)] for o in unmatched)
    target = folder / UNMATCHED_CSV
    tmp = folder / f".{UNMATCHED_CSV}.tmp"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, target)
    written = [target]
    history = folder / REFUSED_CSV
    header = ["collected_at", "source", "file", "reason"]
    old = history.read_text(encoding="utf-8") if history.is_file() else ""
    rows = list(csv.reader(io.StringIO(old)))
    if rows and rows[0] != header:  # written before refused.csv kept its history
        rows = [header] + [["", *r] for r in rows[1:]]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(rows or [header])
    writer.writerows([stamp, *r] for r in refused)
    tmp = folder / f".{REFUSED_CSV}.tmp"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, history)
    written.append(history)
    return written

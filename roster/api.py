"""What the rest of sheetgrade calls: load, validate, sync and import the roster.

The canonical files in ``roster/`` (see :mod:`sheetgrade.roster.files`) are the
source of truth; the database mirrors them. Every change is validated whole
first, then written in one transaction, and the canonical files are replaced
only when the transaction succeeds, so files and database never disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store
from sheetgrade.roster.check import CheckResult, RosterData, check_roster
from sheetgrade.roster.columns import KINDS, Kind
from sheetgrade.roster.csvfile import read_csv
from sheetgrade.roster.db import (
    Changes,
    diff,
    load_roster,
    read_roster,
    refuse_removals,
    write_roster,
)
from sheetgrade.roster.entries import TeamEntry, Where, parse_table
from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.files import (
    FILES,
    changed_files,
    commit_files,
    discard_files,
    read_roster_dir,
    render_files,
    stage_files,
)
from sheetgrade.roster.merge import entry_problems, find_renames, guess_kind, merge_entries
from sheetgrade.roster.model import Roster

if TYPE_CHECKING:
    from sheetgrade.course.course import Course

__all__ = [
    "RosterReport",
    "add_team_members",
    "check_roster_files",
    "import_roster_file",
    "load_roster",
    "sync_roster",
    "validate_roster_files",
]


@dataclass
class RosterReport:
    """What a sync or import did (or, with ``dry_run``, would do)."""

    roster: Roster
    changes: Changes
    warnings: list[str] = field(default_factory=list)
    files: list[str] | None = field(default_factory=list)  # rewritten, e.g. "roster/students.csv"
    dry_run: bool = False
    kind: Kind = "students"
    source: str = ""
    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    renames: list[str] = field(default_factory=list)  # "s001 (3100001): old → new"
    update: bool = False

    def summary(self) -> str:
        """The roster in numbers: ``"120 students, 6 groups, 6 tutors, 42 teams"``."""
        return self.roster.summary()

    def lines(self) -> list[str]:
        """Human-readable lines for the command's output."""
        lines = []
        if self.source:
            verb = "would import" if self.dry_run else "imported"
            rows = f"{self.rows} row{'s' if self.rows != 1 else ''}"
            lines.append(
                f"{verb} {self.kind} from {self.source} ({rows}): {self.changes.describe(self.kind)}"
            )
        for kind in ("students", "groups", "tutors", "teams"):
            if kind == self.kind and self.source:
                continue
            if self.changes.count(kind):
                lines.append(f"{kind}: {self.changes.describe(kind)}")
        if self.changes.empty and not self.source:
            lines.append("no changes")
        for rename in self.renames:
            needs = "" if self.update else " (needs --update)"
            lines.append(f"name changes: {rename}{needs}")
        if self.ignored_columns:
            lines.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        if self.files is not None:
            written = ", ".join(self.files) or "none changed"
            lines.append(f"files {'to update' if self.dry_run else 'updated'}: {written}")
        lines.append(f"roster: {self.summary()}")
        if self.dry_run:
            lines.append("dry run: nothing was written")
        return lines


# ------------------------------------------------------------------- checks


def _check(course: Course, data: RosterData) -> CheckResult:
    return check_roster(
        data, max_size=course.config.teams.max_size, resolve_sheet=course.resolve_sheet_id
    )


def check_roster_files(course: Course) -> CheckResult:
    """Validate the canonical roster files of a course without writing anything.

    Returns:
        Every problem and warning, each naming ``roster/<file>`` and the line.
    """
    data, problems = read_roster_dir(course.roster_dir)
    result = _check(course, data)
    result.problems[:0] = problems
    return result


def validate_roster_files(course: Course) -> list[str]:
    """Every problem of the canonical roster files (warnings not included).

    Used by ``sheetgrade validate``; an empty list means the roster is valid.
    """
    return check_roster_files(course).problems


# ------------------------------------------------------------------- writing


def _apply(
    course: Course,
    result: CheckResult,
    *,
    dry_run: bool,
    with_groups: bool,
    base_label: str,
    write_files: bool = True,
) -> RosterReport:
    """Write a validated roster to the database and (``write_files``) the canonical files."""
    if result.problems:
        raise RosterError(
            f"{base_label}: {_count(result.problems)}; nothing was written", result.problems
        )
    roster = result.roster
    texts = render_files(roster, with_groups=with_groups) if write_files else {}
    texts = changed_files(course.roster_dir, texts)
    files = [f"roster/{name}" for name in texts]
    if dry_run:
        with course.engine.connect() as conn:
            changes = diff(read_roster(conn), roster)
            refuse_removals(conn, changes)
        return RosterReport(
            roster=roster, changes=changes, warnings=result.warnings, files=files, dry_run=True
        )
    staged = stage_files(course.roster_dir, texts)
    try:
        with store.transaction(course.engine) as conn:
            changes = write_roster(conn, roster)
            commit_files(staged)
    finally:
        discard_files(staged)
    return RosterReport(roster=roster, changes=changes, warnings=result.warnings, files=files)


def _count(problems: list[str]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def _with_groups(course: Course, roster: Roster) -> bool:
    return (course.roster_dir / FILES["groups"]).exists() or any(
        g.name for g in roster.groups.values()
    )


def sync_roster(course: Course, *, dry_run: bool = False) -> RosterReport:
    """Load the canonical roster files into the database, replacing the roster there.

    Everything is validated first and written in one transaction. Students or
    teams missing from the files are removed from the database, unless they
    already have submissions or marks: then nothing is written.

    Args:
        course: The opened course.
        dry_run: Validate and report the changes, write nothing.

    Raises:
        RosterError: With one problem per line (file and line number).
    """
    result = check_roster_files(course)
    report = _apply(
        course,
        result,
        dry_run=dry_run,
        with_groups=_with_groups(course, result.roster),
        base_label="roster",
        write_files=False,
    )
    report.files = None  # sync reads the files, it does not rewrite them
    return report


# ------------------------------------------------------------------- imports


def _base(course: Course) -> RosterData:
    data, problems = read_roster_dir(course.roster_dir)
    if problems:
        raise RosterError(
            f"the roster files in {course.roster_dir} have {_count(problems)}; fix them first "
            "(`sheetgrade validate` lists them)",
            problems,
        )
    return data


def import_roster_file(
    course: Course,
    path: Path,
    *,
    kind: Kind | None = None,
    mapping: dict[str, str] | None = None,
    encoding: str | None = None,
    replace: bool = False,
    dry_run: bool = False,
    update: bool = False,
) -> RosterReport:
    """Import a CSV export (Moodle, heiCO, a spreadsheet) into the course roster.

    The rows add to or update the roster: students are matched by id, else by
    matriculation number (an id is derived from the matriculation number when the
    file has none); tutors by email; groups by id. Teams in the file replace the
    existing teams of the same sheets (or the term-wide teams). With ``replace``
    the file is the complete list of its kind. The whole roster is validated,
    then the database and the canonical file in ``roster/`` are updated together.

    Args:
        course: The opened course.
        path: The CSV file (UTF-8 with or without BOM, or cp1252; ``,``/``;``/tab).
        kind: What the file lists; guessed from columns and file name when None.
        mapping: ``{column header: field}`` for columns with other names.
        encoding: Force an encoding instead of detecting it.
        replace: Entries of this kind missing from the file are removed.
        dry_run: Validate and report, write nothing.
        update: Apply changed names of known students (else they are refused, and
            shown as old → new in a dry run).

    Raises:
        RosterError: With one problem per line; nothing is written.
    """
    table = read_csv(path, encoding=encoding)
    kind = kind or guess_kind(table.header, path)
    if kind not in KINDS:
        raise RosterError(f"unknown kind '{kind}' (kinds: {', '.join(KINDS)})")
    entries = parse_table(table, kind, mapping)
    base = _base(course)
    result = _check(course, merge_entries(course, base, entries, replace))
    result.problems[:0] = entries.problems + entry_problems(course, entries.students)
    if result.problems:
        raise RosterError(
            f"{table.label}: {_count(result.problems)}; nothing was imported", result.problems
        )
    renames = find_renames(base.students, entries.students) if kind == "students" else []
    if renames and not update and not dry_run:
        raise RosterError(
            f"{table.label}: {len(renames)} known student{'s' if len(renames) != 1 else ''} "
            f"would change name (old → new); nothing was imported. Check them, then import "
            f"again with --update",
            renames,
        )
    report = _apply(
        course,
        result,
        dry_run=dry_run,
        with_groups=_with_groups(course, result.roster) or kind == "groups",
        base_label=table.label,
    )
    report.kind, report.source, report.rows = kind, table.label, len(table.rows)
    report.ignored_columns = entries.ignored_columns
    report.renames, report.update = renames, update
    return report


def add_team_members(
    course: Course,
    team: str,
    students: list[str],
    *,
    sheet: str | None = None,
    dry_run: bool = False,
) -> RosterReport:
    """Put students into a team (created when new), for the term or one sheet.

    Args:
        course: The opened course.
        team: The team's name.
        students: Ids, matriculation numbers or emails.
        sheet: The sheet the team is for; None: the whole term.
        dry_run: Validate and report, write nothing.

    Raises:
        RosterError: An unknown student or sheet, a student already in another
            team, or the team would exceed ``teams.max_size``.
    """
    base = _base(course)
    where = Where("roster teams add", 0)
    added = [TeamEntry(team=team, student=s, sheet=sheet or "", where=where) for s in students]
    data = dataclasses.replace(base, teams=base.teams + added)
    result = _check(course, data)
    if result.problems:
        raise RosterError(
            f"team {team}: {_count(result.problems)}; nothing was written", result.problems
        )
    report = _apply(
        course,
        result,
        dry_run=dry_run,
        with_groups=_with_groups(course, result.roster),
        base_label="roster teams add",
    )
    report.kind = "teams"
    return report


def roster_of(course: Course) -> Roster:
    """The roster in the course database (same as ``load_roster(course.engine)``)."""
    return load_roster(course.engine)

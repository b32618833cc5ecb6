"""``marks import``: every file validated, then all of their marks applied in one
transaction, or none.

Files are read by :mod:`sheetgrade.gradebook.marks_read` and checked row by row by
:mod:`sheetgrade.gradebook.marks_plan`; here the planned changes are merged with
what the database holds (a mark changed there since the file's template was made
is a conflict, refused unless ``--overwrite``) and applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store
from sheetgrade.gradebook.errors import MarksError
from sheetgrade.gradebook.marks import AppliedChange, apply_changes, resolve_tutor
from sheetgrade.gradebook.marks_plan import Planned, Seen, plan_file, shown
from sheetgrade.gradebook.marks_read import cell_text, read_file
from sheetgrade.roster.db import load_roster

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    files: list[Path]
    rows: int = 0
    changes: list[AppliedChange] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # conflicts settled by --overwrite

    def summary(self) -> str:
        created = sum(1 for c in self.changes if c.created)
        verb = "would change" if self.dry_run else "changed"
        return (
            f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}, {self.rows} rows: "
            f"{verb} {len(self.changes)} marks ({created} new)"
        )


def _conflicts(conn: Connection, planned: list[Planned]) -> list[tuple[Planned, str]]:
    """Changes to cells the database changed too since their template was made."""
    from sqlalchemy import select

    based = [p for p in planned if p.base is not None and not p.change.keep_points]
    if not based:
        return []
    m, a = store.marks, store.mark_audit
    sheets = {p.change.sheet_id for p in based}
    current = {
        (r.sheet_id, r.task_id, r.subject_kind, r.subject_id): r.points
        for r in conn.execute(select(m).where(m.c.sheet_id.in_(sheets)))
    }
    last: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for r in conn.execute(select(a).where(a.c.sheet_id.in_(sheets)).order_by(a.c.id)):
        last[(r.sheet_id, r.task_id, r.subject_kind, r.subject_id)] = (r.tutor, r.at)
    out = []
    for p in based:
        c = p.change
        key = (c.sheet_id, c.task_id, c.subject_kind, c.subject_id)
        now = current.get(key)
        if now == p.held or now == c.points:
            continue
        who, when = last.get(key, ("?", "?"))
        assert p.base is not None
        out.append(
            (
                p,
                f"{p.where} ({c.subject_kind} {c.subject_id}, task {c.task_id}): the file says "
                f"{shown(c.points)}, but since the template was made ({p.base.made_at[:16]} UTC) "
                f"the mark changed from {shown(p.held)} to {shown(now)} "
                f"(by {who}, {when[:16]} UTC)",
            )
        )
    return out


def import_marks(
    course: Course,
    files: list[Path],
    *,
    sheet: str | None = None,
    tutor: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
) -> ImportReport:
    """Validate every file, then apply all of their marks in one transaction, or none.

    Args:
        files: XLSX or CSV files made by :func:`~sheetgrade.gradebook.marks_files.write_templates` and filled in.
        sheet: refuse files for any other sheet.
        tutor: recorded in the audit trail (default: :func:`resolve_tutor`).
        dry_run: validate and report the changes, write nothing.
        overwrite: take the file's value where the mark also changed in the database
            since the template was made (else such conflicts refuse the import).

    Raises:
        MarksError: with one problem per line (file, row, column) when any cell is wrong
            or conflicts with a newer mark; then nothing is written.
    """
    expect = course.resolve_sheet_id(sheet) if sheet is not None else None
    people = load_roster(course.engine)
    problems: list[str] = []
    notes: list[str] = []
    planned: list[Planned] = []
    seen: Seen = {}
    total_rows = 0
    for path in files:
        try:
            data = read_file(Path(path))
        except MarksError as exc:
            problems.append(str(exc))
            continue
        total_rows += sum(1 for _, r in data.rows if any(cell_text(v) for v in r))
        planned += plan_file(course, people, data, expect, seen, problems, notes)
    if problems:
        raise MarksError(
            f"marks import: {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
            f"nothing was imported",
            problems,
        )
    report = ImportReport(
        files=[Path(f) for f in files], rows=total_rows, dry_run=dry_run, notes=notes
    )
    source = "import " + ", ".join(Path(f).name for f in files)
    who = resolve_tutor(tutor)
    changes = [p.change for p in planned]

    def settle(conn: Connection) -> None:
        conflicts = _conflicts(conn, planned)
        if conflicts and not overwrite:
            raise MarksError(
                f"marks import: {len(conflicts)} mark{'s' if len(conflicts) != 1 else ''} "
                f"changed in the database after the file's template was made; nothing was "
                f"imported. Check them; --overwrite takes the file's values",
                [text for _, text in conflicts],
            )
        report.overwritten = [text for _, text in conflicts]

    if dry_run:
        with course.engine.connect() as conn:
            settle(conn)
            report.changes = apply_changes(conn, changes, tutor=who, source=source, dry_run=True)
            conn.rollback()
        return report
    with store.transaction(course.engine) as conn:
        settle(conn)
        report.changes = apply_changes(conn, changes, tutor=who, source=source)
    return report

"""Manual marks: setting them, with an audit trail, and presentations at the board.

A mark belongs to a subject: a student or a team. A team's mark reaches every
member unless the member has a mark of their own for that task (an override).
``points`` NULL means "not marked", which is not the same as 0.
Every change writes one ``mark_audit`` row: who, when, old and new.
"""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from sheetgrade.course import store
from sheetgrade.course.suggest import did_you_mean
from sheetgrade.gradebook.errors import MarksError
from sheetgrade.roster.db import load_roster

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course, Sheet

TUTOR_ENV = "SHEETGRADE_TUTOR"


def resolve_tutor(explicit: str | None = None) -> str:
    """The tutor to record: ``--tutor``, else ``$SHEETGRADE_TUTOR``, else the OS user."""
    if explicit:
        return explicit
    if os.environ.get(TUTOR_ENV):
        return os.environ[TUTOR_ENV]
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


def parse_points(value: object) -> float | None:
    """Points from a cell: a number, ``"3.5"`` or ``"3,5"``; blank is None (not marked).

    Raises:
        ValueError: the value is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        return float(value)
    text = str(value).strip()
    if text == "":
        return None
    number = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"'{text}' is not a number")
    return number


def now_iso() -> str:
    """The current time, ISO 8601 UTC, as stored in the audit trail."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class MarkChange:
    """One wanted mark. ``comment`` None keeps the stored comment; ``keep_points``
    changes only the comment."""

    sheet_id: str
    task_id: str
    subject_kind: str  # student | team
    subject_id: str
    points: float | None
    comment: str | None = None
    keep_points: bool = False


@dataclass(frozen=True)
class AppliedChange:
    """One mark that changed, with its old and new values."""

    change: MarkChange
    old_points: float | None
    old_comment: str | None
    new_comment: str
    created: bool

    @property
    def new_points(self) -> float | None:
        return self.old_points if self.change.keep_points else self.change.points


def apply_changes(
    conn: Connection,
    changes: Iterable[MarkChange],
    *,
    tutor: str,
    source: str,
    dry_run: bool = False,
) -> list[AppliedChange]:
    """Write the marks that differ from what is stored, each with an audit row.

    Runs inside the caller's transaction and reads the current values in it, so
    two tutors writing at once never lose each other's marks. Unchanged marks are
    not written and not audited.
    """
    wanted = list(changes)
    if not wanted:
        return []
    m = store.marks
    keys = {(c.sheet_id, c.task_id, c.subject_kind, c.subject_id) for c in wanted}
    sheets = {k[0] for k in keys}
    existing = {
        (r.sheet_id, r.task_id, r.subject_kind, r.subject_id): r
        for r in conn.execute(select(m).where(m.c.sheet_id.in_(sheets)))
    }
    at = now_iso()
    applied = []
    for c in wanted:
        key = (c.sheet_id, c.task_id, c.subject_kind, c.subject_id)
        row = existing.get(key)
        old_points = row.points if row is not None else None
        old_comment = row.comment if row is not None else None
        new_comment = (old_comment or "") if c.comment is None else c.comment
        new_points = old_points if c.keep_points else c.points
        if row is not None and old_points == new_points and (old_comment or "") == new_comment:
            continue
        if row is None and new_points is None and new_comment == "":
            continue  # blank stays "not marked": nothing to store
        applied.append(AppliedChange(c, old_points, old_comment, new_comment, row is None))
        if dry_run:
            continue
        values = {"points": new_points, "comment": new_comment, "tutor": tutor, "updated_at": at}
        if row is None:
            conn.execute(
                m.insert().values(
                    sheet_id=c.sheet_id,
                    task_id=c.task_id,
                    subject_kind=c.subject_kind,
                    subject_id=c.subject_id,
                    **values,
                )
            )
        else:
            conn.execute(
                m.update()
                .where(
                    and_(
                        m.c.sheet_id == c.sheet_id,
                        m.c.task_id == c.task_id,
                        m.c.subject_kind == c.subject_kind,
                        m.c.subject_id == c.subject_id,
                    )
                )
                .values(**values)
            )
        conn.execute(
            store.mark_audit.insert().values(
                sheet_id=c.sheet_id,
                task_id=c.task_id,
                subject_kind=c.subject_kind,
                subject_id=c.subject_id,
                old_points=old_points,
                new_points=new_points,
                old_comment=old_comment,
                new_comment=new_comment,
                tutor=tutor,
                at=at,
                source=source,
            )
        )
    return applied


def manual_task(sheet: Sheet, task: str) -> str:
    """The id of a manual task of ``sheet``; MarksError with the near miss otherwise."""
    manual = [t.id for t in sheet.config.tasks if t.kind == "manual"]
    if task in manual:
        return task
    if any(t.id == task for t in sheet.config.tasks):
        raise MarksError(
            f"task {task} of sheet {sheet.id} is autograded; marks are for manual tasks "
            f"({', '.join(manual) or 'none'})"
        )
    raise MarksError(
        f"sheet {sheet.id} has no manual task '{task}'{did_you_mean(task, manual)} "
        f"(manual tasks: {', '.join(manual) or 'none'})"
    )


def task_max(sheet: Sheet, task: str) -> float:
    """Maximum points of one task."""
    return next(t.points for t in sheet.config.tasks if t.id == task)


def set_mark(
    course: Course,
    *,
    sheet: str,
    student: str,
    task: str,
    points: float | None,
    comment: str | None = None,
    team: bool = False,
    tutor: str | None = None,
) -> AppliedChange | None:
    """Set (or with ``points=None`` clear) one mark; return the change, None when nothing changed.

    Args:
        sheet: sheet id or number.
        student: student id, matriculation number or e-mail; with ``team`` also a team id.
        task: a manual task of the sheet.
        points: 0..max, or None for "not marked".
        comment: replaces the stored comment (None keeps it).
        team: mark the student's team for this sheet (reaches every member without an override).
        tutor: who marks; default from :func:`resolve_tutor`.
    """
    the_sheet = course.sheet(sheet)
    task_id = manual_task(the_sheet, task)
    top = task_max(the_sheet, task_id)
    if points is not None and not 0 <= points <= top:
        raise MarksError(
            f"{points:g} points for task {task_id} of sheet {the_sheet.id}: allowed are 0 to {top:g}"
        )
    roster = load_roster(course.engine)
    if team:
        if student in roster.teams:
            kind, subject = "team", student
        else:
            who = roster.require_student(student)
            found = roster.team_of(who.id, the_sheet.id)
            if found is None:
                raise MarksError(
                    f"{who.id} ({who.name}) is in no team for sheet {the_sheet.id}; drop --team"
                )
            kind, subject = "team", found.id
    else:
        kind, subject = "student", roster.require_student(student).id
    change = MarkChange(the_sheet.id, task_id, kind, subject, points, comment)
    with store.transaction(course.engine) as conn:
        applied = apply_changes(conn, [change], tutor=resolve_tutor(tutor), source="marks set")
    return applied[0] if applied else None


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    at: str
    tutor: str
    sheet_id: str
    task_id: str
    subject_kind: str
    subject_id: str
    old_points: float | None
    new_points: float | None
    old_comment: str | None
    new_comment: str | None
    source: str


def mark_history(
    course: Course, *, student: str | None = None, sheet: str | None = None
) -> list[AuditEntry]:
    """The audit trail, oldest first; for one student it includes their teams' marks."""
    a = store.mark_audit
    query = select(a).order_by(a.c.id)
    if sheet is not None:
        query = query.where(a.c.sheet_id == course.resolve_sheet_id(sheet))
    if student is not None:
        roster = load_roster(course.engine)
        who = roster.require_student(student)
        teams = [t.id for t in roster.teams.values() if who.id in t.members]
        query = query.where(
            or_(
                and_(a.c.subject_kind == "student", a.c.subject_id == who.id),
                and_(a.c.subject_kind == "team", a.c.subject_id.in_(teams)),
            )
        )
    with course.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        AuditEntry(
            r.at,
            r.tutor,
            r.sheet_id,
            r.task_id,
            r.subject_kind,
            r.subject_id,
            r.old_points,
            r.new_points,
            r.old_comment,
            r.new_comment,
            r.source,
        )
        for r in rows
    ]


def record_presentation(
    course: Course,
    *,
    sheet: str,
    student: str,
    task: str | None = None,
    note: str = "",
    tutor: str | None = None,
) -> int:
    """Record a presentation at the board (Vorrechnen); return the student's count so far."""
    the_sheet = course.sheet(sheet)
    ids = [t.id for t in the_sheet.config.tasks]
    if task is not None and task not in ids:
        raise MarksError(f"sheet {the_sheet.id} has no task '{task}'{did_you_mean(task, ids)}")
    who = load_roster(course.engine).require_student(student)
    p = store.presentations
    with store.transaction(course.engine) as conn:
        conn.execute(
            p.insert().values(
                student_id=who.id,
                sheet_id=the_sheet.id,
                task_id=task,
                tutor=resolve_tutor(tutor),
                at=now_iso(),
                note=note,
            )
        )
        return len(conn.execute(select(p.c.id).where(p.c.student_id == who.id)).all())

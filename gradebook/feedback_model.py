"""What a feedback report holds, gathered from the gradebook and the store.

One :class:`Report` per team (for the sheet) and per student without a team who
has anything to show: points per task; public tests with their messages and
code; hidden tests only by name, points and pass/fail; manual marks with the
tutors' comments; the late penalty. Hidden test code, inputs, expected values
and messages are never read: a hidden test contributes its name, points and
outcome, nothing else. :mod:`sheetgrade.gradebook.feedback` renders the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.gradebook.admission import fmt_points
from sheetgrade.gradebook.late import describe
from sheetgrade.roster.db import load_roster
from sheetgrade.roster.model import Roster

if TYPE_CHECKING:
    import pandas as pd

    from sheetgrade.course.course import Course, Sheet
    from sheetgrade.gradebook.book import Gradebook
    from sheetgrade.sheets.model import AutograderBundle


@dataclass
class TestLine:
    """One test as a report shows it."""

    name: str
    points: float
    max_points: float
    passed: bool
    hidden: bool
    message: str = ""  # public tests only
    code: str = ""  # public tests only


@dataclass
class TaskLine:
    """One task: its points and what they are made of."""

    id: str
    title: str
    kind: str
    points: float | None  # None: manual task not marked
    max_points: float
    tests: list[TestLine] = field(default_factory=list)
    comment: str = ""
    tutor: str = ""


@dataclass
class MemberLine:
    """A member of a team: their own total, and their own marks when they differ."""

    id: str
    name: str
    total: float
    overrides: list[str] = field(default_factory=list)


@dataclass
class Report:
    """Everything a feedback file shows for one student or team."""

    course: str
    term: str
    sheet_id: str
    sheet_title: str
    subject_kind: str  # student | team
    subject_id: str
    members: list[MemberLine]
    submitted: bool
    status: str  # graded | timeout | ... | missing
    status_message: str
    tasks: list[TaskLine]
    raw: float
    penalty: float
    total: float
    possible: float
    late: str

    def context(self) -> dict[str, Any]:
        """The template context (plain data)."""
        return {"r": self, "fmt": fmt_points}


def _bundle(course: Course, sheet_id: str) -> AutograderBundle | None:
    """The current build's autograder bundle, or None when there is no readable one."""
    from sheetgrade.sheets.model import BUNDLE_FILE, AutograderBundle

    folder = course.build_dir / sheet_id / "autograder"
    if not (folder / BUNDLE_FILE).is_file():
        return None
    try:
        return AutograderBundle.load(folder)
    except (ValueError, KeyError, TypeError):
        return None


def _public_tests(course: Course, sheet_id: str) -> dict[str, tuple[str, str]]:
    """Names and code of the *public* tests of the current build (test id -> (name, code))."""
    bundle = _bundle(course, sheet_id)
    return {t.id: (t.label, t.code) for t in bundle.tests if not t.hidden} if bundle else {}


def _test_names(course: Course, sheet_id: str) -> dict[str, str]:
    """Display names of all tests (hidden ones too: only the name is taken)."""
    bundle = _bundle(course, sheet_id)
    return {t.id: t.label for t in bundle.tests if t.name or t.notebook} if bundle else {}


def build_reports(course: Course, book: Gradebook, sheet: Sheet) -> list[Report]:
    """One report per team (for this sheet) and per student without a team who has anything to show."""
    roster = load_roster(course.engine)
    per = book.per_sheet.xs(sheet.id, level="sheet_id")
    tp = book.task_points[book.task_points.sheet_id == sheet.id]
    points = tp.set_index(["student_id", "task_id"])["points"]
    stored = _Stored.read(course, sheet)
    reports = []
    for kind, subject, members in _subjects(book, roster, sheet):
        lead = members[0]
        row = per.loc[lead]
        has_marks = any(
            (kind, subject, t.id) in stored.marks or ("student", mm, t.id) in stored.marks
            for t in sheet.config.tasks
            for mm in members
        )
        if not row["submitted"] and not has_marks:
            continue
        status, message = (
            stored.results.get(row["sha256"], ("not graded", ""))
            if row["submitted"]
            else ("missing", "")
        )
        late_seconds = float(row["late_seconds"]) if row["submitted"] else 0.0
        reports.append(
            Report(
                course=course.config.course,
                term=course.config.term,
                sheet_id=sheet.id,
                sheet_title=sheet.title,
                subject_kind=kind,
                subject_id=subject,
                members=_member_lines(book, per, sheet, stored, kind, members),
                submitted=bool(row["submitted"]),
                status=status,
                status_message=message if status != "graded" else "",
                tasks=_task_lines(sheet, stored, (kind, subject, lead), row, points.get),
                raw=float(row["raw"]),
                penalty=float(row["penalty"]),
                total=float(row["total"]),
                possible=float(row["possible"]),
                late=describe(late_seconds, course.config.late)
                if row["submitted"]
                else "no submission",
            )
        )
    return reports


@dataclass
class _Stored:
    """What the store holds for one sheet: its current build's test results and
    statuses, the manual marks, and the build's test names."""

    tests_by_sha: dict[str, list[Any]]  # submission sha -> its test result rows
    results: dict[str, tuple[str, str]]  # submission sha -> (status, message)
    marks: dict[tuple[str, str, str], Any]  # (subject kind, subject id, task) -> mark row
    public: dict[str, tuple[str, str]]  # public test id -> (name, code)
    names: dict[str, str]  # test id -> display name (hidden tests too)

    @classmethod
    def read(cls, course: Course, sheet: Sheet) -> _Stored:
        import pandas as pd

        with course.engine.connect() as conn:
            build = conn.execute(
                select(store.sheets.c.build_hash).where(store.sheets.c.id == sheet.id)
            ).scalar()
            tr = store.test_results
            tests = pd.DataFrame(
                conn.execute(
                    select(
                        tr.c.submission_sha,
                        tr.c.test_id,
                        tr.c.task_id,
                        tr.c.points,
                        tr.c.max_points,
                        tr.c.passed,
                        tr.c.hidden,
                        tr.c.message,
                    ).where(tr.c.build_hash == build)
                )
                .mappings()
                .all()
            )
            rs = store.results
            results = {
                r.submission_sha: (r.status, r.message)
                for r in conn.execute(
                    select(rs.c.submission_sha, rs.c.status, rs.c.message).where(
                        rs.c.build_hash == build
                    )
                )
            }
            m = store.marks
            marks = {
                (r.subject_kind, r.subject_id, r.task_id): r
                for r in conn.execute(select(m).where(m.c.sheet_id == sheet.id))
            }
        tests_by_sha: dict[str, list[Any]] = {}
        if not tests.empty:
            for row in tests.itertuples():
                tests_by_sha.setdefault(row.submission_sha, []).append(row)
        public = _public_tests(course, sheet.id)
        return cls(tests_by_sha, results, marks, public, _test_names(course, sheet.id))


def _subjects(book: Gradebook, roster: Roster, sheet: Sheet) -> list[tuple[str, str, list[str]]]:
    """(kind, id, members) of each team for the sheet and each student without one."""
    subjects: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    for sid in book.students.index:
        if sid in seen:
            continue
        team = roster.team_of(sid, sheet.id)
        if team is not None:
            members = [m for m in team.members if m in book.students.index]
            seen.update(members)
            subjects.append(("team", team.id, members))
        else:
            seen.add(sid)
            subjects.append(("student", sid, [sid]))
    return subjects


def _task_lines(
    sheet: Sheet,
    stored: _Stored,
    who: tuple[str, str, str],
    row: pd.Series[Any],
    task_points: Any,
) -> list[TaskLine]:
    """A line per task: autograded points with their tests, or the manual mark.

    ``who``: (subject kind, subject id, the lead member whose gradebook ``row`` it is);
    ``task_points((student, task), default)`` gives a student's autograded points.
    """
    kind, subject, lead = who
    task_lines = []
    for task in sheet.config.tasks:
        line = TaskLine(task.id, task.title, task.kind, None, float(task.points))
        if task.kind == "auto":
            line.points = float(task_points((lead, task.id), 0.0)) if row["submitted"] else 0.0
            line.tests = _test_lines(stored, row["sha256"], task.id)
        else:
            mark = stored.marks.get((kind, subject, task.id)) if kind == "team" else None
            own = stored.marks.get(("student", lead, task.id)) if kind == "student" else None
            chosen = mark or own
            if chosen is not None:
                line.points = chosen.points
                line.comment = chosen.comment or ""
                line.tutor = chosen.tutor or ""
        task_lines.append(line)
    return task_lines


def _test_lines(stored: _Stored, sha: str, task_id: str) -> list[TestLine]:
    """The task's tests: public ones with message and code, hidden ones by name only."""
    lines = []
    for t in sorted(stored.tests_by_sha.get(sha, []), key=lambda t: t.test_id):
        if t.task_id != task_id:
            continue
        if t.hidden:  # name, points and outcome only
            lines.append(
                TestLine(
                    stored.names.get(t.test_id, t.test_id),
                    float(t.points),
                    float(t.max_points),
                    bool(t.passed),
                    True,
                )
            )
        else:
            name, code = stored.public.get(t.test_id, (t.test_id, ""))
            lines.append(
                TestLine(
                    name,
                    float(t.points),
                    float(t.max_points),
                    bool(t.passed),
                    False,
                    t.message or "",
                    code,
                )
            )
    return lines


def _member_lines(
    book: Gradebook,
    per: pd.DataFrame,
    sheet: Sheet,
    stored: _Stored,
    kind: str,
    members: list[str],
) -> list[MemberLine]:
    """Each member's own total, and (in a team) the marks they have of their own."""
    member_lines = []
    for mid in members:
        s = book.students.loc[mid]
        overrides = []
        if kind == "team":
            for task in sheet.config.tasks:
                own_mark = stored.marks.get(("student", mid, task.id))
                if own_mark is not None and own_mark.points is not None:
                    text = (
                        f"task {task.id}: {fmt_points(own_mark.points)}/{fmt_points(task.points)}"
                    )
                    overrides.append(text + (f" ({own_mark.comment})" if own_mark.comment else ""))
        member_lines.append(
            MemberLine(
                mid,
                f"{s['first_name']} {s['last_name']}".strip(),
                float(per.at[mid, "total"]),
                overrides,
            )
        )
    return member_lines

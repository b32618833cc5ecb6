"""Feedback for students: one HTML and one Markdown report per student or team, and
Gradescope ``results.json`` files.

What a report shows: points per task; public tests with their messages and
code; hidden tests only by name, points and pass/fail; manual marks with the
tutors' comments; the late penalty. Hidden test code, inputs, expected values
and messages are never read into a report: a hidden test contributes its
name, points and outcome, nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.gradebook.admission import fmt_points
from sheetgrade.gradebook.errors import GradebookError
from sheetgrade.gradebook.late import describe
from sheetgrade.roster.db import load_roster

if TYPE_CHECKING:
    from sheetgrade.course.course import Course, Sheet
    from sheetgrade.gradebook.book import Gradebook
    from sheetgrade.gradebook.moodle_return import FeedbackZip
    from sheetgrade.sheets.model import AutograderBundle

FORMATS = ("html", "md", "gradescope", "moodle")


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
    return {t.id: (t.name or t.id, t.code) for t in bundle.tests if not t.hidden} if bundle else {}


def _test_names(course: Course, sheet_id: str) -> dict[str, str]:
    """Display names of all tests (hidden ones too: only the name is taken)."""
    bundle = _bundle(course, sheet_id)
    return {t.id: t.name for t in bundle.tests if t.name} if bundle else {}


def build_reports(course: Course, book: Gradebook, sheet: Sheet) -> list[Report]:
    """One report per team (for this sheet) and per student without a team who has anything to show."""
    import pandas as pd

    roster = load_roster(course.engine)
    per = book.per_sheet.xs(sheet.id, level="sheet_id")
    tp = book.task_points[book.task_points.sheet_id == sheet.id]
    points = tp.set_index(["student_id", "task_id"])["points"]
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
    public = _public_tests(course, sheet.id)
    names = _test_names(course, sheet.id)
    tests_by_sha: dict[str, list[Any]] = {}
    if not tests.empty:
        for row in tests.itertuples():
            tests_by_sha.setdefault(row.submission_sha, []).append(row)

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

    reports = []
    for kind, subject, members in subjects:
        lead = members[0]
        row = per.loc[lead]
        has_marks = any(
            (kind, subject, t.id) in marks or ("student", mm, t.id) in marks
            for t in sheet.config.tasks
            for mm in members
        )
        if not row["submitted"] and not has_marks:
            continue
        sha = row["sha256"]
        status, message = (
            results.get(sha, ("not graded", "")) if row["submitted"] else ("missing", "")
        )
        task_lines = []
        for task in sheet.config.tasks:
            line = TaskLine(task.id, task.title, task.kind, None, float(task.points))
            if task.kind == "auto":
                line.points = float(points.get((lead, task.id), 0.0)) if row["submitted"] else 0.0
                for t in sorted(tests_by_sha.get(sha, []), key=lambda t: t.test_id):
                    if t.task_id != task.id:
                        continue
                    if t.hidden:  # name, points and outcome only
                        line.tests.append(
                            TestLine(
                                names.get(t.test_id, t.test_id),
                                float(t.points),
                                float(t.max_points),
                                bool(t.passed),
                                True,
                            )
                        )
                    else:
                        name, code = public.get(t.test_id, (t.test_id, ""))
                        line.tests.append(
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
            else:
                mark = marks.get((kind, subject, task.id)) if kind == "team" else None
                own = marks.get(("student", lead, task.id)) if kind == "student" else None
                chosen = mark or own
                if chosen is not None:
                    line.points = chosen.points
                    line.comment = chosen.comment or ""
                    line.tutor = chosen.tutor or ""
            task_lines.append(line)
        member_lines = []
        for mid in members:
            s = book.students.loc[mid]
            overrides = []
            if kind == "team":
                for task in sheet.config.tasks:
                    own_mark = marks.get(("student", mid, task.id))
                    if own_mark is not None and own_mark.points is not None:
                        text = f"task {task.id}: {fmt_points(own_mark.points)}/{fmt_points(task.points)}"
                        overrides.append(
                            text + (f" ({own_mark.comment})" if own_mark.comment else "")
                        )
            member_lines.append(
                MemberLine(
                    mid,
                    f"{s['first_name']} {s['last_name']}".strip(),
                    float(per.at[mid, "total"]),
                    overrides,
                )
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
                members=member_lines,
                submitted=bool(row["submitted"]),
                status=status,
                status_message=message if status != "graded" else "",
                tasks=task_lines,
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


def gradescope_results(report: Report) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one submission.

    Top-level ``score`` is the sheet total after the late penalty; each test is a
    test entry (public tests ``visible``; hidden tests ``after_published`` without
    any output); each manual task is an entry with the tutor's comment as output.
    """
    tests: list[dict[str, Any]] = []
    for task in report.tasks:
        for t in task.tests:
            entry: dict[str, Any] = {
                "name": f"{task.id}: {t.name}" + (" (hidden)" if t.hidden else ""),
                "score": t.points,
                "max_score": t.max_points,
                "status": "passed" if t.passed else "failed",
                "visibility": "after_published" if t.hidden else "visible",
            }
            if not t.hidden and t.message:
                # plain text: Gradescope shows it as written, never as HTML or Markdown
                entry["output"] = t.message
                entry["output_format"] = "text"
            tests.append(entry)
        if task.kind == "manual":
            entry = {
                "name": f"{task.id}: {task.title or 'marked by a tutor'}",
                "score": task.points if task.points is not None else 0.0,
                "max_score": task.max_points,
                "visibility": "after_published",
                "output": task.comment if task.points is not None else "not marked yet",
                "output_format": "text",
            }
            tests.append(entry)
    output = f"Sheet {report.sheet_id}: {fmt_points(report.total)} of {fmt_points(report.possible)} points."
    if report.penalty:
        output += f" Late: {report.late}; {fmt_points(report.penalty)} points deducted."
    if report.status not in ("graded", "missing"):
        output += f" Grading ended with '{report.status}'."
    return {
        "score": round(report.total, 4),
        "output": output,
        "output_format": "text",
        "visibility": "after_published",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "sheet": report.sheet_id,
            report.subject_kind: report.subject_id,
            "members": [m.id for m in report.members],
            "late_penalty": report.penalty,
        },
    }


def write_feedback(
    course: Course,
    *,
    sheet: str,
    formats: tuple[str, ...] = ("html", "md"),
    out_dir: Path | None = None,
    book: Gradebook | None = None,
) -> list[Path]:
    """Render the feedback files of one sheet; return the paths written.

    Files: ``feedback/<sheet>/<subject>.html`` and ``.md``; with ``gradescope``
    also ``feedback/<sheet>/gradescope/<subject>/results.json``; with ``moodle``
    ``feedback/<sheet>/moodle-feedback.zip`` for Moodle's "Upload multiple
    feedback files in a zip" (:mod:`sheetgrade.gradebook.moodle_return`).
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.templates import environment

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise GradebookError(f"unknown feedback format '{unknown[0]}'; use {', '.join(FORMATS)}")
    the_sheet = course.sheet(sheet)
    book = book or build_gradebook(course)
    target = out_dir or course.feedback_dir / the_sheet.id
    target.mkdir(parents=True, exist_ok=True)
    html_env = environment(course.templates_dir, autoescape=True)
    md_env = environment(course.templates_dir, autoescape=False)
    written = []
    for report in build_reports(course, book, the_sheet):
        stem = report.subject_id
        if "html" in formats:
            path = target / f"{stem}.html"
            path.write_text(
                html_env.get_template("feedback.html.j2").render(report.context()), encoding="utf-8"
            )
            written.append(path)
        if "md" in formats:
            path = target / f"{stem}.md"
            path.write_text(
                md_env.get_template("feedback.md.j2").render(report.context()), encoding="utf-8"
            )
            written.append(path)
        if "gradescope" in formats:
            path = target / "gradescope" / stem / "results.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(gradescope_results(report), indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            written.append(path)
    if "moodle" in formats:
        written.append(write_moodle_feedback(course, sheet=sheet, out_dir=target, book=book).path)
    return written


def write_moodle_feedback(
    course: Course, *, sheet: str, out_dir: Path | None = None, book: Gradebook | None = None
) -> FeedbackZip:
    """Render each feedback page (the HTML feedback template) into ``moodle-feedback.zip``
    in ``out_dir`` (default ``feedback/<sheet>/``)."""
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.moodle_return import MOODLE_ZIP, write_feedback_zip
    from sheetgrade.templates import environment

    the_sheet = course.sheet(sheet)
    book = book or build_gradebook(course)
    env = environment(course.templates_dir, autoescape=True)
    pages = [
        (r, env.get_template("feedback.html.j2").render(r.context()))
        for r in build_reports(course, book, the_sheet)
    ]
    target = (out_dir or course.feedback_dir / the_sheet.id) / MOODLE_ZIP
    return write_feedback_zip(course, the_sheet.id, pages, target)

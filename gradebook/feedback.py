"""Feedback for students: one HTML and one Markdown report per student or team,
Gradescope ``results.json`` files and Moodle's feedback zip.

What a report shows, and that hidden tests contribute only their name, points
and outcome, is :mod:`sheetgrade.gradebook.feedback_model`'s; this module
renders the reports into files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.gradebook.admission import fmt_points
from sheetgrade.gradebook.errors import GradebookError
from sheetgrade.gradebook.feedback_model import Report, build_reports

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.gradebook.book import Gradebook
    from sheetgrade.gradebook.moodle_return import FeedbackZip

FORMATS = ("html", "md", "gradescope", "moodle")


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

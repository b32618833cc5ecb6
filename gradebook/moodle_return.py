"""The way back to Moodle: the grading worksheet with grades, and the feedback-files zip.

- :func:`export_worksheet` fills the assignment's grading worksheet (as
  downloaded, see :mod:`sheetgrade.submissions.worksheet`) with each student's
  points on the sheet, scaled to the assignment's maximum grade, and a short
  feedback comment, for Moodle's "Upload grading worksheet".
- :func:`write_feedback_zip` writes the zip for Moodle's "Upload multiple
  feedback files in a zip" (``assignfeedback_file``): one folder per
  participant, named as the download named it
  (``<full name>_<participant id>_assignsubmission_file``), holding the
  feedback page. Moodle's import reads the participant id from the second
  ``_``-separated part of a folder name and gives the files to that one
  participant; so in team mode, where the download's folder holds the group
  id, every member gets a folder of their own, named from the worksheet's
  participant ids. :func:`sheetgrade.gradebook.feedback.write_moodle_feedback`
  renders the pages and calls it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.gradebook.errors import GradebookError

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.gradebook.book import Gradebook
    from sheetgrade.gradebook.feedback_model import Report
    from sheetgrade.submissions.worksheet import Worksheet

FEEDBACK_FILE = "feedback.html"
MOODLE_ZIP = "moodle-feedback.zip"
SKIPPED_STATUSES = ("missing", "not due", "excused")


@dataclass
class WorksheetExport:
    """What :func:`export_worksheet` did."""

    text: str
    graded: list[str] = field(default_factory=list)  # participant ids given a grade
    left: list[str] = field(default_factory=list)  # one line per row left as downloaded


def _stored_worksheet(course: Course, sheet_id: str) -> Path:
    from sheetgrade.submissions.moodle_intake import WORKSHEET_COPY

    return course.submissions_dir / sheet_id / WORKSHEET_COPY


def load_worksheet(course: Course, sheet_id: str, path: Path | None) -> Worksheet:
    """The given worksheet, else the one kept by ``collect --worksheet``."""
    from sheetgrade.submissions.errors import SubmissionError
    from sheetgrade.submissions.timing import course_tz
    from sheetgrade.submissions.worksheet import read_worksheet

    source = path or _stored_worksheet(course, sheet_id)
    if not source.is_file():
        raise GradebookError(
            f"no grading worksheet for sheet {sheet_id}: in Moodle, open the assignment's "
            f"grading page, 'Download grading worksheet', and pass it with --worksheet FILE "
            f"(or collect with --worksheet, which keeps it)"
        )
    try:
        return read_worksheet(source, course_tz(course))
    except SubmissionError as exc:
        raise GradebookError(str(exc), exc.problems) from None


def _comment(row: dict[str, float | str], sheet_title: str) -> str:
    def pts(x: float) -> str:
        return f"{x:.2f}".rstrip("0").rstrip(".")

    parts = []
    if row["auto"]:
        parts.append(f"tests {pts(float(row['auto']))}")
    if row["manual"]:
        parts.append(f"marked by hand {pts(float(row['manual']))}")
    if row["penalty"]:
        parts.append(f"late penalty -{pts(float(row['penalty']))}")
    detail = f" ({', '.join(parts)})" if parts else ""
    return f"{sheet_title}: {pts(float(row['total']))} of {pts(float(row['max']))} points{detail}."


def export_worksheet(
    course: Course,
    *,
    sheet: str,
    worksheet: Path | None = None,
    output: Path | None = None,
    book: Gradebook | None = None,
) -> WorksheetExport:
    """Fill the grading worksheet with grades and comments; write it to ``output`` if given.

    Grades are the sheet's total points scaled to the worksheet's "Maximum Grade",
    with its decimals and decimal mark. Rows of students without a submission or
    marks (missing, not due, excused) and rows not on the roster stay as downloaded.

    Raises:
        GradebookError: no worksheet, or the assignment is graded with a scale.
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.submissions.matching import Matcher
    from sheetgrade.submissions.moodle_intake import WorksheetIndex
    from sheetgrade.submissions.worksheet import format_grade, write_worksheet

    the_sheet = course.sheet(sheet)
    sheet_id = the_sheet.id
    ws = load_worksheet(course, sheet_id, worksheet)
    if ws.scale is not None or ws.max_grade is None:
        scale = f" ({', '.join(ws.scale)})" if ws.scale else ""
        raise GradebookError(
            f"{ws.path}: the assignment is graded with a scale{scale}, not points; set its "
            f"grade type to 'Point' in Moodle (Maximum grade: the sheet's points or 100) and "
            f"download the worksheet again"
        )
    book = book or build_gradebook(course)
    index = WorksheetIndex(ws, Matcher.load(course.engine))
    per_sheet = book.per_sheet
    result = WorksheetExport(text="")
    grades: dict[str, tuple[str, str]] = {}
    for row in ws.rows:
        student = index.student_for(row.participant_id)
        who = f"line {row.line} ({row.identifier}, {row.full_name or 'no name'})"
        if student is None or (student, sheet_id) not in per_sheet.index:
            result.left.append(f"{who}: not on the roster")
            continue
        line = per_sheet.loc[(student, sheet_id)]
        if line["status"] in SKIPPED_STATUSES or not line["max"]:
            result.left.append(f"{who}: {line['status']}, no grade")
            continue
        grade = float(line["total"]) / float(line["max"]) * ws.max_grade
        grades[row.participant_id] = (
            format_grade(ws, max(0.0, min(grade, ws.max_grade))),
            _comment(dict(line), the_sheet.config.title),
        )
        result.graded.append(row.participant_id)
    result.text = write_worksheet(ws, grades, output)
    if "feedback" not in ws.columns:
        result.left.append(
            "the worksheet has no 'Feedback comments' column (the assignment's feedback "
            "comments are off): grades only"
        )
    return result


# -------------------------------------------------------------- feedback zip


def _participant_folders(course: Course, sheet_id: str) -> dict[str, str]:
    """Student id -> the folder Moodle's feedback import gives to that student: the
    download's own folder for whoever uploaded it (not team mode's group folders),
    else one named from the grading worksheet's participant id."""
    from sheetgrade.submissions.moodle import moodle_prefix

    mu, mp, sub = store.moodle_uploads, store.moodle_participants, store.submissions
    with course.engine.connect() as conn:
        uploads = conn.execute(
            select(mu.c.owner, mu.c.folder, mu.c.kind, sub.c.submitted_by)
            .join(sub, sub.c.id == mu.c.submission_id)
            .where(mu.c.sheet_id == sheet_id)
            .order_by(mu.c.submission_id)
        ).all()
        participants = conn.execute(
            select(mp.c.student_id, mp.c.participant_id, mp.c.full_name).where(
                mp.c.sheet_id == sheet_id, mp.c.student_id.is_not(None)
            )
        ).all()
    folders = {
        r.student_id: f"{moodle_prefix(r.full_name, r.participant_id)}_assignsubmission_file"
        for r in participants
    }
    for r in uploads:  # later versions win; the download's own names win over the worksheet's
        if r.kind in ("participant", "blind"):
            folders[r.submitted_by or r.owner] = r.folder
    return folders


@dataclass
class FeedbackZip:
    """What :func:`write_feedback_zip` wrote, and whom it left out and why."""

    path: Path
    folders: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def write_feedback_zip(
    course: Course, sheet_id: str, reports: list[tuple[Report, str]], target: Path
) -> FeedbackZip:
    """Write the feedback-files zip: ``reports`` are (report, rendered HTML)."""
    by_student = _participant_folders(course, sheet_id)
    out = FeedbackZip(target)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for report, html in reports:
            if not report.submitted and report.status == "missing":
                continue
            member_ids = [m.id for m in report.members] or [report.subject_id]
            folders = [by_student[m] for m in member_ids if m in by_student]
            missing = [m for m in member_ids if m not in by_student]
            if missing:
                out.left.append(
                    f"{report.subject_kind} {report.subject_id}: no Moodle participant id for "
                    f"{', '.join(missing)}; collect the sheet from its Moodle download with "
                    f"--worksheet to name every participant"
                )
            for folder in folders:
                if folder in out.folders:
                    continue
                zf.writestr(f"{folder}/{FEEDBACK_FILE}", html)
                out.folders.append(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return out

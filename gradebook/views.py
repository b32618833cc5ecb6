"""Readable rows of the gradebook for the terminal (``gradebook show``, ``admission show``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetgrade.gradebook.admission import fmt_points
from sheetgrade.gradebook.errors import GradebookError

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.gradebook.book import Gradebook

MARK_FOR_STATUS = {"missing": "missing", "excused": "excused", "not due": "·"}


def overview_rows(book: Gradebook) -> list[dict[str, str]]:
    """One row per student: a column per sheet (points, or missing/excused/· not due), total, %, status."""
    totals = book.wide("total")
    statuses = book.wide("status")
    rows = []
    for sid, student in book.students.iterrows():
        row = {
            "student": str(sid),
            "name": f"{student['last_name']}, {student['first_name']}",
            "group": "" if student["group"] is None else str(student["group"]),
        }
        for sheet_id, label in book.sheets["label"].items():
            status = statuses.at[sid, sheet_id]
            value = fmt_points(float(totals.at[sid, sheet_id]))
            if status in MARK_FOR_STATUS and not (
                status == "not due" and totals.at[sid, sheet_id] > 0
            ):
                value = MARK_FOR_STATUS[status]
            elif status == "late":
                value += " (late)"
            row[label] = value
        o = book.overall.loc[sid]
        row["total"] = f"{fmt_points(o['points'])}/{fmt_points(o['max'])}"
        row["%"] = f"{o['percent']:.1f}"
        row["admission"] = str(o["explanation"])
        rows.append(row)
    return rows


def sheet_rows(book: Gradebook, course: Course, sheet: str) -> list[dict[str, str]]:
    """One row per student for one sheet: each task, auto, manual, penalty, total, status."""
    sheet_id = course.resolve_sheet_id(sheet)
    if sheet_id not in book.sheets.index:
        raise GradebookError(f"no sheet '{sheet}' in the gradebook")
    tp = book.task_points[book.task_points.sheet_id == sheet_id]
    by_task = tp.pivot(index="student_id", columns="task_id", values="points")
    tasks = book.tasks[book.tasks.sheet_id == sheet_id]
    per = book.per_sheet.xs(sheet_id, level="sheet_id")
    rows = []
    for sid, student in book.students.iterrows():
        row = {"student": str(sid), "name": f"{student['last_name']}, {student['first_name']}"}
        for task in tasks.itertuples():
            value = by_task.at[sid, task.task_id] if sid in by_task.index else float("nan")
            head = f"{task.task_id} /{fmt_points(task.points)}" + (
                "" if task.kind == "auto" else " ✎"
            )
            row[head] = "—" if value != value else fmt_points(float(value))
        p = per.loc[sid]
        row["auto"] = fmt_points(p["auto"])
        row["manual"] = fmt_points(p["manual"])
        row["penalty"] = fmt_points(-p["penalty"]) if p["penalty"] else ""
        row["total"] = f"{fmt_points(p['total'])}/{fmt_points(p['possible'])}"
        row["status"] = str(p["status"])
        rows.append(row)
    return rows

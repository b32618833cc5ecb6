"""The course dashboard: one static HTML page (``reports/index.html``) with plots inline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.gradebook.admission import STATUS_TEXT, fmt_percent

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.gradebook.book import Gradebook


@dataclass
class AtRisk:
    """A student who is not admitted and behind."""

    id: str
    name: str
    group: str
    percent: str
    status: str
    explanation: str


def at_risk(book: Gradebook) -> dict[str, list[AtRisk]]:
    """Students at risk, per tutor: cannot reach admission, or not yet admitted and below the
    threshold on the sheets that are already due."""
    past = book.per_sheet[~book.per_sheet["remaining"]]
    points_so_far = past["total"].groupby(level="student_id").sum()
    max_so_far = past["max"].groupby(level="student_id").sum()
    pace = (
        (points_so_far / max_so_far.where(max_so_far > 0)).reindex(book.students.index).fillna(0.0)
    )
    o = book.overall
    risky = (o["status"] == "cannot_reach") | ((o["status"] == "not_yet") & (pace < book.share))
    out: dict[str, list[AtRisk]] = {}
    for sid in book.students.index[risky.to_numpy()]:
        s = book.students.loc[sid]
        tutor = s["tutor"] if isinstance(s["tutor"], str) else (s["tutor_email"] or "no tutor")
        if not isinstance(tutor, str):
            tutor = "no tutor"
        out.setdefault(tutor, []).append(
            AtRisk(
                str(sid),
                f"{s['first_name']} {s['last_name']}".strip(),
                str(s["group"] or ""),
                fmt_percent(float(o.at[sid, "percent"])),
                STATUS_TEXT[o.at[sid, "status"]],
                str(o.at[sid, "explanation"]),
            )
        )
    return dict(sorted(out.items()))


def report_context(course: Course, book: Gradebook) -> dict[str, Any]:
    """Everything ``report.html.j2`` shows."""
    from sheetgrade.course.timefmt import course_time
    from sheetgrade.gradebook import plots
    from sheetgrade.gradebook.summary import group_summary, sheet_summary, status_counts

    o = book.overall
    counts = status_counts(book)
    sheets = sheet_summary(book)
    groups = group_summary(book)
    return {
        "groups": groups,
        "course": course.config.course,
        "term": course.config.term,
        "generated": course_time(course, datetime.now(UTC)),
        "n_students": len(book.students),
        "counts": counts,
        "status_text": STATUS_TEXT,
        "threshold": fmt_percent(book.share * 100),
        "mean_percent": fmt_percent(float(o["percent"].mean())) if len(o) else "–",
        "sheets": sheets,
        "at_risk": at_risk(book),
        "plots": {
            "totals": plots.totals_histogram(book),
            "sheets": plots.per_sheet_stats(book),
            "tasks": plots.per_task_stats(book),
            "groups": plots.admission_by_group(book),
        },
    }


def write_report(
    course: Course, *, out_dir: Path | None = None, book: Gradebook | None = None
) -> Path:
    """Write ``reports/index.html`` (or ``out_dir/index.html``); return its path."""
    from markupsafe import Markup

    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.templates import environment

    book = book or build_gradebook(course)
    context = report_context(course, book)
    context["plots"] = {
        k: Markup(v) for k, v in context["plots"].items()
    }  # our own SVG, not user text
    target = out_dir or course.reports_dir
    target.mkdir(parents=True, exist_ok=True)
    path = target / "index.html"
    html = (
        environment(course.templates_dir, autoescape=True)
        .get_template("report.html.j2")
        .render(context)
    )
    path.write_text(html, encoding="utf-8")
    return path

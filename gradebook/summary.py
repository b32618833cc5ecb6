"""Course-level summaries of the gradebook: per sheet and per tutorial group.

Shared by ``gradebook summary`` on the terminal and the HTML report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetgrade.gradebook.admission import STATUS_TEXT, fmt_points

if TYPE_CHECKING:
    from sheetgrade.gradebook.book import Gradebook


def sheet_summary(book: Gradebook) -> list[dict[str, Any]]:
    """Per sheet: title, due, points, how many handed in, mean and median total of those,
    the mean of the autograded and of the pen-and-paper part, and the mean in percent."""
    submitted = book.wide("submitted").astype(bool)
    totals = book.wide("total")
    late = book.wide("status") == "late"
    auto, manual = book.wide("auto"), book.wide("manual")
    rows = []
    for sid, row in book.sheets.iterrows():
        handed = int(submitted[sid].sum())
        scores = totals[sid][submitted[sid]]
        rows.append(
            {
                "id": sid,
                "title": row["title"],
                "due": row["due"].strftime("%Y-%m-%d %H:%M"),
                "possible": fmt_points(row["possible"]),
                "submitted": handed,
                "late": int(late[sid].sum()),
                "mean": fmt_points(float(scores.mean())) if handed else "–",
                "median": fmt_points(float(scores.median())) if handed else "–",
                "auto_mean": fmt_points(float(auto[sid][submitted[sid]].mean())) if handed else "–",
                "manual_mean": (
                    fmt_points(float(manual[sid][submitted[sid]].mean())) if handed else "–"
                ),
                "percent": (
                    f"{100 * float(scores.mean()) / float(row['possible']):.0f}"
                    if handed and float(row["possible"])
                    else "–"
                ),
                "remaining": bool(row["remaining"]),
            }
        )
    return rows


def group_summary(book: Gradebook) -> list[dict[str, Any]]:
    """Per tutorial group: tutor, students and the admission counts."""
    by_group = book.overall[["status"]].join(book.students[["group", "tutor"]])
    groups = []
    for (group, tutor), frame in by_group.groupby(["group", "tutor"], dropna=False, sort=True):
        groups.append(
            {
                "group": "no group" if group != group else str(group),
                "tutor": "" if tutor != tutor else str(tutor),
                "n": len(frame),
                **{s: int((frame["status"] == s).sum()) for s in STATUS_TEXT},
            }
        )
    return groups


def status_counts(book: Gradebook) -> dict[str, int]:
    """How many students have each admission status."""
    return {s: int((book.overall["status"] == s).sum()) for s in STATUS_TEXT}

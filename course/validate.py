"""Check a course directory's settings and sheet folders, reporting every problem."""

from __future__ import annotations

from pathlib import Path

from sheetgrade.course.course import SHEET_FILE, Course
from sheetgrade.course.errors import ConfigError


def sheet_problems(course: Course) -> list[str]:
    """Every problem with the sheet folders: missing or invalid sheet.yml,
    missing notebook or data files. Does not stop at the first one."""
    problems: list[str] = []
    for sheet_id in course.sheet_ids:
        folder = course.sheets_dir / sheet_id
        label = f"sheets/{sheet_id}"
        if not folder.is_dir():
            problems.append(
                f"{label}: folder missing; create it with a {SHEET_FILE} for sheet {sheet_id} of course.yml"
            )
            continue
        try:
            sheet = course.sheet(sheet_id)
        except ConfigError as exc:
            problems += exc.problems or [str(exc)]
            continue
        for name in filter(None, [sheet.config.notebook, *sheet.config.data]):
            if not (folder / name).is_file():
                problems.append(
                    f"{label}/{SHEET_FILE}: {name} is named but {folder / name} does not exist"
                )
    for folder in sorted(p for p in course.sheets_dir.glob("*") if p.is_dir()):
        if folder.name not in course.sheet_ids and (folder / SHEET_FILE).exists():
            problems.append(
                f"sheets/{folder.name}: not listed in course.yml `sheets` (add it or remove the folder)"
            )
    return problems


def open_for_validation(path: str | Path | None) -> tuple[Course | None, list[str]]:
    """Open the course; on an invalid course.yml return its problems instead of raising."""
    try:
        return Course.open(path), []
    except ConfigError as exc:
        if exc.problems:
            return None, exc.problems
        raise

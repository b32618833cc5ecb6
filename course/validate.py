"""Check a whole course directory and report every problem at once.

``course`` owns the driver and the report: course.yml, the sheet folders and
their sheet.yml files, in that order, never stopping at the first problem.
What only a higher package knows how to check (the roster files, each sheet's
notebook) the caller passes in, since ``course`` imports no other subpackage:
``CourseCheck`` for the whole course, a sheet check for each sheet whose folder
and sheet.yml are sound. ``sheetgrade validate`` passes the roster's and the
notebook parser's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sheetgrade.course.course import SHEET_FILE, Course, Sheet
from sheetgrade.course.errors import ConfigError, SheetgradeError

#: a check of one sheet: it raises a SheetgradeError naming the sheet's problems
SheetCheck = Callable[[Sheet], object]


@dataclass(frozen=True)
class CourseCheck:
    """A check of the whole course that a higher package provides."""

    label: str  # what it checks, as the report names it: "the roster"
    run: Callable[[Course], list[str]]  # every problem it finds, one line each


@dataclass
class ValidationReport:
    """What :func:`validate_course` found."""

    course: Course | None  # None when course.yml itself is invalid
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # the labels of the course checks run

    @property
    def ok(self) -> bool:
        return not self.problems

    def error(self) -> str:
        """``"2 problems found:"`` and one indented line per problem."""
        noun = "problem" if len(self.problems) == 1 else "problems"
        return "\n".join(
            [f"{len(self.problems)} {noun} found:", *(f"  {p}" for p in self.problems)]
        )

    def summary(self) -> str:
        """What was found valid: ``"<root>: course.yml, 13 sheets and the roster are valid"``."""
        assert self.course is not None
        parts = ["course.yml", f"{len(self.course.sheet_ids)} sheets", *self.checked]
        listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
        return f"{self.course.root}: {listed} are valid"


def validate_course(
    path: str | Path | None,
    *,
    course_checks: Sequence[CourseCheck] = (),
    sheet_checks: Sequence[SheetCheck] = (),
) -> ValidationReport:
    """Open the course at ``path`` (discovered like git when None) and check all of it.

    Problems come in order: course.yml, the sheet folders, each course check,
    then each sheet check of each sheet (skipped for a sheet whose folder or
    sheet.yml already has a problem).

    Raises:
        ConfigError: no course directory was found.
    """
    course, problems = open_for_validation(path)
    report = ValidationReport(course, problems)
    if course is None:
        return report
    folder_trouble = sheet_problems(course)
    report.problems += folder_trouble
    for check in course_checks:
        report.problems += check.run(course)
        report.checked.append(check.label)
    for sheet_id in course.sheet_ids:
        if any(p.startswith(f"sheets/{sheet_id}") for p in folder_trouble):
            continue
        sheet = course.sheet(sheet_id)
        for sheet_check in sheet_checks:
            try:
                sheet_check(sheet)
            except SheetgradeError as exc:
                report.problems += exc.problems or [str(exc)]
    return report


def sheet_problems(course: Course) -> list[str]:
    """Every problem with the sheet folders: missing or invalid sheet.yml,
    missing notebooks or data files. Does not stop at the first one."""
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
        config = sheet.config
        for name in filter(None, [*config.notebook_names, config.header, *config.data]):
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

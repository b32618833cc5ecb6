"""What a filled-in marks file asks for: its rows checked and turned into mark changes.

Row 1 must name a sheet of the course (and, for the merge, the template the file
was made from); the header's task columns must be exactly the sheet's manual
tasks; each row names a team or a student. A blank cell, or one still holding
what the template held, changes nothing; ``clear`` clears a mark. Every problem
is collected (file, row, column), none stops the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetgrade.course.errors import ConfigError
from sheetgrade.gradebook.marks import MarkChange, parse_points
from sheetgrade.gradebook.marks_base import TemplateRecord, find_template, subject_key
from sheetgrade.gradebook.marks_files import CLEAR, COMMENT, HEADER_ROW, MAGIC, TASK_HEADER
from sheetgrade.gradebook.marks_read import FileRows, cell, cell_text, column
from sheetgrade.roster.model import Roster

if TYPE_CHECKING:
    from sheetgrade.course.config import TaskConfig
    from sheetgrade.course.course import Course, Sheet

#: rows seen so far in this import: (sheet, kind, subject) -> where
Seen = dict[tuple[str, str, str], str]


@dataclass(frozen=True)
class Planned:
    """One change a file asks for, where it is, and what the template held there."""

    change: MarkChange
    where: str
    base: TemplateRecord | None = None
    held: float | None = None


@dataclass
class _Layout:
    """What row 1 and the header of one file say."""

    data: FileRows
    sheet: Sheet
    file_group: str | None  # the group the file was made for (None: all)
    base: TemplateRecord | None  # the template it was made from, when known
    col: dict[str, int]  # header text -> column index
    manual: dict[str, TaskConfig]
    task_cols: dict[str, int]
    auto_col: int | None

    @property
    def name(self) -> str:
        return self.data.path.name


def shown(points: object) -> str:
    """Points as messages show them: ``—`` for none."""
    return "—" if points is None else f"{points:g}" if isinstance(points, float) else str(points)


def plan_file(
    course: Course,
    people: Roster,
    data: FileRows,
    expect_sheet: str | None,
    seen: Seen,
    problems: list[str],
    notes: list[str],
) -> list[Planned]:
    """Validate one file; append every problem; return the changes it asks for."""
    layout = _layout(course, data, expect_sheet, problems, notes)
    if layout is None:
        return []
    planned: list[Planned] = []
    for row_no, row in data.rows:
        if all(cell_text(v) == "" for v in row):
            continue
        planned += _plan_row(
            layout, people, f"{layout.name} row {row_no}", row, seen, problems, notes
        )
    return planned


# ---------------------------------------------------------------- row 1 and the header


def _layout(
    course: Course,
    data: FileRows,
    expect_sheet: str | None,
    problems: list[str],
    notes: list[str],
) -> _Layout | None:
    """Read row 1 and the header; None (with the problems appended) when the rows
    cannot be read against them."""
    found = _file_sheet(course, data, expect_sheet, problems, notes)
    if found is None:
        return None
    sheet, file_group, base = found
    name = data.path.name
    header = [h.strip() for h in data.header]
    col = {h: i for i, h in enumerate(header)}
    manual = {t.id: t for t in sheet.config.tasks if t.kind == "manual"}
    task_cols, auto_col = _task_columns(data, header, sheet, manual, problems)
    missing = [t for t in manual if t not in task_cols]
    if missing:
        listed = ", ".join(f"'{t} (max {manual[t].points:g})'" for t in missing)
        problems.append(
            f"{name} row {HEADER_ROW}: the task column{'s' if len(missing) > 1 else ''} {listed} "
            f"{'are' if len(missing) > 1 else 'is'} missing; the task columns must be the sheet's "
            f"({', '.join(manual)}); put {'them' if len(missing) > 1 else 'it'} back or make a "
            f"new file with `sheetgrade marks template {sheet.id}`"
        )
        return None
    if "id" not in col:
        problems.append(
            f"{name} row {HEADER_ROW}: no 'id' column; the header must stay as the template wrote it"
        )
        return None
    return _Layout(data, sheet, file_group, base, col, manual, task_cols, auto_col)


def _file_sheet(
    course: Course,
    data: FileRows,
    expect_sheet: str | None,
    problems: list[str],
    notes: list[str],
) -> tuple[Sheet, str | None, TemplateRecord | None] | None:
    """Row 1: the file's sheet, its group and the template it was made from."""
    name = data.path.name
    meta = [m.strip() for m in data.meta]
    if len(meta) < 3 or meta[0] != MAGIC or meta[1] != "sheet":
        problems.append(
            f"{name} row 1: not a sheetgrade marks file (row 1 must name the sheet); "
            f"make one with `sheetgrade marks template SHEET`"
        )
        return None
    try:
        sheet = course.sheet(meta[2])
    except (ConfigError, OSError) as exc:  # unknown sheet, or its sheet.yml unreadable
        problems.append(f"{name} row 1: {exc}")
        return None
    if expect_sheet is not None and sheet.id != expect_sheet:
        problems.append(f"{name} row 1: this file is for sheet {sheet.id}, not {expect_sheet}")
        return None
    file_group = meta[4] if len(meta) > 4 and meta[3] == "group" and meta[4] != "all" else None
    base: TemplateRecord | None = None
    if len(meta) > 8 and meta[7] == "template" and meta[8]:
        base = find_template(course.engine, meta[8])
        if base is None:
            notes.append(
                f"{name}: made by a sheetgrade this database does not know (template "
                f"{meta[8]}); marks changed here since cannot be told apart"
            )
    return sheet, file_group, base


def _task_columns(
    data: FileRows,
    header: list[str],
    sheet: Sheet,
    manual: dict[str, TaskConfig],
    problems: list[str],
) -> tuple[dict[str, int], int | None]:
    """The header's task columns (task -> index) and the autograded column."""
    name = data.path.name
    task_cols: dict[str, int] = {}
    auto_col: int | None = None
    for i, h in enumerate(header):
        match = TASK_HEADER.match(h)
        if h.startswith("autograded"):
            auto_col = i
        elif match:
            task = match.group("task")
            if task not in manual:
                problems.append(
                    f"{name} row {HEADER_ROW}, column {column(data, i)}: "
                    f"sheet {sheet.id} has no manual task '{task}' "
                    f"(manual tasks: {', '.join(manual) or 'none'}); is this file for another sheet?"
                )
            elif abs(float(match.group("max").replace(",", ".")) - manual[task].points) > 1e-9:
                problems.append(
                    f"{name} row {HEADER_ROW}, column {column(data, i)}: "
                    f"the header gives task {task} a maximum of {match.group('max')}, but on sheet "
                    f"{sheet.id} it is {manual[task].points:g}; is this file for another sheet?"
                )
            else:
                task_cols[task] = i
    return task_cols, auto_col


# ---------------------------------------------------------------- the rows


def _plan_row(
    layout: _Layout,
    people: Roster,
    where: str,
    row: Sequence[object],
    seen: Seen,
    problems: list[str],
    notes: list[str],
) -> list[Planned]:
    """The changes one row asks for (none when it has a problem)."""
    sheet = layout.sheet
    found = _subject(layout, people, where, row, problems)
    if found is None:
        return []
    kind, subject, group_of = found
    ident = (sheet.id, kind, subject)
    if ident in seen:
        problems.append(f"{where}: duplicate row for {kind} {subject} (also {seen[ident]})")
        return []
    seen[ident] = where
    held_rows = layout.base.held if layout.base is not None else {}
    held = held_rows.get(subject_key(kind, subject))
    if layout.file_group is not None and group_of is not None and group_of != layout.file_group:
        notes.append(
            f"{where}: {subject} is in group {group_of}, not {layout.file_group} (the file's "
            f"group); imported all the same"
        )
    if _autograded_edited(layout, where, row, held, problems):
        return []
    col = layout.col
    comment: str | None = cell_text(cell(row, col.get(COMMENT))) if COMMENT in col else None
    if held is not None and comment == (held.get("comment") or ""):
        comment = None  # as the template wrote it: keep what the database holds
    wanted = _wanted(layout, where, row, held, problems)
    planned: list[Planned] = []
    for task, points in wanted:
        change = MarkChange(sheet.id, task, kind, subject, points, comment)
        base_value = held.get(task) if held is not None else None
        planned.append(
            Planned(change, where, layout.base if held is not None else None, base_value)
        )
    if comment and not wanted and layout.manual:
        first = next(iter(layout.manual))
        change = MarkChange(sheet.id, first, kind, subject, None, comment, keep_points=True)
        planned.append(Planned(change, where))
    return planned


def _subject(
    layout: _Layout, people: Roster, where: str, row: Sequence[object], problems: list[str]
) -> tuple[str, str, str | None] | None:
    """The row's kind, subject id and (for a student) group; None when unknown."""
    col, names = layout.col, layout.data.column_names
    kind = cell_text(cell(row, col.get("kind"))).lower() or "student"
    key = cell_text(cell(row, col["id"]))
    if kind == "team":
        team = people.teams.get(key)
        if team is None or team.sheet_id not in (None, layout.sheet.id):
            problems.append(f"{where}, column {names[col['id']]}: unknown team '{key}'")
            return None
        return kind, key, None
    if kind == "student":
        student = people.find_student(key) if key else None
        if not key and "matrikel" in col:  # no id: fall back to the matriculation number
            matrikel = cell_text(cell(row, col["matrikel"]))
            student = people.find_student(matrikel) if matrikel else None
        if student is None:
            problems.append(
                f"{where}, column {names[col['id']]}: unknown student '{key}' (not on the roster)"
            )
            return None
        return kind, student.id, student.group_id
    problems.append(
        f"{where}, column {names[col['kind']]}: kind must be 'student' or 'team', not '{kind}'"
    )
    return None


def _autograded_edited(
    layout: _Layout,
    where: str,
    row: Sequence[object],
    held: dict[str, Any] | None,
    problems: list[str],
) -> bool:
    """True (with a problem) when the tutor changed the read-only autograded points."""
    auto_col = layout.auto_col
    if auto_col is None or held is None:
        return False
    try:
        auto_now = parse_points(cell(row, auto_col))
    except ValueError:
        auto_now = float("nan")
    if auto_now == held.get("auto"):
        return False
    problems.append(
        f"{where}, column {column(layout.data, auto_col)} (autograded): changed from "
        f"{shown(held.get('auto'))} to '{cell_text(cell(row, auto_col))}'; the autograded "
        f"points come from `sheetgrade grade` and cannot be edited here; put manual "
        f"points in the task columns"
    )
    return True


def _wanted(
    layout: _Layout,
    where: str,
    row: Sequence[object],
    held: dict[str, Any] | None,
    problems: list[str],
) -> list[tuple[str, float | None]]:
    """The task cells the tutor changed: (task, points or None to clear)."""
    wanted: list[tuple[str, float | None]] = []
    for task, index in layout.task_cols.items():
        value = cell(row, index)
        place = f"{where}, column {column(layout.data, index)} (task {task})"
        if cell_text(value).casefold() == CLEAR:
            wanted.append((task, None))
            continue
        try:
            points = parse_points(value)
        except ValueError:
            problems.append(
                f"{place}: '{cell_text(value)}' is not a number "
                f"(leave it blank to keep the mark, write '{CLEAR}' to clear it)"
            )
            continue
        if points is None:
            continue  # blank: never changes a mark
        if held is not None and task in held and held[task] == points:
            continue  # what the template held: not this file's change
        top = layout.manual[task].points
        if points < 0:
            problems.append(f"{place}: {points:g} is below 0")
        elif points > top + 1e-9:
            problems.append(f"{place}: {points:g} is above the maximum {top:g}")
        else:
            wanted.append((task, points))
    return wanted

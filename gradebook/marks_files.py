"""Fill-in files for manual marks: one per tutorial group, XLSX or CSV, and their import.

Layout (both formats):

- row 1 names the file's sheet and group (``sheetgrade marks | sheet | 01-pca |
  group | A | made | <time> | template | <token>``), so a file for the wrong
  sheet is refused and the import knows what the file held when it was made
  (:mod:`sheetgrade.gradebook.marks_base`);
- row 2 is the header: kind, id, matrikel, name, team, autograded points
  (read-only context), one column per manual task with its maximum
  (``2 (max 4)``), comment;
- then one row per team (its mark reaches every member) followed by its
  members (a filled cell is the member's own override), and one row per student
  without a team.

A blank cell never changes a mark; the word ``clear`` in a cell clears it (as
``marks set ... --clear`` does). A cell that still holds what the template held
changes nothing either, so an old file never reverts a newer mark; a cell the
tutor changed while the database changed too is a conflict, refused unless
``--overwrite``. The task columns must be exactly the sheet's manual tasks.
Points accept a decimal comma.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store
from sheetgrade.course.errors import ConfigError
from sheetgrade.gradebook.errors import MarksError
from sheetgrade.gradebook.marks import (
    AppliedChange,
    MarkChange,
    apply_changes,
    parse_points,
    resolve_tutor,
)
from sheetgrade.gradebook.marks_base import (
    Held,
    TemplateRecord,
    find_template,
    new_token,
    record_template,
    subject_key,
    untouched,
)
from sheetgrade.roster.db import load_roster
from sheetgrade.roster.model import Roster

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course, Sheet

MAGIC = "sheetgrade marks"
FIXED = ["kind", "id", "matrikel", "name", "team"]
AUTO = "autograded (max {max})"
COMMENT = "comment"
HEADER_ROW = 2
CLEAR = "clear"  # the cell token that clears a mark
TASK_HEADER = re.compile(r"^\s*(?P<task>.+?)\s*\(max\s*(?P<max>[\d.,]+)\)\s*$")


def _fmt(x: float) -> str:
    return f"{x:g}"


@dataclass
class TemplateRow:
    kind: str
    id: str
    matrikel: str
    name: str
    team: str
    auto: float | None
    marks: dict[str, float | None]
    comment: str


def _template_rows(
    course: Course, sheet: Sheet, people: Roster, group_id: str | None
) -> list[TemplateRow]:
    """Rows for one group: teams with their members together, then students alone."""
    import pandas as pd
    from sqlalchemy import select

    from sheetgrade.gradebook.book import build_gradebook

    book = build_gradebook(course)
    auto = book.per_sheet.xs(sheet.id, level="sheet_id")["auto"]
    submitted = book.per_sheet.xs(sheet.id, level="sheet_id")["submitted"]
    m = store.marks
    with course.engine.connect() as conn:
        stored = pd.DataFrame(
            conn.execute(select(m).where(m.c.sheet_id == sheet.id)).mappings().all()
        )
    marks: dict[tuple[str, str], dict[str, float | None]] = {}
    comments: dict[tuple[str, str], list[str]] = {}
    for r in stored.itertuples() if not stored.empty else []:
        key = (r.subject_kind, r.subject_id)
        marks.setdefault(key, {})[r.task_id] = None if pd.isna(r.points) else float(r.points)
        if r.comment and r.comment not in comments.setdefault(key, []):
            comments[key].append(r.comment)

    def auto_of(sid: str) -> float | None:
        return float(auto[sid]) if bool(submitted[sid]) else None

    students = people.by_group(group_id) if group_id else people.sorted_students()
    rows: list[TemplateRow] = []
    done: set[str] = set()
    for student in students:
        if student.id in done:
            continue
        found = people.team_of(student.id, sheet.id)
        if found is None:
            continue
        team = found.id
        members = people.members(team)
        names = ", ".join(m.name for m in members)
        rows.append(
            TemplateRow(
                "team",
                team,
                "",
                f"Team {team}: {names}",
                team,
                auto_of(members[0].id) if members else None,
                marks.get(("team", team), {}),
                " / ".join(comments.get(("team", team), [])),
            )
        )
        for member in members:
            done.add(member.id)
            key = ("student", member.id)
            rows.append(
                TemplateRow(
                    "student",
                    member.id,
                    member.matrikel or "",
                    member.name,
                    team,
                    auto_of(member.id),
                    marks.get(key, {}),
                    " / ".join(comments.get(key, [])),
                )
            )
    for student in students:
        if student.id not in done:
            key = ("student", student.id)
            rows.append(
                TemplateRow(
                    "student",
                    student.id,
                    student.matrikel or "",
                    student.name,
                    "",
                    auto_of(student.id),
                    marks.get(key, {}),
                    " / ".join(comments.get(key, [])),
                )
            )
    return rows


def write_templates(
    course: Course,
    *,
    sheet: str,
    group: str | None = None,
    fmt: str = "xlsx",
    out_dir: Path | None = None,
    notes: list[str] | None = None,
) -> list[Path]:
    """Write one fill-in file per tutorial group (or only ``group``); return the paths.

    Files go to ``marks/<sheet>/<sheet>-<group>.<fmt>`` unless ``out_dir`` is given.
    A file there whose bytes differ from what sheetgrade last wrote (a tutor's work
    not yet imported) is never replaced: the new one goes beside it, and ``notes``
    says so.
    """
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if fmt not in ("xlsx", "csv"):
        raise MarksError(f"unknown format '{fmt}'; use xlsx or csv")
    the_sheet = course.sheet(sheet)
    people = load_roster(course.engine)
    groups: list[str | None]
    if group is not None:
        groups = [people.group(group).id]
    else:
        groups = [*sorted(people.groups)] or [None]
    manual = [t for t in the_sheet.config.tasks if t.kind == "manual"]
    if not manual:
        raise MarksError(f"sheet {the_sheet.id} has no manual tasks; nothing to mark")
    auto_max = sum(t.points for t in the_sheet.config.tasks if t.kind == "auto")
    header = (
        FIXED
        + [AUTO.format(max=_fmt(auto_max))]
        + [f"{t.id} (max {_fmt(t.points)})" for t in manual]
        + [COMMENT]
    )
    target = out_dir or course.marks_dir / the_sheet.id
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for gid in groups:
        rows = _template_rows(course, the_sheet, people, gid)
        made = datetime.now(UTC)
        try:
            local = made.astimezone(ZoneInfo(course.config.timezone))
        except (ValueError, KeyError):
            local = made
        token = new_token()
        meta = [
            MAGIC,
            "sheet",
            the_sheet.id,
            "group",
            gid or "all",
            "made",
            local.isoformat(timespec="seconds"),
            "template",
            token,
        ]
        held: Held = {
            subject_key(r.kind, r.id): {
                **{t.id: r.marks.get(t.id) for t in manual},
                "comment": r.comment,
                "auto": r.auto,
            }
            for r in rows
        }
        body = [
            [r.kind, r.id, r.matrikel, r.name, r.team, r.auto]
            + [r.marks.get(t.id) for t in manual]
            + [r.comment]
            for r in rows
        ]
        path = target / f"{the_sheet.id}-{gid or 'all'}.{fmt}"
        if not untouched(course, path):
            beside = _beside(path, local)
            if notes is not None:
                notes.append(
                    f"{path} differs from what sheetgrade wrote there (filled in, not yet "
                    f"imported?); left as it is, the new template is {beside.name}"
                )
            path = beside
        if fmt == "csv":
            _write_csv(path, meta, header, body)
        else:
            _write_xlsx(
                path, meta, header, body, first_editable=len(FIXED) + 1, sheet_title=the_sheet.title
            )
        with store.transaction(course.engine) as conn:
            record_template(
                conn,
                course=course,
                token=token,
                sheet_id=the_sheet.id,
                group_id=gid,
                path=path,
                made_at=made.isoformat(),
                held=held,
            )
        paths.append(path)
    return paths


def _beside(path: Path, when: object) -> Path:
    """A free name next to ``path`` for a new template: ``<stem>.new-<time>.<ext>``."""
    from datetime import datetime

    stamp = when.strftime("%Y%m%d-%H%M") if isinstance(when, datetime) else "new"
    candidate = path.with_name(f"{path.stem}.new-{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.new-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def _write_csv(
    path: Path, meta: list[str], header: list[str], body: Sequence[Sequence[object]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(meta)
    writer.writerow(header)
    for row in body:
        writer.writerow(
            ["" if v is None else (_fmt(v) if isinstance(v, float) else v) for v in row]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _write_xlsx(
    path: Path,
    meta: list[str],
    header: list[str],
    body: Sequence[Sequence[object]],
    *,
    first_editable: int,
    sheet_title: str,
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "marks"
    grey = PatternFill("solid", fgColor="DDDDDD")
    team_fill = PatternFill("solid", fgColor="EEF3FA")
    ws.append(meta)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(italic=True, color="666666")
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for values in body:
        ws.append(values)
        row = ws.max_row
        for col in range(1, len(header) + 1):
            cell = ws.cell(row=row, column=col)
            if col <= first_editable:
                cell.fill = grey
            else:
                cell.protection = Protection(locked=False)
                if values[0] == "team":
                    cell.fill = team_fill
            if values[0] == "team" and col <= len(FIXED):
                cell.font = Font(bold=True)
    widths = [8, 10, 11, 34, 8, 18] + [12] * (len(header) - len(FIXED) - 2) + [40]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B3"
    ws.protection.sheet = True  # grey columns are read-only; marks and comments stay editable
    ws.protection.formatColumns = False
    meta_ws = wb.create_sheet("sheetgrade")
    meta_ws.append(["sheet", meta[2]])
    meta_ws.append(["group", meta[4]])
    meta_ws.append(["title", sheet_title])
    meta_ws.sheet_state = "hidden"
    wb.save(path)


# ----------------------------------------------------------------------- import


@dataclass
class FileRows:
    """A marks file read into plain rows: (row number, values)."""

    path: Path
    meta: list[str]
    header: list[str]
    rows: Sequence[tuple[int, Sequence[object]]]
    column_names: list[str]  # how to name a column in messages: letter for xlsx, number for csv


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    files: list[Path]
    rows: int = 0
    changes: list[AppliedChange] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # conflicts settled by --overwrite

    def summary(self) -> str:
        created = sum(1 for c in self.changes if c.created)
        verb = "would change" if self.dry_run else "changed"
        return (
            f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}, {self.rows} rows: "
            f"{verb} {len(self.changes)} marks ({created} new)"
        )


def _read_file(path: Path) -> FileRows:
    if not path.is_file():
        raise MarksError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise MarksError(f"{path.name}: unknown file type '{suffix}'; marks files are .xlsx or .csv")


def _read_xlsx(path: Path) -> FileRows:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise MarksError(
            f"{path.name}: not a readable XLSX file ({exc.__class__.__name__})"
        ) from None
    ws = wb["marks"] if "marks" in wb.sheetnames else wb.worksheets[0]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    meta = [("" if v is None else str(v)) for v in (values[0] if values else [])]
    header = [("" if v is None else str(v)) for v in (values[1] if len(values) > 1 else [])]
    rows = [(i + 1, list(r)) for i, r in enumerate(values[2:], start=2)]
    names = [get_column_letter(i + 1) for i in range(max(len(header), 1))]
    return FileRows(path, meta, header, rows, names)


def _read_csv(path: Path) -> FileRows:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = text.splitlines()
    second = lines[1] if len(lines) > 1 else ""
    delimiter = ";" if second.count(";") > second.count(",") else ","
    values = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    meta = values[0] if values else []
    header = values[1] if len(values) > 1 else []
    rows = [(i + 1, list(r)) for i, r in enumerate(values[2:], start=2)]
    names = [str(i + 1) for i in range(max(len(header), 1))]
    return FileRows(path, meta, header, rows, names)


def _cell(row: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class Planned:
    """One change a file asks for, where it is, and what the template held there."""

    change: MarkChange
    where: str
    base: TemplateRecord | None = None
    held: float | None = None


def _column(data: FileRows, index: int) -> str:
    return data.column_names[index] if index < len(data.column_names) else str(index + 1)


def _plan_file(
    course: Course,
    people: Roster,
    data: FileRows,
    expect_sheet: str | None,
    seen: dict[tuple[str, str, str], str],
    problems: list[str],
    notes: list[str],
) -> list[Planned]:
    """Validate one file; append every problem; return the changes it asks for."""
    name = data.path.name
    meta = [m.strip() for m in data.meta]
    if len(meta) < 3 or meta[0] != MAGIC or meta[1] != "sheet":
        problems.append(
            f"{name} row 1: not a sheetgrade marks file (row 1 must name the sheet); "
            f"make one with `sheetgrade marks template SHEET`"
        )
        return []
    try:
        sheet = course.sheet(meta[2])
    except (ConfigError, OSError) as exc:  # unknown sheet, or its sheet.yml unreadable
        problems.append(f"{name} row 1: {exc}")
        return []
    if expect_sheet is not None and sheet.id != expect_sheet:
        problems.append(f"{name} row 1: this file is for sheet {sheet.id}, not {expect_sheet}")
        return []
    file_group = meta[4] if len(meta) > 4 and meta[3] == "group" and meta[4] != "all" else None
    base: TemplateRecord | None = None
    if len(meta) > 8 and meta[7] == "template" and meta[8]:
        base = find_template(course.engine, meta[8])
        if base is None:
            notes.append(
                f"{name}: made by a sheetgrade this database does not know (template "
                f"{meta[8]}); marks changed here since cannot be told apart"
            )
    header = [h.strip() for h in data.header]
    col = {h: i for i, h in enumerate(header)}
    manual = {t.id: t for t in sheet.config.tasks if t.kind == "manual"}
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
                    f"{name} row {HEADER_ROW}, column {_column(data, i)}: "
                    f"sheet {sheet.id} has no manual task '{task}' "
                    f"(manual tasks: {', '.join(manual) or 'none'}); is this file for another sheet?"
                )
            elif abs(float(match.group("max").replace(",", ".")) - manual[task].points) > 1e-9:
                problems.append(
                    f"{name} row {HEADER_ROW}, column {_column(data, i)}: "
                    f"the header gives task {task} a maximum of {match.group('max')}, but on sheet "
                    f"{sheet.id} it is {manual[task].points:g}; is this file for another sheet?"
                )
            else:
                task_cols[task] = i
    missing = [t for t in manual if t not in task_cols]
    if missing:
        listed = ", ".join(f"'{t} (max {manual[t].points:g})'" for t in missing)
        problems.append(
            f"{name} row {HEADER_ROW}: the task column{'s' if len(missing) > 1 else ''} {listed} "
            f"{'are' if len(missing) > 1 else 'is'} missing; the task columns must be the sheet's "
            f"({', '.join(manual)}); put {'them' if len(missing) > 1 else 'it'} back or make a "
            f"new file with `sheetgrade marks template {sheet.id}`"
        )
        return []
    if "id" not in col:
        problems.append(
            f"{name} row {HEADER_ROW}: no 'id' column; the header must stay as the template wrote it"
        )
        return []
    held_rows = base.held if base is not None else {}
    planned: list[Planned] = []
    for row_no, row in data.rows:
        if all(_text(v) == "" for v in row):
            continue
        where = f"{name} row {row_no}"
        kind = _text(_cell(row, col.get("kind"))).lower() or "student"
        key = _text(_cell(row, col["id"]))
        group_of: str | None = None
        if kind == "team":
            team = people.teams.get(key)
            if team is None or team.sheet_id not in (None, sheet.id):
                problems.append(
                    f"{where}, column {data.column_names[col['id']]}: unknown team '{key}'"
                )
                continue
            subject = key
        elif kind == "student":
            student = people.find_student(key) if key else None
            if not key and "matrikel" in col:  # no id: fall back to the matriculation number
                matrikel = _text(_cell(row, col["matrikel"]))
                student = people.find_student(matrikel) if matrikel else None
            if student is None:
                problems.append(
                    f"{where}, column {data.column_names[col['id']]}: unknown student '{key}' "
                    f"(not on the roster)"
                )
                continue
            subject = student.id
            group_of = student.group_id
        else:
            problems.append(
                f"{where}, column {data.column_names[col['kind']]}: kind must be 'student' or "
                f"'team', not '{kind}'"
            )
            continue
        ident = (sheet.id, kind, subject)
        if ident in seen:
            problems.append(f"{where}: duplicate row for {kind} {subject} (also {seen[ident]})")
            continue
        seen[ident] = where
        held = held_rows.get(subject_key(kind, subject))
        if file_group is not None and group_of is not None and group_of != file_group:
            notes.append(
                f"{where}: {subject} is in group {group_of}, not {file_group} (the file's group); "
                f"imported all the same"
            )
        if auto_col is not None and held is not None:
            try:
                auto_now = parse_points(_cell(row, auto_col))
            except ValueError:
                auto_now = float("nan")
            if auto_now != held.get("auto"):
                problems.append(
                    f"{where}, column {_column(data, auto_col)} (autograded): changed from "
                    f"{_shown(held.get('auto'))} to '{_text(_cell(row, auto_col))}'; the autograded "
                    f"points come from `sheetgrade grade` and cannot be edited here; put manual "
                    f"points in the task columns"
                )
                continue
        comment: str | None = _text(_cell(row, col.get(COMMENT))) if COMMENT in col else None
        if held is not None and comment == (held.get("comment") or ""):
            comment = None  # as the template wrote it: keep what the database holds
        wanted: list[tuple[str, float | None]] = []
        for task, index in task_cols.items():
            value = _cell(row, index)
            column = f"{where}, column {_column(data, index)} (task {task})"
            if _text(value).casefold() == CLEAR:
                wanted.append((task, None))
                continue
            try:
                points = parse_points(value)
            except ValueError:
                problems.append(
                    f"{column}: '{_text(value)}' is not a number "
                    f"(leave it blank to keep the mark, write '{CLEAR}' to clear it)"
                )
                continue
            if points is None:
                continue  # blank: never changes a mark
            if held is not None and task in held and held[task] == points:
                continue  # what the template held: not this file's change
            top = manual[task].points
            if points < 0:
                problems.append(f"{column}: {points:g} is below 0")
            elif points > top + 1e-9:
                problems.append(f"{column}: {points:g} is above the maximum {top:g}")
            else:
                wanted.append((task, points))
        for task, points in wanted:
            change = MarkChange(sheet.id, task, kind, subject, points, comment)
            base_value = held.get(task) if held is not None else None
            planned.append(Planned(change, where, base if held is not None else None, base_value))
        if comment and not wanted and manual:
            first = next(iter(manual))
            change = MarkChange(sheet.id, first, kind, subject, None, comment, keep_points=True)
            planned.append(Planned(change, where))
    return planned


def _shown(points: object) -> str:
    return "—" if points is None else f"{points:g}" if isinstance(points, float) else str(points)


def _conflicts(conn: Connection, planned: list[Planned]) -> list[tuple[Planned, str]]:
    """Changes to cells the database changed too since their template was made."""
    from sqlalchemy import select

    based = [p for p in planned if p.base is not None and not p.change.keep_points]
    if not based:
        return []
    m, a = store.marks, store.mark_audit
    sheets = {p.change.sheet_id for p in based}
    current = {
        (r.sheet_id, r.task_id, r.subject_kind, r.subject_id): r.points
        for r in conn.execute(select(m).where(m.c.sheet_id.in_(sheets)))
    }
    last: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for r in conn.execute(select(a).where(a.c.sheet_id.in_(sheets)).order_by(a.c.id)):
        last[(r.sheet_id, r.task_id, r.subject_kind, r.subject_id)] = (r.tutor, r.at)
    out = []
    for p in based:
        c = p.change
        key = (c.sheet_id, c.task_id, c.subject_kind, c.subject_id)
        now = current.get(key)
        if now == p.held or now == c.points:
            continue
        who, when = last.get(key, ("?", "?"))
        assert p.base is not None
        out.append(
            (
                p,
                f"{p.where} ({c.subject_kind} {c.subject_id}, task {c.task_id}): the file says "
                f"{_shown(c.points)}, but since the template was made ({p.base.made_at[:16]} UTC) "
                f"the mark changed from {_shown(p.held)} to {_shown(now)} "
                f"(by {who}, {when[:16]} UTC)",
            )
        )
    return out


def import_marks(
    course: Course,
    files: list[Path],
    *,
    sheet: str | None = None,
    tutor: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
) -> ImportReport:
    """Validate every file, then apply all of their marks in one transaction, or none.

    Args:
        files: XLSX or CSV files made by :func:`write_templates` and filled in.
        sheet: refuse files for any other sheet.
        tutor: recorded in the audit trail (default: :func:`resolve_tutor`).
        dry_run: validate and report the changes, write nothing.
        overwrite: take the file's value where the mark also changed in the database
            since the template was made (else such conflicts refuse the import).

    Raises:
        MarksError: with one problem per line (file, row, column) when any cell is wrong
            or conflicts with a newer mark; then nothing is written.
    """
    expect = course.resolve_sheet_id(sheet) if sheet is not None else None
    people = load_roster(course.engine)
    problems: list[str] = []
    notes: list[str] = []
    planned: list[Planned] = []
    seen: dict[tuple[str, str, str], str] = {}
    total_rows = 0
    for path in files:
        try:
            data = _read_file(Path(path))
        except MarksError as exc:
            problems.append(str(exc))
            continue
        total_rows += sum(1 for _, r in data.rows if any(_text(v) for v in r))
        planned += _plan_file(course, people, data, expect, seen, problems, notes)
    if problems:
        raise MarksError(
            f"marks import: {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
            f"nothing was imported",
            problems,
        )
    report = ImportReport(
        files=[Path(f) for f in files], rows=total_rows, dry_run=dry_run, notes=notes
    )
    source = "import " + ", ".join(Path(f).name for f in files)
    who = resolve_tutor(tutor)
    changes = [p.change for p in planned]

    def settle(conn: Connection) -> None:
        conflicts = _conflicts(conn, planned)
        if conflicts and not overwrite:
            raise MarksError(
                f"marks import: {len(conflicts)} mark{'s' if len(conflicts) != 1 else ''} "
                f"changed in the database after the file's template was made; nothing was "
                f"imported. Check them; --overwrite takes the file's values",
                [text for _, text in conflicts],
            )
        report.overwritten = [text for _, text in conflicts]

    if dry_run:
        with course.engine.connect() as conn:
            settle(conn)
            report.changes = apply_changes(conn, changes, tutor=who, source=source, dry_run=True)
            conn.rollback()
        return report
    with store.transaction(course.engine) as conn:
        settle(conn)
        report.changes = apply_changes(conn, changes, tutor=who, source=source)
    return report

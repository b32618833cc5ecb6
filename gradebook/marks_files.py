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

This module writes the files (``marks template``). The way back, ``marks
import``: :mod:`~sheetgrade.gradebook.marks_read` reads a file into rows,
:mod:`~sheetgrade.gradebook.marks_plan` checks them and turns them into changes,
:mod:`~sheetgrade.gradebook.marks_import` merges and applies them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store
from sheetgrade.gradebook.errors import MarksError
from sheetgrade.gradebook.marks_base import Held, new_token, record_template, subject_key, untouched
from sheetgrade.roster.db import load_roster
from sheetgrade.roster.model import Roster

if TYPE_CHECKING:
    from sheetgrade.course.config import TaskConfig
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
    from sheetgrade.gradebook.book import build_gradebook

    book = build_gradebook(course)
    auto = book.per_sheet.xs(sheet.id, level="sheet_id")["auto"]
    submitted = book.per_sheet.xs(sheet.id, level="sheet_id")["submitted"]
    marks, comments = _stored_marks(course, sheet)

    def row(
        kind: str, subject: str, matrikel: str, name: str, team: str, of: str | None
    ) -> TemplateRow:
        """``of``: the student whose autograded points the row shows."""
        key = (kind, subject)
        return TemplateRow(
            kind,
            subject,
            matrikel,
            name,
            team,
            (float(auto[of]) if bool(submitted[of]) else None) if of is not None else None,
            marks.get(key, {}),
            " / ".join(comments.get(key, [])),
        )

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
        lead = members[0].id if members else None
        rows.append(row("team", team, "", f"Team {team}: {names}", team, lead))
        for member in members:
            done.add(member.id)
            rows.append(
                row("student", member.id, member.matrikel or "", member.name, team, member.id)
            )
    for student in students:
        if student.id not in done:
            rows.append(
                row("student", student.id, student.matrikel or "", student.name, "", student.id)
            )
    return rows


def _stored_marks(
    course: Course, sheet: Sheet
) -> tuple[dict[tuple[str, str], dict[str, float | None]], dict[tuple[str, str], list[str]]]:
    """The sheet's marks per subject (task -> points) and their distinct comments."""
    import pandas as pd
    from sqlalchemy import select

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
    return marks, comments


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
    target = out_dir or course.marks_dir / the_sheet.id
    target.mkdir(parents=True, exist_ok=True)
    template = _Template(course, the_sheet, people, manual, fmt, target)
    return [template.write(gid, notes) for gid in groups]


@dataclass
class _Template:
    """The fill-in files of one sheet, one group at a time."""

    course: Course
    sheet: Sheet
    people: Roster
    manual: list[TaskConfig]
    fmt: str
    target: Path

    @property
    def header(self) -> list[str]:
        auto_max = sum(t.points for t in self.sheet.config.tasks if t.kind == "auto")
        return (
            FIXED
            + [AUTO.format(max=_fmt(auto_max))]
            + [f"{t.id} (max {_fmt(t.points)})" for t in self.manual]
            + [COMMENT]
        )

    def write(self, gid: str | None, notes: list[str] | None) -> Path:
        """Write the file of group ``gid`` (None: everyone) and record what it holds."""
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo

        course, the_sheet, manual = self.course, self.sheet, self.manual
        rows = _template_rows(course, the_sheet, self.people, gid)
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
        path = self._free_path(
            self.target / f"{the_sheet.id}-{gid or 'all'}.{self.fmt}", local, notes
        )
        if self.fmt == "csv":
            _write_csv(path, meta, self.header, body)
        else:
            _write_xlsx(
                path,
                meta,
                self.header,
                body,
                first_editable=len(FIXED) + 1,
                sheet_title=the_sheet.title,
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
        return path

    def _free_path(self, path: Path, local: object, notes: list[str] | None) -> Path:
        """``path``, or a name beside it when a tutor's unimported work is there."""
        if untouched(self.course, path):
            return path
        beside = _beside(path, local)
        if notes is not None:
            notes.append(
                f"{path} differs from what sheetgrade wrote there (filled in, not yet "
                f"imported?); left as it is, the new template is {beside.name}"
            )
        return beside


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

"""The canonical roster files of a course directory.

``roster/students.csv``
    ``id,first_name,last_name,email,matrikel,group``
``roster/tutors.csv``
    ``name,email,groups``; groups separated by spaces. Tutors declare the groups.
``roster/groups.csv`` (optional)
    ``id,name``, e.g. ``G1,Mo 14-16``; when present it declares the groups.
``roster/teams.csv``
    ``team,student[,sheet]``, one row per member; no sheet: the team holds for the term.

All are UTF-8 with ``,``; missing files mean an empty list.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from sheetgrade.roster.check import RosterData
from sheetgrade.roster.columns import Kind
from sheetgrade.roster.csvfile import read_csv
from sheetgrade.roster.entries import Entries, parse_table
from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.model import Roster

FILES: dict[Kind, str] = {
    "students": "students.csv",
    "tutors": "tutors.csv",
    "groups": "groups.csv",
    "teams": "teams.csv",
}


def read_file(
    path: Path,
    kind: Kind,
    *,
    label: str | None = None,
    encoding: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Entries:
    """Read one roster file of ``kind`` into entries.

    Raises:
        RosterError: The file cannot be read or its columns cannot be mapped.
    """
    table = read_csv(path, label=label, encoding=encoding)
    return parse_table(table, kind, mapping)


def read_roster_dir(roster_dir: Path) -> tuple[RosterData, list[str]]:
    """Read the canonical files; a missing file is an empty list.

    Returns:
        The entries, and the problems of files or rows that could not be read
        (each naming ``roster/<file>`` and the line).
    """
    data = RosterData()
    problems: list[str] = []
    for kind, name in FILES.items():
        path = roster_dir / name
        if not path.exists():
            continue
        try:
            entries = read_file(path, kind, label=f"roster/{name}")
        except RosterError as exc:
            problems += [str(exc), *exc.problems]
            continue
        problems += entries.problems
        data.students += entries.students
        data.tutors += entries.tutors
        data.groups += entries.groups
        data.teams += entries.teams
    return data, problems


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def render_files(roster: Roster, *, with_groups: bool) -> dict[str, str]:
    """The text of each canonical file for ``roster``.

    Args:
        roster: The roster to write.
        with_groups: Also write groups.csv (group names).
    """
    students = [
        [s.id, s.first_name, s.last_name, s.email or "", s.matrikel or "", s.group or ""]
        for s in sorted(roster.students.values(), key=lambda s: s.id)
    ]
    texts = {
        "students.csv": _csv_text(
            ["id", "first_name", "last_name", "email", "matrikel", "group"], students
        )
    }
    tutors = [[t.name, t.email, " ".join(t.groups)] for t in roster.tutors.values()]
    texts["tutors.csv"] = _csv_text(["name", "email", "groups"], tutors)
    if with_groups:
        texts["groups.csv"] = _csv_text(
            ["id", "name"], [[g.id, g.name] for g in roster.groups.values()]
        )
    teams = sorted(roster.teams.values(), key=lambda t: (t.sheet_id or "", t.label))
    scoped = any(t.sheet_id for t in teams)
    header = ["team", "student", "sheet"] if scoped else ["team", "student"]
    rows = [[t.label, m, *([t.sheet_id or ""] if scoped else [])] for t in teams for m in t.members]
    texts["teams.csv"] = _csv_text(header, rows)
    return texts


def changed_files(roster_dir: Path, texts: dict[str, str]) -> dict[str, str]:
    """The subset of ``texts`` that differs from what is on disk."""
    changed = {}
    for name, text in texts.items():
        path = roster_dir / name
        old = path.read_text(encoding="utf-8-sig") if path.exists() else None
        if old != text:
            changed[name] = text
    return changed


def stage_files(roster_dir: Path, texts: dict[str, str]) -> list[tuple[Path, Path]]:
    """Write each text to a temporary file beside its target.

    Returns:
        (temporary, target) pairs for :func:`commit_files`.
    """
    roster_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, text in texts.items():
        target = roster_dir / name
        tmp = target.with_name(f".{name}.tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        staged.append((tmp, target))
    return staged


def commit_files(staged: list[tuple[Path, Path]]) -> None:
    """Move staged files into place (atomic per file)."""
    for tmp, target in staged:
        os.replace(tmp, target)


def discard_files(staged: list[tuple[Path, Path]]) -> None:
    """Remove staged files that were not committed."""
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)

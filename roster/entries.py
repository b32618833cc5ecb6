"""Rows of a roster file as entries that remember where they came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sheetgrade.roster.columns import ColumnMap, Kind, map_columns
from sheetgrade.roster.csvfile import CsvTable


@dataclass(frozen=True)
class Where:
    """A file and line, for messages."""

    source: str
    line: int

    def __str__(self) -> str:
        return f"{self.source} line {self.line}" if self.line else self.source


@dataclass
class StudentEntry:
    id: str
    first_name: str
    last_name: str
    email: str
    matrikel: str
    group: str
    where: Where
    fields: frozenset[str] = frozenset()  # fields the source file had


@dataclass
class TutorEntry:
    name: str
    email: str
    groups: list[str]
    where: Where


@dataclass
class GroupEntry:
    id: str
    name: str
    where: Where


@dataclass
class TeamEntry:
    team: str
    student: str  # id, matriculation number or email as written
    sheet: str  # "" for term-wide
    where: Where


@dataclass
class Entries:
    """Everything read from one file, plus the problems of single rows."""

    kind: Kind
    label: str
    students: list[StudentEntry] = field(default_factory=list)
    tutors: list[TutorEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)
    teams: list[TeamEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.students) + len(self.tutors) + len(self.groups) + len(self.teams)


_GROUP_SPLIT = re.compile(r"[\s,;]+")


def split_name(name: str) -> tuple[str, str]:
    """``"Nachname, Vorname"`` or ``"Vorname Nachname"`` → (first, last)."""
    if "," in name:
        last, first = (p.strip() for p in name.split(",", 1))
        return first, last
    parts = name.split()
    if len(parts) < 2:
        return "", name.strip()
    return " ".join(parts[:-1]), parts[-1]


def parse_table(table: CsvTable, kind: Kind, mapping: dict[str, str] | None = None) -> Entries:
    """Turn a CSV table into entries of ``kind``.

    Raises:
        RosterError: The columns cannot be mapped (see ``map_columns``).
    """
    columns = map_columns(table.header, kind, table.label, mapping)
    entries = Entries(kind=kind, label=table.label, ignored_columns=columns.ignored)
    parse = {"students": _student, "tutors": _tutor, "groups": _group, "teams": _team}[kind]
    for line, cells in table.rows:
        parse(entries, columns, cells, Where(table.label, line))
    return entries


def _names(columns: ColumnMap, cells: list[str]) -> tuple[str, str]:
    first, last = columns.get(cells, "first_name"), columns.get(cells, "last_name")
    if not (first or last) and columns.has("name"):
        first, last = split_name(columns.get(cells, "name"))
    return first, last


def _student(entries: Entries, columns: ColumnMap, cells: list[str], where: Where) -> None:
    first, last = _names(columns, cells)
    entry = StudentEntry(
        id=columns.get(cells, "id"),
        first_name=first,
        last_name=last,
        email=columns.get(cells, "email"),
        matrikel=columns.get(cells, "matrikel"),
        group=columns.get(cells, "group"),
        where=where,
        fields=frozenset(columns.columns)
        | ({"first_name", "last_name"} if columns.has("name") else set()),
    )
    if not entry.id and not entry.matrikel:
        entries.problems.append(
            f"{where}: no id and no matriculation number; every student needs one"
        )
    elif not (first or last):
        entries.problems.append(f"{where}: student {entry.id or entry.matrikel} has no name")
    else:
        entries.students.append(entry)


def _tutor(entries: Entries, columns: ColumnMap, cells: list[str], where: Where) -> None:
    first, last = _names(columns, cells)
    name = columns.get(cells, "name") if columns.has("name") else f"{first} {last}".strip()
    email = columns.get(cells, "email")
    groups = [g for g in _GROUP_SPLIT.split(columns.get(cells, "groups")) if g]
    if not email:
        entries.problems.append(f"{where}: tutor {name or '(no name)'} has no email")
        return
    entries.tutors.append(TutorEntry(name=name or email, email=email, groups=groups, where=where))


def _group(entries: Entries, columns: ColumnMap, cells: list[str], where: Where) -> None:
    group_id = columns.get(cells, "id")
    if not group_id:
        entries.problems.append(f"{where}: no group id")
        return
    entries.groups.append(GroupEntry(id=group_id, name=columns.get(cells, "name"), where=where))


def _team(entries: Entries, columns: ColumnMap, cells: list[str], where: Where) -> None:
    team, student = columns.get(cells, "team"), columns.get(cells, "student")
    if not team:
        entries.problems.append(f"{where}: no team name")
    elif not student:
        entries.problems.append(f"{where}: team {team} row names no student")
    else:
        entries.teams.append(
            TeamEntry(team=team, student=student, sheet=columns.get(cells, "sheet"), where=where)
        )

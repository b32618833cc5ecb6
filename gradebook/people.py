"""Who is in the course: a small read adapter over the roster tables.

The gradebook reads students, groups, tutors and teams straight from the store
(one query each) so that it stays fast for large courses and independent of
how the roster was imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.course.suggest import did_you_mean
from sheetgrade.gradebook.errors import GradebookError
from sheetgrade.roster.model import Group, Student

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


@dataclass
class People:
    """The roster as the gradebook needs it.

    ``terms_teams`` maps a student to the team that holds for the whole term;
    ``sheet_teams`` maps ``(sheet_id, student_id)`` to a team formed for one sheet.
    """

    students: dict[str, Student]
    groups: dict[str, Group]
    tutors: dict[str, str]  # email -> name
    team_members: dict[str, list[str]]  # team id -> student ids
    team_sheet: dict[str, str | None]  # team id -> sheet id (None: whole term)
    term_teams: dict[str, str]
    sheet_teams: dict[tuple[str, str], str]

    def team_of(self, student_id: str, sheet_id: str) -> str | None:
        """The team a student hands in with for a sheet, or None."""
        return self.sheet_teams.get((sheet_id, student_id)) or self.term_teams.get(student_id)

    def find_student(self, key: str) -> Student:
        """A student by id, matriculation number or e-mail; GradebookError with a near miss."""
        found = self.lookup(key)
        if found is None:
            raise GradebookError(
                f"no student '{key}' on the roster{did_you_mean(key, self.students)}"
            )
        return found

    def lookup(self, key: str) -> Student | None:
        """A student by id, matriculation number or e-mail, or None."""
        key = key.strip()
        if key in self.students:
            return self.students[key]
        for student in self.students.values():
            if key and (
                key == student.matrikel or (student.email and key.lower() == student.email.lower())
            ):
                return student
        return None

    def find_group(self, key: str) -> Group:
        """A tutorial group by id or name (case-insensitive)."""
        for group in self.groups.values():
            if (
                key == group.id
                or key.lower() == group.name.lower()
                or key.lower() == group.id.lower()
            ):
                return group
        names = [g.id for g in self.groups.values()]
        raise GradebookError(
            f"no tutorial group '{key}'{did_you_mean(key, names)} (groups: {', '.join(names) or 'none'})"
        )

    def group_students(self, group_id: str | None) -> list[Student]:
        """Students of one group (all students when ``group_id`` is None), sorted by name."""
        chosen = [s for s in self.students.values() if group_id is None or s.group_id == group_id]
        return sorted(chosen, key=lambda s: (s.last_name.lower(), s.first_name.lower(), s.id))


def load_people(engine: Engine | None = None, *, conn: Connection | None = None) -> People:
    """Read the roster tables in one go (pass ``conn`` to read inside a transaction)."""
    if conn is None:
        assert engine is not None
        with engine.connect() as own:
            return load_people(conn=own)
    students = {
        r.id: Student(r.id, r.first_name or "", r.last_name or "", r.email, r.matrikel, r.group_id)
        for r in conn.execute(select(store.students))
    }
    groups = {
        r.id: Group(r.id, r.name or r.id, r.tutor_email) for r in conn.execute(select(store.groups))
    }
    tutors = {r.email: r.name for r in conn.execute(select(store.tutors))}
    team_sheet = {r.id: r.sheet_id for r in conn.execute(select(store.teams))}
    members: dict[str, list[str]] = {}
    for r in conn.execute(select(store.team_members).order_by(store.team_members.c.student_id)):
        members.setdefault(r.team_id, []).append(r.student_id)
    term_teams: dict[str, str] = {}
    sheet_teams: dict[tuple[str, str], str] = {}
    for team_id, ids in members.items():
        for sid in ids:
            sheet = team_sheet.get(team_id)
            if sheet is None:
                term_teams[sid] = team_id
            else:
                sheet_teams[(sheet, sid)] = team_id
    return People(students, groups, tutors, members, team_sheet, term_teams, sheet_teams)

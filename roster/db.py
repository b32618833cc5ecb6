"""The roster in the course database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, delete, insert, select, update

from sheetgrade.course import store
from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.model import Group, Roster, Student, Team, Tutor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def load_roster(engine: Engine) -> Roster:
    """Read the whole roster from the database.

    Args:
        engine: The course's engine (``course.engine``).
    """
    with engine.connect() as conn:
        return read_roster(conn)


def read_roster(conn: Connection) -> Roster:
    """Read the whole roster through an open connection."""
    groups = {
        r.id: Group(id=r.id, name=r.name or "", tutor_email=r.tutor_email)
        for r in conn.execute(select(store.groups).order_by(store.groups.c.id))
    }
    tutors: dict[str, Tutor] = {}
    for r in conn.execute(select(store.tutors).order_by(store.tutors.c.name)):
        taught = tuple(g.id for g in groups.values() if g.tutor_email == r.email)
        tutors[r.email] = Tutor(name=r.name, email=r.email, groups=taught)
    students = {
        r.id: Student(
            id=r.id,
            first_name=r.first_name,
            last_name=r.last_name,
            email=r.email,
            matrikel=r.matrikel,
            group=r.group_id,
        )
        for r in conn.execute(select(store.students).order_by(store.students.c.id))
    }
    members: dict[str, list[str]] = {}
    for r in conn.execute(select(store.team_members)):
        members.setdefault(r.team_id, []).append(r.student_id)
    teams = {
        r.id: Team(
            id=r.id, members=tuple(sorted(members.get(r.id, []))), sheet_id=r.sheet_id, name=r.name
        )
        for r in conn.execute(select(store.teams).order_by(store.teams.c.id))
    }
    return Roster(students=students, groups=groups, tutors=tutors, teams=teams)


@dataclass
class Changes:
    """What replacing the roster changes, per kind: ids added, updated, removed."""

    added: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)

    def describe(self, kind: str) -> str:
        """E.g. ``"3 added, 1 updated, 0 removed"``."""
        return (
            f"{len(self.added.get(kind, []))} added, {len(self.updated.get(kind, []))} updated, "
            f"{len(self.removed.get(kind, []))} removed"
        )

    def count(self, kind: str) -> int:
        """Number of changed entries of ``kind``."""
        return sum(len(d.get(kind, [])) for d in (self.added, self.updated, self.removed))

    @property
    def empty(self) -> bool:
        return not any(v for d in (self.added, self.updated, self.removed) for v in d.values())


def diff(old: Roster, new: Roster) -> Changes:
    """The changes from ``old`` to ``new``."""
    changes = Changes()
    pairs: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("students", old.students, new.students),
        ("groups", old.groups, new.groups),
        ("tutors", old.tutors, new.tutors),
        ("teams", old.teams, new.teams),
    ]
    for kind, before, after in pairs:
        changes.added[kind] = sorted(k for k in after if k not in before)
        changes.removed[kind] = sorted(k for k in before if k not in after)
        changes.updated[kind] = sorted(k for k in after if k in before and before[k] != after[k])
    return changes


def _students_with_work(conn: Connection, ids: list[str]) -> dict[str, str]:
    """Which of ``ids`` own rows that must not lose their student: id -> what."""
    checks = [
        (
            "submissions",
            select(store.submissions.c.owner).where(
                store.submissions.c.owner_kind == "student", store.submissions.c.owner.in_(ids)
            ),
        ),
        (
            "submissions",
            select(store.submissions.c.submitted_by).where(
                store.submissions.c.submitted_by.in_(ids)
            ),
        ),
        (
            "marks",
            select(store.marks.c.subject_id).where(
                store.marks.c.subject_kind == "student", store.marks.c.subject_id.in_(ids)
            ),
        ),
        (
            "presentations",
            select(store.presentations.c.student_id).where(
                store.presentations.c.student_id.in_(ids)
            ),
        ),
        (
            "excused sheets",
            select(store.excused.c.student_id).where(store.excused.c.student_id.in_(ids)),
        ),
    ]
    return _first_use(conn, checks)


def _teams_with_work(conn: Connection, ids: list[str]) -> dict[str, str]:
    """Which of ``ids`` own rows that must not lose their team: id -> what."""
    checks = [
        (
            "submissions",
            select(store.submissions.c.owner).where(
                store.submissions.c.owner_kind == "team", store.submissions.c.owner.in_(ids)
            ),
        ),
        (
            "marks",
            select(store.marks.c.subject_id).where(
                store.marks.c.subject_kind == "team", store.marks.c.subject_id.in_(ids)
            ),
        ),
    ]
    return _first_use(conn, checks)


def _first_use(conn: Connection, checks: list[tuple[str, Select[Any]]]) -> dict[str, str]:
    """id -> the first kind of row (``checks`` in order) whose query finds it."""
    found: dict[str, str] = {}
    for what, query in checks:
        for (key,) in conn.execute(query.distinct()):
            found.setdefault(key, what)
    return found


def refuse_removals(conn: Connection, changes: Changes) -> None:
    """Refuse to remove students or teams that already have submissions or marks.

    Raises:
        RosterError: One problem line per student or team that would lose its work.
    """
    problems = []
    for sid, what in sorted(_students_with_work(conn, changes.removed.get("students", [])).items()):
        problems.append(f"student {sid} already has {what}; keep them in roster/students.csv")
    for tid, what in sorted(_teams_with_work(conn, changes.removed.get("teams", [])).items()):
        problems.append(f"team {tid} already has {what}; keep it in roster/teams.csv")
    if problems:
        raise RosterError(
            f"refusing to remove {len(problems)} student(s) or team(s) with recorded work; nothing was changed",
            problems,
        )


def write_roster(conn: Connection, roster: Roster) -> Changes:
    """Replace the roster in the database with ``roster``, inside the caller's transaction.

    Students and groups are updated in place (rows that refer to them stay valid);
    teams are rewritten.

    Raises:
        RosterError: A removed student or team has submissions or marks.
    """
    old = read_roster(conn)
    changes = diff(old, roster)
    refuse_removals(conn, changes)
    s, g, t = store.students, store.groups, store.tutors
    conn.execute(delete(store.team_members))
    conn.execute(delete(store.teams))
    for group in roster.groups.values():
        values = {"name": group.name, "tutor_email": group.tutor_email}
        if group.id in old.groups:
            conn.execute(update(g).where(g.c.id == group.id).values(**values))
        else:
            conn.execute(insert(g).values(id=group.id, **values))
    conn.execute(delete(t).where(t.c.email.not_in(list(roster.tutors))))
    for tutor in roster.tutors.values():
        if tutor.email in old.tutors:
            conn.execute(update(t).where(t.c.email == tutor.email).values(name=tutor.name))
        else:
            conn.execute(insert(t).values(email=tutor.email, name=tutor.name))
    removed = changes.removed["students"]
    if removed:
        conn.execute(delete(s).where(s.c.id.in_(removed)))
    # clear changed matriculation numbers first, so that swaps do not collide
    moved = [
        sid
        for sid in changes.updated["students"]
        if old.students[sid].matrikel != roster.students[sid].matrikel
    ]
    if moved:
        conn.execute(update(s).where(s.c.id.in_(moved)).values(matrikel=None))
    for student in roster.students.values():
        values = {
            "first_name": student.first_name,
            "last_name": student.last_name,
            "email": student.email,
            "matrikel": student.matrikel,
            "group_id": student.group,
        }
        if student.id in old.students:
            if student != old.students[student.id]:
                conn.execute(update(s).where(s.c.id == student.id).values(**values))
        else:
            conn.execute(insert(s).values(id=student.id, **values))
    gone = [gid for gid in old.groups if gid not in roster.groups]
    if gone:
        conn.execute(delete(g).where(g.c.id.in_(gone)))
    team_rows = [
        {"id": tm.id, "sheet_id": tm.sheet_id, "name": tm.label} for tm in roster.teams.values()
    ]
    if team_rows:
        conn.execute(insert(store.teams), team_rows)
    member_rows = [
        {"team_id": tm.id, "student_id": m} for tm in roster.teams.values() for m in tm.members
    ]
    if member_rows:
        conn.execute(insert(store.team_members), member_rows)
    return changes

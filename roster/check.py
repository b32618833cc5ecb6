"""Validation of a whole roster: every problem at once, each with file and line.

Errors (nothing is written while there is one): duplicate ids, matriculation
numbers, tutor emails or group ids; an unknown group; a group with two tutors;
an unknown student or sheet in a team; a student in two teams for the same
sheet (or two term-wide teams); a team over ``teams.max_size``.
Warnings: a team spanning tutorial groups; an email used by two students.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sheetgrade.course.suggest import did_you_mean
from sheetgrade.roster.entries import GroupEntry, StudentEntry, TeamEntry, TutorEntry, Where
from sheetgrade.roster.model import Group, Roster, Student, Team, Tutor, team_id

#: maps what a user wrote for a sheet to its id; raises SheetgradeError for an unknown sheet
SheetResolver = Callable[[str], str]


@dataclass
class RosterData:
    """The entries of a complete roster, before validation."""

    students: list[StudentEntry] = field(default_factory=list)
    tutors: list[TutorEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)
    teams: list[TeamEntry] = field(default_factory=list)
    #: students this change removes (id, matriculation number, email -> why), for clearer messages
    removed: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckResult:
    """The outcome of validation: problems (errors), warnings and the roster."""

    problems: list[str]
    warnings: list[str]
    roster: Roster

    @property
    def ok(self) -> bool:
        return not self.problems


def twice(what: str, first: Where, second: Where) -> str:
    """``"<second>: <what> appears twice (lines 3 and 14)"``."""
    if first.source == second.source:
        where = f"lines {first.line} and {second.line}"
    else:
        where = f"{first} and {second}"
    return f"{second}: {what} appears twice ({where})"


def check_roster(
    data: RosterData, *, max_size: int, resolve_sheet: SheetResolver | None = None
) -> CheckResult:
    """Validate a complete roster.

    Args:
        data: Students, tutors, groups and teams with their file positions.
        max_size: The largest team allowed (``teams.max_size``).
        resolve_sheet: Turns a sheet as written in a team file into a sheet id;
            raises ``SheetgradeError`` for an unknown one. None accepts any sheet.

    Returns:
        Problems and warnings in file order, and the roster built from the valid parts.
    """
    problems: list[str] = []
    warnings: list[str] = []
    groups = _check_groups(data, problems)
    students = _check_students(data.students, groups, problems, warnings)
    teams = _check_teams(
        data.teams, students, max_size, resolve_sheet, problems, warnings, data.removed
    )
    tutors = {
        t.email: Tutor(name=t.name, email=t.email, groups=tuple(sorted(t.groups)))
        for t in data.tutors
    }
    roster = Roster(students=students, groups=groups, tutors=tutors, teams=teams)
    return CheckResult(problems=problems, warnings=warnings, roster=roster)


def _check_groups(data: RosterData, problems: list[str]) -> dict[str, Group]:
    declared: dict[str, GroupEntry] = {}
    for g in data.groups:
        if g.id in declared:
            problems.append(twice(f"group {g.id}", declared[g.id].where, g.where))
        else:
            declared[g.id] = g
    tutor_of: dict[str, TutorEntry] = {}
    seen_email: dict[str, TutorEntry] = {}
    for tutor in data.tutors:
        key = tutor.email.casefold()
        if key in seen_email:
            problems.append(twice(f"tutor email {tutor.email}", seen_email[key].where, tutor.where))
            continue
        seen_email[key] = tutor
        for group_id in tutor.groups:
            if data.groups and group_id not in declared:
                problems.append(
                    f"{tutor.where}: unknown group '{group_id}'{did_you_mean(group_id, declared)} "
                    f"(groups in groups.csv: {', '.join(declared)})"
                )
            elif group_id in tutor_of:
                other = tutor_of[group_id]
                problems.append(
                    f"{tutor.where}: group {group_id} already has tutor {other.name} ({other.where}); "
                    "a group has one tutor"
                )
            else:
                tutor_of[group_id] = tutor
    ids = list(declared) or list(tutor_of)
    return {
        g: Group(
            id=g,
            name=declared[g].name if g in declared else "",
            tutor_email=tutor_of[g].email if g in tutor_of else None,
        )
        for g in ids
    }


def _resolve_group(value: str, groups: dict[str, Group]) -> str | None:
    if value in groups:
        return value
    folded = value.casefold()
    for group in groups.values():
        if folded in (group.id.casefold(), group.name.casefold()):
            return group.id
    return None


def _check_students(
    entries: list[StudentEntry], groups: dict[str, Group], problems: list[str], warnings: list[str]
) -> dict[str, Student]:
    closed = bool(groups)  # groups are declared by groups.csv or tutors.csv
    students: dict[str, Student] = {}
    by_id: dict[str, StudentEntry] = {}
    by_matrikel: dict[str, StudentEntry] = {}
    by_email: dict[str, StudentEntry] = {}
    for e in entries:
        sid = e.id or e.matrikel
        if e.matrikel:
            if e.matrikel in by_matrikel:
                problems.append(
                    twice(
                        f"matriculation number {e.matrikel}", by_matrikel[e.matrikel].where, e.where
                    )
                )
                continue
            by_matrikel[e.matrikel] = e
        if sid in by_id:
            problems.append(twice(f"id {sid}", by_id[sid].where, e.where))
            continue
        by_id[sid] = e
        if e.email:
            key = e.email.casefold()
            if key in by_email:
                warnings.append(twice(f"email {e.email}", by_email[key].where, e.where))
            else:
                by_email[key] = e
        group: str | None = None
        if e.group:
            group = _resolve_group(e.group, groups)
            if group is None and closed:
                names = [*groups, *(g.name for g in groups.values() if g.name)]
                problems.append(
                    f"{e.where}: unknown group '{e.group}'{did_you_mean(e.group, names)} "
                    f"(groups: {', '.join(groups)})"
                )
                continue
            if group is None:
                group = e.group
                groups[group] = Group(id=group, name="")
        students[sid] = Student(
            id=sid,
            first_name=e.first_name,
            last_name=e.last_name,
            email=e.email or None,
            matrikel=e.matrikel or None,
            group=group,
        )
    return students


def _find(key: str, students: dict[str, Student]) -> Student | None:
    if key in students:
        return students[key]
    folded = key.casefold()
    for s in students.values():
        if key == s.matrikel or (s.email and folded == s.email.casefold()):
            return s
    return None


def _check_teams(
    entries: list[TeamEntry],
    students: dict[str, Student],
    max_size: int,
    resolve_sheet: SheetResolver | None,
    problems: list[str],
    warnings: list[str],
    removed: dict[str, str],
) -> dict[str, Team]:
    from sheetgrade.course.errors import SheetgradeError

    members: dict[str, list[str]] = {}
    team_sheet: dict[str, str | None] = {}
    team_name: dict[str, str] = {}
    first_line: dict[str, Where] = {}
    placed: dict[tuple[str, str | None], tuple[str, Where]] = {}  # (student, sheet) -> team, where
    for e in entries:
        if ":" in e.team:
            problems.append(f"{e.where}: team name '{e.team}' must not contain ':'")
            continue
        sheet: str | None = None
        if e.sheet:
            try:
                sheet = resolve_sheet(e.sheet) if resolve_sheet else e.sheet
            except SheetgradeError as exc:
                problems.append(f"{e.where}: {exc}")
                continue
        student = _find(e.student, students)
        if student is None and e.student in removed:
            problems.append(
                f"{e.where}: student {e.student} is in team {e.team} but {removed[e.student]}; "
                "take them out of the team first"
            )
            continue
        if student is None:
            problems.append(
                f"{e.where}: unknown student '{e.student}'{did_you_mean(e.student, students)}"
            )
            continue
        tid = team_id(e.team, sheet)
        team_members = members.setdefault(tid, [])
        team_sheet[tid], team_name[tid] = sheet, e.team
        first_line.setdefault(tid, e.where)
        if student.id in team_members:
            problems.append(f"{e.where}: student {student.id} is listed twice in team {e.team}")
            continue
        if (student.id, sheet) in placed:
            other, where = placed[(student.id, sheet)]
            scope = f" for sheet {sheet}" if sheet else ""
            at = (
                f"line {where.line}"
                if where.source == e.where.source and where.line
                else str(where)
            )
            problems.append(
                f"{e.where}: student {student.id} is already in team {team_name[other]}{scope} ({at}); "
                "a student can be in one team only"
            )
            continue
        placed[(student.id, sheet)] = (tid, e.where)
        team_members.append(student.id)
        if len(team_members) == max_size + 1:
            problems.append(
                f"{e.where}: team {e.team} has more than {max_size} members "
                f"(teams.max_size in course.yml is {max_size})"
            )
    teams: dict[str, Team] = {}
    for tid, ids in members.items():
        if not ids:
            continue
        teams[tid] = Team(
            id=tid, members=tuple(sorted(ids)), sheet_id=team_sheet[tid], name=team_name[tid]
        )
        spanned = sorted({students[m].group or "no group" for m in ids})
        if len(spanned) > 1:
            detail = ", ".join(f"{m} in {students[m].group or 'no group'}" for m in ids)
            warnings.append(
                f"{first_line[tid]}: team {team_name[tid]} spans tutorial groups {' and '.join(spanned)} ({detail})"
            )
    return teams

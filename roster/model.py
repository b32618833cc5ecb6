"""The roster as the rest of sheetgrade sees it: students, groups, tutors, teams."""

from __future__ import annotations

from dataclasses import dataclass, field

from sheetgrade.course.suggest import did_you_mean
from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.names import name_words


@dataclass(frozen=True)
class Student:
    """One enrolled student."""

    id: str
    first_name: str
    last_name: str
    email: str | None = None
    matrikel: str | None = None
    group: str | None = None

    @property
    def name(self) -> str:
        """``"Vorname Nachname"`` (the id when both are empty)."""
        return f"{self.first_name} {self.last_name}".strip() or self.id

    @property
    def label(self) -> str:
        """``"Vorname Nachname (id)"``, for messages."""
        return f"{self.name} ({self.id})"

    @property
    def group_id(self) -> str | None:
        """The id of the student's tutorial group."""
        return self.group

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Sort by last name, then first name (accents and umlauts as in ``normalise_name``), then id."""
        return (
            " ".join(name_words(self.last_name)),
            " ".join(name_words(self.first_name)),
            self.id,
        )


@dataclass(frozen=True)
class Group:
    """A tutorial group (Übungsgruppe) with at most one tutor."""

    id: str
    name: str = ""
    tutor_email: str | None = None


@dataclass(frozen=True)
class Tutor:
    """A tutor and the groups they teach."""

    name: str
    email: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Team:
    """Students who hand in one solution together.

    ``id`` is unique in the course: the team name for a term-wide team, and
    ``"<sheet>:<name>"`` for a team formed for one sheet only.
    """

    id: str
    members: tuple[str, ...]
    sheet_id: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        """The name users gave the team."""
        return self.name or self.id


def team_id(name: str, sheet_id: str | None) -> str:
    """The course-wide id of the team called ``name`` (for ``sheet_id``, or term-wide)."""
    return name if sheet_id is None else f"{sheet_id}:{name}"


@dataclass
class Roster:
    """Everyone in the course, with the lookups other parts need."""

    students: dict[str, Student] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    tutors: dict[str, Tutor] = field(default_factory=dict)  # by email
    teams: dict[str, Team] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._by_matrikel = {s.matrikel: s for s in self.students.values() if s.matrikel}
        self._by_email = {s.email.casefold(): s for s in self.students.values() if s.email}
        self._term_team: dict[str, Team] = {}
        self._sheet_team: dict[tuple[str, str], Team] = {}
        for team in self.teams.values():
            for member in team.members:
                if team.sheet_id is None:
                    self._term_team[member] = team
                else:
                    self._sheet_team[(member, team.sheet_id)] = team

    # ----------------------------------------------------------- students
    def student(self, student_id: str) -> Student:
        """The student with this id.

        Raises:
            RosterError: There is none; the message suggests a near miss.
        """
        try:
            return self.students[student_id]
        except KeyError:
            raise RosterError(
                f"no student '{student_id}'{did_you_mean(student_id, self.students)}"
            ) from None

    def find_student(self, key: str) -> Student | None:
        """The student whose id, matriculation number or email (any case) is ``key``."""
        key = key.strip()
        return (
            self.students.get(key)
            or self._by_matrikel.get(key)
            or self._by_email.get(key.casefold())
        )

    def require_student(self, key: str) -> Student:
        """The student whose id, matriculation number or email is ``key``.

        Raises:
            RosterError: There is none; the message suggests a near miss.
        """
        found = self.find_student(key)
        if found is None:
            raise RosterError(f"no student '{key}' on the roster{did_you_mean(key, self.students)}")
        return found

    def sorted_students(self) -> list[Student]:
        """All students by last name, first name."""
        return sorted(self.students.values(), key=lambda s: s.sort_key)

    # ------------------------------------------------------------- groups
    def group(self, key: str) -> Group:
        """The group with this id or name (any case).

        Raises:
            RosterError: There is none; the message suggests a near miss.
        """
        if key in self.groups:
            return self.groups[key]
        folded = key.strip().casefold()
        for group in self.groups.values():
            if folded in (group.id.casefold(), group.name.casefold()):
                return group
        names = [*self.groups, *(g.name for g in self.groups.values() if g.name)]
        known = ", ".join(self.groups) or "none"
        raise RosterError(f"no group '{key}'{did_you_mean(key, names)} (groups: {known})")

    def by_group(self, group: str) -> list[Student]:
        """The students of one group (by id or name), by last name."""
        group_id = self.group(group).id
        return [s for s in self.sorted_students() if s.group == group_id]

    def tutor_of(self, group: str) -> Tutor | None:
        """The tutor of a group, if it has one."""
        email = self.group(group).tutor_email
        return self.tutors.get(email) if email else None

    # -------------------------------------------------------------- teams
    def team_of(self, student_id: str, sheet_id: str | None = None) -> Team | None:
        """The team a student hands in with: for ``sheet_id`` a team formed for
        that sheet wins over the term-wide team; None when they work alone."""
        if sheet_id is not None:
            team = self._sheet_team.get((student_id, sheet_id))
            if team is not None:
                return team
        return self._term_team.get(student_id)

    def members(self, team_id: str) -> list[Student]:
        """The students of a team, in the team's order.

        Raises:
            RosterError: There is no such team.
        """
        team = self.teams.get(team_id)
        if team is None:
            raise RosterError(f"no team '{team_id}'{did_you_mean(team_id, self.teams)}")
        return [self.students[m] for m in team.members]

    def teams_for(self, sheet_id: str | None = None) -> list[Team]:
        """The teams defined for ``sheet_id`` (None: the term-wide teams), by id."""
        return sorted(
            (t for t in self.teams.values() if t.sheet_id == sheet_id), key=lambda t: t.id
        )

    # ------------------------------------------------------------ summary
    def summary(self) -> str:
        """E.g. ``"120 students, 6 groups, 6 tutors, 42 teams"``."""
        return (
            f"{len(self.students)} students, {len(self.groups)} groups, "
            f"{len(self.tutors)} tutors, {len(self.teams)} teams"
        )

"""Matching an upload's label to the roster's students and teams.

The people are the roster's (:class:`sheetgrade.roster.model.Roster`, read by
:func:`sheetgrade.roster.db.load_roster`); this module only adds the lookups
intake needs. Matching follows one rule: an exact key (student id,
matriculation number, e-mail) or a name that normalises to exactly one student
matches; anything else is reported as ambiguous or unknown, never guessed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from sheetgrade.roster.model import Roster, Student, Team
from sheetgrade.submissions.names import name_keys, normalise_name

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Match:
    """The outcome of matching one label.

    ``kind`` is ``student``, ``team``, ``ambiguous`` or ``unknown``; ``how`` says
    which key matched (``id``, ``matrikel``, ``email``, ``name``, ``team name``);
    ``candidates`` lists the people an ambiguous label could mean, or the near
    misses of an unknown one (for the report only: never used to match).
    """

    kind: Literal["student", "team", "ambiguous", "unknown"]
    id: str | None = None
    how: str = ""
    candidates: list[str] = field(default_factory=list)


_TOKEN_SPLIT = re.compile(r"[\s_\-.,;+()\[\]]+")
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


class Matcher:
    """The roster, indexed for matching uploads' labels to students and teams."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        students = sorted(roster.students.values(), key=lambda s: s.id)
        self._keys: dict[str, list[tuple[str, str]]] = {}
        for s in students:
            self._add_key(s.id.casefold(), s.id, "id")
            if s.matrikel:
                self._add_key(s.matrikel.strip().lstrip("0") or "0", s.id, "matrikel")
            if s.email:
                self._add_key(s.email.strip().casefold(), s.id, "email")
        self._names: dict[str, set[str]] = {}
        for s in students:
            for key in name_keys(s.name):
                self._names.setdefault(key, set()).add(s.id)
            # "Vorname Nachname" as one string is ambiguous for "Anna Maria Berg";
            # last-name-only keys are never used.
        self._team_names: dict[str, set[str]] = {}
        for t in sorted(roster.teams.values(), key=lambda t: t.id):
            for key in name_keys(t.name or t.id):
                self._team_names.setdefault(key, set()).add(t.id)

    @property
    def students(self) -> dict[str, Student]:
        """The roster's students by id."""
        return self.roster.students

    @property
    def teams(self) -> dict[str, Team]:
        """The roster's teams by id."""
        return self.roster.teams

    def _add_key(self, key: str, student_id: str, how: str) -> None:
        self._keys.setdefault(key, []).append((student_id, how))

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, engine: Engine) -> Matcher:
        """Read the roster from the store and index it."""
        from sheetgrade.roster.db import load_roster

        return cls(load_roster(engine))

    # ------------------------------------------------------------------ lookups
    def find_student(self, key: str) -> Student | None:
        """The student whose id, matriculation number or e-mail is ``key``."""
        found = self._lookup_key(key)
        return self.students[found[0][0]] if len(found) == 1 else None

    def _lookup_key(self, key: str) -> list[tuple[str, str]]:
        key = key.strip()
        hits = list(self._keys.get(key.casefold(), []))
        if key.isdigit():
            hits += self._keys.get(key.lstrip("0") or "0", [])
        unique: dict[str, str] = {}
        for student_id, how in hits:
            unique.setdefault(student_id, how)
        return list(unique.items())

    # ----------------------------------------------------------------- matching
    def match(
        self, label: str, *, by_key: bool = True, by_name: bool = True, by_team: bool = False
    ) -> Match:
        """Match an upload's label (folder or file name, Moodle full name) to a student.

        Tried in order: the whole label as a key; each token of the label as a key;
        the label as a name; with ``by_team``, the label as a team name.
        """
        label = label.strip()
        if by_key:
            hits = self._lookup_key(label)
            if not hits:
                tokens = _EMAIL.findall(label) + [tok for tok in _TOKEN_SPLIT.split(label) if tok]
                seen: dict[str, str] = {}
                for tok in tokens:
                    for student_id, how in self._lookup_key(tok):
                        seen.setdefault(student_id, how)
                hits = list(seen.items())
            if len(hits) == 1:
                return Match("student", hits[0][0], hits[0][1])
            if len(hits) > 1:
                return Match("ambiguous", candidates=[self.students[i].label for i, _ in hits])
        if by_name:
            ids: set[str] = set()
            for key in name_keys(label):
                ids |= self._names.get(key, set())
            if len(ids) == 1:
                return Match("student", ids.pop(), "name")
            if len(ids) > 1:
                return Match("ambiguous", candidates=sorted(self.students[i].label for i in ids))
        if by_team:
            team_ids: set[str] = set()
            for key in name_keys(label):
                team_ids |= self._team_names.get(key, set())
            if len(team_ids) == 1:
                return Match("team", team_ids.pop(), "team name")
            if len(team_ids) > 1:
                return Match("ambiguous", candidates=sorted(team_ids))
        return Match("unknown", candidates=self.near_misses(label))

    def near_misses(self, label: str, n: int = 2) -> list[str]:
        """Students whose name is close to ``label``: for the report, never for matching."""
        names = {normalise_name(s.name): s for s in self.students.values()}
        close = difflib.get_close_matches(normalise_name(label), list(names), n=n, cutoff=0.75)
        return [names[c].label for c in close]

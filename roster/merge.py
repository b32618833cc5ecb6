"""Merging an imported file's entries into the roster, before the whole is checked.

Students are matched by id, else by matriculation number; tutors by e-mail;
groups by id; teams replace the teams of the same scope (a sheet, or the term).
:func:`sheetgrade.roster.api.import_roster_file` checks and writes the result.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course.errors import ConfigError
from sheetgrade.roster.check import RosterData
from sheetgrade.roster.columns import ALIASES, Kind, normalise_header
from sheetgrade.roster.entries import Entries, StudentEntry, TeamEntry

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


def guess_kind(header: list[str], path: Path) -> Kind:
    """What a file lists, from its columns and name: teams, tutors, groups or students."""
    normalised = {normalise_header(h) for h in header}
    stem = path.stem.casefold()
    if normalised & set(ALIASES["teams"]["team"]):
        return "teams"
    if "tutor" in stem:
        return "tutors"
    if ("group" in stem or "gruppe" in stem) and not normalised & set(
        ALIASES["students"]["matrikel"]
    ):
        return "groups"
    return "students"


def _merge_students(
    base: list[StudentEntry], new: list[StudentEntry], replace: bool
) -> list[StudentEntry]:
    merged = list(base)
    position = {e.id: i for i, e in enumerate(base)}
    by_matrikel = {e.matrikel: i for i, e in enumerate(base) if e.matrikel}
    matched: set[int] = set()
    extra: list[StudentEntry] = []
    for entry in new:
        index = position.get(entry.id) if entry.id else by_matrikel.get(entry.matrikel)
        if index is None or index in matched:
            extra.append(dataclasses.replace(entry, id=entry.id or entry.matrikel))
            continue
        matched.add(index)
        old = base[index]
        updates = {
            f: getattr(entry, f)
            for f in ("first_name", "last_name", "email", "matrikel", "group")
            if f in entry.fields and getattr(entry, f)
        }
        merged[index] = dataclasses.replace(old, **updates, where=entry.where)
    if replace:
        merged = [e for i, e in enumerate(merged) if i in matched]
    return merged + extra


def find_renames(base: list[StudentEntry], new: list[StudentEntry]) -> list[str]:
    """Known students (by id, else matriculation number) whose name the file changes."""
    by_id = {e.id: e for e in base}
    by_matrikel = {e.matrikel: e for e in base if e.matrikel}
    out = []
    for entry in new:
        old = by_id.get(entry.id) if entry.id else by_matrikel.get(entry.matrikel)
        if old is None or not ({"first_name", "last_name"} & entry.fields):
            continue
        first = entry.first_name if "first_name" in entry.fields else old.first_name
        last = entry.last_name if "last_name" in entry.fields else old.last_name
        if (first, last) != (old.first_name, old.last_name):
            matrikel = f" ({old.matrikel})" if old.matrikel else ""
            out.append(
                f"{entry.where}: {old.id}{matrikel}: {old.first_name} {old.last_name} → "
                f"{first} {last}"
            )
    return out


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def entry_problems(course: Course, students: list[StudentEntry]) -> list[str]:
    """Matriculation numbers and e-mail addresses that cannot be right."""
    digits = course.config.roster.matrikel_digits
    problems = []
    for e in students:
        if e.matrikel and (not e.matrikel.isdigit() or (digits and len(e.matrikel) != digits)):
            length = f"{digits} digits" if digits else "digits only"
            problems.append(
                f"{e.where}: matriculation number '{e.matrikel}' is not valid ({length}"
                f"{'; roster.matrikel_digits in course.yml sets the length' if digits else ''})"
            )
        if e.email and not _EMAIL.match(e.email):
            problems.append(f"{e.where}: e-mail '{e.email}' is not an e-mail address")
    return problems


def _removed_students(
    base: list[StudentEntry], merged: list[StudentEntry], label: str
) -> dict[str, str]:
    kept = {e.id for e in merged}
    reason = f"is not in {label} and --replace removes them"
    removed: dict[str, str] = {}
    for e in base:
        if e.id not in kept:
            for key in (e.id, e.matrikel, e.email):
                if key:
                    removed[key] = reason
    return removed


def merge_entries(course: Course, base: RosterData, entries: Entries, replace: bool) -> RosterData:
    """The roster as it would be with the file's ``entries`` merged in (or, with
    ``replace``, standing for the whole list of their kind)."""
    data = dataclasses.replace(base)
    if entries.kind == "students":
        data.students = _merge_students(base.students, entries.students, replace)
        data.removed = _removed_students(base.students, data.students, entries.label)
    elif entries.kind == "tutors":
        emails = {t.email.casefold() for t in entries.tutors}
        kept = [] if replace else [t for t in base.tutors if t.email.casefold() not in emails]
        data.tutors = kept + entries.tutors
    elif entries.kind == "groups":
        ids = {g.id for g in entries.groups}
        kept_groups = [] if replace else [g for g in base.groups if g.id not in ids]
        data.groups = kept_groups + entries.groups
    else:
        scopes = {_scope(course, e) for e in entries.teams}
        kept_teams = [] if replace else [t for t in base.teams if _scope(course, t) not in scopes]
        data.teams = kept_teams + entries.teams
    return data


def _scope(course: Course, entry: TeamEntry) -> str:
    if not entry.sheet:
        return ""
    try:
        return course.resolve_sheet_id(entry.sheet)
    except ConfigError:  # an unknown sheet is reported by validation
        return entry.sheet

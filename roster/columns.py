"""Which column of an export holds which roster field.

Headers are recognised in English and German after normalisation (case,
umlauts, punctuation), e.g. ``Matrikelnummer``, ``Matr.-Nr.`` and
``matriculation number`` all mean ``matrikel``. Where a file is ambiguous or
uses other names, an explicit mapping (``--map "Kennung=id"``) decides.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from sheetgrade.course.suggest import did_you_mean
from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.names import _TRANSLITERATE

Kind = Literal["students", "tutors", "teams", "groups"]
KINDS: tuple[Kind, ...] = ("students", "tutors", "teams", "groups")
IGNORE = "ignore"

_PERSON = {
    "first_name": ["first name", "firstname", "vorname", "given name", "forename"],
    "last_name": ["last name", "lastname", "surname", "nachname", "familienname", "family name"],
    "name": [
        "name",
        "full name",
        "fullname",
        "vollstaendiger name",
        "student name",
        "tutor",
        "tutorin",
    ],
    "email": [
        "email",
        "e mail",
        "email address",
        "e mail address",
        "e mail adresse",
        "emailadresse",
        "mail",
    ],
}

#: field -> accepted (normalised) header names, most specific first, per kind
ALIASES: dict[Kind, dict[str, list[str]]] = {
    "students": {
        "id": [
            "id",
            "username",
            "user name",
            "benutzername",
            "id nummer",
            "id number",
            "student id",
            "kennung",
            "uni id",
            "login",
        ],
        "matrikel": [
            "matrikel",
            "matrikelnummer",
            "matrikel nr",
            "matr nr",
            "mtknr",
            "mat nr",
            "matriculation number",
            "matriculation no",
            "matriculation nr",
            "student number",
        ],
        **_PERSON,
        "group": [
            "group",
            "groups",
            "gruppe",
            "gruppen",
            "uebungsgruppe",
            "tutorial group",
            "tutorial",
            "tutorium",
        ],
    },
    "tutors": {
        **_PERSON,
        "groups": [
            "groups",
            "group",
            "gruppen",
            "gruppe",
            "uebungsgruppe",
            "uebungsgruppen",
            "tutorial groups",
            "tutorial group",
        ],
    },
    "teams": {
        "team": ["team", "team id", "team name", "teamname", "abgabegruppe", "abgabeteam"],
        "student": [
            "student",
            "student id",
            "member",
            "mitglied",
            "id",
            "username",
            "matrikel",
            "matrikelnummer",
            "matriculation number",
            "email",
            "e mail",
        ],
        "sheet": ["sheet", "sheet id", "blatt", "uebungsblatt"],
    },
    "groups": {
        "id": ["id", "group", "gruppe", "group id"],
        "name": ["name", "title", "bezeichnung", "termin", "time"],
    },
}

#: fields where several matching columns are fine: the first alias wins
_PRIORITY_FIELDS = {("teams", "student")}

#: required fields per kind; each entry is a tuple of alternatives
REQUIRED: dict[Kind, list[tuple[tuple[str, ...], ...]]] = {
    "students": [(("id",), ("matrikel",)), (("first_name", "last_name"), ("name",))],
    "tutors": [(("email",),), (("name",), ("first_name", "last_name"))],
    "teams": [(("team",),), (("student",),)],
    "groups": [(("id",),)],
}

DESCRIPTIONS = {
    "id": "id",
    "matrikel": "matriculation number",
    "first_name": "first name",
    "last_name": "last name",
    "name": "name",
    "email": "email",
    "group": "group",
    "groups": "groups",
    "team": "team",
    "student": "student",
    "sheet": "sheet",
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(header: str) -> str:
    """``"Übungs-Gruppe"`` → ``"uebungs gruppe"``: casefolded, transliterated,
    punctuation as single spaces."""
    text = header.replace("\ufeff", "").casefold().translate(_TRANSLITERATE)
    return _NON_ALNUM.sub(" ", text).strip()


@dataclass
class ColumnMap:
    """The columns found for one kind of roster file."""

    kind: Kind
    columns: dict[str, int]  # field -> column index
    ignored: list[str]  # headers not used

    def has(self, field: str) -> bool:
        return field in self.columns

    def get(self, cells: list[str], field: str) -> str:
        """The stripped cell of ``field`` in a row, ``""`` when absent."""
        index = self.columns.get(field)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def map_columns(
    header: list[str], kind: Kind, label: str, mapping: dict[str, str] | None = None
) -> ColumnMap:
    """Decide which column holds which field.

    Args:
        header: The header cells.
        kind: What the file lists.
        label: File name for messages.
        mapping: Explicit ``{column header: field}`` choices; the field ``ignore``
            drops a column. Explicit choices win over recognised names.

    Raises:
        RosterError: A mapped column or field does not exist, two columns look
            like the same field, or a required field has no column.
    """
    aliases = ALIASES[kind]
    fields = list(aliases)
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for column, field in (mapping or {}).items():
        index = _find_header(header, column, label)
        if field != IGNORE and field not in aliases:
            raise RosterError(
                f"--map {column}={field}: {kind} have no field '{field}'{did_you_mean(field, fields)} "
                f"(fields: {', '.join(fields)}, or {IGNORE})"
            )
        if field != IGNORE:
            columns[field] = index
        taken.add(index)
    normalised = [normalise_header(h) for h in header]
    for field, names in aliases.items():
        if field in columns:
            continue
        matches = [i for i, h in enumerate(normalised) if h in names and i not in taken]
        if not matches:
            continue
        if len(matches) > 1 and (kind, field) not in _PRIORITY_FIELDS:
            shown = " and ".join(f"'{header[i]}'" for i in matches)
            raise RosterError(
                f"{label}: columns {shown} both look like the {DESCRIPTIONS[field]}; "
                f"choose one with --map '{header[matches[0]]}={field}'"
            )
        best = min(matches, key=lambda i: names.index(normalised[i]))
        columns[field] = best
        taken.add(best)
    _check_required(header, kind, label, columns)
    ignored = [h for i, h in enumerate(header) if i not in taken and h]
    return ColumnMap(kind=kind, columns=columns, ignored=ignored)


def _find_header(header: list[str], column: str, label: str) -> int:
    if column in header:
        return header.index(column)
    wanted = normalise_header(column)
    for i, h in enumerate(header):
        if normalise_header(h) == wanted:
            return i
    raise RosterError(
        f"--map {column}=…: {label} has no column '{column}'{did_you_mean(column, header)} "
        f"(columns: {', '.join(header)})"
    )


def _check_required(header: list[str], kind: Kind, label: str, columns: dict[str, int]) -> None:
    for alternatives in REQUIRED[kind]:
        if any(all(f in columns for f in alt) for alt in alternatives):
            continue
        missing = [f for alt in alternatives for f in alt if f not in columns]
        wanted = " or ".join(" and ".join(DESCRIPTIONS[f] for f in alt) for alt in alternatives)
        message = f"{label}: no column for the {wanted} (columns: {', '.join(header) or 'none'})"
        near = _near_header(header, missing, kind, set(columns.values()))
        if near is not None:
            column, field = near
            message += f"; did you mean '{column}'? map it with --map '{column}={field}'"
        else:
            message += f"; name the column with --map 'COLUMN={missing[0]}'"
        raise RosterError(message)


def _near_header(
    header: list[str], fields: list[str], kind: Kind, used: set[int]
) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for i, h in enumerate(header):
        if i in used:
            continue
        norm = normalise_header(h)
        for field in fields:
            for alias in [*ALIASES[kind][field], field]:
                ratio = difflib.SequenceMatcher(None, norm, alias).ratio()
                if ratio >= 0.6 and (best is None or ratio > best[0]):
                    best = (ratio, h, field)
    return (best[1], best[2]) if best else None

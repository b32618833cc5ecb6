"""The Moodle parts of ``collect``: team mode's default group, and keeping each
submission's participant id and folder for the way back to Moodle.

Team mode's default group (``Default group_assignsubmission_file``) is the one
submission shared by every student in no Moodle group; its folder name carries
no id. It is credited, in this order, to

1. a roster team named like the folder (``Default group``), when there is one;
2. the students the grading worksheet lists in that group (``--worksheet``):
   their one roster team, or the one student;
3. the one roster student in no team, when there is exactly one;

and is otherwise reported as unresolved, with what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.submissions.matching import Match, Matcher
from sheetgrade.submissions.worksheet import Worksheet, WorksheetRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.submissions.layouts import MoodleOrigin


def default_group_match(
    label: str, people: Matcher, sheet_id: str, members: Iterable[str] | None
) -> tuple[Match, str]:
    """Whose the default group's submission is: a match, or ``Match("unknown")``
    and the reason it is unresolved."""
    by_team = people.match(label, by_key=False, by_name=False, by_team=True)
    if by_team.kind == "team":
        return by_team, ""
    if members is not None:
        ids = sorted(set(members))
        if not ids:
            return Match("unknown"), (
                f"Moodle's default group ({label!r}): the grading worksheet lists no student "
                f"in it; check that the worksheet belongs to this assignment"
            )
        teams = {people.roster.team_of(i, sheet_id) for i in ids}
        if len(teams) == 1 and None not in teams:
            team = teams.pop()
            assert team is not None
            return Match("team", team.id, "default group"), ""
        if len(ids) == 1:
            return Match("student", ids[0], "default group"), ""
        names = ", ".join(people.students[i].label for i in ids[:6])
        more = f" and {len(ids) - 6} more" if len(ids) > 6 else ""
        return Match("unknown", candidates=[people.students[i].label for i in ids]), (
            f"Moodle's default group ({label!r}) is shared by {len(ids)} students in no Moodle "
            f"group ({names}{more}), who are not one roster team; put them in Moodle groups, "
            f"or add a roster team named {label!r}"
        )
    in_team = {m for t in people.teams.values() for m in t.members}
    solo = sorted(s for s in people.students if s not in in_team)
    if len(solo) == 1:
        return Match("student", solo[0], "default group"), ""
    return Match("unknown"), (
        f"Moodle's default group ({label!r}) is the shared submission of every student in no "
        f"Moodle group, and its folder name says nobody's; pass the grading worksheet "
        f"(--worksheet FILE) to name its members, or add a roster team named {label!r}"
    )


def legacy_team_match(label: str, people: Matcher) -> Match | None:
    """Moodle before 4.1 named team-mode folders ``<group>-<full name>_<participant id>``
    (``Default group-<full name>`` for students in no group): the student after a ``-``."""
    for i, char in enumerate(label):
        if char != "-":
            continue
        match = people.match(label[i + 1 :], by_key=False)
        if match.kind == "student":
            return Match("student", match.id, "name after the Moodle group")
    return None


def origin_kind(origin: MoodleOrigin, owner_kind: str, matched_as: str, blind: bool) -> str:
    """participant | blind | group | default-group."""
    if origin.default_group:
        return "default-group"
    if blind:
        return "blind"
    return "group" if matched_as == "team" else "participant"


def store_origins(conn: Connection, sheet_id: str, origins: list[dict[str, Any]]) -> None:
    """Insert one ``moodle_uploads`` row per new submission version that came from Moodle.

    ``origins``: ``owner``, ``version``, ``participant_id``, ``folder``, ``kind``.
    """
    if not origins:
        return
    t = store.submissions
    ids = {
        (r.owner, r.version): r.id
        for r in conn.execute(
            select(t.c.id, t.c.owner, t.c.version).where(t.c.sheet_id == sheet_id)
        )
    }
    conn.execute(
        store.moodle_uploads.insert(),
        [
            {
                "submission_id": ids[(o["owner"], o["version"])],
                "sheet_id": sheet_id,
                "owner": o["owner"],
                "participant_id": o["participant_id"],
                "folder": o["folder"],
                "kind": o["kind"],
            }
            for o in origins
        ],
    )


# ------------------------------------------------------------------ worksheet

WORKSHEET_COPY = "moodle-worksheet.csv"  # the worksheet as downloaded, beside the submissions
WORKSHEET_ORIGIN = "worksheet (Last modified (submission))"


class WorksheetIndex:
    """A grading worksheet matched to the roster: which student each row is."""

    def __init__(self, sheet: Worksheet, people: Matcher) -> None:
        self.sheet = sheet
        self.student_of: dict[str, str] = {}  # participant id -> student id
        self.unknown: list[WorksheetRow] = []
        for row in sheet.rows:
            student = people.find_student(row.email) if row.email else None
            if student is None and row.full_name:
                match = people.match(row.full_name, by_key=False)
                student = people.students.get(match.id or "") if match.kind == "student" else None
            if student is None:
                if row.email or row.full_name:
                    self.unknown.append(row)
                continue
            self.student_of[row.participant_id] = student.id
        self.rows_of: dict[str, list[WorksheetRow]] = {}
        for row in sheet.rows:
            if row.participant_id in self.student_of:
                self.rows_of.setdefault(self.student_of[row.participant_id], []).append(row)

    def default_group_members(self) -> list[str]:
        """The students the worksheet puts in team mode's default group."""
        return sorted(
            self.student_of[r.participant_id]
            for r in self.sheet.rows
            if r.in_default_group and r.participant_id in self.student_of
        )

    def student_for(self, participant_id: str) -> str | None:
        return self.student_of.get(participant_id)

    def submitted_at(self, participant_id: str, members: Iterable[str]) -> datetime | None:
        """The submission time of a participant's row, else the latest of the members' rows."""
        row = self.sheet.by_participant().get(participant_id) if participant_id else None
        if row is not None and row.submitted_at is not None:
            return row.submitted_at
        times = [r.submitted_at for m in members for r in self.rows_of.get(m, []) if r.submitted_at]
        return max(times) if times else None

    def not_in_download(self, covered: set[str], people: Matcher) -> list[str]:
        """A warning when the worksheet shows submissions of students the sources did not hold."""
        missing = sorted(
            {
                student
                for pid, student in self.student_of.items()
                if student not in covered
                and (row := self.sheet.by_participant()[pid]).submitted_at is not None
                and not any(t.id in covered for t in people.teams.values() if student in t.members)
                and row.participant_id
            }
        )
        if not missing:
            return []
        names = ", ".join(people.students[s].label for s in missing[:8])
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        return [
            f"{self.sheet.path.name}: {len(missing)} student(s) have a submission in Moodle that "
            f"these sources do not hold ({names}{more}); download the submissions again"
        ]

    def warnings(self) -> list[str]:
        out = []
        for row in self.unknown[:10]:
            who = row.full_name or row.email
            out.append(
                f"{self.sheet.path.name} line {row.line}: {who!r} ({row.identifier}) is not on "
                f"the roster"
            )
        if len(self.unknown) > 10:
            out.append(
                f"{self.sheet.path.name}: {len(self.unknown) - 10} more rows not on the roster"
            )
        return out


def store_worksheet(conn: Connection, sheet_id: str, index: WorksheetIndex) -> None:
    """Replace the sheet's ``moodle_participants`` rows with the worksheet's."""
    t = store.moodle_participants
    conn.execute(t.delete().where(t.c.sheet_id == sheet_id))
    rows = [
        {
            "sheet_id": sheet_id,
            "participant_id": r.participant_id,
            "student_id": index.student_of.get(r.participant_id),
            "full_name": r.full_name,
            "email": r.email,
            "moodle_group": r.group,
            "submitted_at": r.submitted_at.astimezone(UTC).isoformat() if r.submitted_at else None,
        }
        for r in index.sheet.rows
    ]
    if rows:
        conn.execute(t.insert(), rows)


def keep_worksheet_copy(folder: Path, sheet: Worksheet) -> Path:
    """Copy the worksheet as downloaded into the sheet's submissions folder (for the way back)."""
    target = folder / WORKSHEET_COPY
    tmp = folder / f".{WORKSHEET_COPY}.tmp"
    tmp.write_bytes(sheet.path.read_bytes())
    os.replace(tmp, target)
    return target

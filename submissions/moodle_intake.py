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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.submissions.people import Match, People

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.submissions.layouts import MoodleOrigin


def default_group_match(
    label: str, people: People, sheet_id: str, members: Iterable[str] | None
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
        teams = {people.team_of(i, sheet_id) for i in ids}
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

"""``submissions history``: every version of a sheet as it was added, withdrawn or
restored, and which version counted for its owner after each event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.submissions.operations import counting_version, sheet_rows
from sheetgrade.submissions.timing import course_tz
from sheetgrade.submissions.withdrawal import owners_of

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


@dataclass
class HistoryLine:
    """One event of a sheet's history, and what counted for its owner afterwards."""

    at: datetime
    owner: str
    version: int
    event: str  # e.g. "collect #3 (incoming/x.zip)"
    actor: str
    counts: str  # "v2 (newest version)" or "nothing"


def history(course: Course, sheet: str, who: str | None = None) -> list[HistoryLine]:
    """Every version of the sheet (of ``who``'s owners) as it was added, withdrawn or
    restored, oldest first, with the version that counted after each event."""
    sheet_id = course.sheet(sheet).id
    owners = set(owners_of(course, sheet_id, who)) if who else None
    o, e = store.operations, store.submission_events
    with course.engine.connect() as conn:
        rows = [r for r in sheet_rows(conn, sheet_id) if owners is None or r["owner"] in owners]
        ops = {r.id: r for r in conn.execute(select(o).where(o.c.sheet_id == sheet_id))}
        events = conn.execute(
            select(e).where(e.c.submission_id.in_([r["id"] for r in rows])).order_by(e.c.id)
        ).all()
    by_id = {r["id"]: r for r in rows}
    added = {ev.submission_id for ev in events if ev.action == "added"}
    timeline: list[tuple[datetime, int, dict[str, Any], str, str, str]] = []
    for r in rows:
        if r["id"] not in added:  # collected before collects were recorded
            when = datetime.fromisoformat(r["created_at"])
            given = r["source"].split(": ")[0]
            timeline.append((when, 0, r, "added", f"collect ({given})", ""))
    for ev in events:
        op = ops[ev.operation_id]
        detail = json.loads(op.detail or "{}")
        r = by_id[ev.submission_id]
        if ev.action == "added":
            forced = ", --force" if detail.get("force") else ""
            undone = f"; undone by #{op.undone_by}" if op.undone_by else ""
            given = ", ".join(detail.get("sources", [])) or r["source"]
            text = f"collect #{op.id} ({given}{forced}){undone}"
        elif op.kind == "undo":
            text = f"withdrawn by undo #{op.id} of collect #{detail.get('undoes')}"
        elif ev.action == "withdrawn":
            why = f": {detail['reason']}" if detail.get("reason") else ""
            text = f"withdrawn #{op.id}{why}"
        else:
            text = f"restored #{op.id}"
        timeline.append((datetime.fromisoformat(op.at), ev.id, r, ev.action, text, op.actor))
    timeline.sort(key=lambda t: (t[0], t[1], t[2]["owner"], t[2]["version"]))
    rule = course.config.late.counting
    tz = course_tz(course)
    live: dict[int, dict[str, Any]] = {}
    out = []
    for at, _, r, action, text, actor in timeline:
        if action in ("added", "restored"):
            live[r["id"]] = r
        else:
            live.pop(r["id"], None)
        counted, why = counting_version(
            [x for x in live.values() if x["owner"] == r["owner"]], rule
        )
        out.append(
            HistoryLine(
                at=at.astimezone(tz),
                owner=r["owner"],
                version=r["version"],
                event=text,
                actor=actor,
                counts=f"v{counted['version']} ({why})" if counted else "nothing",
            )
        )
    return out

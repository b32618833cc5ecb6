"""Collects as recorded operations: undo, withdraw, restore and the history of a sheet.

Every ``collect`` that stores a version records one ``operations`` row and one
``added`` event per version. Nothing is ever deleted: taking a version back
puts it in ``withdrawn_submissions``, so it stops counting and the version it
superseded counts again; restoring it takes it out again. Each of these is an
operation too, with its events, so ``submissions history`` can replay which
version counted when, and why.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.course.locks import sheet_lock
from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.matching import Matcher
from sheetgrade.submissions.timing import course_tz

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course

ACTOR_ENV = "SHEETGRADE_TUTOR"


def current_actor() -> str:
    """Who runs the command: ``$SHEETGRADE_TUTOR``, else the OS user."""
    if os.environ.get(ACTOR_ENV):
        return os.environ[ACTOR_ENV]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def record_collect(
    conn: Connection,
    *,
    sheet_id: str,
    submission_ids: Sequence[int],
    sources: Sequence[str],
    forced: bool,
    at: str | None = None,
) -> int:
    """Record one collect that stored ``submission_ids``; return the operation id.

    Runs in the caller's transaction, the one that inserts the versions.
    """
    detail = {"sources": list(sources), "force": forced, "stored": len(submission_ids)}
    op = conn.execute(
        store.operations.insert().values(
            sheet_id=sheet_id,
            kind="collect",
            at=at or _now(),
            actor=current_actor(),
            detail=json.dumps(detail),
        )
    ).inserted_primary_key
    assert op is not None
    op_id = int(op[0])
    if submission_ids:
        conn.execute(
            store.submission_events.insert(),
            [
                {"operation_id": op_id, "submission_id": s, "action": "added"}
                for s in submission_ids
            ],
        )
    return op_id


def withdrawn_ids(conn: Connection, sheet_id: str | None = None) -> set[int]:
    """Ids of the versions taken back (of one sheet, or all)."""
    w, s = store.withdrawn_submissions, store.submissions
    query = select(w.c.submission_id)
    if sheet_id is not None:
        query = query.join(s, s.c.id == w.c.submission_id).where(s.c.sheet_id == sheet_id)
    return {int(r[0]) for r in conn.execute(query)}


# ----------------------------------------------------------------- changing


@dataclass
class VersionChange:
    """One version taken back or restored, and what counts for its owner afterwards."""

    owner: str
    version: int
    action: str  # withdrawn | restored
    counts_now: int | None  # the version that counts afterwards (None: no version)


@dataclass
class OperationReport:
    """What ``undo``, ``withdraw`` or ``restore`` did (or would do)."""

    sheet_id: str
    kind: str
    operation_id: int | None = None
    undoes: dict[str, Any] = field(default_factory=dict)  # the collect taken back
    changes: list[VersionChange] = field(default_factory=list)
    dry_run: bool = False


def _rows(conn: Connection, sheet_id: str) -> list[dict[str, Any]]:
    s = store.submissions
    rows = conn.execute(
        select(s).where(s.c.sheet_id == sheet_id).order_by(s.c.owner, s.c.version)
    ).all()
    return [dict(r._mapping) for r in rows]


def counting_version(
    versions: Iterable[dict[str, Any]], rule: str
) -> tuple[dict[str, Any] | None, str]:
    """The version that counts among ``versions`` (rows in version order), and why."""
    ordered = sorted(versions, key=lambda r: r["version"])
    if not ordered:
        return None, "no version counts"
    on_time = [r for r in ordered if r["late_seconds"] <= 0]
    if rule == "latest_on_time" and on_time:
        chosen = on_time[-1]
        if chosen is ordered[-1]:
            return chosen, "newest version"
        return chosen, "newest version on time (later ones are late)"
    if rule == "latest_on_time":
        return ordered[-1], "newest version (none on time)"
    return ordered[-1], "newest version"


def _change(
    conn: Connection,
    course: Course,
    *,
    sheet_id: str,
    kind: str,
    ids: list[int],
    action: str,
    detail: dict[str, Any],
    dry_run: bool,
) -> OperationReport:
    rows = _rows(conn, sheet_id)
    gone = withdrawn_ids(conn, sheet_id)
    by_id = {r["id"]: r for r in rows}
    after = gone | set(ids) if action == "withdrawn" else gone - set(ids)
    report = OperationReport(sheet_id, kind, dry_run=dry_run)
    rule = course.config.late.counting
    for sid in ids:
        row = by_id[sid]
        live = [r for r in rows if r["owner"] == row["owner"] and r["id"] not in after]
        counts, _ = counting_version(live, rule)
        report.changes.append(
            VersionChange(
                row["owner"], row["version"], action, counts["version"] if counts else None
            )
        )
    if dry_run or not ids:
        return report
    op = conn.execute(
        store.operations.insert().values(
            sheet_id=sheet_id,
            kind=kind,
            at=_now(),
            actor=current_actor(),
            detail=json.dumps(detail),
        )
    ).inserted_primary_key
    assert op is not None
    report.operation_id = int(op[0])
    w = store.withdrawn_submissions
    if action == "withdrawn":
        conn.execute(
            w.insert(), [{"submission_id": i, "operation_id": report.operation_id} for i in ids]
        )
    else:
        conn.execute(w.delete().where(w.c.submission_id.in_(ids)))
    conn.execute(
        store.submission_events.insert(),
        [{"operation_id": report.operation_id, "submission_id": i, "action": action} for i in ids],
    )
    return report


def undo_collect(course: Course, sheet: str, *, dry_run: bool = False) -> OperationReport:
    """Take the sheet's last collect back: its versions stop counting; the ones they
    superseded count again. Nothing is deleted (``restore`` brings them back).

    Raises:
        SubmissionError: no collect left to undo.
    """
    sheet_id = course.sheet(sheet).id
    o, e = store.operations, store.submission_events
    with sheet_lock(course, sheet_id, "submissions undo"):
        with store.transaction(course.engine) as conn:
            last = conn.execute(
                select(o)
                .where(o.c.sheet_id == sheet_id, o.c.kind == "collect", o.c.undone_by.is_(None))
                .order_by(o.c.id.desc())
                .limit(1)
            ).first()
            if last is None:
                raise SubmissionError(
                    f"no recorded collect of sheet {sheet_id} left to undo "
                    f"(`sheetgrade submissions history {sheet_id}` lists what happened)"
                )
            added = [
                int(r[0])
                for r in conn.execute(
                    select(e.c.submission_id).where(
                        e.c.operation_id == last.id, e.c.action == "added"
                    )
                )
            ]
            gone = withdrawn_ids(conn, sheet_id)
            ids = sorted(i for i in added if i not in gone)
            detail = {"undoes": last.id}
            report = _change(
                conn,
                course,
                sheet_id=sheet_id,
                kind="undo",
                ids=ids,
                action="withdrawn",
                detail=detail,
                dry_run=dry_run,
            )
            report.undoes = {"id": last.id, "at": last.at, **json.loads(last.detail)}
            if not dry_run:
                if report.operation_id is None:  # every version already withdrawn by hand
                    op = conn.execute(
                        o.insert().values(
                            sheet_id=sheet_id,
                            kind="undo",
                            at=_now(),
                            actor=current_actor(),
                            detail=json.dumps(detail),
                        )
                    ).inserted_primary_key
                    assert op is not None
                    report.operation_id = int(op[0])
                conn.execute(
                    o.update().where(o.c.id == last.id).values(undone_by=report.operation_id)
                )
    return report


def _owners(course: Course, sheet_id: str, who: str) -> list[str]:
    """The owners ``who`` names on this sheet: a team id, or a student and their team."""
    people = Matcher.load(course.engine)
    if who in people.teams:
        return [who]
    student = people.find_student(who)
    if student is None:
        from sheetgrade.course.suggest import did_you_mean

        raise SubmissionError(
            f"no student or team '{who}'{did_you_mean(who, [*people.students, *people.teams])}"
        )
    owners = [student.id]
    for team in people.teams.values():
        if student.id in team.members and team.sheet_id in (None, sheet_id):
            owners.append(team.id)
    return owners


def _pick(
    rows: list[dict[str, Any]], owners: list[str], who: str, version: int | None, sheet_id: str
) -> dict[str, Any] | None:
    mine = [r for r in rows if r["owner"] in owners]
    if not mine:
        raise SubmissionError(f"{who} has no submission for sheet {sheet_id}")
    if version is None:
        return None
    found = [r for r in mine if r["version"] == version]
    if not found:
        listed = ", ".join(f"{r['owner']} v{r['version']}" for r in mine)
        raise SubmissionError(
            f"{who} has no version {version} of sheet {sheet_id} (versions: {listed})"
        )
    if len(found) > 1:
        raise SubmissionError(
            f"{who} has version {version} both alone and in a team; name the team id instead"
        )
    return found[0]


def withdraw(
    course: Course,
    sheet: str,
    who: str,
    *,
    version: int | None = None,
    reason: str = "",
    dry_run: bool = False,
) -> OperationReport:
    """Take one version back (default: the one that counts now); nothing is deleted."""
    sheet_id = course.sheet(sheet).id
    owners = _owners(course, sheet_id, who)
    with sheet_lock(course, sheet_id, "submissions withdraw"):
        with store.transaction(course.engine) as conn:
            rows = _rows(conn, sheet_id)
            gone = withdrawn_ids(conn, sheet_id)
            row = _pick(rows, owners, who, version, sheet_id)
            if row is None:
                live = [r for r in rows if r["owner"] in owners and r["id"] not in gone]
                counted = [
                    c
                    for owner in owners
                    if (
                        c := counting_version(
                            [r for r in live if r["owner"] == owner], course.config.late.counting
                        )[0]
                    )
                ]
                if not counted:
                    raise SubmissionError(
                        f"no version of {who} counts for sheet {sheet_id}; nothing to withdraw"
                    )
                row = max(counted, key=lambda r: r["received_at"])
            if row["id"] in gone:
                raise SubmissionError(
                    f"{row['owner']} v{row['version']} of sheet {sheet_id} is already withdrawn; "
                    f"`sheetgrade submissions restore {sheet_id} {who} {row['version']}` brings it back"
                )
            return _change(
                conn,
                course,
                sheet_id=sheet_id,
                kind="withdraw",
                ids=[row["id"]],
                action="withdrawn",
                detail={"reason": reason, "who": who},
                dry_run=dry_run,
            )


def restore(
    course: Course,
    sheet: str,
    who: str,
    *,
    version: int | None = None,
    dry_run: bool = False,
) -> OperationReport:
    """Make a withdrawn version count again (default: the last one withdrawn)."""
    sheet_id = course.sheet(sheet).id
    owners = _owners(course, sheet_id, who)
    with sheet_lock(course, sheet_id, "submissions restore"):
        with store.transaction(course.engine) as conn:
            rows = _rows(conn, sheet_id)
            gone = withdrawn_ids(conn, sheet_id)
            row = _pick(rows, owners, who, version, sheet_id)
            if row is None:
                mine = [r for r in rows if r["owner"] in owners and r["id"] in gone]
                if not mine:
                    raise SubmissionError(
                        f"no version of {who} is withdrawn on sheet {sheet_id}; nothing to restore"
                    )
                row = max(mine, key=lambda r: (r["received_at"], r["version"]))
            elif row["id"] not in gone:
                raise SubmissionError(
                    f"{row['owner']} v{row['version']} of sheet {sheet_id} is not withdrawn; "
                    f"nothing to restore"
                )
            return _change(
                conn,
                course,
                sheet_id=sheet_id,
                kind="restore",
                ids=[row["id"]],
                action="restored",
                detail={"who": who},
                dry_run=dry_run,
            )


# ------------------------------------------------------------------ history


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
    owners = set(_owners(course, sheet_id, who)) if who else None
    o, e = store.operations, store.submission_events
    with course.engine.connect() as conn:
        rows = [r for r in _rows(conn, sheet_id) if owners is None or r["owner"] in owners]
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

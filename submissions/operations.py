"""Collects as recorded operations, and undo (withdraw and restore:
:mod:`~sheetgrade.submissions.withdrawal`; the history: :mod:`~sheetgrade.submissions.history`).

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


def new_operation(
    conn: Connection, *, sheet_id: str, kind: str, detail: dict[str, Any], at: str | None = None
) -> int:
    """Record one operation (collect, undo, withdraw, restore) by the current actor; its id."""
    op = conn.execute(
        store.operations.insert().values(
            sheet_id=sheet_id,
            kind=kind,
            at=at or _now(),
            actor=current_actor(),
            detail=json.dumps(detail),
        )
    ).inserted_primary_key
    assert op is not None
    return int(op[0])


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
    op_id = new_operation(conn, sheet_id=sheet_id, kind="collect", detail=detail, at=at)
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


def sheet_rows(conn: Connection, sheet_id: str) -> list[dict[str, Any]]:
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


def change_versions(
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
    rows = sheet_rows(conn, sheet_id)
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
    report.operation_id = new_operation(conn, sheet_id=sheet_id, kind=kind, detail=detail)
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
            report = change_versions(
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
                    report.operation_id = new_operation(
                        conn, sheet_id=sheet_id, kind="undo", detail=detail
                    )
                conn.execute(
                    o.update().where(o.c.id == last.id).values(undone_by=report.operation_id)
                )
    return report

"""Turning collected uploads into versions: recover what an interrupted collect
left, number the new versions per owner (the same files again are ``unchanged``,
the same files twice in one run a ``duplicate``), write them and their rows, and
record the collect as one operation (:mod:`sheetgrade.submissions.operations`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.submissions.matching import Matcher
from sheetgrade.submissions.moodle_intake import origin_kind, store_origins
from sheetgrade.submissions.outcomes import CollectReport, Item, Outcome
from sheetgrade.submissions.storage import SheetStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course


def existing_rows(course: Course, sheet_id: str) -> list[dict[str, Any]]:
    t = store.submissions
    with course.engine.connect() as conn:
        rows = conn.execute(
            select(t).where(t.c.sheet_id == sheet_id).order_by(t.c.owner, t.c.version)
        ).all()
    return [dict(r._mapping) for r in rows]


@dataclass
class _Known:
    """What the store already holds for the sheet, per owner."""

    versions: dict[str, int] = field(default_factory=dict)  # owner -> newest version
    shas: dict[tuple[str, str], int] = field(default_factory=dict)  # (owner, sha) -> version
    sha_owners: dict[str, set[str]] = field(default_factory=dict)
    latest_by: dict[str, str | None] = field(default_factory=dict)
    withdrawn: set[tuple[str, str]] = field(default_factory=set)


def store_versions(
    course: Course,
    sheet_id: str,
    sheet_store: SheetStore,
    items: list[Item],
    people: Matcher,
    report: CollectReport,
    now: datetime,
    *,
    dry_run: bool,
) -> None:
    """Recover leftovers, plan a version for each item (its outcome goes into the
    report) and, unless ``dry_run``, write them and record the collect."""
    known = _known(course, sheet_id, sheet_store, report, dry_run=dry_run)
    planned = _plan(sheet_id, items, people, known, report, now)
    if not dry_run and planned:
        _write(course, sheet_id, sheet_store, planned, report, now)


def _known(
    course: Course, sheet_id: str, sheet_store: SheetStore, report: CollectReport, *, dry_run: bool
) -> _Known:
    from sheetgrade.submissions.operations import withdrawn_ids

    rows = existing_rows(course, sheet_id)
    report.recovery = sheet_store.recover(
        {r["path"] for r in rows}, {(r["owner"], r["sha256"]) for r in rows}, dry_run=dry_run
    )
    adopted = report.recovery.adopted
    if adopted and not dry_run:
        with store.transaction(course.engine) as conn:
            conn.execute(store.submissions.insert(), adopted)
    rows += adopted
    with course.engine.connect() as conn:
        gone = withdrawn_ids(conn, sheet_id)
    known = _Known(withdrawn={(r["owner"], r["sha256"]) for r in rows if r.get("id") in gone})
    for r in sorted(rows, key=lambda r: (r["owner"], r["version"])):
        known.versions[r["owner"]] = max(known.versions.get(r["owner"], 0), r["version"])
        known.shas[(r["owner"], r["sha256"])] = r["version"]
        known.sha_owners.setdefault(r["sha256"], set()).add(r["owner"])
        known.latest_by[r["owner"]] = r["submitted_by"]
    return known


def _plan(
    sheet_id: str,
    items: list[Item],
    people: Matcher,
    known: _Known,
    report: CollectReport,
    now: datetime,
) -> list[tuple[Item, Outcome]]:
    by_owner: dict[str, list[Item]] = {}
    for item in items:
        assert item.owner is not None and item.contents is not None
        by_owner.setdefault(item.owner, []).append(item)
        known.sha_owners.setdefault(item.contents.sha256, set()).add(item.owner)
    planned: list[tuple[Item, Outcome]] = []
    for owner, group in by_owner.items():
        group.sort(key=lambda i: (i.received_at or now, i.order))
        _team_report(owner, group, people, known.latest_by.get(owner), report)
        batch: dict[str, str] = {}
        for item in group:
            assert item.contents is not None and item.received_at is not None
            sha = item.contents.sha256
            outcome = Outcome(
                item.upload.source,
                "stored",
                owner,
                item.owner_kind,
                item.submitted_by,
                files=sorted(item.contents.files),
                notebook=item.contents.notebook,
                received_at=item.received_at,
                time_origin=item.time_origin,
                late_seconds=item.late,
                flags=list(item.flags),
            )
            if (owner, sha) in known.shas:
                _unchanged(
                    outcome, sheet_id, known.shas[(owner, sha)], (owner, sha) in known.withdrawn
                )
            elif sha in batch:
                outcome.status = "duplicate"
                outcome.message = f"duplicate upload: the same files as {batch[sha]}"
            else:
                batch[sha] = item.upload.source
                known.versions[owner] = known.versions.get(owner, 0) + 1
                outcome.version = known.versions[owner]
                others = sorted(known.sha_owners.get(sha, set()) - {owner})
                outcome.flags += [f"same-as:{o}" for o in others]
                planned.append((item, outcome))
            report.outcomes.append(outcome)
    return planned


def _unchanged(outcome: Outcome, sheet_id: str, version: int, withdrawn: bool) -> None:
    outcome.status, outcome.version = "unchanged", version
    outcome.message = f"the same files as version {version}; nothing to do"
    if withdrawn:
        outcome.message = (
            f"the same files as version {version}, which was withdrawn; "
            f"`sheetgrade submissions restore {sheet_id} {outcome.owner} {version}` "
            f"makes it count again"
        )
        outcome.flags.append("withdrawn")


def _write(
    course: Course,
    sheet_id: str,
    sheet_store: SheetStore,
    planned: list[tuple[Item, Outcome]],
    report: CollectReport,
    now: datetime,
) -> None:
    created = now.astimezone(UTC).isoformat()
    origins: list[dict[str, Any]] = []
    new_rows: list[dict[str, Any]] = []
    for item, outcome in planned:
        assert (
            item.contents is not None and outcome.owner is not None and outcome.version is not None
        )
        manifest = _manifest(sheet_id, item, outcome, created)
        rel = sheet_store.write_version(
            outcome.owner, outcome.version, item.contents.files, manifest
        )
        origin = item.upload.moodle
        if origin is not None:
            origins.append(
                {
                    "owner": outcome.owner,
                    "version": outcome.version,
                    "participant_id": origin.participant_id,
                    "folder": origin.folder,
                    "kind": origin_kind(
                        origin, outcome.owner_kind or "", item.match.kind, item.upload.blind
                    ),
                }
            )
        new_rows.append(
            {
                "sheet_id": sheet_id,
                "owner": outcome.owner,
                "owner_kind": outcome.owner_kind,
                "submitted_by": outcome.submitted_by,
                "version": outcome.version,
                "sha256": manifest["sha256"],
                "path": rel,
                "notebook": outcome.notebook,
                "received_at": manifest["received_at"],
                "late_seconds": outcome.late_seconds,
                "source": outcome.source,
                "flags": json.dumps(outcome.flags),
                "created_at": created,
            }
        )
    with store.transaction(course.engine) as conn:
        conn.execute(store.submissions.insert(), new_rows)
        store_origins(conn, sheet_id, origins)
        report.operation_id = _record(conn, sheet_id, new_rows, report, created)


def _record(
    conn: Connection,
    sheet_id: str,
    new_rows: list[dict[str, Any]],
    report: CollectReport,
    created: str,
) -> int:
    from sheetgrade.submissions.operations import record_collect

    t = store.submissions
    stored = {(r["owner"], r["version"]) for r in new_rows}
    ids = [
        int(r.id)
        for r in conn.execute(
            select(t.c.id, t.c.owner, t.c.version).where(t.c.sheet_id == sheet_id)
        )
        if (r.owner, r.version) in stored
    ]
    return record_collect(
        conn,
        sheet_id=sheet_id,
        submission_ids=sorted(ids),
        sources=report.sources,
        forced=report.force,
        at=created,
    )


def _manifest(sheet_id: str, item: Item, outcome: Outcome, created: str) -> dict[str, Any]:
    assert item.contents is not None and outcome.received_at is not None
    return {
        "sheet": sheet_id,
        "owner": outcome.owner,
        "owner_kind": outcome.owner_kind,
        "submitted_by": outcome.submitted_by,
        "version": outcome.version,
        "sha256": item.contents.sha256,
        "received_at": outcome.received_at.astimezone(UTC).isoformat(),
        "time_origin": outcome.time_origin,
        "late_seconds": outcome.late_seconds,
        "source": outcome.source,
        "notebook": outcome.notebook,
        "flags": outcome.flags,
        "created_at": created,
        **(
            {
                "moodle": {
                    "participant_id": item.upload.moodle.participant_id,
                    "folder": item.upload.moodle.folder,
                }
            }
            if item.upload.moodle is not None
            else {}
        ),
        "files": {
            p: {"sha256": item.contents.digest(p), "size": len(d)}
            for p, d in sorted(item.contents.files.items())
        },
    }


def _team_report(
    owner: str, group: list[Item], people: Matcher, previous_by: str | None, report: CollectReport
) -> None:
    if group[0].owner_kind != "team" or owner not in people.teams:
        return
    members = people.roster.members(owner)
    names = ", ".join(m.label for m in members)
    uploaders = []
    for item in group:
        if item.submitted_by and item.submitted_by not in uploaders:
            uploaders.append(item.submitted_by)
    if len(uploaders) > 1:
        labels = [people.students[s].label for s in uploaders]
        who = f"{', '.join(labels[:-1])} and {labels[-1]} " + (
            "both" if len(labels) == 2 else "all"
        )
        last = group[-1]
        report.warnings.append(
            f"team {owner}: {who} submitted; the latest ({people.students[last.submitted_by].label if last.submitted_by else '?'}, "
            f"received {last.received_at:%Y-%m-%d %H:%M %Z}) is the newest version and counts"
        )
        for item in group:
            item.flags.append("team-conflict")
    elif uploaders:
        student = people.students[uploaders[0]]
        report.team_uploads.append(
            f"team {owner}: {student.label} submitted for the team; credited to every "
            f"member ({names})"
        )
        if previous_by and previous_by != uploaders[0] and previous_by in people.students:
            report.warnings.append(
                f"team {owner}: {student.label} submitted over the version of "
                f"{people.students[previous_by].label}; the newest version counts"
            )

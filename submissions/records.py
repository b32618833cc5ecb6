"""Reading submissions back from the store: what the grader and the gradebook use."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from sheetgrade.course import store

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


@dataclass(frozen=True)
class SubmissionRecord:
    """One stored, immutable version of one owner's submission to one sheet."""

    id: int
    sheet_id: str
    owner: str  # student id or team id
    owner_kind: str  # student | team
    version: int
    sha256: str
    path: Path  # absolute folder of this version
    notebook: Path | None  # absolute path of the main notebook, if any
    received_at: datetime
    late_seconds: float
    flags: list[str] = field(default_factory=list)

    @property
    def on_time(self) -> bool:
        return self.late_seconds <= 0


def all_versions(
    course: Course, sheet_id: str, *, withdrawn: bool = False
) -> list[SubmissionRecord]:
    """Every stored version for a sheet, ordered by owner then version; versions taken
    back (``submissions undo``/``withdraw``) only with ``withdrawn``."""
    t = store.submissions
    query = select(t).where(t.c.sheet_id == sheet_id).order_by(t.c.owner, t.c.version)
    if not withdrawn:
        w = store.withdrawn_submissions
        query = query.where(t.c.id.not_in(select(w.c.submission_id)))
    with course.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        SubmissionRecord(
            id=r.id,
            sheet_id=r.sheet_id,
            owner=r.owner,
            owner_kind=r.owner_kind,
            version=r.version,
            sha256=r.sha256,
            path=course.root / r.path,
            notebook=(course.root / r.path / r.notebook) if r.notebook else None,
            received_at=datetime.fromisoformat(r.received_at),
            late_seconds=r.late_seconds,
            flags=json.loads(r.flags),
        )
        for r in rows
    ]


def counting_submissions(course: Course, sheet_id: str) -> list[SubmissionRecord]:
    """The version that counts for each owner, by the late policy's ``counting``
    rule: the newest version on time when there is one (``latest_on_time``),
    else the newest version."""
    by_owner: dict[str, list[SubmissionRecord]] = {}
    for record in all_versions(course, sheet_id):
        by_owner.setdefault(record.owner, []).append(record)
    rule = course.config.late.counting
    chosen = []
    for versions in by_owner.values():
        on_time = [v for v in versions if v.on_time]
        chosen.append(on_time[-1] if rule == "latest_on_time" and on_time else versions[-1])
    return chosen

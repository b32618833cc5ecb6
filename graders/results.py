"""Grading results in the store, keyed by (build hash, submission hash).

Each submission's result is written in its own transaction as soon as it is
known, so an interrupted run keeps everything finished so far and a re-run
grades only what is missing. Only ``results`` and ``test_results`` are
written: manual marks are never touched.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, insert, select

from sheetgrade.course import store

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from sheetgrade.graders.submission import SubmissionResult

_WRITE_LOCK = threading.Lock()  # grader threads take turns writing (SQLite has one writer)


def graded_shas(engine: Engine, build_hash: str) -> set[str]:
    """Submission hashes that already have a result for this build."""
    r = store.results
    with engine.connect() as conn:
        return {
            row[0]
            for row in conn.execute(select(r.c.submission_sha).where(r.c.build_hash == build_hash))
        }


def recorded_build_hash(engine: Engine, sheet_id: str) -> str | None:
    """The sheet's current build hash as recorded by ``sheet build`` (None if not recorded)."""
    s = store.sheets
    with engine.connect() as conn:
        row = conn.execute(select(s.c.build_hash).where(s.c.id == sheet_id)).first()
    return row[0] if row else None


def save_result(
    engine: Engine, *, build_hash: str, sheet_id: str, submission_sha: str, result: SubmissionResult
) -> None:
    """Replace the result of one submission under one build, in one transaction.

    Texts are stored without lone surrogates (a submission can put them in
    messages and output; the database's UTF-8 cannot hold them)."""
    from sheetgrade.graders.sandbox.protocol import clean_text

    r, t = store.results, store.test_results
    key_r = and_(r.c.build_hash == build_hash, r.c.submission_sha == submission_sha)
    key_t = and_(t.c.build_hash == build_hash, t.c.submission_sha == submission_sha)
    row = {
        "build_hash": build_hash,
        "submission_sha": submission_sha,
        "sheet_id": sheet_id,
        "status": result.status,
        "points": result.points,
        "max_points": result.max_points,
        "message": clean_text(result.message),
        "layers": json.dumps(result.layers, sort_keys=True),
        "stdout": clean_text(result.stdout),
        "flags": json.dumps(result.flags),
        "duration": round(result.duration, 4),
        "graded_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
    tests = [
        {
            "build_hash": build_hash,
            "submission_sha": submission_sha,
            "test_id": o.test.id,
            "task_id": o.test.task,
            "points": o.points,
            "max_points": o.test.points,
            "passed": o.passed,
            "message": clean_text(o.message),
            "kind": o.test.kind,
            "level": o.test.level,
            "hidden": o.test.hidden,
            "duration": round(o.duration, 5),
        }
        for o in result.tests
    ]
    with _WRITE_LOCK, store.transaction(engine) as conn:
        conn.execute(delete(t).where(key_t))
        conn.execute(delete(r).where(key_r))
        conn.execute(insert(r).values(row))
        if tests:
            conn.execute(insert(t), tests)


@dataclass(frozen=True)
class StoredResult:
    """One row of ``results`` (for summaries and other readers)."""

    submission_sha: str
    status: str
    points: float
    max_points: float
    message: str
    flags: list[str]
    graded_at: str


def stored_results(engine: Engine, build_hash: str) -> dict[str, StoredResult]:
    """Every stored result of a build, by submission hash."""
    r = store.results
    with engine.connect() as conn:
        rows = conn.execute(select(r).where(r.c.build_hash == build_hash)).all()
    return {
        row.submission_sha: StoredResult(
            submission_sha=row.submission_sha,
            status=row.status,
            points=row.points,
            max_points=row.max_points,
            message=row.message,
            flags=json.loads(row.flags),
            graded_at=row.graded_at,
        )
        for row in rows
    }

"""Storing what ``sheetgrade grade`` found: one result per submission, each in
its own transaction, the tutor-only detail in ``logs/grade-<sheet>.log``; and
choosing the submissions of ``--only``."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.graders.errors import GradingError

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.graders.batch import GradeRun
    from sheetgrade.graders.submission import SubmissionResult
    from sheetgrade.sheets.model import AutograderBundle
    from sheetgrade.submissions.records import SubmissionRecord


@dataclass
class GradedSubmission:
    """One line of the run's summary."""

    owner: str
    sha256: str
    status: str
    points: float
    max_points: float
    message: str
    flags: list[str]
    duration: float

    @property
    def failed(self) -> bool:
        from sheetgrade.graders.submission import ERROR_STATUSES

        return self.status in ERROR_STATUSES


def records_to_grade(
    course: Course,
    bundle: AutograderBundle,
    records: list[SubmissionRecord],
    run: GradeRun,
    force: bool,
) -> list[SubmissionRecord]:
    """The records to grade now: not graded by this build yet, one of each identical set."""
    from sheetgrade.graders.results import graded_shas

    done_before = set() if force else graded_shas(course.engine, bundle.build_hash)
    todo: list[SubmissionRecord] = []
    seen: set[str] = set()
    for record in records:
        if record.sha256 in done_before:
            run.already_graded += 1
        elif record.sha256 in seen:
            run.identical += 1
        else:
            seen.add(record.sha256)
            todo.append(record)
    return todo


_LOG_LOCK = threading.Lock()


def store_result(
    course: Course,
    bundle: AutograderBundle,
    record: SubmissionRecord,
    result: SubmissionResult,
    run: GradeRun | None = None,
) -> GradedSubmission:
    """Commit one result (its own transaction) and return its summary line.

    A result the database refuses as it is is stored without its texts, so
    the run goes on; the tutor-only detail goes to the tutor's log.
    """
    from sheetgrade.graders.results import save_result

    def save() -> None:
        save_result(
            course.engine,
            build_hash=bundle.build_hash,
            sheet_id=bundle.sheet_id,
            submission_sha=record.sha256,
            result=result,
        )

    try:
        save()
    except Exception as exc:  # noqa: BLE001 - e.g. text the database refuses
        result.detail = f"{result.detail} | storing the result failed: {type(exc).__name__}"
        result.message, result.stdout = "grading this submission failed", ""
        result.status, result.points = "crashed", 0.0
        for outcome in result.tests:
            outcome.message = "not stored"
            outcome.passed, outcome.points = False, 0.0
        save()
    if result.detail:
        with _LOG_LOCK:
            path = _log(course, bundle.sheet_id, record, result)
            if run is not None:
                run.log_path = path
    return GradedSubmission(
        owner=record.owner,
        sha256=record.sha256,
        status=result.status,
        points=result.points,
        max_points=result.max_points,
        message=result.message,
        flags=result.flags,
        duration=result.duration,
    )


def _log(course: Course, sheet_id: str, record: SubmissionRecord, result: SubmissionResult) -> Path:
    """Append the tutor-only detail of one result to ``logs/grade-<sheet>.log``."""
    from datetime import UTC, datetime

    path = course.root / "logs" / f"grade-{sheet_id}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    line = f"{when} {record.owner} {record.sha256[:12]} {result.status}: {result.detail}"
    with open(path, "a", encoding="utf-8", errors="backslashreplace") as f:
        f.write(line.replace("\n", " ") + "\n")
    return path


def select_owners(
    course: Course, records: list[SubmissionRecord], only: list[str]
) -> list[SubmissionRecord]:
    if not only:
        return records
    from sqlalchemy import select

    from sheetgrade.course import store

    wanted = set(only)
    m = store.team_members
    with course.engine.connect() as conn:
        rows = conn.execute(
            select(m.c.team_id, m.c.student_id).where(m.c.student_id.in_(wanted))
        ).all()
    wanted |= {row.team_id for row in rows}
    chosen = [r for r in records if r.owner in wanted]
    known = {r.owner for r in records} | {row.student_id for row in rows}
    missing = sorted(set(only) - known)
    if missing:
        from sheetgrade.course.suggest import did_you_mean

        raise GradingError(
            f"no submission for {', '.join(missing)} on sheet {records[0].sheet_id if records else ''}"
            f"{did_you_mean(missing[0], sorted({r.owner for r in records}))}"
        )
    return chosen

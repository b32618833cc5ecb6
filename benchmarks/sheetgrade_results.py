"""Reading sheetgrade's per-task scores of a graded sheet back from its store."""

from __future__ import annotations

from pathlib import Path

from bench_sheet import TASKS
from sqlalchemy import and_, select


def task_scores(
    course_dir: Path, sheet_id: str, tasks: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """Points per task of each owner's counting submission under the current build.

    A submission graded with an error (no test results) scores 0 on every task.
    ``tasks`` defaults to the benchmark sheet's.
    """
    from sheetgrade.course import store
    from sheetgrade.course.course import Course
    from sheetgrade.graders.results import recorded_build_hash
    from sheetgrade.submissions.records import counting_submissions

    course = Course.open(course_dir)
    build = recorded_build_hash(course.engine, sheet_id)
    t = store.test_results
    scores: dict[str, dict[str, float]] = {}
    with course.engine.connect() as conn:
        for record in counting_submissions(course, sheet_id):
            per_task = {task: 0.0 for task in (tasks or [t.id for t in TASKS])}
            rows = conn.execute(
                select(t.c.task_id, t.c.points).where(
                    and_(t.c.build_hash == build, t.c.submission_sha == record.sha256)
                )
            )
            for task_id, points in rows:
                per_task[task_id] = per_task.get(task_id, 0.0) + float(points)
            scores[record.owner] = per_task
    return scores

"""Grading every counting submission of a sheet: ``sheetgrade grade``.

One warm worker per run; one grader thread per submission in flight
(``jobs`` of them), each driving its own confined child; one reference child
shared by all threads (answers cached). Each result is committed as soon as
it is known (:mod:`sheetgrade.graders.results`), so the run is resumable and
idempotent. One bad submission never stops the batch.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.graders.errors import BuildMissing, GradingError
from sheetgrade.graders.harness import ProcessReference
from sheetgrade.graders.results import graded_shas, recorded_build_hash, save_result
from sheetgrade.graders.session import ProcessLimits, StudentProcess
from sheetgrade.graders.submission import ERROR_STATUSES, SubmissionResult, grade_notebook
from sheetgrade.graders.worker import WarmWorker
from sheetgrade.sheets.model import BUNDLE_FILE, AutograderBundle

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
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
        return self.status in ERROR_STATUSES


@dataclass
class GradeRun:
    """What ``grade_sheet`` did."""

    sheet_id: str
    build_hash: str
    graded: list[GradedSubmission] = field(default_factory=list)
    already_graded: int = 0  # skipped: a result for this build exists
    total: int = 0  # counting submissions considered

    @property
    def failed(self) -> list[GradedSubmission]:
        return [g for g in self.graded if g.failed]


ProgressCallback = Callable[[int, int, GradedSubmission], None]  # (done, to do, latest)


def bundle_dir(course: Course, sheet_id: str) -> Path:
    """``build/<sheet>/autograder`` of a sheet."""
    return course.build_dir / sheet_id / "autograder"


def load_bundle(course: Course, sheet_id: str) -> AutograderBundle:
    """The sheet's autograder bundle.

    Raises:
        BuildMissing: no build yet, with the command that makes one.
        GradingError: the bundle is unreadable.
    """
    folder = bundle_dir(course, sheet_id)
    if not (folder / BUNDLE_FILE).is_file():
        number = sheet_id.split("-", 1)[0]
        raise BuildMissing(
            f"sheet {sheet_id} has no autograder build ({folder / BUNDLE_FILE} is missing); "
            f"run `sheetgrade sheet build {number}`"
        )
    try:
        return AutograderBundle.load(folder)
    except (ValueError, TypeError, KeyError) as exc:
        raise GradingError(
            f"{folder / BUNDLE_FILE} is unreadable ({exc}); rebuild with "
            f"`sheetgrade sheet build {sheet_id.split('-', 1)[0]}`"
        ) from None


def process_limits(course: Course, *, timeout: float | None = None, memory: int | None = None) -> ProcessLimits:
    """The course's grading limits, with command-line overrides."""
    grading = course.config.grading
    return ProcessLimits(
        timeout=timeout if timeout is not None else grading.timeout.total_seconds(),
        memory=memory if memory is not None else grading.memory,
        output=grading.output,
    )


def default_jobs(course: Course) -> int:
    """``grading.workers`` from course.yml, or the number of cores."""
    return course.config.grading.workers or os.cpu_count() or 1


def grade_sheet(
    course: Course,
    sheet: str,
    *,
    only: Iterable[str] = (),
    jobs: int | None = None,
    force: bool = False,
    timeout: float | None = None,
    memory: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> GradeRun:
    """Grade the counting submissions of ``sheet`` not yet graded under its current build.

    Args:
        course: the open course.
        sheet: sheet id or number.
        only: student or team ids; grade only their submissions.
        jobs: submissions graded at once (default: ``grading.workers`` or the cores).
        force: grade again even when a result for this build exists.
        timeout: wall seconds per submission (default: ``grading.timeout``).
        memory: address-space limit in bytes (default: ``grading.memory``).
        on_start: called once with the number of submissions to grade.
        on_progress: called after each submission (from grader threads, serialised).

    Raises:
        BuildMissing, GradingError: the sheet cannot be graded at all.
    """
    sheet_id = course.resolve_sheet_id(sheet)
    bundle = load_bundle(course, sheet_id)
    recorded = recorded_build_hash(course.engine, sheet_id)
    if recorded and recorded != bundle.build_hash:
        raise GradingError(
            f"build/{sheet_id} (build {bundle.build_hash[:12]}) is not the sheet's current build "
            f"({recorded[:12]}); run `sheetgrade sheet build {sheet_id.split('-', 1)[0]}`"
        )
    from sheetgrade.submissions.records import counting_submissions

    records = _select(course, counting_submissions(course, sheet_id), list(only))
    run = GradeRun(sheet_id=sheet_id, build_hash=bundle.build_hash, total=len(records))
    done_before = set() if force else graded_shas(course.engine, bundle.build_hash)
    todo: list[SubmissionRecord] = []
    seen: set[str] = set()
    for record in records:
        if record.sha256 in done_before or record.sha256 in seen:
            run.already_graded += 1
            continue
        seen.add(record.sha256)
        todo.append(record)
    if on_start:
        on_start(len(todo))
    if not todo:
        return run
    limits = process_limits(course, timeout=timeout, memory=memory)
    jobs = max(1, jobs or default_jobs(course))
    assert bundle.path is not None
    data_files = [bundle.path / d for d in bundle.data]
    workroot = Path(tempfile.mkdtemp(prefix=f"sheetgrade-{sheet_id}-"))
    lock = threading.Lock()
    try:
        with WarmWorker() as worker:
            reference = _start_reference(worker, bundle, limits, workroot / "reference", data_files)
            try:
                def one(index: int, record: SubmissionRecord) -> GradedSubmission:
                    result = _grade_record(record, bundle, worker, reference, limits,
                                           workroot / f"s{index}", data_files)
                    save_result(course.engine, build_hash=bundle.build_hash, sheet_id=sheet_id,
                                submission_sha=record.sha256, result=result)
                    return GradedSubmission(
                        owner=record.owner, sha256=record.sha256, status=result.status,
                        points=result.points, max_points=result.max_points, message=result.message,
                        flags=result.flags, duration=result.duration,
                    )

                with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade") as pool:
                    futures = [pool.submit(one, i, r) for i, r in enumerate(todo)]
                    for future in as_completed(futures):
                        graded = future.result()
                        with lock:
                            run.graded.append(graded)
                            if on_progress:
                                on_progress(len(run.graded), len(todo), graded)
            finally:
                reference.process.close()
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    run.graded.sort(key=lambda g: g.owner)
    return run


def _grade_record(record: SubmissionRecord, bundle: AutograderBundle, worker: WarmWorker,
                  reference: ProcessReference, limits: ProcessLimits, workdir: Path,
                  data_files: list[Path]) -> SubmissionResult:
    notebook = record.notebook
    if notebook is None and bundle.student_notebook:
        candidate = record.path / bundle.student_notebook
        notebook = candidate if candidate.exists() else None
    if notebook is None:
        notebooks = sorted(record.path.glob("*.ipynb"))
        notebook = notebooks[0] if len(notebooks) == 1 else None
    if notebook is None:
        return SubmissionResult(status="invalid", points=0.0,
                                max_points=sum(t.points for t in bundle.tests),
                                message="the submission holds no notebook to grade")
    try:
        return grade_notebook(notebook, bundle.tests, worker=worker, reference=reference,
                              limits=limits, workdir=workdir, data_files=data_files)
    except GradingError as exc:  # the worker failed, not the submission
        return SubmissionResult(status="crashed", points=0.0,
                                max_points=sum(t.points for t in bundle.tests),
                                message=f"grading failed: {exc}")


def start_reference(worker: WarmWorker, reference_notebook: Path, limits: ProcessLimits,
                    workdir: Path, data_files: list[Path]) -> ProcessReference:
    """Start a child running the reference notebook; raise GradingError if it cannot run."""
    from sheetgrade.graders.notebook import InvalidNotebook, read_code_cells

    try:
        cells = read_code_cells(reference_notebook)
    except InvalidNotebook as exc:
        raise GradingError(f"the reference notebook is unreadable: {exc}") from None
    process = StudentProcess(worker, workdir, limits, notebook=reference_notebook, data_files=data_files)
    reference = ProcessReference(process, limits.timeout)
    try:
        report = process.run_cells([(c.index, c.source) for c in cells])
    except GradingError as exc:
        process.close()
        raise GradingError(f"the reference notebook did not run: {exc}") from None
    reference.report = report
    return reference


def _start_reference(worker: WarmWorker, bundle: AutograderBundle, limits: ProcessLimits,
                     workdir: Path, data_files: list[Path]) -> ProcessReference:
    assert bundle.path is not None
    return start_reference(worker, bundle.path / bundle.reference_notebook, limits, workdir, data_files)


def _select(course: Course, records: list[SubmissionRecord], only: list[str]) -> list[SubmissionRecord]:
    if not only:
        return records
    from sqlalchemy import select

    from sheetgrade.course import store

    wanted = set(only)
    m = store.team_members
    with course.engine.connect() as conn:
        rows = conn.execute(select(m.c.team_id, m.c.student_id).where(m.c.student_id.in_(wanted))).all()
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

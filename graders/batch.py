"""Grading every counting submission of a sheet: ``sheetgrade grade``.

One warm worker per run; one grader thread per submission in flight
(``jobs`` of them), each driving its own confined child; one reference child
shared by all threads (answers cached). Each result is committed as soon as
it is known (:mod:`sheetgrade.graders.results`), so the run is resumable and
idempotent. One bad submission never stops the batch.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.graders.batch_store import (
    GradedSubmission as GradedSubmission,
)
from sheetgrade.graders.batch_store import (
    records_to_grade,
    select_owners,
    store_result,
)
from sheetgrade.graders.errors import BundleMissing, GradingError
from sheetgrade.graders.preload import bundle_modules
from sheetgrade.graders.sandbox.backend import Backend, open_backend
from sheetgrade.graders.sandbox.leftovers import (
    remove_stale_workroots,
    remove_tree,
    workroot_prefix,
)
from sheetgrade.graders.sandbox.session import ProcessLimits
from sheetgrade.graders.single import LazyReference, find_notebooks, grade_record
from sheetgrade.sheets.model import BUNDLE_FILE, AutograderBundle

# The judging and the store (numpy, SQLAlchemy) are imported inside the
# functions, after the warm worker has started: its imports then overlap with
# ours, which is most of the start-up of a small ``grade``.
if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.graders.submission import SubmissionResult
    from sheetgrade.submissions.records import SubmissionRecord


@dataclass
class GradeRun:
    """What ``grade_sheet`` did."""

    sheet_id: str
    build_hash: str
    graded: list[GradedSubmission] = field(default_factory=list)
    already_graded: int = 0  # skipped: a result for this build exists
    identical: int = 0  # skipped: the same files as one graded in this run (its result counts)
    total: int = 0  # counting submissions considered
    warnings: list[str] = field(default_factory=list)  # e.g. the reference notebook raised
    regraded_alone: int = 0  # timeouts graded again with nothing else running
    log_path: Path | None = None  # the tutor's log, if anything was written to it

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
        BundleMissing: no build yet, with the command that makes one.
        GradingError: the bundle is unreadable.
    """
    folder = bundle_dir(course, sheet_id)
    if not (folder / BUNDLE_FILE).is_file():
        number = sheet_id.split("-", 1)[0]
        raise BundleMissing(
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


def process_limits(
    course: Course, *, timeout: float | None = None, memory: int | None = None
) -> ProcessLimits:
    """The course's grading limits, with command-line overrides."""
    grading = course.config.grading
    return ProcessLimits(
        timeout=timeout if timeout is not None else grading.timeout.total_seconds(),
        memory=memory if memory is not None else grading.memory,
        output=grading.output,
        hidden=hidden_paths(course),
    )


def hidden_paths(course: Course) -> tuple[str, ...]:
    """What a student process must never read: the course folder and its build.

    A Python installation inside the course folder (a ``.venv`` there) must
    stay readable, so then every other entry of the course folder is hidden.
    """
    root = Path(os.path.realpath(course.root))
    build = Path(os.path.realpath(course.build_dir))
    prefixes = {Path(os.path.realpath(p)) for p in (sys.prefix, sys.base_prefix)}
    inside = [p for p in prefixes if p != root and root in p.parents]
    if not inside:
        return (str(root), str(build))
    try:
        entries = [e for e in root.iterdir() if not any(e == p or e in p.parents for p in inside)]
    except OSError:
        entries = []
    return (*(str(e) for e in entries), str(build))


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
    executor: str | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
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
        executor: ``local`` (threads on this machine) or ``dask`` (a Dask cluster); default
            ``grading.executor``. Results are stored by this process as they arrive either way.
        scheduler: with ``dask``: a running scheduler's address (default ``grading.scheduler``).
        cluster: with ``dask`` and no scheduler: ``local[:N]`` or ``slurm`` (default
            ``grading.cluster``, else ``local`` with ``jobs`` worker processes).

    Raises:
        BundleMissing, GradingError: the sheet cannot be graded at all.
        SheetBusy: another ``grade`` or ``collect`` of the sheet is running (on any
            machine, when the gradebook is on PostgreSQL).
    """
    sheet_id = course.resolve_sheet_id(sheet)
    bundle = load_bundle(course, sheet_id)
    assert bundle.path is not None
    # Started first: it imports what the sheet's notebook imports while we
    # import the judging and read the database. (On Dask, each worker has its own.)
    on_dask = (executor or course.config.grading.executor) == "dask"
    worker = None if on_dask else open_backend(preload=bundle_modules(bundle))
    try:
        from sheetgrade.course.locks import sheet_lock
        from sheetgrade.graders.results import recorded_build_hash

        recorded = recorded_build_hash(course.engine, sheet_id)
        if recorded and recorded != bundle.build_hash:
            raise GradingError(
                f"build/{sheet_id} (build {bundle.build_hash[:12]}) is not the sheet's current "
                f"build ({recorded[:12]}); run `sheetgrade sheet build {sheet_id.split('-', 1)[0]}`"
            )
        with sheet_lock(course, sheet_id, "grade"):
            return _grade_locked(
                course,
                sheet_id,
                bundle,
                worker,
                only=only,
                jobs=jobs,
                force=force,
                timeout=timeout,
                memory=memory,
                on_start=on_start,
                on_progress=on_progress,
                on_dask=on_dask,
                scheduler=scheduler,
                cluster=cluster,
            )
    finally:
        if worker is not None:
            worker.close()


def _grade_locked(
    course: Course,
    sheet_id: str,
    bundle: AutograderBundle,
    worker: Backend | None,
    *,
    only: Iterable[str],
    jobs: int | None,
    force: bool,
    timeout: float | None,
    memory: int | None,
    on_start: Callable[[int], None] | None,
    on_progress: ProgressCallback | None,
    on_dask: bool,
    scheduler: str | None,
    cluster: str | None,
) -> GradeRun:
    from sheetgrade.submissions.records import counting_submissions

    records = select_owners(course, counting_submissions(course, sheet_id), list(only))
    run = GradeRun(sheet_id=sheet_id, build_hash=bundle.build_hash, total=len(records))
    todo = records_to_grade(course, bundle, records, run, force)
    if on_start:
        on_start(len(todo))
    if not todo:
        return run
    limits = process_limits(course, timeout=timeout, memory=memory)
    jobs = max(1, jobs or default_jobs(course))
    lock = threading.Lock()

    def report(graded: GradedSubmission | None) -> None:
        if graded is None:
            return
        with lock:
            run.graded.append(graded)
            if on_progress:
                on_progress(len(run.graded), len(todo), graded)

    if on_dask:
        _grade_on_dask(course, bundle, todo, limits, jobs, run, report, scheduler, cluster)
    else:
        assert worker is not None
        _grade_here(course, bundle, todo, worker, limits, jobs, run, report)
    run.graded.sort(key=lambda g: g.owner)
    return run


def _grade_on_dask(
    course: Course,
    bundle: AutograderBundle,
    todo: list[SubmissionRecord],
    limits: ProcessLimits,
    jobs: int,
    run: GradeRun,
    report: Callable[[GradedSubmission | None], None],
    scheduler: str | None,
    cluster: str | None,
) -> None:
    from sheetgrade.graders.dask_executor import DaskTarget, grade_on_dask

    grading = course.config.grading
    target = DaskTarget.choose(
        scheduler=scheduler or grading.scheduler,
        cluster=cluster or grading.cluster,
        workers=jobs,
        slurm=grading.slurm,
    )

    def store_one(record: SubmissionRecord, result: SubmissionResult) -> None:
        report(store_result(course, bundle, record, result, run))

    jobs_todo = [(record, find_notebooks(record, bundle)) for record in todo]
    run.warnings += grade_on_dask(target, bundle, jobs_todo, limits, store_one)


def _grade_here(
    course: Course,
    bundle: AutograderBundle,
    todo: list[SubmissionRecord],
    worker: Backend,
    limits: ProcessLimits,
    jobs: int,
    run: GradeRun,
    report: Callable[[GradedSubmission | None], None],
) -> None:
    """Grade ``todo`` with threads on this machine, each driving confined children."""
    assert bundle.path is not None  # load_bundle reads it from its folder
    data_files = bundle.data_sources()
    remove_stale_workroots()  # left by an earlier run whose grader was killed
    workroot = Path(tempfile.mkdtemp(prefix=workroot_prefix(bundle.sheet_id)))
    lock = threading.Lock()
    stop = threading.Event()  # set on Ctrl-C: nothing more is graded or stored
    retry: list[tuple[int, SubmissionRecord]] = []  # timed out beside others
    references = {
        part.name: LazyReference(
            worker, bundle.path / part.reference, limits, workroot / f"reference{i}", data_files
        )
        for i, part in enumerate(bundle.notebook_parts())
    }
    try:
        if any(t.kind == "native" and "reference." in t.code for t in bundle.tests):
            for reference in references.values():
                reference.prestart()  # needed by the first check anyway

        def one(
            index: int, record: SubmissionRecord, alone: bool = False
        ) -> GradedSubmission | None:
            if stop.is_set():
                return None
            result = grade_record(
                record, bundle, worker, references, limits, workroot / f"s{index}", data_files
            )
            if stop.is_set():
                return None  # cut short by the interrupt: not a result
            if result.status == "timeout" and jobs > 1 and len(todo) > 1 and not alone:
                # Wall time is shared with the neighbours: not final until graded alone.
                with lock:
                    retry.append((index, record))
                return None
            return store_result(course, bundle, record, result, run)

        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade")
        try:
            futures = [pool.submit(one, i, r) for i, r in enumerate(todo)]
            for future in as_completed(futures):
                report(future.result())
            for index, record in sorted(retry, key=lambda item: item[0]):
                run.regraded_alone += 1
                report(one(index, record, alone=True))
        except BaseException:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            worker.close()  # kills the children still running
            raise
        finally:
            pool.shutdown(wait=True)
            for reference in references.values():
                reference.close()
        for reference in references.values():
            run.warnings += reference.warnings
    finally:
        remove_tree(workroot)

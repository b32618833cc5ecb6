"""One submission of a batch: its notebook, graded against the reference.

Shared by the local run (:mod:`.batch`) and the Dask workers
(:mod:`.dask_executor`): :func:`grade_record` and :func:`grade_one` never raise
for a worker failure (it becomes a ``crashed`` result); the reference child is
started by :func:`start_reference`, or on first use by :class:`LazyReference`.
The judging is imported inside the functions (see :mod:`.batch` on start-up).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.graders.errors import GradingError
from sheetgrade.graders.readonly import changed_readonly_cells
from sheetgrade.graders.sandbox.session import ProcessLimits, StudentProcess

if TYPE_CHECKING:
    from sheetgrade.graders.harness import ProcessReference, Reference
    from sheetgrade.graders.sandbox.backend import Backend
    from sheetgrade.graders.submission import SubmissionResult
    from sheetgrade.sheets.model import AutograderBundle, NotebookPart
    from sheetgrade.submissions.records import SubmissionRecord


def find_notebook(record: SubmissionRecord, bundle: AutograderBundle) -> Path | None:
    """The notebook of a submission that gets graded (None: it holds none)."""
    notebook = record.notebook
    if notebook is None and bundle.student_notebook:
        candidate = record.path / bundle.student_notebook
        notebook = candidate if candidate.exists() else None
    if notebook is None:
        notebooks = sorted(record.path.glob("*.ipynb"))
        notebook = notebooks[0] if len(notebooks) == 1 else None
    return notebook


def find_part(folder: Path, name: str) -> Path | None:
    """One graded notebook of a stored version: ``<folder>/<name>``, else the
    shallowest file anywhere in the folder with that name in any case."""
    exact = folder / name
    if exact.is_file():
        return exact
    wanted = name.lower()
    found = [
        p
        for p in folder.rglob("*")
        if p.name.lower() == wanted and p.is_file() and ".ipynb_checkpoints" not in p.parts
    ]
    found.sort(key=lambda p: (len(p.relative_to(folder).parts), p.as_posix()))
    return found[0] if found else None


def find_notebooks(record: SubmissionRecord, bundle: AutograderBundle) -> dict[str, Path | None]:
    """Each graded notebook of the sheet -> where the submission holds it (None: not handed in)."""
    if not bundle.parts:
        return {bundle.student_notebook: find_notebook(record, bundle)}
    return {part.name: find_part(record.path, part.name) for part in bundle.parts}


def no_notebook(bundle: AutograderBundle) -> SubmissionResult:
    """The result of a submission without a notebook."""
    from sheetgrade.graders.submission import SubmissionResult

    names = [part.name for part in bundle.parts]
    return SubmissionResult(
        status="invalid",
        points=0.0,
        max_points=sum(t.points for t in bundle.tests),
        message=f"the submission holds none of the sheet's notebooks ({', '.join(names)})"
        if names
        else "the submission holds no notebook to grade",
    )


def grade_record(
    record: SubmissionRecord,
    bundle: AutograderBundle,
    worker: Backend,
    references: Mapping[str, Reference],
    limits: ProcessLimits,
    workdir: Path,
    data_files: Mapping[str, Path],
) -> SubmissionResult:
    """Grade the notebooks of one submission record (``invalid`` when it holds none).

    ``references`` maps each graded notebook's name to its reference. A sheet
    of several notebooks runs each handed-in notebook in its own child with its
    own tests; a notebook not handed in scores 0 for its tests.
    """
    found = find_notebooks(record, bundle)
    return grade_found(found, bundle, worker, references, limits, workdir, data_files)


def grade_found(
    found: Mapping[str, Path | None],
    bundle: AutograderBundle,
    worker: Backend,
    references: Mapping[str, Reference],
    limits: ProcessLimits,
    workdir: Path,
    data_files: Mapping[str, Path],
) -> SubmissionResult:
    """Grade the notebooks ``found`` for a submission (see :func:`find_notebooks`)."""
    if not any(found.values()):
        return no_notebook(bundle)
    if not bundle.parts:
        notebook = found[bundle.student_notebook]
        assert notebook is not None
        reference = references[bundle.student_notebook]
        return grade_one(notebook, bundle, worker, reference, limits, workdir, data_files)
    from sheetgrade.graders.parts_result import combine, not_handed_in

    results = []
    for index, part in enumerate(bundle.parts):
        path = found[part.name]
        if path is None:
            results.append((part.name, not_handed_in(part.name, bundle.tests_in(part))))
            continue
        work = workdir.with_name(f"{workdir.name}-{index}")
        result = grade_one(
            path, bundle, worker, references[part.name], limits, work, data_files, part=part
        )
        results.append((part.name, result))
    return combine(results, bundle.tests)


def grade_one(
    notebook: Path,
    bundle: AutograderBundle,
    worker: Backend,
    reference: Reference,
    limits: ProcessLimits,
    workdir: Path,
    data_files: Mapping[str, Path],
    *,
    part: NotebookPart | None = None,
) -> SubmissionResult:
    """Grade one notebook (of a sheet of several: ``part``, with its own tests) with a
    warm worker and reference; a worker failure is a ``crashed`` result, never an exception."""
    from sheetgrade.graders.submission import SubmissionResult, grade_notebook

    tests = bundle.tests_in(part) if part is not None else bundle.tests
    locked = part.locked_cells if part is not None else bundle.locked_cells
    try:
        if part is not None and not tests:  # nothing to run: pen-and-paper answers only
            result = SubmissionResult(status="graded", points=0.0, max_points=0.0)
        else:
            result = grade_notebook(
                notebook,
                tests,
                worker=worker,
                reference=reference,
                limits=limits,
                workdir=workdir,
                data_files=data_files,
            )
        result.flags += changed_readonly_cells(notebook, locked)
        return result
    except GradingError as exc:  # the worker failed, not the submission
        return SubmissionResult(
            status="crashed",
            points=0.0,
            max_points=sum(t.points for t in tests),
            message=f"grading failed: {exc}",
        )
    except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
        return SubmissionResult(
            status="crashed",
            points=0.0,
            max_points=sum(t.points for t in tests),
            message="grading this submission failed",
            detail=f"{type(exc).__name__}: {exc}",
        )


def start_reference(
    worker: Backend,
    reference_notebook: Path,
    limits: ProcessLimits,
    workdir: Path,
    data_files: Mapping[str, Path],
) -> ProcessReference:
    """Start a child running the reference notebook; raise GradingError if it cannot run."""
    from sheetgrade.graders.harness import ProcessReference
    from sheetgrade.graders.notebook import InvalidNotebook, read_code_cells

    try:
        cells = read_code_cells(reference_notebook)
    except InvalidNotebook as exc:
        raise GradingError(f"the reference notebook is unreadable: {exc}") from None
    process = StudentProcess(
        worker, workdir, limits, notebook=reference_notebook, data_files=data_files
    )
    reference = ProcessReference(process, limits.timeout)
    try:
        report = process.run_cells([(c.index, c.original) for c in cells])
    except GradingError as exc:
        process.close()
        raise GradingError(f"the reference notebook did not run: {exc}") from None
    reference.report = report
    return reference


class LazyReference:
    """The reference child, started on the first ``reference.*`` request (sheets
    whose tests never ask the reference never start it). Thread-safe."""

    def __init__(
        self,
        worker: Backend,
        notebook: Path,
        limits: ProcessLimits,
        workdir: Path,
        data_files: Mapping[str, Path],
    ) -> None:
        self._args = (worker, notebook, limits, workdir, data_files)
        self._lock = threading.Lock()
        self._reference: ProcessReference | None = None
        self._error: str | None = None
        self.warnings: list[str] = []

    def _get(self) -> ProcessReference:
        with self._lock:
            if self._reference is None and self._error is None:
                try:
                    self._reference = start_reference(*self._args)
                except GradingError as exc:
                    self._error = str(exc)
                    self.warnings.append(self._error)
                else:
                    errors = self._reference.report.errors if self._reference.report else []
                    if errors:
                        self.warnings.append(
                            f"the reference notebook raised in cell {int(errors[0].get('cell', 0)) + 1}: "
                            f"{errors[0].get('type')}: {errors[0].get('message')}"
                        )
            if self._reference is None:
                from sheetgrade.graders.harness import ReferenceUnavailable

                raise ReferenceUnavailable(f"the reference solution is unavailable: {self._error}")
            return self._reference

    def prestart(self) -> None:
        """Start the reference child now, in the background, so that it runs
        its cells while the first student's cells run; failures are kept for
        the first request, as when started lazily."""

        def start() -> None:
            try:
                self._get()
            except Exception:  # noqa: BLE001 - recorded in _error, raised on first use
                pass

        threading.Thread(target=start, name="reference-start", daemon=True).start()

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._get().call(name, args, kwargs)

    def value(self, name: str) -> Any:
        return self._get().value(name)

    def close(self) -> None:
        with self._lock:
            if self._reference is not None:
                self._reference.process.close()

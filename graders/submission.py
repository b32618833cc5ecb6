"""Grading one notebook: the unit the batch, the security tests and the
benchmarks all call (:func:`grade_notebook`). It touches no database.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetgrade.graders.errors import ProtocolError, StudentProcessDied
from sheetgrade.graders.harness import ChildTarget, Reference, TestOutcome, run_test
from sheetgrade.graders.notebook import Cell, InvalidNotebook, read_code_cells
from sheetgrade.graders.sandbox.backend import Backend
from sheetgrade.graders.sandbox.session import (
    DiskLimitExceeded,
    ProcessLimits,
    RunReport,
    StudentProcess,
    SubmissionTimeout,
)
from sheetgrade.graders.tamper import scan_cells
from sheetgrade.sheets.model import TestCase

STATUSES = ("graded", "timeout", "memory", "crashed", "invalid")
#: statuses that count as an error in a batch
ERROR_STATUSES = frozenset({"timeout", "memory", "crashed", "invalid"})


@dataclass
class SubmissionResult:
    """The outcome of grading one submission."""

    status: str  # one of STATUSES
    points: float
    max_points: float
    message: str = ""
    layers: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    flags: list[str] = field(default_factory=list)
    duration: float = 0.0
    tests: list[TestOutcome] = field(default_factory=list)
    cell_errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status not in ERROR_STATUSES


def grade_notebook(
    notebook: Path,
    tests: list[TestCase],
    *,
    worker: Backend,
    reference: Reference,
    limits: ProcessLimits,
    workdir: Path,
    data_files: Mapping[str, Path] | None = None,
    keep_workdir: bool = False,
) -> SubmissionResult:
    """Run ``notebook`` in a confined child and run ``tests`` against it.

    Args:
        notebook: the submitted notebook.
        tests: the tests to run, in order.
        worker: the backend that starts the child (see ``sandbox.backend``).
        reference: where ``reference.*`` answers come from.
        limits: wall time, memory and output limits.
        workdir: an empty directory for the scratch dir and the output file;
            removed afterwards unless ``keep_workdir``.
        data_files: public data files copied into the scratch dir, by their
            path relative to the notebook (``{"data/iris.csv": source}``).
        keep_workdir: keep ``workdir`` (for debugging and attack tests).

    Returns:
        The result; never raises for anything the submission does.
    """
    start = time.monotonic()
    max_points = sum(t.points for t in tests)
    try:
        cells = read_code_cells(notebook)
    except InvalidNotebook as exc:
        return SubmissionResult(
            status="invalid",
            points=0.0,
            max_points=max_points,
            message=str(exc),
            tests=_not_run(tests, "not run: the notebook could not be read"),
            duration=time.monotonic() - start,
        )
    flags = [f"review: {finding}" for finding in scan_cells(cells)] if _has_compat(tests) else []
    try:
        process = StudentProcess(worker, workdir, limits, notebook=notebook, data_files=data_files)
    except OSError as exc:
        return SubmissionResult(
            status="crashed",
            points=0.0,
            max_points=max_points,
            message=f"could not prepare the submission: {exc}",
            tests=_not_run(tests, "not run"),
            duration=time.monotonic() - start,
        )
    try:
        result = _run(process, cells, tests, reference, max_points, flags)
    finally:
        process.close()
        result_stdout = process.output()
        if not keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    result.stdout = result_stdout
    result.duration = time.monotonic() - start
    return result


def _has_compat(tests: list[TestCase]) -> bool:
    return any(t.kind != "native" for t in tests)


def _run(
    process: StudentProcess,
    cells: list[Cell],
    tests: list[TestCase],
    reference: Reference,
    max_points: float,
    flags: list[str],
) -> SubmissionResult:
    outcomes: list[TestOutcome] = []
    report = RunReport(layers=process.host_layers)  # the backend, even if the run fails
    status, message = "graded", ""
    try:
        report = process.run_cells([(c.index, c.source) for c in cells])
        target = ChildTarget(process)
        for test in tests:
            outcomes.append(run_test(test, target, reference))
        changes = process.finish()
        report.tampered = sorted(set(report.tampered) | set(changes))
    except SubmissionTimeout as exc:
        status, message = "timeout", str(exc)
    except DiskLimitExceeded as exc:
        status, message = "crashed", str(exc)
    except StudentProcessDied as exc:
        status, message = ("memory" if report.memory_error else "crashed"), str(exc)
        if process.exit_code is not None and process.exit_code == -24:  # SIGXCPU
            status, message = "timeout", "used more CPU time than allowed"
    except ProtocolError as exc:
        status, message = "crashed", f"the student process sent a malformed answer: {exc}"
    if status == "graded" and report.memory_error:
        status, message = "memory", "a cell ran out of memory (limit reached)"
    done = {o.test.id for o in outcomes}
    outcomes += _not_run([t for t in tests if t.id not in done], f"not run: {status}")
    if _has_compat(tests):
        flags += [f"review: changed during the run: {name}" for name in report.tampered]
    flags += [f"not run: {line}" for line in report.skipped]
    notes = [message] if message else []
    if report.errors:
        first = report.errors[0]
        notes.append(
            f"{len(report.errors)} cell(s) raised; first: cell {int(first.get('cell', 0)) + 1}: "
            f"{str(first.get('type'))}: {str(first.get('message'))[:200]}"
        )
    if report.skipped:
        notes.append("not run: " + "; ".join(report.skipped[:5]))
    return SubmissionResult(
        status=status,
        points=sum(o.points for o in outcomes),
        max_points=max_points,
        message=" | ".join(notes),
        layers=report.layers,
        flags=flags,
        tests=outcomes,
        cell_errors=report.errors,
    )


def _not_run(tests: list[TestCase], message: str) -> list[TestOutcome]:
    return [
        TestOutcome(test=t, passed=False, points=0.0, message=message, duration=0.0) for t in tests
    ]

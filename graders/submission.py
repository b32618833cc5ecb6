"""Grading one notebook: the unit the batch, the security tests and the
benchmarks all call (:func:`grade_notebook`). It touches no database.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetgrade.graders.errors import ProtocolError, StudentProcessDied
from sheetgrade.graders.harness import ChildTarget, Reference, TestOutcome, run_test
from sheetgrade.graders.notebook import Cell, InvalidNotebook, read_code_cells
from sheetgrade.graders.sandbox.backend import Backend
from sheetgrade.graders.sandbox.leftovers import remove_tree
from sheetgrade.graders.sandbox.protocol import clean_text
from sheetgrade.graders.sandbox.session import (
    DiskLimitExceeded,
    ProcessLimits,
    RunReport,
    StudentError,
    StudentProcess,
    SubmissionTimeout,
)
from sheetgrade.graders.tamper import names_used, scan_cells
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
    #: for the tutor's log only, never for students: what exactly went wrong
    detail: str = ""

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
    flags = (
        [f"review: {finding}" for finding in scan_cells(cells, _in_process_names(tests))]
        if _has_compat(tests)
        else []
    )
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
    except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
        result = SubmissionResult(
            status="crashed",
            points=0.0,
            max_points=max_points,
            message="grading this submission failed",
            tests=_not_run(tests, "not run: crashed"),
            detail=f"{type(exc).__name__}: {clean_text(str(exc))[:500]}",
        )
    finally:
        process.close()
        result_stdout = process.output()
        if not keep_workdir:
            remove_tree(workdir)
    result.stdout = result_stdout
    result.duration = time.monotonic() - start
    return result


def _has_compat(tests: list[TestCase]) -> bool:
    return any(t.kind != "native" for t in tests)


def _in_process_names(tests: list[TestCase]) -> set[str]:
    """Names read by the tests that run in the student process (not native ones)."""
    import doctest

    sources: list[str] = []
    for t in tests:
        if t.kind == "ok":
            try:
                sources += [e.source for e in doctest.DocTestParser().get_examples(t.code)]
            except ValueError:
                continue
        elif t.kind != "native":
            sources.append(t.code)
    return names_used(sources)


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
    detail = ""
    try:
        report = process.run_cells([(c.index, c.original) for c in cells])
        target = ChildTarget(process)
        for test in in_safe_order(tests):
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
        # The reply may have answered a hidden test: its bytes go to the tutor's log only.
        status, message = "crashed", "the student process sent a malformed answer"
        detail = str(exc)
    except StudentError as exc:  # e.g. the run report could not be encoded
        status, message = "crashed", "the student process could not report its run"
        detail = f"{exc.type_name}: {exc}"
    if status == "graded" and report.memory_error:
        status, message = "memory", "a cell ran out of memory (limit reached)"
    order = {t.id: i for i, t in enumerate(tests)}
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
        tests=sorted(outcomes, key=lambda o: order[o.test.id]),
        cell_errors=report.errors,
        detail=clean_text(detail)[:2000],
    )


def in_safe_order(tests: list[TestCase]) -> list[TestCase]:
    """Public tests first, then hidden ones, each in sheet order.

    Hidden tests hand the student process inputs it must not learn before a
    public test's message is written: after the first hidden test, nothing
    the process says reaches a student.
    """
    return [t for t in tests if not t.hidden] + [t for t in tests if t.hidden]


def _not_run(tests: list[TestCase], message: str) -> list[TestOutcome]:
    return [
        TestOutcome(test=t, passed=False, points=0.0, message=message, duration=0.0) for t in tests
    ]

"""Build validation: run the reference solution against every test, as
``otter assign`` does, through the same engine that grades submissions.

Contract with ``sheetgrade.sheets.build`` (``sheet build`` calls this between
``prepare_build`` and ``finish_build``)::

    report = validate_build(course, bundle_dir)   # -> sheets.model.ValidationReport

``bundle_dir`` holds ``bundle.json``, ``reference.ipynb`` and the data files.
The reference notebook runs in a confined child forked from a warm worker,
exactly like a submission, and plays both the student and the reference.
The report holds:

- ``failures``: test id → why the reference fails it, in the words a test
  author needs (``"the check raised NameError: name 'Xc' is not defined"``);
  a reference that cannot run at all is reported under the key ``"reference"``;
- ``recorded_reference``: the answers of every ``reference.*`` request made by
  PUBLIC native checks, keyed by :func:`sheetgrade.graders.sandbox.protocol.call_key`
  and encoded with :func:`sheetgrade.graders.sandbox.protocol.encode`; students'
  checks answer ``reference`` from these;
- ``expected_outputs``: for every OK-format test, the text the reference
  printed for its inputs (all inputs' outputs concatenated). A test listed in
  the bundle's ``pending_outputs`` (written without expected output) is not
  compared, only recorded; it fails only if an input raised.
"""

from __future__ import annotations

import doctest
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.graders.batch import process_limits
from sheetgrade.graders.errors import GradingError
from sheetgrade.graders.harness import ChildTarget, run_test
from sheetgrade.graders.sandbox.backend import open_backend
from sheetgrade.graders.sandbox.leftovers import remove_tree
from sheetgrade.graders.sandbox.session import ProcessLimits, StudentError
from sheetgrade.graders.single import start_reference
from sheetgrade.sheets.model import AutograderBundle, NotebookPart, TestCase, ValidationReport

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.graders.sandbox.backend import Backend


def validate_build(
    course: Course | None, bundle_dir: Path, *, limits: ProcessLimits | None = None
) -> ValidationReport:
    """Run the reference of the bundle in ``bundle_dir`` against all its tests.

    Args:
        course: the course (for its grading limits); ``None`` uses defaults.
        bundle_dir: folder with ``bundle.json``, the reference notebook and data.
        limits: overrides the course's limits.

    Returns:
        The report; ``report.ok`` is true when the reference passes every test.

    Raises:
        GradingError: the bundle cannot be read.
    """
    try:
        bundle = AutograderBundle.load(bundle_dir)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise GradingError(f"{bundle_dir}: cannot read the bundle: {exc}") from None
    if limits is None:
        limits = process_limits(course) if course is not None else ProcessLimits()
    report = ValidationReport()
    workroot = Path(tempfile.mkdtemp(prefix="sheetgrade-validate-"))
    try:
        # One child per graded notebook, and no preloading: the whole scientific
        # stack costs more (about 2 s of CPU) than the reference importing what it uses.
        with open_backend(preload=False) as worker:
            parts = bundle.notebook_parts()
            for index, part in enumerate(parts):
                named = len(parts) > 1 or bool(bundle.parts)
                _validate_part(
                    bundle, part, worker, limits, workroot / f"reference{index}", report, named
                )
    finally:
        remove_tree(workroot)
    return report


def _validate_part(
    bundle: AutograderBundle,
    part: NotebookPart,
    worker: Backend,
    limits: ProcessLimits,
    workdir: Path,
    report: ValidationReport,
    named: bool,
) -> None:
    """Run one graded notebook's reference against its own tests, into ``report``."""
    assert bundle.path is not None
    notebook = bundle.path / part.reference
    pending = set(bundle.pending_outputs)
    where = f" of {part.name}" if named else ""
    try:
        reference = start_reference(worker, notebook, limits, workdir, bundle.data_sources())
    except GradingError as exc:
        report.failures[f"reference{where}"] = str(exc)
        return
    try:
        raised = [
            line.replace("the reference raised", f"the reference{where} raised", 1)
            for line in _raised_cells(notebook, reference)
        ]
        report.warnings += raised
        target = _RenewingTarget(reference.process, limits.timeout)
        failed = set(report.failures)
        for test in bundle.tests_in(part):
            try:
                _validate_one(test, target, reference, report, test.id in pending)
            except GradingError as exc:
                report.failures[test.id] = f"the reference process failed: {exc}"
                break
        report.recorded_reference.update(reference.recorded)
        if raised:
            # the failing tests are named; say what may have caused them
            for key in set(report.failures) - failed:
                report.failures[key] += f" (earlier, {raised[0]})"
    finally:
        reference.process.close()


def _raised_cells(notebook: Path, reference: Any) -> list[str]:
    """One line per reference cell that raised: which cell, its first line, the error.

    A cell may raise on purpose (a sheet teaching a ``NameError``); that alone
    does not fail the build, only a failing test does.
    """
    errors = reference.report.errors if reference.report else []
    if not errors:
        return []
    from sheetgrade.graders.notebook import InvalidNotebook, read_code_cells

    try:
        first_lines = {
            c.index: next((line for line in c.original.splitlines() if line.strip()), "")
            for c in read_code_cells(notebook)
        }
    except InvalidNotebook:
        first_lines = {}
    out = []
    for error in errors:
        cell = int(error.get("cell", 0))
        line = first_lines.get(cell, "").strip()
        shown = f" `{line[:60]}`" if line else ""
        out.append(
            f"the reference raised in its cell {cell + 1}{shown}: "
            f"{error.get('type')}: {str(error.get('message'))[:300]}"
        )
    return out


class _RenewingTarget(ChildTarget):
    """The reference process as the student: every request gets the full time limit."""

    def __init__(self, process: Any, timeout: float) -> None:
        super().__init__(process)
        self.timeout = timeout

    def _renew(self) -> None:
        import time

        self.process.deadline = time.monotonic() + self.timeout

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self._renew()
        return super().call(name, args, kwargs)

    def value(self, name: str) -> Any:
        self._renew()
        return super().value(name)

    def run_ok(self, sources: list[str]) -> list[str]:
        self._renew()
        return super().run_ok(sources)

    def run_assert(self, code: str) -> str | None:
        self._renew()
        return super().run_assert(code)

    def run_cell(self, code: str) -> dict[str, Any]:
        self._renew()
        return super().run_cell(code)


def _validate_one(
    test: TestCase, target: _RenewingTarget, reference: Any, report: ValidationReport, pending: bool
) -> None:
    if test.kind == "ok":
        try:
            examples = doctest.DocTestParser().get_examples(test.code)
        except ValueError as exc:
            report.failures[test.id] = f"malformed doctest: {exc}"
            return
        try:
            outputs = target.run_ok([e.source for e in examples])
        except StudentError as exc:
            report.failures[test.id] = f"{exc.type_name}: {exc}"
            return
        report.expected_outputs[test.id] = "".join(outputs)
        if pending:
            raised = [o for o in outputs if o.startswith("Traceback (most recent call last)")]
            if raised:
                report.failures[test.id] = "an input raised " + raised[0].strip().splitlines()[-1]
            return
    reference.recording = test.kind == "native" and not test.hidden
    try:
        outcome = run_test(test, target, reference)
    finally:
        reference.recording = False
    if not outcome.passed:
        report.failures[test.id] = outcome.message.replace(
            "your code raised", "the reference raised"
        )

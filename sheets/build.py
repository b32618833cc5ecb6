"""``sheet build``: the student version and the autograder bundle of one sheet.

A build happens in two steps around the reference run, which lives in
``sheetgrade.graders`` (this package runs no code)::

    prepared = prepare_build(course, "01-pca")        # parse, hash, write the bundle to staging
    report = validate_build(course, prepared.autograder_dir)   # graders: run the reference
    result = finish_build(prepared, report)           # outputs in, leak check, write, record

Nothing under ``build/<sheet>/`` changes until ``finish_build`` succeeds. The
build hash is a sha256 over the normalised inputs (sheet.yml settings, the
parsed notebook, the data files' bytes); outputs hold no timestamps, so the same
source gives the same bytes and the same hash.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sheetgrade.course.course import Course, Sheet
from sheetgrade.sheets.build_state import (
    built_hash,
    compute_hash,
    current_hash,
    data_files,
    load_sheet,
    parse_sheet,
    require_current_build,
    sheet_build_dir,
)
from sheetgrade.sheets.errors import ValidationFailed
from sheetgrade.sheets.formats.base import ParsedSheet, with_expected
from sheetgrade.sheets.leaks import check_leaks, visible_text
from sheetgrade.sheets.model import (
    BUNDLE_FILE,
    PUBLIC_TESTS_FILE,
    REFERENCE_NOTEBOOK,
    AutograderBundle,
    NotebookPart,
    PublicTests,
    TaskInfo,
    TestCase,
    ValidationReport,
)
from sheetgrade.sheets.parts import NotebookSource, header_cells, reference_name, with_header

STAGING = ".staging"


@dataclass
class PreparedBuild:
    """A parsed sheet whose autograder bundle waits in staging for validation."""

    course: Course
    sheet: Sheet
    sources: list[NotebookSource]  # the graded notebooks, in order
    build_hash: str
    data: list[str]
    header: list[Any] = field(default_factory=list)  # cells opening each released notebook

    @property
    def several(self) -> bool:
        """Whether the sheet has several graded notebooks (``notebooks:`` in sheet.yml)."""
        return bool(self.sheet.config.notebooks)

    @property
    def parsed(self) -> ParsedSheet:
        """The first (for most sheets, the only) graded notebook, parsed."""
        return self.sources[0].parsed

    @property
    def notebook_name(self) -> str:
        return self.sources[0].name

    @property
    def tests(self) -> list[TestCase]:
        return [t for source in self.sources for t in source.parsed.tests]

    @property
    def staging_dir(self) -> Path:
        return self.course.build_dir / self.sheet.id / STAGING

    @property
    def autograder_dir(self) -> Path:
        """The staged bundle folder to hand to ``validate_build``."""
        return self.staging_dir / "autograder"


@dataclass
class BuildResult:
    """What a finished build wrote."""

    sheet_id: str
    build_hash: str
    format: str
    tests: list[TestCase]
    student_dir: Path
    autograder_dir: Path
    warnings: list[str] = field(default_factory=list)
    notebooks: list[str] = field(default_factory=list)  # a sheet of several notebooks

    def summary(self) -> str:
        public = sum(1 for t in self.tests if not t.hidden)
        lines = [
            f"built {self.sheet_id} ({self.format}): {public} public and {len(self.tests) - public} hidden "
            f"tests, build {self.build_hash[:12]}"
        ]
        for name in self.notebooks:
            own = [t for t in self.tests if t.notebook == name]
            shown = sum(1 for t in own if not t.hidden)
            lines.append(f"  {name}: {shown} public and {len(own) - shown} hidden tests")
        asserts = sum(1 for t in self.tests if t.kind == "assert")
        hidden_ok = sum(1 for t in self.tests if t.kind == "ok" and t.hidden)
        if asserts:
            lines.append(
                f"  note: {asserts} assert-style test(s) are compat level: unless an assert has "
                "the simple shape `assert <expr> == <literal>` (judged by the grader), it runs "
                "in the student's process, and a submission written to fool it can pass it. "
                "Such submissions are flagged for review when detected, not always. Use "
                "native checks for points that matter."
            )
        if hidden_ok:
            lines.append(
                f"  note: {hidden_ok} hidden OK-format (otter) case(s) run their code in the "
                "student's process: student code can see their inputs and seeds (never "
                "their expected output, which the grader compares)."
            )
        return "\n".join(lines)


def _tasks(sheet: Sheet) -> list[TaskInfo]:
    return [
        TaskInfo(id=t.id, title=t.title, points=t.points, kind=t.kind) for t in sheet.config.tasks
    ]


def _notebook(source: NotebookSource, cells: list[Any]) -> str:
    import copy

    from sheetgrade.sheets.notebook import assemble, dumps

    return dumps(assemble(source.parsed.notebook, copy.deepcopy(cells)))


def _write_files(folder: Path, files: dict[str, str | Path]) -> None:
    for rel, content in sorted(files.items()):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content, encoding="utf-8", newline="\n")


def _bundle(prepared: PreparedBuild, tests: list[TestCase], pending: list[str]) -> AutograderBundle:
    """The autograder bundle: one reference per graded notebook."""
    first = prepared.sources[0]
    several = prepared.several
    return AutograderBundle(
        sheet_id=prepared.sheet.id,
        build_hash=prepared.build_hash,
        format=first.parsed.format,
        tasks=_tasks(prepared.sheet),
        tests=tests,
        reference_notebook=reference_name(first.name) if several else REFERENCE_NOTEBOOK,
        student_notebook=first.name,
        data=prepared.data,
        locked_cells={} if several else _locked_cells(first.parsed),
        pending_outputs=pending,
        parts=[
            NotebookPart(s.name, reference_name(s.name), _locked_cells(s.parsed))
            for s in prepared.sources
        ]
        if several
        else [],
    )


def prepare_build(course: Course, sheet_id: str) -> PreparedBuild:
    """Parse the sheet and stage its autograder bundle for validation.

    Raises:
        NotebookError: a source notebook or its markup is invalid.
        SheetError: the sheet has no notebook, or a data or header file is missing.
    """
    sheet = load_sheet(course, sheet_id)
    sources = parse_sheet(sheet)
    header = header_cells(sheet)
    data = data_files(sheet)
    prepared = PreparedBuild(
        course=course,
        sheet=sheet,
        sources=sources,
        build_hash=compute_hash(sheet, sources, header),
        data=[rel for rel, _ in data],
        header=header,
    )
    pending = [key for s in sources for key in s.parsed.pending_outputs]
    bundle = _bundle(prepared, prepared.tests, pending)
    shutil.rmtree(prepared.staging_dir, ignore_errors=True)
    files: dict[str, str | Path] = {BUNDLE_FILE: bundle.to_json() + "\n"}
    for source, part in zip(sources, bundle.notebook_parts(), strict=True):
        files[part.reference] = _notebook(source, source.parsed.reference_cells)
    files.update({rel: path for rel, path in data})
    _write_files(prepared.autograder_dir, files)
    return prepared


def discard_build(prepared: PreparedBuild) -> None:
    """Remove the staging folder (after success or failure)."""
    shutil.rmtree(prepared.staging_dir, ignore_errors=True)


def _describe(prepared: PreparedBuild, test_id: str) -> str:
    test = next((t for t in prepared.tests if t.id == test_id), None)
    if test is None:
        return test_id
    where = (
        f", {test.notebook or prepared.notebook_name} cell {test.cell + 1}"
        if test.cell is not None
        else ""
    )
    return f"test {test.id} ({'hidden' if test.hidden else 'public'} {test.kind}{where})"


def _with_outputs(prepared: PreparedBuild, report: ValidationReport) -> list[TestCase]:
    tests = []
    missing = []
    pending = {key for s in prepared.sources for key in s.parsed.pending_outputs}
    for test in prepared.tests:
        if test.id in pending:
            if test.id not in report.expected_outputs:
                missing.append(_describe(prepared, test.id))
                continue
            test = with_expected(test, report.expected_outputs[test.id])
        tests.append(test)
    if missing:
        raise ValidationFailed(
            f"the reference run recorded no output for {len(missing)} test(s)", missing
        )
    return tests


def _visible(cells: list[Any], label: str) -> dict[str, str]:
    from sheetgrade.sheets.notebook import cell_text

    return {
        f"{label} cell {i + 1}": visible_text(cell_text(c), c.get("metadata", {}).get("tags", []))
        for i, c in enumerate(cells)
    }


def _check_leaks(prepared: PreparedBuild, tests: list[TestCase], public_json: str) -> None:
    """Every released notebook (header included) and the public tests against each
    notebook's secrets (a sheet of several: a secret of one is sought in all)."""
    texts = _visible(prepared.header, "header")
    for source in prepared.sources:
        label = source.name if prepared.several else "student notebook"
        texts.update(_visible(source.parsed.student_cells, label))
    texts[PUBLIC_TESTS_FILE] = public_json
    for source in prepared.sources:
        parsed = source.parsed
        check_leaks(
            texts,
            secret_lines=parsed.secret_lines,
            tests=tests,
            notebook=source.name,
            code_cells={i for i, c in enumerate(parsed.notebook.cells) if c.cell_type == "code"},
            given=parsed.given_code(),
        )


def finish_build(prepared: PreparedBuild, report: ValidationReport) -> BuildResult:
    """Complete a validated build: record outputs, check for leaks, write, record the hash.

    Raises:
        ValidationFailed: the reference failed a test (each named with why).
        LeakError: the student version would contain a secret.
    """
    if report.failures:
        raise ValidationFailed(
            f"the reference solution of {prepared.sheet.id} fails {len(report.failures)} test(s); "
            "fix the tests or the solution",
            [f"{_describe(prepared, key)}: {why}" for key, why in sorted(report.failures.items())],
        )
    tests = _with_outputs(prepared, report)
    sheet = prepared.sheet
    public = PublicTests(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        tasks=_tasks(sheet),
        tests=[t for t in tests if not t.hidden],
        recorded_reference=dict(report.recorded_reference),
        notebooks=[s.name for s in prepared.sources] if prepared.several else [],
    )
    public_json = public.to_json() + "\n"
    _check_leaks(prepared, tests, public_json)
    bundle = _bundle(prepared, tests, [])
    _write_files(prepared.autograder_dir, {BUNDLE_FILE: bundle.to_json() + "\n"})
    student: dict[str, str | Path] = {rel: sheet.path / rel for rel in prepared.data}
    for source in prepared.sources:
        cells = with_header(prepared.header, source.parsed.student_cells)
        student[source.name] = _notebook(source, cells)
    student[PUBLIC_TESTS_FILE] = public_json
    _write_files(prepared.staging_dir / "student", student)
    final = sheet_build_dir(prepared.course, sheet.id)
    for name in ("autograder", "student"):
        shutil.rmtree(final / name, ignore_errors=True)
        (prepared.staging_dir / name).rename(final / name)
    discard_build(prepared)
    _record(prepared.course, sheet.id, prepared.build_hash)
    return BuildResult(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        format=prepared.parsed.format,
        tests=tests,
        student_dir=final / "student",
        autograder_dir=final / "autograder",
        warnings=list(report.warnings),
        notebooks=[s.name for s in prepared.sources] if prepared.several else [],
    )


def _locked_cells(parsed: ParsedSheet) -> dict[str, str]:
    from sheetgrade.sheets.model import source_digest

    return {key: source_digest(text) for key, text in sorted(parsed.locked_sources.items())}


def _record(course: Course, sheet_id: str, build_hash: str) -> None:
    from sheetgrade.course import store
    from sheetgrade.course.sync import sync_sheets

    sync_sheets(course)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    with store.transaction(course.engine) as conn:
        conn.execute(
            store.sheets.update()
            .where(store.sheets.c.id == sheet_id)
            .values(build_hash=build_hash, built_at=now)
        )


__all__ = [
    "BuildResult",
    "built_hash",
    "current_hash",
    "load_sheet",
    "parse_sheet",
    "sheet_build_dir",
    "PreparedBuild",
    "discard_build",
    "finish_build",
    "prepare_build",
    "require_current_build",
]

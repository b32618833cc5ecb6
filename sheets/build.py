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

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sheetgrade.course.course import Course, Sheet
from sheetgrade.sheets.errors import BuildMissing, SheetError, ValidationFailed
from sheetgrade.sheets.formats.base import ParsedSheet, with_expected
from sheetgrade.sheets.leaks import check_leaks, visible_text
from sheetgrade.sheets.model import (
    BUNDLE_FILE,
    PUBLIC_TESTS_FILE,
    REFERENCE_NOTEBOOK,
    AutograderBundle,
    PublicTests,
    TaskInfo,
    TestCase,
    ValidationReport,
)

#: Bumped when the layout of a build changes, so old builds count as stale.
BUILD_VERSION = "1"
STAGING = ".staging"


@dataclass
class PreparedBuild:
    """A parsed sheet whose autograder bundle waits in staging for validation."""

    course: Course
    sheet: Sheet
    parsed: ParsedSheet
    build_hash: str
    notebook_name: str
    data: list[str]

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

    def summary(self) -> str:
        public = sum(1 for t in self.tests if not t.hidden)
        lines = [
            f"built {self.sheet_id} ({self.format}): {public} public and {len(self.tests) - public} hidden "
            f"tests, build {self.build_hash[:12]}"
        ]
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


def sheet_build_dir(course: Course, sheet_id: str) -> Path:
    """``build/<sheet>/``."""
    return course.build_dir / sheet_id


def load_sheet(course: Course, sheet_id: str) -> Sheet:
    """The sheet for ``01-pca``, ``01`` or ``1``; it must have a notebook."""
    sheet = course.sheet(course.resolve_sheet_id(sheet_id))
    if sheet.notebook_path is None:
        raise SheetError(
            f"sheets/{sheet.id}/sheet.yml has no `notebook:`; a sheet without a notebook has "
            "nothing to build (its tasks are all pen-and-paper)"
        )
    return sheet


def parse_sheet(sheet: Sheet) -> ParsedSheet:
    """Read and parse the sheet's source notebook (no code runs)."""
    from sheetgrade.sheets.formats.detect import parse_notebook
    from sheetgrade.sheets.notebook import read_notebook

    assert sheet.notebook_path is not None
    nb = read_notebook(sheet.notebook_path)
    return parse_notebook(nb, sheet.config, sheet.notebook_path.name)


def _data_files(sheet: Sheet) -> list[tuple[str, Path]]:
    files = []
    for rel in sheet.config.data:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts:
            raise SheetError(
                f"sheets/{sheet.id}/sheet.yml: data file '{rel}' must be inside the sheet folder"
            )
        path = sheet.path / pure
        if not path.is_file():
            raise SheetError(
                f"sheets/{sheet.id}/sheet.yml: data file '{rel}' not found in {sheet.path}"
            )
        files.append((pure.as_posix(), path))
    return sorted(files)


def compute_hash(sheet: Sheet, parsed: ParsedSheet) -> str:
    """sha256 over the normalised inputs of a build."""
    payload: dict[str, Any] = {
        "version": BUILD_VERSION,
        "sheet": sheet.id,
        "notebook": sheet.notebook_path.name if sheet.notebook_path else None,
        "config": asdict(sheet.config),
        "format": parsed.format,
        "kernel": {k: parsed.notebook.metadata.get(k) for k in ("kernelspec",)},
        "student": parsed.student_cells,
        "reference": parsed.reference_cells,
        "tests": [asdict(t) for t in parsed.tests],
        "pending": parsed.pending_outputs,
        "data": [
            [rel, hashlib.sha256(path.read_bytes()).hexdigest()] for rel, path in _data_files(sheet)
        ],
    }
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_hash(course: Course, sheet_id: str) -> str:
    """The hash a build of the sheet's current source would have."""
    sheet = load_sheet(course, sheet_id)
    return compute_hash(sheet, parse_sheet(sheet))


def built_hash(course: Course, sheet_id: str) -> str | None:
    """The hash of the build on disk, or None when there is no complete build."""
    folder = sheet_build_dir(course, sheet_id)
    bundle = folder / "autograder" / BUNDLE_FILE
    public = folder / "student" / PUBLIC_TESTS_FILE
    if not (bundle.is_file() and public.is_file()):
        return None
    try:
        return str(json.loads(bundle.read_text(encoding="utf-8"))["build_hash"])
    except (ValueError, KeyError):
        return None


def _tasks(sheet: Sheet) -> list[TaskInfo]:
    return [
        TaskInfo(id=t.id, title=t.title, points=t.points, kind=t.kind) for t in sheet.config.tasks
    ]


def _notebook(prepared: PreparedBuild, cells: list[Any]) -> str:
    import copy

    from sheetgrade.sheets.notebook import assemble, dumps

    return dumps(assemble(prepared.parsed.notebook, copy.deepcopy(cells)))


def _write_files(folder: Path, files: dict[str, str | Path]) -> None:
    for rel, content in sorted(files.items()):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content, encoding="utf-8", newline="\n")


def prepare_build(course: Course, sheet_id: str) -> PreparedBuild:
    """Parse the sheet and stage its autograder bundle for validation.

    Raises:
        NotebookError: the source notebook or its markup is invalid.
        SheetError: the sheet has no notebook, or a data file is missing.
    """
    sheet = load_sheet(course, sheet_id)
    parsed = parse_sheet(sheet)
    data = _data_files(sheet)
    assert sheet.notebook_path is not None
    prepared = PreparedBuild(
        course=course,
        sheet=sheet,
        parsed=parsed,
        build_hash=compute_hash(sheet, parsed),
        notebook_name=sheet.notebook_path.name,
        data=[rel for rel, _ in data],
    )
    bundle = AutograderBundle(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        format=parsed.format,
        tasks=_tasks(sheet),
        tests=parsed.tests,
        student_notebook=prepared.notebook_name,
        data=prepared.data,
        locked_cells=_locked_cells(parsed),
        pending_outputs=list(parsed.pending_outputs),
    )
    shutil.rmtree(prepared.staging_dir, ignore_errors=True)
    files: dict[str, str | Path] = {
        BUNDLE_FILE: bundle.to_json() + "\n",
        REFERENCE_NOTEBOOK: _notebook(prepared, parsed.reference_cells),
    }
    files.update({rel: path for rel, path in data})
    _write_files(prepared.autograder_dir, files)
    return prepared


def discard_build(prepared: PreparedBuild) -> None:
    """Remove the staging folder (after success or failure)."""
    shutil.rmtree(prepared.staging_dir, ignore_errors=True)


def _describe(prepared: PreparedBuild, test_id: str) -> str:
    test = next((t for t in prepared.parsed.tests if t.id == test_id), None)
    if test is None:
        return test_id
    where = f", {prepared.notebook_name} cell {test.cell + 1}" if test.cell is not None else ""
    return f"test {test.id} ({'hidden' if test.hidden else 'public'} {test.kind}{where})"


def _with_outputs(prepared: PreparedBuild, report: ValidationReport) -> list[TestCase]:
    tests = []
    missing = []
    for test in prepared.parsed.tests:
        if test.id in prepared.parsed.pending_outputs:
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


def finish_build(prepared: PreparedBuild, report: ValidationReport) -> BuildResult:
    """Complete a validated build: record outputs, check for leaks, write, record the hash.

    Raises:
        ValidationFailed: the reference failed a test (each named with why).
        LeakError: the student version would contain a secret.
    """
    from sheetgrade.sheets.notebook import cell_text

    if report.failures:
        raise ValidationFailed(
            f"the reference solution of {prepared.sheet.id} fails {len(report.failures)} test(s); "
            "fix the tests or the solution",
            [f"{_describe(prepared, key)}: {why}" for key, why in sorted(report.failures.items())],
        )
    tests = _with_outputs(prepared, report)
    sheet, parsed = prepared.sheet, prepared.parsed
    public = PublicTests(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        tasks=_tasks(sheet),
        tests=[t for t in tests if not t.hidden],
        recorded_reference=dict(report.recorded_reference),
    )
    public_json = public.to_json() + "\n"
    texts = {
        f"student notebook cell {i + 1}": visible_text(
            cell_text(c), c.get("metadata", {}).get("tags", [])
        )
        for i, c in enumerate(parsed.student_cells)
    }
    texts[PUBLIC_TESTS_FILE] = public_json
    check_leaks(
        texts,
        secret_lines=parsed.secret_lines,
        tests=tests,
        notebook=prepared.notebook_name,
        code_cells={i for i, c in enumerate(parsed.notebook.cells) if c.cell_type == "code"},
    )

    bundle = AutograderBundle(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        format=parsed.format,
        tasks=_tasks(sheet),
        tests=tests,
        student_notebook=prepared.notebook_name,
        data=prepared.data,
        locked_cells=_locked_cells(parsed),
    )
    data = {rel: sheet.path / rel for rel in prepared.data}
    _write_files(prepared.autograder_dir, {BUNDLE_FILE: bundle.to_json() + "\n"})
    student_dir = prepared.staging_dir / "student"
    _write_files(
        student_dir,
        {
            prepared.notebook_name: _notebook(prepared, parsed.student_cells),
            PUBLIC_TESTS_FILE: public_json,
            **data,
        },
    )
    final = sheet_build_dir(prepared.course, sheet.id)
    for name in ("autograder", "student"):
        shutil.rmtree(final / name, ignore_errors=True)
        (prepared.staging_dir / name).rename(final / name)
    discard_build(prepared)
    _record(prepared.course, sheet.id, prepared.build_hash)
    return BuildResult(
        sheet_id=sheet.id,
        build_hash=prepared.build_hash,
        format=parsed.format,
        tests=tests,
        student_dir=final / "student",
        autograder_dir=final / "autograder",
        warnings=list(report.warnings),
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


def require_current_build(course: Course, sheet_id: str) -> str:
    """The build hash, when a complete build of the current source exists.

    Raises:
        BuildMissing: no build, or the source changed since the build.
    """
    built = built_hash(course, sheet_id)
    if built is None:
        raise BuildMissing(
            f"sheet {sheet_id} has not been built; run `sheetgrade sheet build {sheet_id}`"
        )
    now = current_hash(course, sheet_id)
    if now != built:
        raise BuildMissing(
            f"the build of sheet {sheet_id} is stale: its source changed since the build "
            f"(build {built[:12]}, source now {now[:12]}); run `sheetgrade sheet build {sheet_id}`"
        )
    return built


__all__ = [
    "BuildResult",
    "PreparedBuild",
    "discard_build",
    "finish_build",
    "prepare_build",
    "require_current_build",
]

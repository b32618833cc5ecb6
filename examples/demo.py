"""The demo: the example course's whole term, through the same commands a course
team types.

Steps: create the course; build and release every sheet; synthesise the
students' Moodle downloads (correct, partial, broken, late, missing and attack
submissions); collect; grade; fill the tutors' XLSX marks files and import them;
show the gradebook and admission counts; write feedback, the campus export and
the HTML report.

Every step is idempotent, so running the demo again on the same directory is
safe and fast: the course is reused, builds are keyed by their hash, identical
uploads are stored once, graded submissions are not graded again and importing
the same marks changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course.course import COURSE_FILE, Course

if TYPE_CHECKING:
    from sheetgrade.examples.synth import Intent, SheetKey

Echo = Callable[[str], None]
#: runs ``sheetgrade ARGS`` (the arguments after the program name) and returns
#: its exit code; the CLI passes one that runs its own commands in-process
Runner = Callable[[Sequence[str]], int]


@dataclass
class DemoResult:
    """Where the demo wrote things, and which commands reported failures."""

    course: Course
    outputs: dict[str, Path] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)


def prepare_course(directory: Path | None, echo: Echo) -> Course:
    """Create the example course in ``directory`` (or reuse it) and load its roster."""
    from sheetgrade.course.init import create_course
    from sheetgrade.course.sync import sync_sheets
    from sheetgrade.roster.api import sync_roster

    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="sheetgrade-demo-"))
    if (directory / COURSE_FILE).exists():
        echo(f"course: reusing {directory.resolve()}")
        return Course.open(directory)
    root = create_course(directory, example="mlphys")
    course = Course.open(root)
    sync_sheets(course)
    report = sync_roster(course)
    echo(f"course: created {root} ({report.summary()})")
    return course


def sheetgrade(
    run: Runner,
    course: Course,
    args: Sequence[str],
    echo: Echo,
    *,
    last: int | None = None,
    shown: str | None = None,
) -> int:
    """Run one ``sheetgrade`` command through ``run``, as a user would type it; return
    its exit code. ``last`` shows only the last lines of its output (errors always show);
    ``shown`` is the command line to print instead of ``args`` (e.g. with a glob)."""
    import contextlib
    import io

    import click

    echo(click.style(f"\n$ sheetgrade {shown or ' '.join(args)}", bold=True))
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured) if last else contextlib.nullcontext():
        code = run(["--course", str(course.root), *args])
    if last:
        lines = captured.getvalue().rstrip("\n").splitlines()
        if len(lines) > last:
            echo(f"  … {len(lines) - last} lines not shown")
        for line in lines[-last:]:
            echo(line)
    return code


def plan_term(course: Course) -> tuple[list[SheetKey], list[Intent]]:
    """What every owner hands in for every built sheet, and what tutors mark."""
    from sheetgrade.examples.synth import plan, sheet_key
    from sheetgrade.roster.api import load_roster

    keys = [sheet_key(course, s) for s in course.sheet_ids]
    return keys, plan(load_roster(course.engine), keys)


def synthesise_uploads(
    course: Course, keys: list[SheetKey], intents: list[Intent], echo: Echo
) -> list[Path]:
    """Write one Moodle "download all submissions" zip per sheet into incoming/."""
    from sheetgrade.examples.synth import notebook_bytes, received_at
    from sheetgrade.roster.api import load_roster
    from sheetgrade.submissions.moodle import write_moodle_zip

    roster = load_roster(course.engine)
    incoming = course.root / "incoming"
    incoming.mkdir(exist_ok=True)
    participant = {sid: 80000 + i for i, sid in enumerate(sorted(roster.students))}
    zips = []
    for key in keys:
        entries = []
        for intent in intents:
            if intent.sheet_id != key.sheet_id or intent.kind == "missing":
                continue
            student = roster.students[intent.uploader]
            entries.append(
                {
                    "full_name": student.name,
                    "participant_id": participant[student.id],
                    "files": {key.notebook_name: notebook_bytes(key, intent)},
                    "mtime": received_at(key, intent),
                }
            )
        path = incoming / f"{key.sheet_id}-moodle.zip"
        write_moodle_zip(path, entries)
        zips.append(path)
    kinds: dict[str, int] = {}
    for intent in intents:
        kinds[intent.kind] = kinds.get(intent.kind, 0) + 1
    late = sum(1 for i in intents if i.late)
    mix = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    echo(f"synthesised uploads for {len(roster.students)} students: {mix}; {late} late")
    return zips


def fill_marks(course: Course, sheet_id: str, intents: list[Intent]) -> list[Path]:
    """Fill the sheet's marks templates as the tutors would."""
    from sheetgrade.examples.synth import write_marks

    mine = [i for i in intents if i.sheet_id == sheet_id]
    files = sorted((course.marks_dir / sheet_id).glob(f"{sheet_id}-*.xlsx"))
    for path in files:
        write_marks(path, mine)
    return files


def _needs_build(course: Course, sheet_id: str) -> bool:
    """True unless a complete build of the sheet's current source is on disk."""
    from sheetgrade.sheets.build import built_hash, current_hash
    from sheetgrade.sheets.errors import SheetError

    built = built_hash(course, sheet_id)
    try:
        return built is None or built != current_hash(course, sheet_id)
    except SheetError:
        return True  # let `sheet build` report the problem


def run_demo(
    directory: Path | None, *, runner: Runner, echo: Echo = print, quiet: bool = False
) -> DemoResult:
    """Run every step of the demo and print where each output is.

    Args:
        directory: the course directory (created, or reused); ``None``: a new
            temporary directory.
        runner: runs one ``sheetgrade`` command line and returns its exit code.
        echo: prints one line of progress.
        quiet: pass ``--quiet`` to the grading commands.
    """
    course = prepare_course(directory, echo)
    result = DemoResult(course)
    quiet_flag = ["--quiet"] if quiet else []

    def run(*args: str, last: int | None = None, shown: str | None = None) -> int:
        code = sheetgrade(runner, course, args, echo, last=last, shown=shown)
        result.exit_codes[" ".join(args)] = code
        return code

    for sheet_id in course.sheet_ids:
        if _needs_build(course, sheet_id):
            run("sheet", "build", sheet_id)
        else:
            echo(f"sheet {sheet_id}: the build is current; not rebuilt")
        run("sheet", "release", sheet_id)
    keys, intents = plan_term(course)
    zips = synthesise_uploads(course, keys, intents, echo)
    for sheet_id, path in zip(course.sheet_ids, zips, strict=True):
        run("collect", sheet_id, str(path), "--quiet")
    for sheet_id in course.sheet_ids:
        run("grade", sheet_id, *quiet_flag)
    for sheet_id in course.sheet_ids:
        if not (course.marks_dir / sheet_id).is_dir():
            run("marks", "template", sheet_id, "--format", "xlsx")
            fill_marks(course, sheet_id, intents)
        files = sorted(str(p) for p in (course.marks_dir / sheet_id).glob("*.xlsx"))
        run(
            "marks",
            "import",
            *files,
            "--tutor",
            "demo-tutors",
            last=1,
            shown=f"marks import marks/{sheet_id}/*.xlsx --tutor demo-tutors",
        )
    for sheet_id in course.sheet_ids:
        run("feedback", sheet_id)
    export = course.exports_dir / "admission-campus.csv"
    run("admission", "export", "--format", "campus", "-o", str(export))
    run("report")
    run("gradebook", "summary")

    result.outputs = {
        "student release": course.release_dir / "index.html",
        "collected submissions": course.submissions_dir,
        "tutors' marks files": course.marks_dir,
        "feedback": course.feedback_dir,
        "campus export": export,
        "report": course.reports_dir / "index.html",
        "gradebook database": course.root / "gradebook.db",
    }
    echo("\nOutputs:")
    width = max(map(len, result.outputs))
    for label, path in result.outputs.items():
        echo(f"  {label.ljust(width)}  {path}")
    return result

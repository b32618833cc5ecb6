"""Students' local check: the public tests, run through the grader's own harness.

``sheetgrade check ridge.ipynb`` runs the notebook in the same confined child
the grader uses and the public tests through the same harness, with the
``reference`` answered from the answers recorded at build time. So a public
test that passes here passes in grading, with the same message. It runs
offline and needs nothing but the student folder of a build.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sheetgrade.course.config import DEFAULT_TIMEOUT
from sheetgrade.graders.errors import GradingError, PublicTestsMissing
from sheetgrade.graders.harness import RecordedReference, TestOutcome
from sheetgrade.graders.sandbox.backend import open_backend
from sheetgrade.graders.sandbox.leftovers import remove_tree
from sheetgrade.graders.sandbox.session import ProcessLimits
from sheetgrade.graders.submission import ERROR_STATUSES, grade_notebook
from sheetgrade.sheets.model import PUBLIC_TESTS_FILE, PublicTests, TaskInfo

MAX_DATA = 256 * 1024 * 1024  # bytes of files copied next to the notebook
_SKIP = {".ipynb_checkpoints", "__pycache__", ".git"}


@dataclass
class TaskCheck:
    """The public tests of one task."""

    task: TaskInfo
    outcomes: list[TestOutcome]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def points(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def max_points(self) -> float:
        return sum(o.test.points for o in self.outcomes)


@dataclass
class CheckReport:
    """What a local check found."""

    notebook: str
    tasks: list[TaskCheck]
    status: str = "graded"  # graded / timeout / memory / crashed / invalid
    message: str = ""
    notes: list[str] = field(default_factory=list)
    #: the backend and confinement layers the notebook ran with (``layers["backend"]``)
    layers: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status not in ERROR_STATUSES and all(t.passed for t in self.tasks)


def find_public_tests(notebook: Path, explicit: Path | None = None) -> Path:
    """``public_tests.json`` for ``notebook``: ``explicit``, else next to the
    notebook, else in a ``student/`` folder beside it.

    Raises:
        PublicTestsMissing: none found; the message says where it looked.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise PublicTestsMissing(f"{explicit}: no such file")
        return explicit
    candidates = [
        notebook.parent / PUBLIC_TESTS_FILE,
        notebook.parent / "student" / PUBLIC_TESTS_FILE,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise PublicTestsMissing(
        f"no {PUBLIC_TESTS_FILE} next to {notebook.name} (looked in {notebook.parent}); keep the "
        f"notebook in the folder of the sheet you downloaded, or pass --tests PATH"
    )


def load_public_tests(path: Path) -> PublicTests:
    """Read ``public_tests.json``; raise GradingError if it is unreadable."""
    try:
        return PublicTests.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise GradingError(
            f"{path}: not a readable {PUBLIC_TESTS_FILE} ({exc}); download the sheet again"
        ) from None


def select_tasks(public: PublicTests, wanted: Sequence[str]) -> list[TaskInfo]:
    """The tasks to check: all with public tests, or those named (with near-miss hints)."""
    with_tests = [t for t in public.tasks if any(x.task == t.id for x in public.tests)]
    if not wanted:
        return with_tests
    known = {t.id: t for t in public.tasks}
    chosen = []
    for name in wanted:
        if name not in known:
            from sheetgrade.course.suggest import did_you_mean

            ids = [t.id for t in public.tasks]
            raise GradingError(
                f"no task '{name}' on this sheet{did_you_mean(name, ids)} (tasks: {', '.join(ids)})"
            )
        chosen.append(known[name])
    return chosen


def check_notebook(
    notebook: Path,
    tasks: Sequence[str] = (),
    *,
    public_tests: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT.total_seconds(),
    memory: int | None = 2 * 1024**3,
) -> CheckReport:
    """Run ``notebook`` confined and check it against the public tests.

    Args:
        notebook: the student's notebook.
        tasks: task ids to check (default: every task with public tests).
        public_tests: ``public_tests.json`` (default: found beside the notebook).
        timeout: wall seconds for the whole run.
        memory: address-space limit in bytes.

    Raises:
        PublicTestsMissing, GradingError: nothing to check against, or an unknown task.
    """
    if not notebook.is_file():
        raise GradingError(f"{notebook}: no such notebook")
    path = find_public_tests(notebook, public_tests)
    public = load_public_tests(path)
    public = own_tests(public, notebook.name, tasks)
    chosen = select_tasks(public, tasks)
    ids = {t.id for t in chosen}
    tests = [t for t in public.tests if t.task in ids]
    limits = ProcessLimits(timeout=timeout, memory=memory)
    workroot = Path(tempfile.mkdtemp(prefix="sheetgrade-check-"))
    try:
        # preload=False: a student's check imports only what the notebook imports
        with open_backend(preload=False) as worker:
            result = grade_notebook(
                notebook,
                tests,
                worker=worker,
                reference=RecordedReference(public.recorded_reference),
                limits=limits,
                workdir=workroot / "run",
                data_files=_data_files(notebook, path),
            )
    finally:
        remove_tree(workroot)
    by_task = [
        TaskCheck(task=t, outcomes=[o for o in result.tests if o.test.task == t.id]) for t in chosen
    ]
    notes = [_cell_error_note(e) for e in result.cell_errors[:5]]
    if public.notebooks and not public.tests:
        notes.append(f"{notebook.name} has no public tests; its tasks are graded otherwise")
    notes += [
        f.replace("not run: ", "not run while checking: ")
        for f in result.flags
        if f.startswith("not run:")
    ]
    message = result.message if result.status != "graded" else ""
    return CheckReport(
        notebook=notebook.name,
        tasks=by_task,
        status=result.status,
        message=message,
        notes=notes,
        layers=result.layers,
    )


def sheet_notebooks(public: PublicTests) -> list[str]:
    """The graded notebooks of a sheet of several, in sheet order (empty for one)."""
    return list(public.notebooks) or list(
        dict.fromkeys(t.notebook for t in public.tests if t.notebook)
    )


def own_tests(public: PublicTests, name: str, wanted: Sequence[str]) -> PublicTests:
    """In a sheet of several notebooks: the tasks whose tests live in notebook ``name``.

    Raises:
        GradingError: ``name`` is none of the sheet's notebooks, or a task named
            in ``wanted`` lives in another one.
    """
    names = sheet_notebooks(public)
    if not names:
        return public
    match = next((n for n in names if n.lower() == name.lower()), None)
    if match is None:
        raise GradingError(
            f"{name} is none of this sheet's notebooks ({', '.join(names)}); check the "
            "notebook under the name it was released with"
        )
    home = {t.task: t.notebook for t in public.tests}
    for task in wanted:
        if home.get(task, match) != match:
            raise GradingError(
                f"task '{task}' is in {home[task]}, not {name}; "
                f"run `sheetgrade check {home[task]} {task}`"
            )
    own = {task for task, notebook in home.items() if notebook == match}
    return PublicTests(
        sheet_id=public.sheet_id,
        build_hash=public.build_hash,
        tasks=[t for t in public.tasks if t.id in own or t.id in wanted],
        tests=[t for t in public.tests if t.notebook == match],
        recorded_reference=public.recorded_reference,
        notebooks=names,
    )


def notebooks_in(folder: Path, public_tests: Path | None = None) -> tuple[list[Path], list[str]]:
    """The notebooks to check in a folder, and the sheet's notebooks missing from it.

    A sheet of several notebooks: each of them found there (a name in any case);
    a sheet of one: the folder's only notebook.

    Raises:
        PublicTestsMissing, GradingError: no public tests, or no notebook to check.
    """
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    path = find_public_tests(folder / "notebook.ipynb", public_tests)
    names = sheet_notebooks(load_public_tests(path))
    if names:
        by_name = {p.name.lower(): p for p in notebooks}
        found = [by_name[n.lower()] for n in names if n.lower() in by_name]
        missing = [n for n in names if n.lower() not in by_name]
        if not found:
            raise GradingError(f"{folder}: none of the sheet's notebooks ({', '.join(names)})")
        return found, missing
    if len(notebooks) != 1:
        raise GradingError(
            f"{folder}: {'no notebook' if not notebooks else f'{len(notebooks)} notebooks'} "
            "to check; name the notebook, e.g. `sheetgrade check ridge.ipynb`"
        )
    return notebooks, []


def _data_files(notebook: Path, tests_path: Path) -> dict[str, Path]:
    """Files beside the notebook (and beside public_tests.json), for the scratch copy."""
    files: dict[str, Path] = {}
    total = 0
    for folder in dict.fromkeys([tests_path.parent, notebook.parent]):
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or entry.name in _SKIP or entry.suffix == ".ipynb":
                continue
            if entry.name == PUBLIC_TESTS_FILE or entry.name in files:
                continue
            size = _size(entry)
            if total + size > MAX_DATA:
                continue
            total += size
            files[entry.name] = entry
    return files


def _size(path: Path) -> int:
    try:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    except OSError:
        return MAX_DATA + 1


def _cell_error_note(error: dict[str, object]) -> str:
    cell = int(str(error.get("cell", 0))) + 1
    message = str(error.get("message") or "")[:200]
    return f"cell {cell} raised {error.get('type')}" + (f": {message}" if message else "")


def format_report(report: CheckReport) -> str:
    """The report as text: one line per task, failures indented beneath."""
    lines = []
    for task in report.tasks:
        if not task.outcomes:
            lines.append(f"{task.task.id:<6} --    no public tests")
            continue
        mark = "PASS" if task.passed else "FAIL"
        title = f"  {task.task.title}" if task.task.title else ""
        worth = f"{task.task.points:g}"
        points = (
            f"{task.points:g}/{task.max_points:g} public points of {worth}"
            if task.max_points
            else f"{worth} points, graded by hidden tests"
        )
        lines.append(f"{task.task.id:<6} {mark}  {points}{title}")
        for outcome in task.outcomes:
            if not outcome.passed:
                label = outcome.test.label
                body = outcome.message.replace("\n", "\n         ")
                lines.append(f"       - {label}: {body}")
    if report.message:
        lines.append(f"note: {report.status}: {report.message}")
    lines += [f"note: {n}" for n in report.notes]
    passed = sum(1 for t in report.tasks if t.outcomes and t.passed)
    total = sum(1 for t in report.tasks if t.outcomes)
    lines.append(f"{passed}/{total} tasks pass their public tests")
    return "\n".join(lines)


def split_targets(args: Sequence[str]) -> tuple[list[Path], list[str]]:
    """``check``'s arguments: notebooks and folders (a name ending in ``.ipynb``, or
    an existing folder), then task ids."""
    paths, tasks = [], []
    for arg in args:
        path = Path(arg)
        if arg.lower().endswith(".ipynb") or path.is_dir():
            paths.append(path)
        else:
            tasks.append(arg)
    return paths, tasks


def tasks_per_notebook(
    notebooks: Sequence[Path], tasks: Sequence[str], public_tests: Path | None = None
) -> dict[Path, list[str]]:
    """With several notebooks checked at once: each named task goes to the notebook
    its tests live in (a task of none goes to the first, which explains it)."""
    if len(notebooks) < 2 or not tasks:
        return {n: list(tasks) for n in notebooks}
    out: dict[Path, list[str]] = {n: [] for n in notebooks}
    homes: dict[str, str] = {}
    for n in notebooks:
        public = load_public_tests(find_public_tests(n, public_tests))
        homes.update({t.task: t.notebook.lower() for t in public.tests if t.notebook})
    for task in tasks:
        home = next((n for n in notebooks if n.name.lower() == homes.get(task)), notebooks[0])
        out[home].append(task)
    return {n: chosen for n, chosen in out.items() if chosen}

"""The settings of a course (``course.yml``) and of a sheet (``sheet.yml``).

Every setting is declared here once, with its help text; validation and the
reference in ``docs/course-yml.md`` derive from these declarations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sheetgrade.course.export_config import Exports
from sheetgrade.course.schema import setting

# ------------------------------------------------------------------ course.yml


@dataclass(frozen=True, kw_only=True)
class SheetEntry:
    """One sheet of the course, in course order."""

    id: str = setting(
        help="Sheet id; also its folder under sheets/ (e.g. `03-ridge`).", example="03-ridge"
    )
    due: datetime = setting(
        help="Deadline, timezone-aware ISO 8601.", kind="datetime", example="2026-11-03T10:00+01:00"
    )
    block: str | None = setting(
        None, "Block of sheets this sheet belongs to, for per-block admission rules."
    )
    bonus: bool = setting(False, "Bonus sheet: its points count, but not towards the maximum.")


@dataclass(frozen=True, kw_only=True)
class BlockRule:
    """A minimum share of the points within one block of sheets."""

    block: str = setting(help="Block name as used in `sheets[].block`.", example="A")
    share: float = setting(0.5, "Minimum share of the block's points.", kind="share")


@dataclass(frozen=True, kw_only=True)
class Excuse:
    """A sheet excused for one student (doctor's note): removed from the denominator."""

    student: str = setting(help="Student id or matriculation number.", example="s001")
    sheet: str = setting(help="Sheet id.", example="03-ridge")
    reason: str = setting("", "Why, for the record.")


@dataclass(frozen=True, kw_only=True)
class AdmissionRule:
    """Who is admitted to the exam."""

    share: float = setting(0.5, "Minimum share of all sheet points for admission.", kind="share")
    blocks: list[BlockRule] = setting([], "Additional minimum shares per block of sheets.")
    min_attempted: int = setting(0, "Minimum number of sheets attempted.")
    attempted_share: float = setting(
        0.0,
        "A sheet counts as attempted at this share of its points (0: any submission).",
        kind="share",
    )
    min_presentations: int = setting(
        0, "Minimum number of presentations at the board (Vorrechnen)."
    )
    carried_over: list[str] = setting(
        [], "Matriculation numbers admitted in an earlier term; they are admitted regardless."
    )
    excused: list[Excuse] = setting([], "Excused sheets, taken out of the student's denominator.")


@dataclass(frozen=True, kw_only=True)
class LatePolicy:
    """What happens to a submission after its deadline."""

    kind: Literal["none", "zero", "per_day"] = setting(
        "none",
        "`none`: late counts fully; `zero`: late scores 0; `per_day`: a fraction off per started day.",
    )
    per_day: float = setting(
        0.1, "Fraction of the points deducted per started day late (`per_day` only).", kind="share"
    )
    grace: timedelta = setting(
        timedelta(minutes=15), "Grace period after the deadline that is not late.", kind="duration"
    )
    max_days: int = setting(0, "After this many days a submission scores 0 (0: no limit).")
    counting: Literal["latest", "latest_on_time"] = setting(
        "latest_on_time",
        "Which version counts: the newest overall, or the newest on time when there is one.",
    )


@dataclass(frozen=True, kw_only=True)
class Extension:
    """A personal extension of one deadline."""

    student: str = setting(help="Student id or matriculation number.", example="s001")
    sheet: str = setting(help="Sheet id.", example="03-ridge")
    due: datetime = setting(
        help="The new deadline.", kind="datetime", example="2026-11-05T10:00+01:00"
    )


@dataclass(frozen=True, kw_only=True)
class Teams:
    """Teams of students who hand in one solution together."""

    max_size: int = setting(3, "Largest team allowed.", kind="positive")
    scope: Literal["term", "sheet"] = setting(
        "term", "Teams hold for the whole term, or are formed per sheet."
    )


@dataclass(frozen=True, kw_only=True)
class RosterRules:
    """What a roster import accepts."""

    matrikel_digits: int | None = setting(
        None,
        "Length of a matriculation number (digits only, always); null: any length.",
        example="7",
    )


#: the wall-clock limit per submission unless course.yml says otherwise; also the
#: default of ``sheetgrade check`` and of the grader's process limits
DEFAULT_TIMEOUT = timedelta(seconds=60)


@dataclass(frozen=True, kw_only=True)
class SlurmJobs:
    """The Slurm jobs that run Dask workers for `grade --executor dask --cluster slurm`
    (through dask-jobqueue)."""

    jobs: int = setting(1, "Slurm jobs to submit.", kind="positive")
    queue: str | None = setting(None, "Partition (`#SBATCH -p`).")
    account: str | None = setting(None, "Account charged (`#SBATCH -A`).")
    cores: int = setting(8, "Cores per job.", kind="positive")
    processes: int = setting(
        0,
        "Dask worker processes per job, each grading one submission at a time (0: one per core).",
    )
    memory: int = setting(16 * 1024**3, "Memory per job.", kind="size")
    walltime: timedelta = setting(timedelta(hours=2), "Wall time per job.", kind="duration")
    job_extra_directives: list[str] = setting(
        [], "More `#SBATCH` options, e.g. `--constraint=cpu` or `--qos=short`."
    )
    job_script_prologue: list[str] = setting(
        [],
        "Shell lines run before the worker starts, e.g. "
        "`source /shared/sheetgrade/venv/bin/activate`.",
    )
    python: str | None = setting(
        None, "Python on the compute nodes with sheetgrade[dask] installed (default: this one)."
    )
    interface: str | None = setting(None, "Network interface the workers listen on, e.g. `ib0`.")
    local_directory: str | None = setting(
        None, "Scratch folder on the compute node, e.g. `$TMPDIR` (default: the system's)."
    )
    log_directory: str | None = setting(None, "Folder for the jobs' Slurm output files.")


@dataclass(frozen=True, kw_only=True)
class GradingLimits:
    """How submissions are graded: limits per submission and where they run."""

    timeout: timedelta = setting(
        DEFAULT_TIMEOUT, "Wall-clock limit per submission.", kind="duration"
    )
    memory: int = setting(2 * 1024**3, "Address-space limit per submission.", kind="size")
    output: int = setting(1024**2, "Cap on captured stdout and stderr per submission.", kind="size")
    workers: int = setting(0, "Parallel grading workers (0: one per core).")
    executor: Literal["local", "dask"] = setting(
        "local",
        "Where submissions run: `local` (this machine) or `dask` (a Dask cluster; "
        "needs `sheetgrade[dask]`).",
    )
    scheduler: str | None = setting(
        None, "With `executor: dask`: a running Dask scheduler, e.g. `tcp://10.0.0.5:8786`."
    )
    cluster: str | None = setting(
        None,
        "With `executor: dask` and no scheduler: `local:N` (N worker processes on this "
        "machine) or `slurm` (Slurm jobs, see `grading.slurm`); default `local` with "
        "`workers` processes.",
    )
    slurm: SlurmJobs = setting(SlurmJobs(), "Slurm jobs for `cluster: slurm`.")

    def __validate__(self) -> list[str]:
        if self.cluster is not None and cluster_problem(self.cluster):
            return [f"cluster: {cluster_problem(self.cluster)}"]
        return []


def cluster_problem(value: str) -> str | None:
    """Why ``value`` is not a cluster (``local``, ``local:N``, ``slurm``), or None."""
    kind, _, count = value.partition(":")
    if kind == "slurm" and not count:
        return None
    if kind == "local" and (not count or (count.isdigit() and int(count) > 0)):
        return None
    return f'"{value}" is not a cluster; use local, local:N (N worker processes) or slurm'


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Limits for collecting uploads."""

    max_file: int = setting(
        100 * 1024**2,
        "Largest single uploaded file (a scanned write-up can be large).",
        kind="size",
    )
    max_zip_per_submission: int = setting(
        256 * 1024**2,
        "Largest uncompressed size per submission in a zip: a zip holding N submissions "
        "(top-level folders, Moodle participants) may unpack to N times this.",
        kind="size",
    )
    max_zip_total: int = setting(
        8 * 1024**3,
        "Largest total uncompressed size of one zip, however many submissions it holds.",
        kind="size",
    )
    max_zip_ratio: float = setting(
        100.0, "Largest compression ratio of a zip entry.", kind="positive"
    )


@dataclass(frozen=True, kw_only=True)
class Database:
    """Where the gradebook lives."""

    url: str = setting(
        "sqlite:///gradebook.db",
        "SQLAlchemy URL. A relative SQLite path is relative to the course directory; "
        "use postgresql://user@host/dbname for several tutors on several machines "
        "(needs `sheetgrade[postgres]`). $SHEETGRADE_DATABASE overrides it.",
    )


@dataclass(frozen=True, kw_only=True)
class CourseConfig:
    """course.yml: the course, its sheets and its rules."""

    course: str = setting(help="Course name.", example="Machine Learning and Physics")
    term: str = setting(help="Term, e.g. `WS 2026/27`.", example="WS 2026/27")
    timezone: str = setting("Europe/Berlin", "Timezone used to display deadlines and times.")
    sheets: list[SheetEntry] = setting([], "The sheets, in course order.")
    admission: AdmissionRule = setting(AdmissionRule(), "Admission rule for the exam.")
    late: LatePolicy = setting(LatePolicy(), "Late policy.")
    extensions: list[Extension] = setting([], "Personal deadline extensions.")
    teams: Teams = setting(Teams(), "Team settings.")
    roster: RosterRules = setting(RosterRules(), "Checks on roster imports.")
    grading: GradingLimits = setting(GradingLimits(), "Grading limits.")
    limits: Limits = setting(Limits(), "Upload limits for `collect`.")
    database: Database = setting(Database(), "Database settings.")
    exports: Exports = setting(Exports(), "Layouts of exported files.")

    def __validate__(self) -> list[str]:
        problems = []
        sheets = [s for s in self.sheets or [] if s is not None]
        counts = Counter(s.id for s in sheets)
        for sheet_id, n in counts.items():
            if n > 1:
                problems.append(f'sheets: sheet id "{sheet_id}" appears {n} times')
        blocks = {s.block for s in sheets if s.block}
        for i, rule in enumerate((self.admission.blocks or []) if self.admission else []):
            if rule is not None and rule.block not in blocks:
                problems.append(f'admission.blocks[{i}].block: no sheet is in block "{rule.block}"')
        return problems

    def sheet(self, sheet_id: str) -> SheetEntry | None:
        """The entry of ``sheet_id``, or None."""
        return next((s for s in self.sheets if s.id == sheet_id), None)


# ------------------------------------------------------------------- sheet.yml


@dataclass(frozen=True, kw_only=True)
class TaskConfig:
    """One task of a sheet."""

    id: str = setting(help="Task id, as used by tests and marks (e.g. `2a`).", example="2a")
    title: str = setting("", "Short title.")
    points: float = setting(help="Maximum points.", example="4")
    kind: Literal["auto", "manual"] = setting(
        "auto", "`auto`: graded by tests; `manual`: pen-and-paper, marked by tutors."
    )


@dataclass(frozen=True, kw_only=True)
class SheetConfig:
    """sheet.yml: one exercise sheet."""

    title: str = setting(help="Sheet title.", example="Ridge and lasso regression")
    topic: str = setting("", "Topic in a few words, shown in the release index and the report.")
    lectures: list[int] = setting(
        [], "Numbers of the lectures the sheet practises, shown in the release index."
    )
    notebook: str | None = setting(
        None, "Source notebook (with solutions and tests), relative to the sheet folder."
    )
    notebooks: list[str] = setting(
        [],
        "Several source notebooks graded together as one sheet, in order (instead of "
        "`notebook:`; an nbgrader assignment with several notebooks). Each task's tests "
        "live in one of them.",
    )
    header: str | None = setting(
        None,
        "A notebook whose cells open every released notebook (nbgrader's header "
        "notebook: the course's rules, the student's name). Not graded.",
    )
    data: list[str] = setting([], "Data files shipped to students with the notebook.")
    tasks: list[TaskConfig] = setting([], "The tasks, computational and pen-and-paper.")

    def __validate__(self) -> list[str]:
        problems = []
        tasks = [t for t in self.tasks or [] if t is not None]
        counts = Counter(t.id for t in tasks)
        for task_id, n in counts.items():
            if n > 1:
                problems.append(f'tasks: task id "{task_id}" appears {n} times')
        if self.notebook is not None and self.notebooks:
            problems.append("notebooks: set either `notebook:` or `notebooks:`, not both")
        names = Counter(Path(n).name for n in self.notebook_names)
        for name, n in names.items():
            if n > 1:
                problems.append(f'notebooks: "{name}" appears {n} times')
        if self.header is not None and Path(self.header).name in names:
            problems.append(f'header: "{self.header}" is also a graded notebook')
        if not self.notebook_names and any(t.kind == "auto" for t in tasks):
            problems.append("tasks: auto tasks need a notebook (set `notebook:`)")
        return problems

    @property
    def notebook_names(self) -> list[str]:
        """The graded source notebooks, relative to the sheet folder, in order."""
        return [self.notebook] if self.notebook is not None else list(self.notebooks)

    @property
    def max_points(self) -> float:
        """Sum of all task points."""
        return sum(t.points for t in self.tasks)

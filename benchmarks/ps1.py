"""A third-party workload: nbgrader's own user-guide assignment ``ps1``.

The notebooks are read at run time from the nbgrader package installed in the
competitors' venv (``nbgrader/docs/source/user_guide/source/ps1`` and the
``header.ipynb`` beside it); nothing of them is kept in this repository. Both
tools get the same instructor notebooks and the same byte-distinct submissions:

- nbgrader: ``nbgrader generate_assignment ps1`` in a course directory (with
  ``IncludeHeaderFooter.header``), the submissions under
  ``submitted/<student>/ps1/``, graded by ``nbgrader autograde``;
- sheetgrade: a course whose sheet ``ps1`` is the assignment unchanged, one
  sheet of two notebooks (``notebooks: [problem1.ipynb, problem2.ipynb]``,
  ``header: header.ipynb``) whose task ids are the ``grade_id``s, built by
  ``sheet build``, the submissions (a folder per student holding both
  notebooks) taken in by ``collect``, graded by ``sheetgrade grade``.

A submission is the student version from ``generate_assignment`` with the
student's answers in the two solution cells of problem1 (``squares``,
``sum_of_squares``) and the manually graded cells of both notebooks answered
too. Ten answer patterns cycle; each submission also carries its own comment,
so no two are byte-identical and no tool can reuse one result for another.
``EXPECTED`` is the score of each pattern per autograded cell, worked out by
hand from the tests' asserts (problem2 has manually graded cells only).

``python ps1.py [-n 10] [--reps 3]`` grades the batch with both tools and
prints the times, the ratio and whether the scores agree.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import competitors
import notebooks as nbs
import tools
from prepare import run_sheetgrade
from timing import time_command

ASSIGNMENT = "ps1"
NOTEBOOK = "problem1.ipynb"
NOTEBOOKS = (NOTEBOOK, "problem2.ipynb")
HEADER = "header.ipynb"
#: autograded cells and their points, as nbgrader's metadata gives them
AUTO_CELLS = {
    "correct_squares": 1.0,
    "squares_invalid_input": 1.0,
    "correct_sum_of_squares": 0.5,
    "sum_of_squares_uses_squares": 0.5,
}
#: manually graded cells (the tutor's part; neither tool scores them)
MANUAL_CELLS = {
    "sum_of_squares_equation": 1.0,
    "sum_of_squares_application": 2.0,
    "part-a": 1.0,  # problem2
    "part-b": 2.0,
}

SQUARES_OK = """\
def squares(n):
    \"\"\"Compute the squares of numbers from 1 to n.\"\"\"
    if n < 1:
        raise ValueError("n must be at least 1")
    return [i ** 2 for i in range(1, n + 1)]
"""
SUM_OK = """\
def sum_of_squares(n):
    \"\"\"Compute the sum of the squares of numbers from 1 to n.\"\"\"
    return sum(squares(n))
"""


@dataclass(frozen=True)
class Pattern:
    """One kind of submission: the two answers and the points each cell must give."""

    kind: str
    squares: str
    sum_of_squares: str
    points: tuple[float, float, float, float]  # in AUTO_CELLS order


PATTERNS = (
    Pattern("correct", SQUARES_OK, SUM_OK, (1, 1, 0.5, 0.5)),
    Pattern(
        "correct, numpy",
        "import numpy as np\n\ndef squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return [int(v) for v in np.arange(1, n + 1) ** 2]\n",
        SUM_OK,
        (1, 1, 0.5, 0.5),
    ),
    Pattern(
        "correct, loop",
        "def squares(n):\n    if n < 1:\n        raise ValueError('n < 1')\n    out = []\n"
        "    for i in range(1, n + 1):\n        out.append(i * i)\n    return out\n",
        "def sum_of_squares(n):\n    total = 0\n    for v in squares(n):\n        total += v\n"
        "    return total\n",
        (1, 1, 0.5, 0.5),
    ),
    Pattern(
        "no ValueError",
        "def squares(n):\n    return [i ** 2 for i in range(1, n + 1)]\n",
        SUM_OK,
        (1, 0, 0.5, 0.5),
    ),
    Pattern(
        "off by one",
        "def squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return [i ** 2 for i in range(n)]\n",
        SUM_OK,
        (0, 1, 0, 0.5),
    ),
    Pattern(
        "sum reimplemented",
        SQUARES_OK,
        "def sum_of_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6\n",
        (1, 1, 0.5, 0),
    ),
    Pattern(
        "blank",
        "def squares(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
        "def sum_of_squares(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
        (0, 0, 0, 0),
    ),
    Pattern(
        "syntax error",
        "def squares(n)\n    return [i ** 2 for i in range(1, n + 1)]\n",
        SUM_OK,
        (0, 0, 0, 0),
    ),
    Pattern(
        "generator",
        "def squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return (i ** 2 for i in range(1, n + 1))\n",
        SUM_OK,
        (0, 1, 0.5, 0.5),
    ),
    Pattern(
        "slow but right",
        "def squares(n):\n    if n < 1:\n        raise ValueError(n)\n"
        "    return [sum(i for _ in range(i)) for i in range(1, n + 1)]\n",
        SUM_OK,
        (1, 1, 0.5, 0.5),
    ),
)


def student_name(index: int) -> str:
    """The id of the ``index``-th student (as in the roster and nbgrader's tree)."""
    return f"p{index + 1:03d}"


def pattern_for(index: int) -> Pattern:
    """The answer pattern of the ``index``-th submission."""
    return PATTERNS[index % len(PATTERNS)]


def expected(n: int) -> dict[str, dict[str, object]]:
    """``{student: {"kind": ..., "tasks": {grade_id: points}}}`` (agreement.compare's shape)."""
    table: dict[str, dict[str, object]] = {}
    for index in range(n):
        pattern = pattern_for(index)
        tasks = dict(zip(AUTO_CELLS, map(float, pattern.points), strict=True))
        table[student_name(index)] = {"kind": pattern.kind, "tasks": tasks}
    return table


def source_folder() -> Path:
    """ps1's source folder inside the nbgrader package of the competitors' venv.

    Raises:
        RuntimeError: nbgrader is not installed there, or ships no ps1.
    """
    done = competitors.run(
        ["python", "-c", "import nbgrader, os; print(os.path.dirname(nbgrader.__file__))"],
        cwd=Path.cwd(),
    )
    folder = Path(done.stdout.strip()) / "docs" / "source" / "user_guide" / "source" / ASSIGNMENT
    if not (folder / NOTEBOOK).is_file():
        raise RuntimeError(f"the installed nbgrader ships no {folder / NOTEBOOK}")
    return folder


def _fill(stub: object, index: int) -> object:
    """The student version with the ``index``-th submission's answers."""
    nb = nbformat_copy(stub)
    pattern = pattern_for(index)
    answers = {
        "squares": f"# submission of {student_name(index)}\n{pattern.squares}",
        "sum_of_squares": pattern.sum_of_squares,
        "sum_of_squares_equation": "$\\sum_{i=1}^n i^2$",
        "sum_of_squares_application": "def pyramidal_number(n):\n    return sum_of_squares(n)\n",
        "part-a": f"Fibonacci numbers, by recursion ({student_name(index)}).",
        "part-b": "Negative inputs: the recursion never ends.",
    }
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
    return nb


def nbformat_copy(nb: object) -> object:
    import nbformat

    return nbformat.from_dict(json.loads(json.dumps(nb)))


NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "ps1bench"
c.Execute.timeout = 60
c.IncludeHeaderFooter.header = "source/header.ipynb"
"""

COURSE_YML = """\
course: ps1 benchmark course
term: WS 2026/27
timezone: Europe/Berlin
sheets:
  - id: {assignment}
    due: 2026-11-04T10:00+01:00
admission:
  share: 0.5
late:
  kind: none
grading:
  timeout: 60s
"""


def _sheet_yml() -> str:
    lines = [
        "title: Problem set 1 (nbgrader user guide)",
        f"notebooks: [{', '.join(NOTEBOOKS)}]",
        f"header: {HEADER}",
        "tasks:",
    ]
    for grade_id, points in AUTO_CELLS.items():
        lines.append(f"  - {{id: {grade_id}, points: {points:g}, kind: auto}}")
    for grade_id, points in MANUAL_CELLS.items():
        lines.append(f"  - {{id: {grade_id}, points: {points:g}, kind: manual}}")
    return "\n".join(lines) + "\n"


def _roster(root: Path, n: int) -> None:
    roster = root / "roster"
    roster.mkdir(parents=True, exist_ok=True)
    rows = ["id,first_name,last_name,email,matrikel,group"]
    for index in range(n):
        sid = student_name(index)
        rows.append(f"{sid},Student,P {index + 1},{sid}@example.org,{4000000 + index},G1")
    (roster / "students.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (roster / "groups.csv").write_text("id,name\nG1,Group 1\n", encoding="utf-8")
    (roster / "tutors.csv").write_text(
        "name,email,groups\nTutor One,tutor@example.org,G1\n", encoding="utf-8"
    )
    (roster / "teams.csv").write_text("team,student\n", encoding="utf-8")


@dataclass
class Ps1Batch:
    """ps1 written for both tools: the nbgrader course and sheetgrade's prepared course."""

    n: int
    nbgrader_course: Path
    sheetgrade_course: Path


def write(root: Path, n: int) -> Ps1Batch:
    """Write and prepare ps1 with ``n`` submissions under ``root`` (untimed).

    Needs nbgrader in the competitors' venv (for the notebook and
    ``generate_assignment``).
    """
    source = source_folder()
    nbg = root / "nbgrader"
    (nbg / "source").mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, nbg / "source" / ASSIGNMENT, dirs_exist_ok=True)
    shutil.copyfile(source.parent / HEADER, nbg / "source" / HEADER)
    (nbg / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    competitors.run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=nbg)
    stubs = {name: nbs.read(nbg / "release" / ASSIGNMENT / name) for name in NOTEBOOKS}
    uploads = root / "uploads"
    for index in range(n):
        for name, stub in stubs.items():
            nb = _fill(stub, index)
            nbs.write(nb, nbg / "submitted" / student_name(index) / ASSIGNMENT / name)
            nbs.write(nb, uploads / student_name(index) / name)

    course = root / "sheetgrade"
    course.mkdir(parents=True, exist_ok=True)
    (course / "course.yml").write_text(COURSE_YML.format(assignment=ASSIGNMENT), encoding="utf-8")
    _roster(course, n)
    sheet = course / "sheets" / ASSIGNMENT
    shutil.copytree(source, sheet, dirs_exist_ok=True)
    shutil.copyfile(source.parent / HEADER, sheet / HEADER)
    (sheet / "sheet.yml").write_text(_sheet_yml(), encoding="utf-8")
    run_sheetgrade(course, "roster", "sync")
    run_sheetgrade(course, "sheet", "build", ASSIGNMENT)
    run_sheetgrade(
        course, "collect", ASSIGNMENT, str(uploads), "--received-at", "2026-11-01T10:00+01:00"
    )
    return Ps1Batch(n, nbg, course)


class NbgraderPs1:
    """``nbgrader autograde ps1`` on a fresh copy of the nbgrader course."""

    def __init__(self, batch: Ps1Batch, work: Path, student: str | None = None) -> None:
        self.batch, self.work, self.student = batch, work, student

    def __call__(self) -> float:
        if self.work.exists():
            shutil.rmtree(self.work)
        shutil.copytree(self.batch.nbgrader_course, self.work)
        argv = [str(competitors.bin_path("nbgrader")), "autograde", ASSIGNMENT]
        if self.student:
            argv.append(f"--student={self.student}")
        return time_command(argv, self.work, competitors.environment())

    def scores(self) -> dict[str, dict[str, float]]:
        done = competitors.helper("nbgrader_scores.py", ASSIGNMENT, cwd=self.work)
        raw: dict[str, dict[str, float | None]] = json.loads(done.stdout)
        return {
            student: {cell: float(grades.get(cell) or 0.0) for cell in AUTO_CELLS}
            for student, grades in raw.items()
        }


class SheetgradePs1:
    """``sheetgrade grade ps1`` on a fresh copy of the prepared course."""

    def __init__(
        self, batch: Ps1Batch, work: Path, jobs: int | None, student: str | None = None
    ) -> None:
        self.batch, self.work, self.jobs, self.student = batch, work, jobs, student

    def __call__(self) -> float:
        if self.work.exists():
            shutil.rmtree(self.work)
        shutil.copytree(self.batch.sheetgrade_course, self.work)
        argv = [str(tools.sheetgrade()), "--course", str(self.work), "grade", ASSIGNMENT, "-q"]
        if self.jobs is not None:
            argv += ["--jobs", str(self.jobs)]
        if self.student:
            argv += ["--only", self.student]
        return time_command(argv, self.work, ok_codes=(0, 1))

    def scores(self) -> dict[str, dict[str, float]]:
        import sheetgrade_results

        return sheetgrade_results.task_scores(self.work, ASSIGNMENT, tasks=list(AUTO_CELLS))


def main() -> None:
    """Grade ps1 (both notebooks, with the header) with nbgrader and with sheetgrade;
    print the medians, the ratio and whether the scores agree."""
    import argparse
    import tempfile

    import agreement
    from stats import fmt_sample, ratio
    from timing import interleave

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("-n", type=int, default=10, help="submissions (default 10)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    args = parser.parse_args()
    if not competitors.available("nbgrader"):
        raise SystemExit("ps1 needs nbgrader in the competitors' venv ($COMPETITOR_VENV)")
    with tempfile.TemporaryDirectory(prefix="ps1-bench-") as tmp:
        root = Path(tmp)
        batch = write(root / "ps1", args.n)
        measures = {
            "nbgrader autograde": NbgraderPs1(batch, root / "run-nbgrader"),
            "sheetgrade grade": SheetgradePs1(batch, root / "run-sheetgrade", jobs=None),
        }
        samples = interleave(dict(measures), args.reps)
        want = expected(args.n)
        print(f"ps1 (problem1 + problem2 + header), {args.n} submissions, {args.reps} reps")
        for name, sample in samples.items():
            print(f"  {name:<20} {fmt_sample(sample)}")
            print(f"    {agreement.compare(name, want, measures[name].scores()).summary()}")
        times = ratio(samples["nbgrader autograde"], samples["sheetgrade grade"])
        print(f"  sheetgrade is {times:.1f}x faster (medians)" if times else "  no ratio")


if __name__ == "__main__":
    main()

"""The benchmark sheet: three numpy tasks, three tests each, one point a test.

Every form of the sheet (sheetgrade, nbgrader, otter) is written from these
definitions, so the student code and the tests are the same text everywhere;
only each tool's markup around them differs.

A submission is a *pattern*: one variant per task (correct, wrong, blank,
syntax error, runtime error) and whether its import cell is broken. The
expected score of every test follows from the variant, so all three tools can
be checked against the same truth.
"""

from __future__ import annotations

from dataclasses import dataclass

SHEET_ID = "bench"
NOTEBOOK = "bench.ipynb"
TITLE = "Benchmark sheet: centring, kernel density, ridge"

IMPORTS = "import numpy as np\nimport matplotlib.pyplot as plt"
BROKEN_IMPORTS = "import nump as np\nimport matplotlib.pyplot as plt"
TRIVIAL_IMPORTS = "import math"


@dataclass(frozen=True)
class Check:
    """One test: Python statements ending in an ``assert``; 1 point."""

    name: str
    code: str
    hidden: bool


@dataclass(frozen=True)
class Task:
    """One computational task: a function to write and its tests."""

    id: str  # sheetgrade task id
    question: str  # otter question name
    function: str
    signature: str
    prompt: str
    solution: str  # function body, indented four spaces
    variants: dict[str, str]  # variant name -> full cell source
    checks: tuple[Check, ...]
    passes: dict[str, tuple[bool, bool, bool]]  # variant -> which checks pass

    @property
    def points(self) -> int:
        return len(self.checks)

    def cell(self, variant: str) -> str:
        """The student's code cell for ``variant``."""
        if variant == "correct":
            return f"def {self.signature}:\n{self.solution}"
        if variant == "blank":
            return f"def {self.signature}:\n    raise NotImplementedError()"
        if variant == "syntax":
            return f"def {self.signature}\n{self.solution}"
        return self.variants[variant]


CENTER = Task(
    id="1a",
    question="q1a",
    function="center",
    signature="center(X)",
    prompt="Return the data matrix `X` (samples in rows) with every column centred.",
    solution="    return X - X.mean(axis=0)",
    variants={
        "wrong": "def center(X):\n    return X - X.mean()",
        "error": "def center(X):\n    return X - X.mean(axis=2)",
    },
    checks=(
        Check(
            "shape", "X = np.arange(12.0).reshape(4, 3)\nassert center(X).shape == (4, 3)", False
        ),
        Check(
            "means",
            "X = np.random.default_rng(1).normal(3.0, 2.0, size=(50, 4))\n"
            "assert np.allclose(center(X).mean(axis=0), 0.0)",
            False,
        ),
        Check(
            "values",
            "X = np.array([[1.0, 2.0], [3.0, 6.0]])\n"
            "assert np.allclose(center(X), [[-1.0, -2.0], [1.0, 2.0]])",
            True,
        ),
    ),
    passes={
        "correct": (True, True, True),
        "wrong": (True, False, False),
    },
)

KDE = Task(
    id="1b",
    question="q1b",
    function="kde",
    signature="kde(x, data, h)",
    prompt="Return the Gaussian kernel density estimate with bandwidth `h` of the "
    "samples `data`, evaluated at the points `x`.",
    solution="    u = (x[:, None] - data[None, :]) / h\n"
    "    return np.exp(-0.5 * u**2).mean(axis=1) / (h * np.sqrt(2 * np.pi))",
    variants={
        "wrong": "def kde(x, data, h):\n"
        "    u = (x[:, None] - data[None, :]) / h\n"
        "    return np.exp(-0.5 * u**2).mean(axis=1) / np.sqrt(2 * np.pi)",
        "error": "def kde(x, data, h):\n    return np.exp(-0.5 * (x - data) ** 2 / h).mean(axis=1)",
    },
    checks=(
        Check(
            "peak",
            "p = kde(np.array([0.0]), np.array([0.0]), 1.0)\n"
            "assert np.allclose(p, 1 / np.sqrt(2 * np.pi))",
            False,
        ),
        Check(
            "normalised",
            "grid = np.linspace(-10.0, 10.0, 2001)\n"
            "data = np.random.default_rng(2).normal(size=200)\n"
            "p = kde(grid, data, 0.5)\n"
            "assert abs(p.sum() * (grid[1] - grid[0]) - 1.0) < 1e-3",
            False,
        ),
        Check(
            "values",
            "p = kde(np.array([0.5]), np.array([0.0, 1.0]), 2.0)\n"
            "assert np.allclose(p, np.exp(-1 / 32) / (2 * np.sqrt(2 * np.pi)))",
            True,
        ),
    ),
    passes={
        "correct": (True, True, True),
        "wrong": (True, False, False),
    },
)

RIDGE = Task(
    id="1c",
    question="q1c",
    function="ridge",
    signature="ridge(X, y, lam)",
    prompt="Return the ridge regression weights for design matrix `X`, targets `y` "
    "and regularisation strength `lam`.",
    solution="    d = X.shape[1]\n    return np.linalg.solve(X.T @ X + lam * np.eye(d), X.T @ y)",
    variants={
        "wrong": "def ridge(X, y, lam):\n    return np.linalg.lstsq(X, y, rcond=None)[0]",
        "error": "def ridge(X, y, lam):\n    return np.linalg.solve(X @ X.T + lam, X.T @ y)",
    },
    checks=(
        Check(
            "shape",
            "X = np.ones((5, 2))\ny = np.ones(5)\nassert ridge(X, y, 1.0).shape == (2,)",
            False,
        ),
        Check(
            "least_squares",
            "rng = np.random.default_rng(3)\n"
            "X = rng.normal(size=(40, 3))\n"
            "y = X @ np.array([1.0, -2.0, 0.5])\n"
            "assert np.allclose(ridge(X, y, 0.0), [1.0, -2.0, 0.5])",
            False,
        ),
        Check(
            "shrinkage",
            "X = np.eye(2)\ny = np.array([2.0, 4.0])\n"
            "assert np.allclose(ridge(X, y, 1.0), [1.0, 2.0])",
            True,
        ),
    ),
    passes={
        "correct": (True, True, True),
        "wrong": (True, True, False),
    },
)

TASKS: tuple[Task, ...] = (CENTER, KDE, RIDGE)


@dataclass(frozen=True)
class Pattern:
    """What one submission looks like: a variant per task, maybe a broken import."""

    kind: str  # correct | partial | broken
    variants: tuple[str, str, str]
    broken_import: bool = False

    def passes(self, task_index: int, *, in_grader: bool = False) -> tuple[bool, bool, bool]:
        """Which of the task's checks this submission passes.

        A broken import leaves ``np`` undefined in the student's namespace.
        Tests that run there (asserts: nbgrader, otter, and sheetgrade on their
        formats) then all fail, since they use ``np`` themselves. Checks that
        run in the grader (``in_grader``: sheetgrade's native checks) have
        their own ``np``: a function that doesn't need numpy still passes.
        """
        task = TASKS[task_index]
        variant = self.variants[task_index]
        if self.broken_import and not (in_grader and "np." not in task.cell(variant)):
            return (False, False, False)
        return task.passes.get(variant, (False, False, False))

    def task_scores(self, *, in_grader: bool = False) -> dict[str, float]:
        """Expected points per task id (see :meth:`passes` for ``in_grader``)."""
        return {t.id: float(sum(self.passes(i, in_grader=in_grader))) for i, t in enumerate(TASKS)}

    @property
    def total(self) -> float:
        return sum(self.task_scores().values())


#: The batch cycles through these: 3 correct, 4 partial, 3 broken in every 10.
PATTERNS: tuple[Pattern, ...] = (
    Pattern("correct", ("correct", "correct", "correct")),
    Pattern("partial", ("correct", "wrong", "correct")),
    Pattern("correct", ("correct", "correct", "correct")),
    Pattern("partial", ("blank", "correct", "wrong")),
    Pattern("broken", ("correct", "syntax", "correct")),
    Pattern("correct", ("correct", "correct", "correct")),
    Pattern("partial", ("wrong", "wrong", "wrong")),
    Pattern("broken", ("correct", "correct", "correct"), broken_import=True),
    Pattern("partial", ("correct", "correct", "blank")),
    Pattern("broken", ("error", "correct", "correct")),
)


def pattern_for(index: int) -> Pattern:
    """The pattern of the ``index``-th submission of a batch."""
    return PATTERNS[index % len(PATTERNS)]


def student_name(index: int) -> str:
    """A stable student id for the ``index``-th submission."""
    return f"s{index + 1:04d}"


def student_cells(pattern: Pattern, *, trivial: bool = False) -> tuple[str, list[str]]:
    """The import cell and one code cell per task for a submission.

    ``trivial`` gives functions that return a constant at once, for measuring a
    tool's own cost per submission with next to no student compute.
    """
    if trivial:
        cells = [f"def {t.signature}:\n    return 0" for t in TASKS]
        return TRIVIAL_IMPORTS, cells
    imports = BROKEN_IMPORTS if pattern.broken_import else IMPORTS
    return imports, [t.cell(v) for t, v in zip(TASKS, pattern.variants, strict=True)]

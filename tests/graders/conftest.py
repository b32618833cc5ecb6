"""Fixtures for grading tests: small autograder bundles written directly, and
submissions inserted into the store (real notebooks, real child processes)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from sheetgrade.course import store
from sheetgrade.course.course import Course
from sheetgrade.graders.notebook import new_notebook
from sheetgrade.sheets.model import AutograderBundle, PublicTests, TaskInfo, TestCase

SHEET = "01-pca"

REFERENCE_CELLS = [
    "import numpy as np\n",
    "def center(X):\n    X = np.asarray(X, dtype=float)\n    return X - X.mean(axis=0)\n",
    "def double(x):\n    return 2 * x\n",
    "data = np.loadtxt('points.csv', delimiter=',')\nmean = data.mean()\n",
]

TESTS = [
    TestCase(
        id="1a-public",
        task="1a",
        points=1,
        hidden=False,
        kind="native",
        code="X = np.arange(6.0).reshape(3, 2)\nexpect_close(student.center(X), reference.center(X))",
    ),
    TestCase(
        id="1a-hidden",
        task="1a",
        points=1,
        hidden=True,
        kind="native",
        code="rng = np.random.default_rng(1)\nX = rng.normal(size=(5, 3))\n"
        "expect_close(student.center(X), reference.center(X))",
    ),
    TestCase(
        id="1b-ok",
        task="1b",
        points=2,
        hidden=False,
        kind="ok",
        code=">>> double(2)\n4\n>>> double(np.float64(0.25))\nnp.float64(0.5)\n",
    ),
    TestCase(
        id="1c-assert",
        task="1c",
        points=1,
        hidden=True,
        kind="assert",
        code="assert abs(mean - 2.5) < 1e-9",
    ),
    TestCase(
        id="1c-value",
        task="1c",
        points=1,
        hidden=False,
        kind="native",
        code="expect_close(student.value('mean'), reference.value('mean'))",
    ),
]

TASKS = [
    TaskInfo(id="1a", title="Centre", points=2, kind="auto"),
    TaskInfo(id="1b", title="Double", points=2, kind="auto"),
    TaskInfo(id="1c", title="Mean", points=2, kind="auto"),
]

CORRECT = [
    "import numpy as np\n%matplotlib inline\n",
    "def center(X):\n    return X - X.mean(axis=0)\n",
    "def double(x):\n    return x + x\n",
    "data = np.loadtxt('points.csv', delimiter=',')\nmean = float(np.mean(data))\nprint('mean is', mean)\n",
]
PARTIAL = [
    "import numpy as np\n",
    "def center(X):\n    return X - X.mean()\n",  # wrong axis
    "def double(x):\n    return 2 * x\n",
    "mean = 3.0\n",
]
BROKEN = [
    "import numpy as np\n",
    "raise RuntimeError('oops')\n",
    "def double(x):\n    return 2 * x\n",  # still defined: later cells run
    "def broken(:\n",
]


def write_bundle(
    course_root: Path,
    sheet_id: str = SHEET,
    *,
    tests: list[TestCase] = TESTS,
    reference: list[str] = REFERENCE_CELLS,
    build_hash: str = "b" * 64,
) -> Path:
    """Write build/<sheet>/autograder/ and build/<sheet>/student/ directly."""
    folder = course_root / "build" / sheet_id / "autograder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reference.ipynb").write_text(new_notebook(reference))
    (folder / "points.csv").write_text("1,2\n3,4\n")
    bundle = AutograderBundle(
        sheet_id=sheet_id,
        build_hash=build_hash,
        format="native",
        tasks=TASKS,
        tests=tests,
        student_notebook="pca.ipynb",
        data=["points.csv"],
    )
    (folder / "bundle.json").write_text(bundle.to_json())
    student = course_root / "build" / sheet_id / "student"
    student.mkdir(parents=True, exist_ok=True)
    shutil.copy(folder / "points.csv", student / "points.csv")
    return folder


def write_public_tests(
    folder: Path, recorded: dict, tests: list[TestCase] = TESTS, sheet_id: str = SHEET
) -> Path:
    public = PublicTests(
        sheet_id=sheet_id,
        build_hash="b" * 64,
        tasks=TASKS,
        tests=[t for t in tests if not t.hidden],
        recorded_reference=recorded,
    )
    path = folder / "public_tests.json"
    path.write_text(public.to_json())
    return path


AddSubmission = Callable[..., str]


def store_version(
    course: Course, sheet_id: str, owner: str, files: dict[str, str], *, version: int = 1
) -> str:
    """Store one version holding ``files`` (relative path -> text) as intake
    would, the first notebook as its main one; returns its sha256."""
    sha = hashlib.sha256(repr((owner, sorted(files.items()))).encode()).hexdigest()
    rel = Path("submissions") / sheet_id / owner / f"v{version}"
    for name, text in files.items():
        (course.root / rel / name).parent.mkdir(parents=True, exist_ok=True)
        (course.root / rel / name).write_text(text, encoding="utf-8")
    now = datetime.now(UTC).isoformat()
    with store.transaction(course.engine) as conn:
        conn.execute(
            insert(store.submissions).values(
                sheet_id=sheet_id,
                owner=owner,
                owner_kind="student",
                submitted_by=owner,
                version=version,
                sha256=sha,
                path=str(rel),
                notebook=next((n for n in files if n.endswith(".ipynb")), None),
                received_at=now,
                late_seconds=0.0,
                source="test",
                flags="[]",
                created_at=now,
            )
        )
    return sha


@pytest.fixture
def graded_course(example_course: Path) -> Path:
    """The example course with a hand-written build of sheet 01."""
    write_bundle(example_course)
    return example_course


@pytest.fixture
def add_submission(graded_course: Path) -> AddSubmission:
    """Store a submission: ``add_submission("s001", cells)`` or ``text=...``; returns its sha."""
    course = Course.open(graded_course)
    versions: dict[str, int] = {}

    def add(
        owner: str,
        cells: list[str] | None = None,
        *,
        text: str | None = None,
        sheet_id: str = SHEET,
    ) -> str:
        content = text if text is not None else new_notebook(cells or [])
        versions[owner] = versions.get(owner, 0) + 1
        return store_version(
            course, sheet_id, owner, {"pca.ipynb": content}, version=versions[owner]
        )

    return add

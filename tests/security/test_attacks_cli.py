"""Every attack as a real submission graded through ``sheetgrade grade``.

Skipped until the CLI has ``grade`` (see ``test_attacks_process.py`` for the
same attacks against the engine's student process, which runs today). The
course: the example course's roster, plus sheet ``00-security`` written in the
native format (``# CHECK`` cells) with the tasks described in ``attacks.py``.
Each attack is submitted by its own student; ``honest`` by one more.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import attacks
import nbformat
import pytest
import yaml
from harness import snapshot, write_notebook

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sheetgrade.cli.grade") is None,
    reason="`sheetgrade grade` does not exist yet (engine in progress)",
)

SHEET = "00-security"
SOURCE_CELLS = [
    "import numpy as np\n\n"
    "def add(a, b):\n    # BEGIN SOLUTION\n    return a + b\n    # END SOLUTION\n\n"
    "def mean_rows(X):\n    # BEGIN SOLUTION\n    return np.asarray(X).mean(axis=1)\n    # END SOLUTION\n",
    f"answer = None\n# BEGIN SOLUTION\nanswer = {attacks.SECRET}\n# END SOLUTION\n",
    "# CHECK 1a points=1\nexpect_equal(student.add(2, 3), 5)\n",
    "# CHECK 1a points=1 hidden\nexpect_equal(student.add(10, -4), 6)\n",
    "# CHECK 1b points=1 hidden\nX = np.arange(12.0).reshape(3, 4)\n"
    "expect_close(student.mean_rows(X), reference.mean_rows(X))\n",
    f"# CHECK 2 points=1 hidden\nexpect_equal(student.value('answer'), {attacks.SECRET})\n",
]
SHEET_YML = """\
title: Security suite
notebook: security.ipynb
tasks:
  - {id: 1a, points: 2}
  - {id: 1b, points: 1}
  - {id: "2", points: 1}
"""


def sheetgrade(course: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sheetgrade.cli", "--course", str(course), *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("cli")
    course = root / "course"
    assert sheetgrade(root, "init", str(course), "--example", "mlphys").returncode == 0
    sheet = course / "sheets" / SHEET
    sheet.mkdir(parents=True)
    (sheet / "sheet.yml").write_text(SHEET_YML)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in SOURCE_CELLS]
    nbformat.write(nb, str(sheet / "security.ipynb"))
    config = yaml.safe_load((course / "course.yml").read_text())
    config.setdefault("sheets", []).append({"id": SHEET, "due": "2030-01-01T00:00+01:00"})
    config.setdefault("grading", {}).update({"timeout": 4, "memory": "1GiB"})
    (course / "course.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    build = sheetgrade(course, "sheet", "build", SHEET)
    assert build.returncode == 0, build.stderr
    students = [line.split(",")[0] for line in (course / "roster" / "students.csv").read_text().splitlines()[1:]]
    subs = root / "subs"
    who: dict[str, str] = {}
    everyone = [*attacks.ATTACKS, attacks.Attack("honest", (attacks.HONEST,))]
    for student, attack in zip(students, everyone, strict=False):
        write_notebook(subs / student / "security.ipynb", attack)
        who[student] = attack.name
    assert sheetgrade(course, "collect", SHEET, str(subs)).returncode == 0
    before = snapshot(course, skip=("scratch", "gradebook.db", "gradebook.db-wal", "gradebook.db-shm",
                                    "results", "feedback", "exports", ".grading"))
    result = sheetgrade(course, "grade", SHEET, "--jobs", "2", "--timeout", "4", "--quiet", timeout=300)
    after = snapshot(course, skip=("scratch", "gradebook.db", "gradebook.db-wal", "gradebook.db-shm",
                                   "results", "feedback", "exports", ".grading"))
    assert before == after, "a file outside the grading area changed"
    return course, who, result


def test_batch_finishes_and_reports_errors(graded: tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]) -> None:
    _course, _who, result = graded
    assert result.returncode in (0, 1), result.stderr  # 1: some submissions ended in error
    assert "Traceback" not in result.stderr


def test_no_attack_earns_a_point(graded: tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]) -> None:
    course, who, _result = graded
    export = sheetgrade(course, "export", "gradescope", SHEET, "--json")
    if export.returncode != 0:
        pytest.skip(f"no JSON results export yet: {export.stderr.strip()[:200]}")
    scores = {row["student"]: row["score"] for row in json.loads(export.stdout)}
    for student, name in who.items():
        if name == "honest":
            assert scores[student] == 3
        else:
            assert scores.get(student, 0) == 0, name

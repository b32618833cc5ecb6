"""The student install for real: the wheel, no extras, a fresh venv.

Builds sheetgrade's wheel, installs it into a new venv as `pip install
sheetgrade` would (dependencies from the package index, pip's cache reused),
then, in that venv: `sheetgrade check` on a released example sheet prints what
the full install prints, `pip list` stays within 25 distributions and 200 MB,
and a staff command says in one line which extra to install.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
try:
    import student_venv
finally:
    sys.path.remove(str(REPO / "benchmarks"))

MAX_DISTRIBUTIONS = 25
MAX_MEGABYTES = 200


def _released_sheet(run_cli, example_course: Path, target: Path) -> Path:
    assert run_cli("sheet", "build", "01-pca", course=example_course).exit_code == 0
    assert run_cli("sheet", "release", "01-pca", course=example_course).exit_code == 0
    with zipfile.ZipFile(example_course / "release" / "01-pca.zip") as archive:
        archive.extractall(target)
    folder = target / "01-pca"
    solved = folder / "solved.ipynb"
    solved.write_bytes(
        (example_course / "build" / "01-pca" / "autograder" / "reference.ipynb").read_bytes()
    )
    return folder


def _student_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SHEETGRADE_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }


@pytest.mark.slow
def test_student_install_from_the_wheel(run_cli, example_course: Path, tmp_path: Path) -> None:
    wheel = student_venv.build_wheel(tmp_path / "dist")
    venv_dir = tmp_path / "student-venv"
    student_venv.create_student_venv(venv_dir, wheel)
    sheetgrade = str(student_venv.venv_script(venv_dir, "sheetgrade"))

    stats = student_venv.venv_stats(venv_dir)
    names = {d.split("==")[0].lower() for d in stats.distributions}
    assert stats.count <= MAX_DISTRIBUTIONS, stats.distributions
    assert stats.megabytes <= MAX_MEGABYTES, stats.megabytes
    assert {"sheetgrade", "numpy", "ipython", "click", "pyyaml"} <= names
    assert not names & {"pandas", "sqlalchemy", "scipy", "matplotlib", "openpyxl", "jinja2"}

    folder = _released_sheet(run_cli, example_course, tmp_path / "exercises")
    env = _student_env()
    for notebook, code in (("pca.ipynb", 1), ("solved.ipynb", 0)):
        student = subprocess.run(
            [sheetgrade, "check", notebook], cwd=folder, env=env, capture_output=True, text=True
        )
        assert student.returncode == code, student.stdout + student.stderr
        assert student.stderr == ""
        full = run_cli("check", str(folder / notebook))
        assert student.stdout == full.stdout  # the same verdicts as the full install

    staff = subprocess.run(
        [sheetgrade, "--course", str(example_course), "grade", "01-pca"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert staff.returncode == 1
    assert staff.stdout == ""
    assert staff.stderr.count("\n") == 1, staff.stderr
    assert staff.stderr.endswith('install the staff extra: pip install "sheetgrade[staff]"\n')

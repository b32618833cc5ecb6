"""The student install: `sheetgrade --help` and `check` need no staff library,
and a staff command without the extra says in one line what to install."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sheetgrade.cli.main import STAFF_HINT, STAFF_MODULES
from sheetgrade.graders.notebook import new_notebook
from sheetgrade.sheets.model import PublicTests, TaskInfo
from sheetgrade.sheets.model import TestCase as Case

REPO = Path(__file__).resolve().parents[1]


POSIX_ONLY = ("resource", "fcntl", "termios", "pwd", "grp")


def _staff_blocked(tmp_path: Path, also: tuple[str, ...] = ()) -> dict[str, str]:
    """An environment in which every staff library (and the modules in ``also``)
    fails to import, as after ``pip install sheetgrade`` without the extra, in
    the grader process (the student process gets a clean environment)."""
    shadow = tmp_path / "no-staff"
    shadow.mkdir()
    (shadow / "sitecustomize.py").write_text(
        "import sys\n"
        f"STAFF = {sorted(STAFF_MODULES) + list(also)!r}\n"
        "for name in STAFF:\n"
        "    sys.modules.pop(name, None)\n"
        "class NoStaff:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in STAFF:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoStaff())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SHEETGRADE_COURSE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shadow), env.get("PYTHONPATH")]))
    return env


def _student_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    tests = [
        Case(
            id="1a-value",
            task="1a",
            points=1,
            hidden=False,
            kind="native",
            code="expect_close(student.value('total'), 6.0)",
        ),
        Case(id="1b-ok", task="1b", points=1, hidden=False, kind="ok", code=">>> twice(2)\n4\n"),
    ]
    tasks = [
        TaskInfo(id="1a", title="Sum", points=1, kind="auto"),
        TaskInfo(id="1b", title="Twice", points=1, kind="auto"),
    ]
    public = PublicTests(sheet_id="01", build_hash="b" * 64, tasks=tasks, tests=tests)
    (folder / "public_tests.json").write_text(public.to_json())
    notebook = folder / "sum.ipynb"
    notebook.write_text(
        new_notebook(
            [
                "import numpy as np\ntotal = float(np.arange(4).sum())\n",
                "def twice(x):\n    return x + x\n",
            ]
        )
    )
    return notebook


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from sheetgrade.cli.main import cli\n"
        "try:\n"
        f"    cli({argv!r}, prog_name='sheetgrade')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "else:\n"
        "    code = 0\n"
        f"print('staff loaded:', sorted(m for m in {sorted(STAFF_MODULES)!r} if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_staff_modules_match_the_staff_extra() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {
        re.split(r"[<>=\[ ;]", r)[0].lower() for r in project["optional-dependencies"]["staff"]
    }
    assert names == set(STAFF_MODULES)
    base = {re.split(r"[<>=\[ ;]", r)[0].lower() for r in project["dependencies"]}
    assert base == {"click", "pyyaml", "numpy", "ipython"}


@pytest.mark.parametrize("argv", [["--help"], ["check", "--help"], ["grade", "--help"]])
def test_help_needs_no_staff_library(argv: list[str], tmp_path: Path) -> None:
    result = _run(argv, _staff_blocked(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "staff loaded: []"


def test_check_needs_no_staff_library(tmp_path: Path) -> None:
    notebook = _student_folder(tmp_path / "01")
    result = _run(["check", str(notebook)], _staff_blocked(tmp_path), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "1a     PASS  1/1 public points of 1  Sum",
        "1b     PASS  1/1 public points of 1  Twice",
        "2/2 tasks pass their public tests",
    ]
    assert lines[-1] == "staff loaded: []"


def test_portable_check_runs_without_posix_only_modules(tmp_path: Path) -> None:
    """What Windows lacks (resource, fcntl, termios, pwd, grp), made unimportable
    in the grader process: `check` through the portable backend still works."""
    notebook = _student_folder(tmp_path / "01")
    env = _staff_blocked(tmp_path, also=POSIX_ONLY)
    env["SHEETGRADE_BACKEND"] = "portable"
    result = _run(["check", str(notebook)], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[2] == "2/2 tasks pass their public tests"
    code = (
        "from pathlib import Path\n"
        "from sheetgrade.graders.local_check import check_notebook\n"
        f"print(check_notebook(Path({str(notebook)!r})).layers)\n"
    )
    layers = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert layers.returncode == 0, layers.stderr
    assert "'backend': 'portable'" in layers.stdout


@pytest.mark.parametrize("argv", [["grade", "01"], ["demo", "demo-course"], ["report"]])
def test_staff_command_without_the_extra_names_it(argv: list[str], tmp_path: Path) -> None:
    result = _run(argv, _staff_blocked(tmp_path), tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: 'sheetgrade {argv[0]}' is a staff command")
    assert result.stderr.rstrip().endswith(STAFF_HINT)
    assert not (tmp_path / "demo-course").exists()

"""The package mapping: one `sheetgrade` namespace, no stray top-level modules,
templates and the example course inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SUBPACKAGES = [
    "cli",
    "course",
    "sheets",
    "roster",
    "submissions",
    "graders",
    "gradebook",
    "templates",
]


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_folders_are_not_top_level_modules(name, tmp_path):
    result = run_python(f"import {name}", cwd=tmp_path)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


def test_subpackages_import_under_the_namespace(tmp_path):
    code = "import importlib; " + "; ".join(
        f"importlib.import_module('sheetgrade.{n}')" for n in SUBPACKAGES
    )
    code += "; import sheetgrade; print(sheetgrade.__version__)"
    result = run_python(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.1.0"


def test_python_dash_m_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sheetgrade.cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sheetgrade, version 0.1.0\n"


def test_example_course_is_package_data():
    from sheetgrade.course.init import example_path

    assert (example_path("mlphys") / "course.yml").is_file()


@pytest.mark.slow
def test_wheel_contains_templates_and_example(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("sheetgrade-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "sheetgrade/__init__.py" in names
    assert "sheetgrade/py.typed" in names
    for init in sorted(REPO.glob("*/**/__init__.py")):
        folder = init.relative_to(REPO).parts[0]
        if folder in SUBPACKAGES or folder == "examples":
            assert f"sheetgrade/{init.relative_to(REPO).as_posix()}" in names, (
                f"{init} is not packaged"
            )
    assert "sheetgrade/examples/mlphys/course.yml" in names
    for data in (REPO / "examples" / "mlphys").rglob("*"):
        if data.is_file():
            assert f"sheetgrade/{data.relative_to(REPO).as_posix()}" in names, (
                f"{data} is not packaged"
            )
    assert any(n.startswith("sheetgrade/templates/") and n.endswith(".j2") for n in names)
    assert not any(n.startswith(("cli/", "roster/", "tests/")) for n in names)


def test_every_package_folder_is_in_the_wheel() -> None:
    """A new subpackage (a folder with ``__init__.py``) not listed under
    ``[tool.setuptools] packages`` works from the source tree but is missing
    from an installed wheel."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {folder: package for package, folder in config["package-dir"].items()}
    missing = []
    for folder, package in folders.items():
        for init in sorted((REPO / folder).rglob("__init__.py")):
            parts = init.parent.relative_to(REPO / folder).parts
            if "__pycache__" in parts:
                continue
            name = ".".join((package, *parts))
            if name not in listed:
                missing.append(name)
    assert missing == [], "add to [tool.setuptools] packages in pyproject.toml"

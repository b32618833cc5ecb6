"""Fixtures shared by every test area: example course copies and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sheetgrade.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "mlphys"

RunCli = Callable[..., Result]


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """A copy of the example course's files, with no database yet."""
    target = tmp_path / "course"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("gradebook.db*", "__pycache__"))
    return target


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run ``sheetgrade ARGS`` in-process; ``course=`` sets --course.

    The result has ``exit_code``, ``stdout`` and ``stderr`` (kept apart).
    """
    monkeypatch.delenv("SHEETGRADE_COURSE", raising=False)

    def run(*args: str, course: Path | None = None, input: str | None = None) -> Result:
        argv = [*(["--course", str(course)] if course else []), *map(str, args)]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def example_course(tmp_path: Path, run_cli: RunCli) -> Path:
    """The example course created by ``sheetgrade init --example mlphys``
    (roster and sheets in the database)."""
    target = tmp_path / "mlphys"
    result = run_cli("init", str(target), "--example", "mlphys")
    assert result.exit_code == 0, result.output
    return target

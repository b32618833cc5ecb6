"""`sheetgrade grade` options and its progress line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from sheetgrade.cli.grade import _Progress
from sheetgrade.graders.batch import GradedSubmission


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--timeout",
            "soon",
            "Invalid value for '--timeout': "
            '"soon" is not a duration (expected seconds or 15m, 2h, 1d)',
        ),
        (
            "--memory",
            "lots",
            "Invalid value for '--memory': \"lots\" is not a size (expected bytes or 512MiB, 2GiB)",
        ),
    ],
)
def test_bad_limits_are_usage_errors(
    run_cli, graded_course: Path, option: str, value: str, message: str
) -> None:
    result = run_cli("grade", "01", option, value, course=graded_course)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_no_submissions_says_what_to_do(run_cli, graded_course: Path) -> None:
    result = run_cli("grade", "01", course=graded_course)
    assert result.exit_code == 0
    assert result.stdout == "sheet 01-pca: 0 graded\n"
    assert "no submissions collected for 01-pca; run `sheetgrade collect 01 FILE`" in result.stderr


def test_progress_line_counts_and_estimates(capsys: pytest.CaptureFixture[str]) -> None:
    def graded(status: str) -> GradedSubmission:
        fields = {f: None for f in GradedSubmission.__dataclass_fields__}
        fields.update(owner="s001", status=status)
        return GradedSubmission(**fields)

    progress = _Progress(enabled=True)
    progress.start(3)
    progress.update(1, 3, graded("graded"))
    progress.update(2, 3, graded("timeout"))
    progress.finish()
    err = click.unstyle(capsys.readouterr().err)
    assert "\rgrading 0/3  ok 0  failed 0  ETA ?" in err
    assert "\rgrading 2/3  ok 1  failed 1  ETA " in err
    assert err.endswith("\n")


def test_progress_is_silent_when_disabled(capsys: pytest.CaptureFixture[str]) -> None:
    progress = _Progress(enabled=False)
    progress.start(3)
    progress.finish()
    assert capsys.readouterr().err == ""

"""``sheetgrade check``: a student's offline check against the public tests."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import DURATION


@click.command()
@click.argument("notebook", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("tasks", nargs=-1)
@click.option(
    "--tests",
    "tests_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The sheet's public_tests.json  [default: the one next to NOTEBOOK]",
)
@click.option(
    "--timeout",
    type=DURATION,
    default=None,
    help="Wall-clock limit for running the notebook and its tests, e.g. 90s or 2m  "
    "[default: grading's, see grading.timeout in docs/course-yml.md]",
)
def check(
    notebook: Path, tasks: tuple[str, ...], tests_path: Path | None, timeout: float | None
) -> None:
    """Run NOTEBOOK and check it against the sheet's public tests, offline, as grading would.

    \b
    Examples:
      sheetgrade check ridge.ipynb
      sheetgrade check ridge.ipynb 1a 1b
      sheetgrade check work/pca.ipynb --tests 01-pca/public_tests.json
    """
    from sheetgrade.graders.local_check import check_notebook, format_report

    if timeout is None:
        report = check_notebook(notebook, tasks, public_tests=tests_path)
    else:
        report = check_notebook(notebook, tasks, public_tests=tests_path, timeout=timeout)
    click.echo(format_report(report))
    if not report.passed:
        raise click.exceptions.Exit(1)

"""``sheetgrade check``: a student's offline check against the public tests."""

from __future__ import annotations

from pathlib import Path

import click


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
    metavar="DURATION",
    default="60s",
    show_default=True,
    help="Wall-clock limit for running the notebook and its tests.",
)
def check(notebook: Path, tasks: tuple[str, ...], tests_path: Path | None, timeout: str) -> None:
    """Run NOTEBOOK and check it against the sheet's public tests, offline, as grading would.

    \b
    Examples:
      sheetgrade check ridge.ipynb
      sheetgrade check ridge.ipynb 1a 1b
      sheetgrade check work/pca.ipynb --tests 01-pca/public_tests.json
    """
    from sheetgrade.course import schema
    from sheetgrade.graders.local_check import check_notebook, format_report

    try:
        timeout_s = schema.parse_duration(timeout).total_seconds()
    except schema.InvalidValue as exc:
        raise click.BadParameter(str(exc), param_hint="--timeout") from None
    report = check_notebook(notebook, tasks, public_tests=tests_path, timeout=timeout_s)
    click.echo(format_report(report))
    if not report.passed:
        raise click.exceptions.Exit(1)

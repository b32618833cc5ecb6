"""``sheetgrade check``: a student's offline check against the public tests."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import DURATION


@click.command()
@click.argument("targets", nargs=-1, required=True, metavar="NOTEBOOK|FOLDER... [TASKS]...")
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
def check(targets: tuple[str, ...], tests_path: Path | None, timeout: float | None) -> None:
    """Run NOTEBOOK and check it against the sheet's public tests, offline, as grading would.

    A sheet of several notebooks: a notebook checks the tasks whose tests live
    in it; a FOLDER (or several notebooks) checks every notebook of the sheet.

    \b
    Examples:
      sheetgrade check ridge.ipynb
      sheetgrade check ridge.ipynb 1a 1b
      sheetgrade check work/pca.ipynb --tests 01-pca/public_tests.json
      sheetgrade check problem1.ipynb problem2.ipynb
      sheetgrade check .
    """
    from sheetgrade.graders.local_check import (
        check_notebook,
        format_report,
        notebooks_in,
        split_targets,
        tasks_per_notebook,
    )

    paths, tasks = split_targets(targets)
    if not paths:
        raise click.UsageError(
            f"name a notebook or a folder first (got {targets[0]!r}); e.g. "
            "`sheetgrade check ridge.ipynb 1a`"
        )
    notebooks: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            found, absent = notebooks_in(path, tests_path)
            notebooks += found
            missing += [f"{name} is not in {path}: not checked" for name in absent]
        else:
            notebooks.append(path)
    failed = False
    plan = tasks_per_notebook(notebooks, tasks, tests_path)
    for notebook, chosen in plan.items():
        if timeout is None:
            report = check_notebook(notebook, chosen, public_tests=tests_path)
        else:
            report = check_notebook(notebook, chosen, public_tests=tests_path, timeout=timeout)
        if len(plan) > 1:
            click.echo(f"== {notebook.name}")
        click.echo(format_report(report))
        failed = failed or not report.passed
    for note in missing:
        click.echo(f"note: {note}")
    if failed:
        raise click.exceptions.Exit(1)

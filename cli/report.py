"""``sheetgrade report``: a static HTML dashboard of the course."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state


@click.command()
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for index.html (default: reports/ in the course).",
)
@pass_state
def report(state: State, output_dir: Path | None) -> None:
    """Write reports/index.html: distributions, sheet and task statistics, students at risk.

    \b
    Examples:
      sheetgrade report
      sheetgrade report -o /srv/www/ml-physics
    """
    from sheetgrade.gradebook.report import write_report

    click.echo(str(write_report(state.course(), out_dir=output_dir)))

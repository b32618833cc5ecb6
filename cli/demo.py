"""``sheetgrade demo``: the whole term on the example course, in one command."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def demo(directory: Path | None, quiet: bool) -> None:
    """Run the example course end to end: build, release, collect, grade, mark, export.

    DIRECTORY is created if needed (default: a new temporary directory). Running
    the demo again on the same directory redoes nothing that is already done.

    \b
    Examples:
      sheetgrade demo
      sheetgrade demo demo-course
    """
    from sheetgrade.examples.demo import run_demo

    run_demo(directory, echo=click.echo, quiet=quiet)

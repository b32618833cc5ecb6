"""``sheetgrade demo``: the whole term on the example course, in one command."""

from __future__ import annotations

from collections.abc import Sequence
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

    run_demo(directory, runner=run_in_process, echo=click.echo, quiet=quiet)


def run_in_process(args: Sequence[str]) -> int:
    """Run ``sheetgrade ARGS`` in this process, errors shown as on the command line;
    return the exit code."""
    from sheetgrade.cli.main import cli

    try:
        code = cli.main(args=list(args), prog_name="sheetgrade", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0

"""``sheetgrade init``: create a course directory."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", type=click.Choice(["mlphys"]), help="Copy a bundled example course.")
@click.option(
    "--name", default="My course", show_default=True, help="Course name (without --example)."
)
@click.option("--term", default="WS 2026/27", show_default=True, help="Term (without --example).")
def init(directory: Path, example: str | None, name: str, term: str) -> None:
    """Create a course directory with a course.yml.

    \b
    Examples:
      sheetgrade init ml-physics-ws26
      sheetgrade init demo --example mlphys
    """
    from sheetgrade.course.course import Course
    from sheetgrade.course.init import create_course
    from sheetgrade.course.sync import sync_sheets

    root = create_course(directory, example=example, name=name, term=term)
    course = Course.open(root)
    n_sheets = sync_sheets(course)
    summary = f"{n_sheets} sheets"
    if example is not None:
        from sheetgrade.roster.api import sync_roster

        report = sync_roster(course)
        summary += f", {report.summary()}"
    click.echo(f"created course in {root} ({summary})")

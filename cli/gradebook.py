"""``sheetgrade gradebook``: the points of every student, on screen or exported."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state, table


@click.group()
def gradebook() -> None:
    """The gradebook: autograded and manual points, late penalties, totals, admission.

    \b
    Examples:
      sheetgrade gradebook show --group A
      sheetgrade gradebook show --sheet 03
      sheetgrade gradebook export --format xlsx -o gradebook.xlsx
    """


@gradebook.command()
@click.option("--group", "-g", help="Only this tutorial group (id or name).")
@click.option("--sheet", "-s", help="Task by task for one sheet instead of the overview.")
@pass_state
def show(state: State, group: str | None, sheet: str | None) -> None:
    """Show the gradebook as a table (missing = no submission, ✎ = marked by tutors).

    \b
    Examples:
      sheetgrade gradebook show
      sheetgrade gradebook show --group A --sheet 03
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.views import overview_rows, sheet_rows

    course = state.course()
    book = build_gradebook(course).select(group=group)
    rows = sheet_rows(book, course, sheet) if sheet else overview_rows(book)
    click.echo(table(rows) if rows else "no students on the roster")


@gradebook.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: stdout for csv/json, exports/gradebook.xlsx for xlsx).")
@click.option("--group", "-g", help="Only this tutorial group (id or name).")
@pass_state
def export(state: State, fmt: str, output: Path | None, group: str | None) -> None:
    """Export the whole gradebook, one row per student.

    \b
    Examples:
      sheetgrade gradebook export > gradebook.csv
      sheetgrade gradebook export --format xlsx -o gradebook.xlsx
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.exports import export_gradebook

    course = state.course()
    book = build_gradebook(course).select(group=group)
    if fmt == "xlsx" and output is None:
        output = course.exports_dir / "gradebook.xlsx"
    text = export_gradebook(book, fmt=fmt, path=output)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}", err=True)

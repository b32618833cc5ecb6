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
      sheetgrade gradebook summary
      sheetgrade gradebook export --format xlsx -o gradebook.xlsx
    """


@gradebook.command()
@pass_state
def summary(state: State) -> None:
    """Summarise the course: each sheet's hand-ins and scores, admission per tutorial group.

    \b
    Examples:
      sheetgrade gradebook summary
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.summary import group_summary, sheet_summary, status_counts

    book = build_gradebook(state.course())
    click.echo(
        table(
            [
                {
                    "sheet": r["id"],
                    "due": r["due"],
                    "points": r["possible"],
                    "handed in": r["submitted"],
                    "late": r["late"],
                    "mean": r["mean"],
                    "median": r["median"],
                }
                for r in sheet_summary(book)
            ]
        )
    )
    click.echo()
    click.echo(
        table(
            [
                {
                    "group": r["group"],
                    "tutor": r["tutor"],
                    "students": r["n"],
                    "admitted": r["admitted"],
                    "not yet": r["not_yet"],
                    "cannot reach": r["cannot_reach"],
                }
                for r in group_summary(book)
            ]
        )
    )
    counts = status_counts(book)
    click.echo(
        f"\n{len(book.students)} students: {counts['admitted']} admitted, {counts['not_yet']} not yet, "
        f"{counts['cannot_reach']} cannot reach admission (threshold {book.share:.0%} of all sheet points)"
    )


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: stdout for csv/json, exports/gradebook.xlsx for xlsx).",
)
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


@gradebook.command("moodle-worksheet")
@click.argument("sheet")
@click.option(
    "--worksheet",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The grading worksheet downloaded from Moodle (default: the one kept by "
    "`collect --worksheet`).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: exports/moodle-worksheet-SHEET.csv).",
)
@pass_state
def moodle_worksheet(state: State, sheet: str, worksheet: Path | None, output: Path | None) -> None:
    """Write Moodle's grading worksheet back with grades and a short feedback comment.

    Every row, column and identifier stays as downloaded; Grade gets the sheet's
    points scaled to the assignment's Maximum Grade, Feedback comments a one-line
    summary. Upload it in Moodle: the assignment's grading page, "Upload grading
    worksheet". Students without a submission keep their row unchanged.

    \b
    Examples:
      sheetgrade collect 03 moodle.zip --worksheet grading-worksheet.csv
      sheetgrade gradebook moodle-worksheet 03 -o grades-for-moodle.csv
    """
    from sheetgrade.gradebook.moodle_return import export_worksheet

    course = state.course()
    sheet_id = course.resolve_sheet_id(sheet)
    target = output or course.exports_dir / f"moodle-worksheet-{sheet_id}.csv"
    result = export_worksheet(course, sheet=sheet_id, worksheet=worksheet, output=target)
    for line in result.left[:20]:
        click.echo(f"left as downloaded: {line}", err=True)
    if len(result.left) > 20:
        click.echo(f"left as downloaded: {len(result.left) - 20} more rows", err=True)
    click.echo(
        f"wrote {target}: {len(result.graded)} grades, {len(result.left)} rows left as downloaded"
    )

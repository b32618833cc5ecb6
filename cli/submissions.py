"""``sheetgrade submissions``: look at what was collected."""

from __future__ import annotations

import click

from sheetgrade.cli._common import State, pass_state


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def submissions() -> None:
    """Show the collected submissions of a sheet.

    \b
    Examples:
      sheetgrade submissions list 03
      sheetgrade submissions list 03 --group B --format csv > group-b.csv
    """


@submissions.command("list")
@click.argument("sheet")
@click.option("--group", "group", metavar="G", help="Only the students of tutorial group G.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--missing", is_flag=True, help="Only students with no submission.")
@pass_state
def list_(state: State, sheet: str, group: str | None, fmt: str, missing: bool) -> None:
    """List every student with the submission that counts for SHEET, or "missing".

    Columns: student, name, group, team, status, version (counting/total),
    received at (course timezone), late by (after the grace period), flags.

    \b
    Examples:
      sheetgrade submissions list 03
      sheetgrade submissions list 03 --group B --missing
      sheetgrade submissions list 03-regression --format csv
    """
    from sheetgrade.cli._common import table
    from sheetgrade.submissions.listing import submission_status

    rows = [s.as_row() for s in submission_status(state.course(), sheet, group=group)]
    if missing:
        rows = [r for r in rows if r["status"] == "missing"]
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.DictWriter(
            buf,
            fieldnames=[
                "student",
                "name",
                "group",
                "team",
                "status",
                "version",
                "received_at",
                "late_by",
                "flags",
            ],
            lineterminator="\n",
        )
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    if rows:
        click.echo(table(rows))
    submitted = sum(r["status"] == "submitted" for r in rows)
    click.echo(f"{submitted} of {len(rows)} submitted")

"""``sheetgrade admission``: who is admitted to the exam, explained and exported."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state, table


@click.group()
def admission() -> None:
    """Exam admission by the rules in course.yml, for each student in words.

    \b
    Examples:
      sheetgrade admission show --status not_yet
      sheetgrade admission export --format campus -o zulassung.csv
    """


@admission.command()
@click.option("--group", "-g", help="Only this tutorial group (id or name).")
@click.option(
    "--status", type=click.Choice(["admitted", "not_yet", "cannot_reach"]), help="Only this status."
)
@pass_state
def show(state: State, group: str | None, status: str | None) -> None:
    """Show each student's admission status and why.

    \b
    Examples:
      sheetgrade admission show
      sheetgrade admission show --group B --status cannot_reach
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.exports import admission_table

    book = build_gradebook(state.course()).select(group=group)
    rows = admission_table(book)
    if status:
        rows = rows[book.overall["status"].to_numpy() == status]
    counts = book.overall["status"].value_counts()
    click.echo(
        table(
            [
                {
                    "student": r.student,
                    "name": f"{r.last_name}, {r.first_name}",
                    "group": r.group or "",
                    "points": f"{r.points:g}/{r.max:g}",
                    "%": f"{r.percent:.1f}",
                    "why": r.explanation,
                }
                for r in rows.itertuples()
            ]
        )
        or "no students"
    )
    click.echo(
        ", ".join(
            f"{counts.get(s, 0)} {s.replace('_', ' ')}"
            for s in ("admitted", "not_yet", "cannot_reach")
        )
    )


@admission.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "campus", "moodle"]),
    default="csv",
    show_default=True,
    help="campus: semicolon CSV with decimal comma for the campus system; "
    "moodle: Moodle grade import CSV.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: stdout; xlsx: exports/admission.xlsx).",
)
@pass_state
def export(state: State, fmt: str, output: Path | None) -> None:
    """Export the admission list of every student on the roster.

    \b
    Examples:
      sheetgrade admission export --format campus -o zulassung.csv
      sheetgrade admission export --format moodle -o moodle-grades.csv
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.exports import export_admission

    course = state.course()
    book = build_gradebook(course)
    if fmt == "xlsx" and output is None:
        output = course.exports_dir / "admission.xlsx"
    text = export_admission(book, fmt=fmt, path=output)
    if output is None:
        click.echo(text if fmt != "campus" else "\ufeff" + (text or ""), nl=False)
    else:
        click.echo(f"wrote {output}", err=True)

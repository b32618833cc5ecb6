"""``sheetgrade admission``: who is admitted to the exam, explained and exported."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

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
    help="campus: the campus-system list as course.yml's exports.campus declares it "
    "(default: semicolon CSV with decimal comma); moodle: Moodle grade import CSV.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: stdout; xlsx: exports/admission.xlsx).",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Print the first rows and the layout (campus: as course.yml's exports.campus "
    "declares it); write nothing.",
)
@click.option(
    "--rows",
    "preview_rows",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Rows in a preview.",
)
@pass_state
def export(state: State, fmt: str, output: Path | None, preview: bool, preview_rows: int) -> None:
    """Export the admission list of every student on the roster.

    The campus list is laid out as course.yml's exports.campus declares it
    (columns, headers, delimiter, decimal mark, encoding, words for passed and
    failed); --preview shows the first rows before you upload anything.

    \b
    Examples:
      sheetgrade admission export --format campus --preview
      sheetgrade admission export --format campus -o zulassung.csv
      sheetgrade admission export --format moodle -o moodle-grades.csv
    """
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.exports import admission_table, export_admission

    course = state.course()
    book = build_gradebook(course)
    campus = course.config.exports.campus
    if preview:
        _preview(admission_table(book), fmt, campus, preview_rows)
        return
    if fmt == "xlsx" and output is None:
        output = course.exports_dir / "admission.xlsx"
    if fmt == "campus" and output is None:
        from sheetgrade.gradebook.campus import campus_bytes, campus_layout

        data = campus_bytes(admission_table(book), campus_layout(campus))
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    text = export_admission(book, fmt=fmt, path=output, campus=campus)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}", err=True)


def _preview(table: Any, fmt: str, campus: Any, rows: int) -> None:
    """The first rows of an export as text, and how the file will be written."""
    if fmt == "campus":
        from sheetgrade.gradebook.campus import campus_bytes, campus_layout, campus_text

        layout = campus_layout(campus)
        campus_bytes(table, layout)  # every row must encode; the error names the cells
        text = campus_text(table, layout, limit=rows)
        click.echo(
            f"campus list (preset {campus.preset}; course.yml exports.campus): {len(table)} "
            f"rows, delimiter {layout.delimiter!r}, decimal mark {layout.decimal_mark!r}, "
            f"encoding {layout.encoding}, {layout.passed!r}/{layout.failed!r}",
            err=True,
        )
        click.echo(text.replace("\r\n", "\n"), nl=False)
    elif fmt == "xlsx":
        click.echo(table.head(rows).to_string(index=False))
    else:
        from sheetgrade.gradebook.exports import moodle_csv

        text = (
            table.head(rows).to_csv(index=False) if fmt == "csv" else moodle_csv(table.head(rows))
        )
        click.echo(text, nl=False)
    if len(table) > rows:
        click.echo(f"… {len(table) - rows} more rows", err=True)

"""``sheetgrade marks``: fill-in files for tutors, their import, single marks, history, presentations."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state, table

TUTOR_HELP = "Tutor recorded in the audit trail (default: $SHEETGRADE_TUTOR, else your user name)."


@click.group()
def marks() -> None:
    """Manual marks for pen-and-paper tasks, with an audit trail.

    \b
    Examples:
      sheetgrade marks template 03 --group A
      sheetgrade marks import marks/03-regression/03-regression-A.xlsx
      sheetgrade marks set 03 s001 2 3,5 --comment "sign error in (b)"
      sheetgrade marks history s001
    """


@marks.command()
@click.argument("sheet")
@click.option(
    "--group", "-g", help="Only this tutorial group (id or name); default: one file per group."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="File format.",
)
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files (default: marks/<sheet>/ in the course).",
)
@pass_state
def template(
    state: State, sheet: str, group: str | None, fmt: str, output_dir: Path | None
) -> None:
    """Write fill-in files for a sheet's manual tasks, one per tutorial group.

    A file that differs from what sheetgrade last wrote there (filled in, not
    yet imported) is never replaced: the new one is written beside it.

    \b
    Examples:
      sheetgrade marks template 03
      sheetgrade marks template 03 --group A --format csv
    """
    from sheetgrade.cli._common import warn
    from sheetgrade.gradebook.marks_files import write_templates

    notes: list[str] = []
    for path in write_templates(
        state.course(), sheet=sheet, group=group, fmt=fmt, out_dir=output_dir, notes=notes
    ):
        click.echo(str(path))
    for note in notes:
        warn(note)


@marks.command(name="import")
@click.argument("items", nargs=-1, required=True, metavar="[SHEET] FILE...")
@click.option("--sheet", help="Refuse files that are not for this sheet.")
@click.option("--tutor", help=TUTOR_HELP)
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Take the file's values even where the mark changed in the database since the "
    "file's template was made.",
)
@pass_state
def import_(
    state: State,
    items: tuple[str, ...],
    sheet: str | None,
    tutor: str | None,
    dry_run: bool,
    overwrite: bool,
) -> None:
    """Import filled-in marks files: all of them, or nothing if any cell is wrong.

    A blank cell never changes a mark; write 'clear' in a cell to clear one.
    A cell still holding what the template held changes nothing. A mark the
    file changes that also changed in the database after the template was
    made is a conflict: the import is refused, listing them, unless
    --overwrite. Task columns must be the sheet's manual tasks.

    \b
    Examples:
      sheetgrade marks import marks/03-regression/*.xlsx
      sheetgrade marks import 03 group-b.csv --dry-run
    """
    from sheetgrade.gradebook.marks_import import import_marks

    course = state.course()
    files = list(items)
    if files and not Path(files[0]).exists() and len(files) > 1 and sheet is None:
        sheet, files = files[0], files[1:]
    from sheetgrade.cli._common import warn

    report = import_marks(
        course,
        [Path(f) for f in files],
        sheet=sheet,
        tutor=tutor,
        dry_run=dry_run,
        overwrite=overwrite,
    )
    for note in report.notes:
        warn(note)
    for text in report.overwritten:
        warn(f"overwritten (--overwrite): {text}")
    for applied in report.changes:
        c = applied.change
        old = "—" if applied.old_points is None else f"{applied.old_points:g}"
        new = "—" if applied.new_points is None else f"{applied.new_points:g}"
        what = " (comment)" if c.keep_points else ""
        click.echo(
            f"{c.sheet_id} task {c.task_id} {c.subject_kind} {c.subject_id}: {old} → {new}{what}"
        )
    click.echo(report.summary())


@marks.command(name="set")
@click.argument("sheet")
@click.argument("student")
@click.argument("task")
@click.argument("points", required=False)
@click.option("--clear", is_flag=True, help="Clear the mark (not marked), instead of POINTS.")
@click.option("--comment", "-m", help="Comment for the student (replaces the stored one).")
@click.option(
    "--team", is_flag=True, help="Mark the student's team (STUDENT may also be a team id)."
)
@click.option("--tutor", help=TUTOR_HELP)
@pass_state
def set_(
    state: State,
    sheet: str,
    student: str,
    task: str,
    points: str | None,
    clear: bool,
    comment: str | None,
    team: bool,
    tutor: str | None,
) -> None:
    """Set one mark; --clear (or POINTS '-') clears it (not marked).

    \b
    Examples:
      sheetgrade marks set 03 s001 2 3,5
      sheetgrade marks set 03 team-07 2 4 --team --comment "clean proof"
      sheetgrade marks set 03 s001 2 --clear
    """
    from sheetgrade.gradebook.marks import parse_points, set_mark

    if clear and points is not None:
        raise click.UsageError("give POINTS or --clear, not both")
    if not clear and (points is None or points.strip() == ""):
        raise click.UsageError("POINTS is missing; give the points, or --clear to clear the mark")
    try:
        value = None if clear or points is None or points.strip() == "-" else parse_points(points)
    except ValueError:
        raise click.BadParameter(
            f"'{points}' is not a number (use '-' to clear)", param_hint="POINTS"
        ) from None
    applied = set_mark(
        state.course(),
        sheet=sheet,
        student=student,
        task=task,
        points=value,
        comment=comment,
        team=team,
        tutor=tutor,
    )
    if applied is None:
        click.echo("unchanged")
        return
    c = applied.change
    old = "—" if applied.old_points is None else f"{applied.old_points:g}"
    new = "—" if c.points is None else f"{c.points:g}"
    click.echo(f"{c.sheet_id} task {c.task_id} {c.subject_kind} {c.subject_id}: {old} → {new}")


@marks.command()
@click.argument("student", required=False)
@click.option("--sheet", help="Only this sheet.")
@pass_state
def history(state: State, student: str | None, sheet: str | None) -> None:
    """Show the audit trail of marks: who changed what, when, from what to what.

    \b
    Examples:
      sheetgrade marks history
      sheetgrade marks history s001 --sheet 03
    """
    from sheetgrade.course.timefmt import course_time
    from sheetgrade.gradebook.marks import mark_history

    course = state.course()
    entries = mark_history(course, student=student, sheet=sheet)
    if not entries:
        click.echo("no changes recorded")
        return

    def pts(x: float | None) -> str:
        return "—" if x is None else f"{x:g}"

    click.echo(
        table(
            [
                {
                    "when": course_time(course, e.at),
                    "tutor": e.tutor,
                    "sheet": e.sheet_id,
                    "task": e.task_id,
                    "subject": f"{e.subject_kind} {e.subject_id}",
                    "old": pts(e.old_points),
                    "new": pts(e.new_points),
                    "comment": e.new_comment or "",
                    "source": e.source,
                }
                for e in entries
            ]
        )
    )


@marks.command()
@click.argument("sheet")
@click.argument("student")
@click.option("--task", help="The task presented.")
@click.option("--note", default="", help="A note for the record.")
@click.option("--tutor", help=TUTOR_HELP)
@pass_state
def present(
    state: State, sheet: str, student: str, task: str | None, note: str, tutor: str | None
) -> None:
    """Record a presentation at the board (Vorrechnen).

    \b
    Examples:
      sheetgrade marks present 03 s001 --task 2
    """
    from sheetgrade.gradebook.marks import record_presentation

    count = record_presentation(
        state.course(), sheet=sheet, student=student, task=task, note=note, tutor=tutor
    )
    click.echo(f"recorded; {count} presentation{'s' if count != 1 else ''} so far")

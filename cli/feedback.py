"""``sheetgrade feedback``: reports for students, and Gradescope results files."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state, warn


@click.command()
@click.argument("sheet")
@click.option(
    "--format",
    "formats",
    default="html,md",
    show_default=True,
    help="Comma-separated: html, md, gradescope (results.json per submission), "
    "moodle (a zip for Moodle's 'Upload multiple feedback files in a zip').",
)
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files (default: feedback/<sheet>/ in the course).",
)
@pass_state
def feedback(state: State, sheet: str, formats: str, output_dir: Path | None) -> None:
    """Write one feedback report per student or team for a sheet.

    Hidden tests appear only with their name, points and pass/fail.

    \b
    Examples:
      sheetgrade feedback 03
      sheetgrade feedback 03 --format html,md,gradescope
      sheetgrade feedback 03 --format moodle
    """
    from sheetgrade.gradebook.feedback import write_feedback, write_moodle_feedback

    course = state.course()
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    others = tuple(f for f in chosen if f != "moodle")
    paths = (
        write_feedback(course, sheet=sheet, formats=others, out_dir=output_dir) if others else []
    )
    folder = output_dir or course.feedback_dir / course.resolve_sheet_id(sheet)
    if others:
        click.echo(f"wrote {len(paths)} files to {folder}")
    if "moodle" in chosen:
        result = write_moodle_feedback(course, sheet=sheet, out_dir=output_dir)
        for line in result.left:
            warn(line)
        click.echo(
            f"wrote {result.path}: {len(result.folders)} participant folders for Moodle's "
            f"'Upload multiple feedback files in a zip'"
        )
        if result.left:
            raise click.exceptions.Exit(1)

"""``sheetgrade feedback``: reports for students, and Gradescope results files."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state


@click.command()
@click.argument("sheet")
@click.option(
    "--format",
    "formats",
    default="html,md",
    show_default=True,
    help="Comma-separated: html, md, gradescope (results.json per submission).",
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
    """
    from sheetgrade.gradebook.feedback import write_feedback

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    paths = write_feedback(state.course(), sheet=sheet, formats=chosen, out_dir=output_dir)
    folder = output_dir or state.course().feedback_dir / state.course().resolve_sheet_id(sheet)
    click.echo(f"wrote {len(paths)} files to {folder}")

"""``sheetgrade validate``: check a whole course directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sheetgrade.cli._common import State, pass_state

if TYPE_CHECKING:
    from sheetgrade.course.course import Sheet


@click.command()
@pass_state
def validate(state: State) -> None:
    """Check course.yml, the roster and every sheet, and report every problem.

    Sheet notebooks are parsed (markers, tests, points, task ids) but not run;
    `sheetgrade sheet build` runs the reference solution.

    \b
    Examples:
      sheetgrade validate
      sheetgrade --course ~/ml-physics-ws26 validate
    """
    from sheetgrade.course.validate import CourseCheck, validate_course
    from sheetgrade.roster.api import validate_roster_files

    report = validate_course(
        state.course_path,
        course_checks=[CourseCheck("the roster", validate_roster_files)],
        sheet_checks=[_notebook_parses],
    )
    if not report.ok:
        raise click.ClickException(report.error())
    click.echo(report.summary())


def _notebook_parses(sheet: Sheet) -> None:
    """The sheet's source notebook parses: markers, tests, points, task ids (no code runs)."""
    from sheetgrade.sheets.build import parse_sheet

    if sheet.notebook_paths:
        parse_sheet(sheet)

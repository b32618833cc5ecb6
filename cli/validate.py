"""``sheetgrade validate``: check a whole course directory."""

from __future__ import annotations

import click

from sheetgrade.cli._common import State, pass_state


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
    from sheetgrade.course.errors import SheetgradeError
    from sheetgrade.course.validate import open_for_validation, sheet_problems
    from sheetgrade.roster.api import validate_roster_files
    from sheetgrade.sheets.build import parse_sheet

    course, problems = open_for_validation(state.course_path)
    if course is not None:
        sheet_trouble = sheet_problems(course)
        problems += sheet_trouble
        problems += validate_roster_files(course)
        for sheet_id in course.sheet_ids:
            if any(p.startswith(f"sheets/{sheet_id}") for p in sheet_trouble):
                continue
            sheet = course.sheet(sheet_id)
            if sheet.notebook_path is None:
                continue
            try:
                parse_sheet(sheet)
            except SheetgradeError as exc:
                problems += exc.problems or [str(exc)]
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise click.ClickException(
            "\n".join([f"{len(problems)} {noun} found:", *(f"  {p}" for p in problems)])
        )
    assert course is not None
    click.echo(
        f"{course.root}: course.yml, {len(course.sheet_ids)} sheets and the roster are valid"
    )

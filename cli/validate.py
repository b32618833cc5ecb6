"""``sheetgrade validate``: check a whole course directory."""

from __future__ import annotations

import importlib.util

import click

from sheetgrade.cli._common import State, pass_state


@click.command()
@pass_state
def validate(state: State) -> None:
    """Check course.yml, the roster and every sheet, and report every problem.

    \b
    Examples:
      sheetgrade validate
      sheetgrade --course ~/ml-physics-ws26 validate
    """
    from sheetgrade.course.validate import open_for_validation, sheet_problems

    course, problems = open_for_validation(state.course_path)
    if course is not None:
        problems += sheet_problems(course)
        if importlib.util.find_spec("sheetgrade.roster.api") is not None:
            from sheetgrade.roster.api import validate_roster_files

            problems += validate_roster_files(course)
        if importlib.util.find_spec("sheetgrade.sheets.validate") is not None:
            from sheetgrade.sheets.validate import validate_sheet_sources

            problems += validate_sheet_sources(course)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise click.ClickException("\n".join([f"{len(problems)} {noun} found:", *(f"  {p}" for p in problems)]))
    assert course is not None
    click.echo(f"{course.root}: course.yml, {len(course.sheet_ids)} sheets and the roster are valid")

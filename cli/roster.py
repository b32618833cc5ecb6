"""``sheetgrade roster``: students, tutorial groups, tutors and teams."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from sheetgrade.cli._common import State, pass_state, warn
from sheetgrade.cli._output import emit, format_option

if TYPE_CHECKING:
    from sheetgrade.roster.api import RosterReport

KIND_CHOICES = ["students", "tutors", "teams", "groups"]


def _mapping(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        column, sep, field = value.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise click.BadParameter(
                f"'{value}' is not COLUMN=FIELD (e.g. 'Matr.-Nr.=matrikel')", param_hint="--map"
            )
        mapping[column.strip()] = field.strip()
    return mapping


def _report(report: RosterReport) -> None:
    for message in report.warnings:
        warn(message)
    for line in report.lines():
        click.echo(line)


_map_option = click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read COLUMN as FIELD (id, matrikel, first_name, last_name, name, email, group; "
    "teams: team, student, sheet; 'ignore' drops a column). Repeatable.",
)
_encoding_option = click.option(
    "--encoding", help="File encoding (default: detect UTF-8, UTF-8 with BOM or cp1252)."
)
_replace_option = click.option(
    "--replace",
    is_flag=True,
    help="The file is the complete list: entries of its kind that are not in it are removed.",
)
_dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Validate and show what would change; write nothing."
)


@click.group()
def roster() -> None:
    """Students, tutorial groups, tutors and teams.

    The files in roster/ (students.csv, tutors.csv, groups.csv, teams.csv) are
    the roster; the database mirrors them. Imports update both.

    \b
    Examples:
      sheetgrade roster import moodle-participants.csv
      sheetgrade roster show --group G2
      sheetgrade roster teams add T07 s014 s015
    """


@roster.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(KIND_CHOICES),
    help="What the file lists (default: guessed from its columns and name).",
)
@_map_option
@_encoding_option
@_replace_option
@_dry_run_option
@click.option(
    "--update",
    is_flag=True,
    help="Apply changed names of known students (a dry run shows them as old → new).",
)
@pass_state
def import_(
    state: State,
    file: Path,
    kind: str | None,
    maps: tuple[str, ...],
    encoding: str | None,
    replace: bool,
    dry_run: bool,
    update: bool,
) -> None:
    """Import a CSV export (Moodle, heiCO, spreadsheet) into the roster.

    UTF-8 (with or without BOM) or cp1252, separated by ',' or ';', with English
    or German headers (Matrikelnummer, Vorname, Nachname, E-Mail, Gruppe, ...).
    Rows add to or update the roster: students are matched by id, else by
    matriculation number; tutors by email; groups by id; teams in the file replace
    the teams of the same sheets. The whole roster is validated first; on any
    error nothing is written. Then the database and roster/<kind>.csv are updated.
    Matriculation numbers must be digits (roster.matrikel_digits sets their
    length), e-mails addresses; a known student's changed name needs --update.

    \b
    Examples:
      sheetgrade roster import heico.csv --dry-run
      sheetgrade roster import moodle.csv --map "Matr.-Nr.=matrikel"
      sheetgrade roster import tutors.csv --kind tutors --replace
    """
    from sheetgrade.roster.api import import_roster_file
    from sheetgrade.roster.columns import Kind

    report = import_roster_file(
        state.course(),
        file,
        kind=cast(Kind | None, kind),
        mapping=_mapping(maps),
        encoding=encoding,
        replace=replace,
        dry_run=dry_run,
        update=update,
    )
    _report(report)


@roster.command("sync")
@_dry_run_option
@pass_state
def sync(state: State, dry_run: bool) -> None:
    """Load the files in roster/ into the database after editing them by hand.

    Students missing from the files are removed from the database, unless they
    already have submissions or marks (then nothing changes).

    \b
    Examples:
      sheetgrade roster sync --dry-run
      sheetgrade roster sync
    """
    from sheetgrade.roster.api import sync_roster

    _report(sync_roster(state.course(), dry_run=dry_run))


@roster.command("show")
@click.option("--group", "group", metavar="G", help="Only this tutorial group (id or name).")
@format_option
@pass_state
def show(state: State, group: str | None, fmt: str) -> None:
    """List the students, by last name, with group and team.

    \b
    Examples:
      sheetgrade roster show
      sheetgrade roster show --group G2
      sheetgrade roster show --group "Mo 14-16" --format csv > g1.csv
    """
    from sheetgrade.roster.api import load_roster

    ros = load_roster(state.course().engine)
    students = ros.by_group(group) if group else ros.sorted_students()
    rows: list[dict[str, Any]] = []
    for s in students:
        team = ros.team_of(s.id)
        rows.append(
            {
                "id": s.id,
                "last_name": s.last_name,
                "first_name": s.first_name,
                "matrikel": s.matrikel,
                "email": s.email,
                "group": s.group,
                "team": team.label if team else "",
            }
        )
    emit(rows, fmt, ["id", "last_name", "first_name", "matrikel", "email", "group", "team"])
    if fmt == "table":
        click.echo(f"{len(rows)} student{'s' if len(rows) != 1 else ''}")


@roster.group("teams")
def teams() -> None:
    """Teams that hand in one solution together (for the term or one sheet).

    \b
    Examples:
      sheetgrade roster teams show --sheet 03
      sheetgrade roster teams add T07 s014 s015
      sheetgrade roster teams import teams-sheet03.csv
    """


@teams.command("show")
@click.option(
    "--sheet", metavar="S", help="The teams in effect for this sheet (default: term-wide teams)."
)
@format_option
@pass_state
def teams_show(state: State, sheet: str | None, fmt: str) -> None:
    """List the teams with their members and groups.

    \b
    Examples:
      sheetgrade roster teams show
      sheetgrade roster teams show --sheet 03
    """
    from sheetgrade.roster.api import load_roster

    course = state.course()
    sheet_id = course.resolve_sheet_id(sheet) if sheet else None
    ros = load_roster(course.engine)
    effective: dict[str, list[str]] = {}
    for s in ros.sorted_students():
        team = ros.team_of(s.id, sheet_id)
        if team is not None:
            effective.setdefault(team.id, []).append(s.id)
    rows: list[dict[str, Any]] = []
    for tid in sorted(effective, key=lambda t: (ros.teams[t].sheet_id or "", ros.teams[t].label)):
        team = ros.teams[tid]
        members = [ros.students[m] for m in sorted(effective[tid])]
        rows.append(
            {
                "team": team.label,
                "sheet": team.sheet_id or "term",
                "group": " ".join(sorted({m.group or "-" for m in members})),
                "members": ", ".join(f"{m.name} ({m.id})" for m in members),
            }
        )
    emit(rows, fmt, ["team", "sheet", "group", "members"])
    if fmt == "table":
        click.echo(f"{len(rows)} team{'s' if len(rows) != 1 else ''}")


@teams.command("add")
@click.argument("team")
@click.argument("students", nargs=-1, required=True)
@click.option("--sheet", metavar="S", help="Only for this sheet (default: for the whole term).")
@_dry_run_option
@pass_state
def teams_add(
    state: State, team: str, students: tuple[str, ...], sheet: str | None, dry_run: bool
) -> None:
    """Put students (id, matriculation number or email) into a team, creating it if new.

    \b
    Examples:
      sheetgrade roster teams add T07 s014 s015
      sheetgrade roster teams add T07 3141592 --sheet 03
    """
    from sheetgrade.roster.api import add_team_members

    _report(add_team_members(state.course(), team, list(students), sheet=sheet, dry_run=dry_run))


@teams.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_map_option
@_encoding_option
@_replace_option
@_dry_run_option
@pass_state
def teams_import(
    state: State,
    file: Path,
    maps: tuple[str, ...],
    encoding: str | None,
    replace: bool,
    dry_run: bool,
) -> None:
    """Import teams from a CSV with one row per member: team, student[, sheet].

    Teams in the file replace the existing teams of the same sheets (rows
    without a sheet: the term-wide teams). Students may be given by id,
    matriculation number or email.

    \b
    Examples:
      sheetgrade roster teams import teams.csv
      sheetgrade roster teams import abgabegruppen.csv --map "Matrikelnummer=student"
    """
    from sheetgrade.roster.api import import_roster_file

    report = import_roster_file(
        state.course(),
        file,
        kind="teams",
        mapping=_mapping(maps),
        encoding=encoding,
        replace=replace,
        dry_run=dry_run,
    )
    _report(report)

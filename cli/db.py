"""``sheetgrade db``: the course's gradebook database."""

from __future__ import annotations

import click

from sheetgrade.cli._common import State, pass_state


@click.group()
def db() -> None:
    """The gradebook database: where it is, and moving it to PostgreSQL.

    \b
    Examples:
      sheetgrade db status
      sheetgrade db copy --to postgresql://tutor@db.example.org/mlphys
    """


@db.command()
@pass_state
def status(state: State) -> None:
    """Show the database in use, its schema version and the rows per table.

    \b
    Example:
      SHEETGRADE_DATABASE=postgresql://tutor@db.example.org/mlphys sheetgrade db status
    """
    from sheetgrade.course import store
    from sheetgrade.course.dbcopy import dump_tables

    engine = state.course().engine
    with engine.connect() as conn:
        version = store.current_version(conn)
        tables = dump_tables(conn)
    click.echo(f"database: {store.display_url(engine)}")
    click.echo(f"schema version: {version}")
    for name, rows in tables.items():
        if name != store.schema_version.name:
            click.echo(f"  {name}: {len(rows)}")


@db.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="SQLAlchemy URL of an empty database, e.g. postgresql://user@host/dbname.",
)
@pass_state
def copy(state: State, target: str) -> None:
    """Copy the course's gradebook into another, empty database, losslessly.

    Every table is copied in one transaction; the copy commits only when a dump
    of every table matches the source row for row. The source is not changed.
    Afterwards set `database.url` in course.yml (or $SHEETGRADE_DATABASE) to the
    new URL. Student files stay in the course directory.

    \b
    Example:
      sheetgrade db copy --to postgresql://tutor@db.example.org/mlphys
    """
    from sheetgrade.course.dbcopy import copy_store

    course = state.course()
    report = copy_store(course.engine, target, course.root)
    for name, n in report.rows.items():
        click.echo(f"  {name}: {n}")
    click.echo(
        f"copied {report.total} rows in {len(report.rows)} tables from {report.source} "
        f"to {report.target}; every table matches"
    )
    click.echo(
        f"next: set `database: {{url: {report.target}}}` in course.yml "
        f"(or SHEETGRADE_DATABASE) so that sheetgrade uses the copy",
        err=True,
    )

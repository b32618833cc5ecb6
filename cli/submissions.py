"""``sheetgrade submissions``: look at what was collected."""

from __future__ import annotations

import click

from sheetgrade.cli._common import State, pass_state
from sheetgrade.cli._output import emit, format_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def submissions() -> None:
    """Show the collected submissions of a sheet; take a collect back.

    Nothing is ever deleted: undo and withdraw make earlier versions count
    again, restore brings a withdrawn version back, history shows it all.

    \b
    Examples:
      sheetgrade submissions list 03
      sheetgrade submissions list 03 --group B --format csv > group-b.csv
      sheetgrade submissions undo 03
      sheetgrade submissions history 03 s019
    """


@submissions.command("list")
@click.argument("sheet")
@click.option("--group", "group", metavar="G", help="Only the students of tutorial group G.")
@format_option
@click.option("--missing", is_flag=True, help="Only students with no submission.")
@pass_state
def list_(state: State, sheet: str, group: str | None, fmt: str, missing: bool) -> None:
    """List every student with the submission that counts for SHEET, or "missing".

    Columns: student, name, group, team, status, version (counting/total),
    received at (course timezone), late by (after the grace period), flags.

    \b
    Examples:
      sheetgrade submissions list 03
      sheetgrade submissions list 03 --group B --missing
      sheetgrade submissions list 03-regression --format csv
    """
    from sheetgrade.submissions.listing import LIST_COLUMNS, submission_status

    rows = [s.as_row() for s in submission_status(state.course(), sheet, group=group)]
    if missing:
        rows = [r for r in rows if r["status"] == "missing"]
    emit(rows, fmt, list(LIST_COLUMNS))
    if fmt == "csv":
        return
    submitted = sum(r["status"] == "submitted" for r in rows)
    click.echo(f"{submitted} of {len(rows)} submitted")


def _echo_changes(report: object) -> None:
    from sheetgrade.submissions.operations import OperationReport

    assert isinstance(report, OperationReport)
    for c in report.changes:
        counts = f"v{c.counts_now} counts" if c.counts_now is not None else "no version counts"
        click.echo(f"{c.action:<10} {c.owner:<10} v{c.version:<3} now {counts}")


@submissions.command()
@click.argument("sheet")
@click.option("--dry-run", is_flag=True, help="Show what would be taken back; change nothing.")
@pass_state
def undo(state: State, sheet: str, dry_run: bool) -> None:
    """Take back the last collect of SHEET: the versions it stored stop counting and
    the ones they superseded count again. Nothing is deleted; the gradebook follows.

    \b
    Examples:
      sheetgrade submissions undo 02
      sheetgrade submissions undo 02 --dry-run
    """
    from sheetgrade.submissions.operations import undo_collect

    report = undo_collect(state.course(), sheet, dry_run=dry_run)
    _echo_changes(report)
    op = report.undoes
    sources = ", ".join(op.get("sources", [])) or "?"
    verb = "would take back" if dry_run else "took back"
    click.echo(
        f"{report.sheet_id}: {verb} collect #{op.get('id')} ({sources}): "
        f"{len(report.changes)} version(s) withdrawn"
        + (" (dry run: nothing was changed)" if dry_run else "")
    )


@submissions.command()
@click.argument("sheet")
@click.argument("who", metavar="STUDENT")
@click.argument("version", type=int, required=False)
@click.option("--reason", default="", help="Why, for the history.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@pass_state
def withdraw(
    state: State, sheet: str, who: str, version: int | None, reason: str, dry_run: bool
) -> None:
    """Take one version back so it no longer counts (default: the one counting now).

    STUDENT is a student (id, matriculation number, e-mail) or a team id.

    \b
    Examples:
      sheetgrade submissions withdraw 02 s019
      sheetgrade submissions withdraw 02 team-07 3 --reason "uploaded for the wrong sheet"
    """
    from sheetgrade.submissions.withdrawal import withdraw as run

    _echo_changes(run(state.course(), sheet, who, version=version, reason=reason, dry_run=dry_run))
    if dry_run:
        click.echo("dry run: nothing was changed")


@submissions.command()
@click.argument("sheet")
@click.argument("who", metavar="STUDENT")
@click.argument("version", type=int, required=False)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@pass_state
def restore(state: State, sheet: str, who: str, version: int | None, dry_run: bool) -> None:
    """Make a withdrawn version count again (default: the last one withdrawn).

    \b
    Examples:
      sheetgrade submissions restore 02 s019
      sheetgrade submissions restore 02 team-07 3
    """
    from sheetgrade.submissions.withdrawal import restore as run

    _echo_changes(run(state.course(), sheet, who, version=version, dry_run=dry_run))
    if dry_run:
        click.echo("dry run: nothing was changed")


@submissions.command()
@click.argument("sheet")
@click.argument("who", metavar="[STUDENT]", required=False)
@pass_state
def history(state: State, sheet: str, who: str | None) -> None:
    """List which version of SHEET counted when, and why: every collect, undo,
    withdraw and restore, oldest first (times in the course's timezone).

    \b
    Examples:
      sheetgrade submissions history 02
      sheetgrade submissions history 02 s019
    """
    from sheetgrade.cli._common import table
    from sheetgrade.submissions.history import history as run

    lines = run(state.course(), sheet, who)
    if not lines:
        click.echo("no submissions")
        return
    click.echo(
        table(
            [
                {
                    "when": h.at.isoformat(sep=" ", timespec="minutes"),
                    "owner": h.owner,
                    "version": f"v{h.version}",
                    "event": h.event,
                    "by": h.actor,
                    "counts afterwards": h.counts,
                }
                for h in lines
            ]
        )
    )

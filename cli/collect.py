"""``sheetgrade collect``: take in uploads for one sheet."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sheetgrade.cli._common import State, pass_state, warn

if TYPE_CHECKING:
    from sheetgrade.submissions.outcomes import CollectReport
    from sheetgrade.submissions.storage import Recovery


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("sheet")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be collected; change nothing.")
@click.option(
    "--received-at",
    "received_at",
    metavar="TIME",
    help="Time for uploads that carry none (ISO 8601; without a zone: the course timezone).",
)
@click.option(
    "--extensions",
    "extensions",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of personal extensions: columns student, due and optionally sheet.",
)
@click.option(
    "--worksheet",
    "worksheet",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Moodle's grading worksheet (CSV) of the assignment: its submission times are used, "
    "and it names the default group's members and blind marking's participants.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Collect a source even when most of its uploads look like another sheet's.",
)
@click.option(
    "--assignment",
    metavar="NAME",
    help="The nbgrader assignment that is SHEET, when its folder name is not the sheet's id, "
    "number, or id without the number.",
)
@click.option("-q", "--quiet", is_flag=True, help="List only problems and the summary.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Also list unchanged uploads and every team upload."
)
@pass_state
def collect(
    state: State,
    sheet: str,
    sources: tuple[Path, ...],
    dry_run: bool,
    received_at: str | None,
    extensions: Path | None,
    worksheet: Path | None,
    force: bool,
    assignment: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Collect submissions for SHEET from folders, Moodle zips, nbgrader trees or single files.

    Sources: a folder (or zip) of per-student folders or files named by id,
    matriculation number, e-mail or name; Moodle's "Download all submissions"
    zip; nbgrader's submitted/<student>/<assignment>/ tree or its exchange's
    inbound/ folder (the assignment is the sheet's id, number or id without
    the number, or --assignment); the folders the NOTO plugin (Moodle and
    JupyterHub) copies submissions into; a student's own zip or file. A sheet
    with several notebooks takes them all from one upload (one version); a
    missing one is flagged notebook-missing:NAME.

    Uploads are matched to students by id, matriculation number, e-mail or
    name (never guessed), credited to the student's team, timed (Moodle's
    grading worksheet with --worksheet, Moodle zip entry times, nbgrader
    timestamp.txt, NOTO's gradebook worksheet, else --received-at) and stored as
    immutable versions under submissions/SHEET/. Unsafe or unmatched items are
    refused with a reason and listed in submissions/SHEET/unmatched.csv and
    refused.csv; the rest still collect. Exit status 1 when anything was refused.

    A source whose uploads mostly look like another sheet's (its notebook
    name or its fixed cells) is refused whole, naming the likely sheet;
    --force collects it anyway. Every collect is recorded:
    `sheetgrade submissions undo SHEET` takes the last one back.

    \b
    Examples:
      sheetgrade collect 03 moodle-download.zip
      sheetgrade collect 03 moodle-download.zip --worksheet grading-worksheet.csv
      sheetgrade collect 03 uploads/ --received-at 2026-11-11T09:58
      sheetgrade collect 03 nbgrader/submitted --extensions extensions.csv
      sheetgrade collect 14-ps1 nbgrader/submitted --assignment ps1
      sheetgrade collect 03 s017.ipynb 3141592.zip --dry-run
    """
    from sheetgrade.submissions.intake import collect as run_collect
    from sheetgrade.submissions.timing import course_tz

    course = state.course()
    report = run_collect(
        course,
        sheet,
        list(sources),
        dry_run=dry_run,
        received_at=received_at,
        extensions_file=extensions,
        worksheet=worksheet,
        force=force,
        assignment=assignment,
    )
    _echo_recovery(report.recovery, dry_run)
    for message in report.warnings:
        warn(message)
    _echo_outcomes(report, course_tz(course), quiet=quiet, verbose=verbose)
    _echo_summary(report, dry_run=dry_run, quiet=quiet)
    if report.failed:
        raise click.exceptions.Exit(1)


def _echo_recovery(rec: Recovery, dry_run: bool) -> None:
    if not rec.anything:
        return
    verb = "would " if dry_run else ""
    if rec.removed_temp or rec.removed:
        warn(
            f"an interrupted collect left {len(rec.removed_temp)} temp folder(s) and {len(rec.removed)} "
            f"incomplete version(s); {verb}removed"
        )
    if rec.adopted:
        warn(
            f"an interrupted collect left {len(rec.adopted)} complete version(s) without database rows; "
            f"{verb}adopted"
        )
    for path in rec.missing:
        warn(f"{path}: in the database but missing on disk")


def _echo_outcomes(report: CollectReport, tz: tzinfo, *, quiet: bool, verbose: bool) -> None:
    from sheetgrade.submissions.timing import human_delay

    for o in report.outcomes:
        if (quiet and o.status in ("stored", "unchanged")) or (
            o.status == "unchanged" and not verbose and "withdrawn" not in o.flags
        ):
            continue
        if o.status in ("stored", "unchanged"):
            when = o.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if o.received_at else ""
            late = f"late {human_delay(o.late_seconds)}" if o.late_seconds > 0 else "on time"
            flags = f"  [{' '.join(o.flags)}]" if o.flags else ""
            click.echo(
                f"{o.status:<10} {o.owner:<10} v{o.version:<3} {when}  {late:<14} {o.source}{flags}"
            )
            if "withdrawn" in o.flags:
                click.echo(f"{'':<10} {o.message}")
        else:
            click.echo(f"{o.status:<10} {o.source}: {o.message}")
    for line in report.refused_sources:
        click.echo(f"{'refused':<10} {line}")
    for r in report.refusals:
        where = f"{r.source}/{r.path}" if r.path else r.source
        click.echo(f"{'refused':<10} {where}: {r.reason}")
    if quiet:
        return
    for note in report.notes:
        click.echo(f"note: {note}")
    if verbose:
        for note in report.team_uploads:
            click.echo(f"note: {note}")
    elif report.team_uploads:
        click.echo(
            f"note: {len(report.team_uploads)} team uploads credited to every member (--verbose lists them)"
        )


def _echo_summary(report: CollectReport, *, dry_run: bool, quiet: bool) -> None:
    counts = [
        f"{report.count(s)} {s}"
        for s in (
            "stored",
            "unchanged",
            "duplicate",
            "unmatched",
            "ambiguous",
            "unresolved",
            "refused",
        )
        if report.count(s)
    ]
    if report.refusals:
        counts.append(f"{len(report.refusals)} file(s) refused")
    summary = f"{report.sheet_id}: " + (", ".join(counts) or "nothing to collect")
    if report.refused_sources:
        summary += f"; {len(report.refused_sources)} source(s) refused whole"
    if dry_run:
        summary += " (dry run: nothing was changed)"
    if report.operation_id is not None and not quiet:
        click.echo(
            f"recorded as collect #{report.operation_id}; "
            f"`sheetgrade submissions undo {report.sheet_id}` takes it back"
        )
    click.echo(summary)
    for written in report.report_files:
        if written.name == "unmatched.csv" and (
            report.count("unmatched") or report.count("ambiguous") or report.count("unresolved")
        ):
            click.echo(f"unmatched uploads are listed in {written}")
        if written.name == "moodle-worksheet.csv":
            click.echo(f"the grading worksheet is kept as {written}")
        if written.name == "refused.csv" and (
            report.refusals
            or report.refused_sources
            or report.count("refused")
            or report.count("duplicate")
        ):
            click.echo(f"refused files are listed in {written} (every collect's, with its time)")

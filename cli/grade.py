"""``sheetgrade grade``: autograde a sheet's collected submissions."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from sheetgrade.cli._common import (
    DURATION,
    SIZE,
    State,
    pass_state,
    progress_enabled,
    table,
)

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.graders.batch import GradedSubmission, GradeRun


def _saved(course: Course, sheet_id: str) -> int:
    """How many grading results of the sheet are stored (any build)."""
    from sqlalchemy import func, select

    from sheetgrade.course import store

    r = store.results
    with course.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(r.c.sheet_id == sheet_id)).scalar_one())


@click.command()
@click.argument("sheet")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="STUDENT",
    help="Grade only this student's or team's submission (repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once  [default: grading.workers, else the cores]",
)
@click.option(
    "--force", is_flag=True, help="Grade again even when this build already graded a submission."
)
@click.option(
    "--timeout",
    type=DURATION,
    default=None,
    help="Wall-clock limit per submission, e.g. 90s or 2m  [default: grading.timeout]",
)
@click.option(
    "--memory",
    type=SIZE,
    default=None,
    help="Memory limit per submission, e.g. 1GiB  [default: grading.memory]",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default=None,
    help="Where submissions run: this machine, or a Dask cluster (sheetgrade[dask])  "
    "[default: grading.executor, else local]",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="With dask: a running Dask scheduler, e.g. tcp://10.0.0.5:8786.",
)
@click.option(
    "--cluster",
    metavar="local[:N]|slurm",
    default=None,
    help="With dask: N worker processes here, or Slurm jobs as set in grading.slurm  "
    "[default: grading.cluster, else local with --jobs processes]",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@pass_state
def grade(
    state: State,
    sheet: str,
    only: tuple[str, ...],
    jobs: int | None,
    force: bool,
    timeout: float | None,
    memory: int | None,
    executor: str | None,
    scheduler: str | None,
    cluster: str | None,
    quiet: bool,
) -> None:
    """Autograde every collected submission of SHEET not yet graded by its current build.

    \b
    Examples:
      sheetgrade grade 03
      sheetgrade grade 03 --only s001 --force
      sheetgrade grade 03-ridge --jobs 4 --timeout 2m --memory 1GiB
      sheetgrade grade 03 --executor dask --cluster local:8
      sheetgrade grade 03 --executor dask --cluster slurm
      sheetgrade grade 03 --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from sheetgrade.graders.batch import grade_sheet

    if (scheduler or cluster) and executor == "local":
        raise click.UsageError("--scheduler and --cluster go with --executor dask")
    if scheduler or cluster:
        executor = "dask"
    if cluster:
        from sheetgrade.course.config import cluster_problem

        problem = cluster_problem(cluster)
        if problem:
            raise click.BadParameter(problem, param_hint="--cluster")
    course = state.course()
    progress = _Progress(enabled=progress_enabled(quiet))
    sheet_id = course.resolve_sheet_id(sheet)
    saved_before = _saved(course, sheet_id)
    try:
        run = grade_sheet(
            course,
            sheet,
            only=only,
            jobs=jobs,
            force=force,
            timeout=timeout,
            memory=memory,
            on_start=progress.start,
            on_progress=progress.update,
            executor=executor,
            scheduler=scheduler,
            cluster=cluster,
        )
    except KeyboardInterrupt:
        progress.finish()
        saved = _saved(course, sheet_id) - saved_before
        click.secho(
            f"interrupted: {saved} result{'s' if saved != 1 else ''} saved; "
            f"`sheetgrade grade {sheet}` continues with the rest",
            fg="yellow",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    progress.finish()
    _report(run, sheet)


def _report(run: GradeRun, sheet: str) -> None:
    """The run's warnings on stderr, its table and summary on stdout; exit 1 if any failed."""
    for warning in run.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if run.graded:
        click.echo(
            table(
                [_row(g) for g in run.graded],
                ["owner", "status", "points", "max", "seconds", "note"],
            )
        )
    failed = run.failed
    parts = [f"{len(run.graded)} graded"]
    if run.identical:
        parts.append(f"{run.identical} identical to one graded now (same result)")
    if run.already_graded:
        parts.append(
            f"{run.already_graded} already graded by build {run.build_hash[:12]} "
            f"(--force grades again)"
        )
    if failed:
        parts.append(
            f"{len(failed)} ended in error: " + ", ".join(f"{g.owner} ({g.status})" for g in failed)
        )
    if run.regraded_alone:
        parts.append(f"{run.regraded_alone} timed out beside others and were graded again alone")
    click.echo(f"sheet {run.sheet_id}: " + "; ".join(parts))
    if run.log_path is not None:
        click.echo(f"details for tutors (never shown to students): {run.log_path}")
    if not run.total:
        click.echo(
            f"no submissions collected for {run.sheet_id}; run `sheetgrade collect {sheet} FILE`",
            err=True,
        )
    if failed:
        raise click.exceptions.Exit(1)


def _row(g: GradedSubmission) -> dict[str, Any]:
    note = g.message.replace("\n", " ")
    if any(f.startswith("review:") for f in g.flags):
        note = "REVIEW (possible tampering) " + note
    return {
        "owner": g.owner,
        "status": g.status,
        "points": f"{g.points:g}",
        "max": f"{g.max_points:g}",
        "seconds": f"{g.duration:.2f}",
        "note": note[:90],
    }


class _Progress:
    """One self-overwriting line on stderr: done/total, ok, failed, ETA."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.total = 0
        self.ok = 0
        self.failed = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self._draw(0)

    def update(self, done: int, total: int, latest: GradedSubmission) -> None:
        if latest.failed:
            self.failed += 1
        else:
            self.ok += 1
        self._draw(done)

    def _draw(self, done: int) -> None:
        if not self.enabled or not self.total:
            return
        elapsed = time.monotonic() - self.started
        eta = f"{elapsed / done * (self.total - done):.0f}s" if done else "?"
        click.echo(
            f"\rgrading {done}/{self.total}  ok {self.ok}  failed {self.failed}  ETA {eta}   ",
            err=True,
            nl=False,
        )

    def finish(self) -> None:
        if self.enabled and self.total:
            click.echo("", err=True)

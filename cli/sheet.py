"""``sheetgrade sheet``: build, release, list and show exercise sheets."""

from __future__ import annotations

from pathlib import Path

import click

from sheetgrade.cli._common import State, pass_state, table, warn


@click.group()
def sheet() -> None:
    """Build, release and inspect the course's exercise sheets.

    \b
    Examples:
      sheetgrade sheet build 01
      sheetgrade sheet release 01-pca
      sheetgrade sheet list
      sheetgrade sheet seeds 12
    """


@sheet.command()
@click.argument("sheet_id", metavar="SHEET")
@pass_state
def build(state: State, sheet_id: str) -> None:
    """Build the student version and the autograder bundle of SHEET, checked against the reference.

    Writes build/SHEET/student/ (stub notebook, data, public tests) and
    build/SHEET/autograder/ (bundle.json, reference.ipynb, data), after running
    the reference solution against every test.

    \b
    Examples:
      sheetgrade sheet build 01-pca
      sheetgrade sheet build 3
    """
    from sheetgrade.graders.validate import validate_build
    from sheetgrade.sheets.build import discard_build, finish_build, prepare_build

    course = state.course()
    prepared = prepare_build(course, sheet_id)
    try:
        report = validate_build(course, prepared.autograder_dir)
        result = finish_build(prepared, report)
    finally:
        discard_build(prepared)
    for message in result.warnings:
        warn(message)
    click.echo(result.summary())
    click.echo(f"  student:    {result.student_dir}")
    click.echo(f"  autograder: {result.autograder_dir}")


@sheet.command()
@click.argument("sheet_id", metavar="SHEET")
@click.option(
    "--wheel",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Publish this sheetgrade wheel beside the sheets; the index page then tells "
    "students to install it, so they check with the version that grades them.",
)
@pass_state
def release(state: State, sheet_id: str, wheel: Path | None) -> None:
    """Zip the built student version of SHEET into release/ and update release/index.html.

    Refuses when SHEET has no build or its source changed since the build.
    The index page tells students how to install sheetgrade and check their work.

    \b
    Examples:
      sheetgrade sheet release 01-pca
      sheetgrade sheet release 01-pca --wheel dist/sheetgrade-0.1.0-py3-none-any.whl
    """
    from sheetgrade.sheets.release import release_sheet

    result = release_sheet(state.course(), sheet_id, wheel=wheel)
    if result.unchanged:
        click.echo(
            f"{result.sheet_id}: unchanged since its release at {result.previous_at}; "
            f"nothing to do ({result.zip_path})"
        )
        return
    click.echo(f"released {result.sheet_id}: {result.zip_path}")
    if result.previous_at:
        what = "; ".join(result.changes) or "the same files, rezipped"
        click.echo(f"  since the release at {result.previous_at}: {what}")
    if result.wheel_path is not None:
        click.echo(f"  wheel: {result.wheel_path}")
    click.echo(f"  index: {result.index_path}")


@sheet.command(name="list")
@pass_state
def list_(state: State) -> None:
    """List the sheets with deadline, points and whether they are built and released.

    \b
    Examples:
      sheetgrade sheet list
    """
    from sheetgrade.sheets.release import list_sheets

    rows = [
        {
            "id": s.id,
            "title": s.title,
            "due": s.due,
            "points": f"{s.points:g}",
            "built": s.built,
            "released": s.release_state or ("yes" if s.released else "no"),
        }
        for s in list_sheets(state.course())
    ]
    click.echo(table(rows) if rows else "no sheets in course.yml")


@sheet.command()
@click.argument("sheet_id", metavar="SHEET")
@pass_state
def show(state: State, sheet_id: str) -> None:
    """Show one sheet: its tasks, build state and tests per task.

    \b
    Examples:
      sheetgrade sheet show 02
    """
    from sheetgrade.sheets.release import show_sheet

    info = show_sheet(state.course(), sheet_id)
    click.echo(f"{info['id']}: {info['title']}")
    click.echo(f"  due:      {info['due']}")
    click.echo(f"  points:   {info['points']:g} ({info['auto_points']:g} in the notebook)")
    click.echo(
        f"  notebook: {info['notebook'] or '-'}"
        + (f" ({info['format']})" if "format" in info else "")
    )
    click.echo(
        f"  built:    {info['built']}"
        + (
            f" ({info['build_hash'][:12]}, {info['built_at']})"
            if info.get("build_hash") and info.get("built_at")
            else ""
        )
    )
    released = info["released_at"] or "no"
    if info["release_state"].startswith("yes ("):
        released += " " + info["release_state"][4:]
    click.echo(f"  released: {released}")
    rows = []
    for task in info["auto_tasks"] + info["manual_tasks"]:
        counts = info["tests"].get(task["id"], {})
        kind = "auto" if task in info["auto_tasks"] else "manual"
        tests = (
            f"{counts.get('public', 0)} public, {counts.get('hidden', 0)} hidden"
            if kind == "auto"
            else "-"
        )
        rows.append(
            {
                "task": task["id"],
                "title": task["title"],
                "kind": kind,
                "points": f"{task['points']:g}",
                "tests": tests,
            }
        )
    click.echo("")
    click.echo(table(rows))


@sheet.command()
@click.argument("sheet_id", metavar="SHEET")
@click.option(
    "--runs", type=click.IntRange(1, 10000), default=50, show_default=True, help="Seeds per check."
)
@pass_state
def seeds(state: State, sheet_id: str, runs: int) -> None:
    """Measure the false-failure rate of SHEET's stochastic checks.

    Reruns every native check with a `SEED = <number>` line against the
    reference solution with RUNS other seeds and counts how often it fails.
    Exits 1 when any check failed for some seed.

    \b
    Examples:
      sheetgrade sheet seeds 12
      sheetgrade sheet seeds 12-sampling --runs 200
    """
    from sheetgrade.graders.seeds import sweep_seeds

    course = state.course()
    sweeps = sweep_seeds(course, sheet_id, runs=runs)
    if not sweeps:
        click.echo(f"{course.resolve_sheet_id(sheet_id)}: no check has a `SEED = <number>` line")
        return
    rows = [
        {
            "test": s.test_id,
            "task": s.task,
            "seeds": f"{s.seeds[0]}-{s.seeds[-1]}",
            "failed": f"{s.failures}/{s.runs}",
            "first failure": s.first_failure[:100],
        }
        for s in sweeps
    ]
    click.echo(table(rows))
    failed = sum(1 for s in sweeps if s.failures)
    click.echo(
        f"{len(sweeps)} stochastic checks, {runs} seeds each: "
        + (f"{failed} failed for some seed" if failed else "no failure")
    )
    if failed:
        raise click.exceptions.Exit(1)

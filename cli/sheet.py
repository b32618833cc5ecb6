"""``sheetgrade sheet``: build, release, list and show exercise sheets."""

from __future__ import annotations

import click

from sheetgrade.cli._common import State, pass_state, table


@click.group()
def sheet() -> None:
    """Build, release and inspect the course's exercise sheets.

    \b
    Examples:
      sheetgrade sheet build 01
      sheetgrade sheet release 01-pca
      sheetgrade sheet list
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
    from sheetgrade.sheets.build import discard_build, finish_build, prepare_build
    from sheetgrade.sheets.errors import SheetError

    course = state.course()
    try:
        from sheetgrade.graders.validate import validate_build
    except ImportError as exc:
        raise SheetError(
            "cannot validate the build: the reference runner (sheetgrade.graders.validate) is not "
            f"available ({exc}); reinstall sheetgrade"
        ) from None
    prepared = prepare_build(course, sheet_id)
    try:
        report = validate_build(course, prepared.autograder_dir)
        result = finish_build(prepared, report)
    finally:
        discard_build(prepared)
    click.echo(result.summary())
    click.echo(f"  student:    {result.student_dir}")
    click.echo(f"  autograder: {result.autograder_dir}")


@sheet.command()
@click.argument("sheet_id", metavar="SHEET")
@pass_state
def release(state: State, sheet_id: str) -> None:
    """Zip the built student version of SHEET into release/ and update release/index.html.

    Refuses when SHEET has no build or its source changed since the build.

    \b
    Examples:
      sheetgrade sheet release 01-pca
    """
    from sheetgrade.sheets.release import release_sheet

    result = release_sheet(state.course(), sheet_id)
    click.echo(f"released {result.sheet_id}: {result.zip_path}")
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
            "released": "yes" if s.released else "no",
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
    click.echo(f"  released: {info['released_at'] or 'no'}")
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

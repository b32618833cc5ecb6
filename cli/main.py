"""The ``sheetgrade`` command: a thin adapter over the library.

Command groups live one per module and are imported only when used, so
``sheetgrade --help`` never imports pandas, numpy or nbformat. Domain errors
(``SheetgradeError``) become click errors here, in one place: exit 1, a clear
message, no traceback.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
from typing import Any

import click

from sheetgrade import __version__

# name -> "module:attribute"; order is the order shown in --help
COMMANDS: dict[str, str] = {
    "init": "sheetgrade.cli.init:init",
    "validate": "sheetgrade.cli.validate:validate",
    "roster": "sheetgrade.cli.roster:roster",
    "sheet": "sheetgrade.cli.sheet:sheet",
    "check": "sheetgrade.cli.check:check",
    "collect": "sheetgrade.cli.collect:collect",
    "submissions": "sheetgrade.cli.submissions:submissions",
    "grade": "sheetgrade.cli.grade:grade",
    "marks": "sheetgrade.cli.marks:marks",
    "gradebook": "sheetgrade.cli.gradebook:gradebook",
    "feedback": "sheetgrade.cli.feedback:feedback",
    "admission": "sheetgrade.cli.admission:admission",
    "report": "sheetgrade.cli.report:report",
    "db": "sheetgrade.cli.db:db",
    "demo": "sheetgrade.cli.demo:demo",
}

#: import names of the ``staff`` extra (pyproject.toml); a student install lacks them
STAFF_MODULES = frozenset(
    {"nbformat", "sqlalchemy", "jinja2", "scipy", "pandas", "matplotlib", "openpyxl"}
)
STAFF_HINT = 'pip install "sheetgrade[staff]"'
#: commands a student install runs; every other command needs the staff extra
STUDENT_COMMANDS = frozenset({"check"})

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        if ctx is not None:  # None when a caller looks a command up outside a run
            ctx.meta["sheetgrade.command"] = cmd_name
        command = _load_command(cmd_name, target)
        if cmd_name not in STUDENT_COMMANDS:
            missing = missing_staff_modules()
            if missing:
                return _needs_staff(command, cmd_name, missing[0])
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            name = args[0] if args else ""
            near = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
            if name and near and name not in COMMANDS:
                raise click.UsageError(
                    f"No such command '{name}'; did you mean '{near[0]}'?", ctx
                ) from None
            raise exc

    def invoke(self, ctx: click.Context) -> Any:
        from sheetgrade.course.errors import SheetgradeError

        try:
            return super().invoke(ctx)
        except SheetgradeError as exc:
            raise click.ClickException(exc.render()) from None
        except ModuleNotFoundError as exc:
            missing = (exc.name or "").partition(".")[0]
            if missing not in STAFF_MODULES:
                raise
            raise StaffExtraMissing(
                ctx.meta.get("sheetgrade.command", "this command"), missing
            ) from None


class StaffExtraMissing(click.ClickException):
    """A staff command in an install without the ``staff`` extra (exit 1, one line)."""

    def __init__(self, command: str, module: str) -> None:
        super().__init__(
            f"'sheetgrade {command}' is a staff command, and this is a student install "
            f"({module} is missing); install the staff extra: {STAFF_HINT}"
        )


def _needs_staff(command: click.Command, name: str, module: str) -> click.Command:
    """``command`` with its help intact, but stopping at once with the staff-extra line."""

    def stop(*_args: Any, **_kwargs: Any) -> None:
        raise StaffExtraMissing(name, module)

    stub = copy.copy(command)
    stub.callback = stop
    return stub


def missing_staff_modules() -> list[str]:
    """The staff libraries that cannot be found (without importing any of them)."""
    missing = []
    for name in sorted(STAFF_MODULES):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


class CommandUnavailable(click.ClickException):
    """A registered command whose module cannot be imported: a broken installation."""

    def __init__(self, command: str, target: str, reason: str) -> None:
        super().__init__(
            f"command '{command}' cannot be loaded from {target}: {reason}; "
            "the installation is broken: reinstall sheetgrade (pip install --force-reinstall "
            "sheetgrade), and report it if that does not help"
        )


def _load_command(name: str, target: str) -> click.Command:
    """Import the command registered as ``name``; never drop it silently."""
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in STAFF_MODULES:
            raise  # a student install: LazyGroup.invoke names the staff extra
        raise CommandUnavailable(name, target, f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any import failure makes the command unusable
        raise CommandUnavailable(name, target, f"{type(exc).__name__}: {exc}") from exc
    command = getattr(module, attr, None)
    if not isinstance(command, click.Command):
        raise CommandUnavailable(name, target, f"{module_name} has no click command {attr!r}")
    return command


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="sheetgrade")
@click.option(
    "--course",
    "course_path",
    metavar="PATH",
    envvar="SHEETGRADE_COURSE",
    help="Course directory (default: the nearest parent of the cwd with a course.yml). "
    "Also $SHEETGRADE_COURSE.",
)
@click.pass_context
def cli(ctx: click.Context, course_path: str | None) -> None:
    """Exercise sheets and safe, fast autograding for a university course.

    \b
    Instructors: sheetgrade sheet build 03 && sheetgrade sheet release 03
    Students:    sheetgrade check ridge.ipynb
    Tutors:      sheetgrade collect 03 moodle.zip && sheetgrade grade 03
    Admins:      sheetgrade admission export --format campus
    """
    from sheetgrade.cli._common import State

    ctx.obj = State(course_path=course_path)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="sheetgrade")

"""Every command has help, and `sheetgrade --help` stays light."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from sheetgrade.cli.main import COMMANDS, cli

HEAVY = [
    "pandas",
    "numpy",
    "nbformat",
    "otter",
    "sqlalchemy",
    "matplotlib",
    "scipy",
    "jinja2",
    "openpyxl",
]


def all_commands(group: click.Group, ctx: click.Context, prefix: str = ""):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, ctx, f"{prefix}{name} ")


def test_top_level_help_lists_every_group(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        assert f"  {name} " in result.stdout


def test_every_command_has_help_and_examples():
    ctx = click.Context(cli)
    missing = []
    for name, command in all_commands(cli, ctx):
        if not (command.help or "").strip():
            missing.append(name)
        elif not isinstance(command, click.Group) and "sheetgrade" not in command.help:
            missing.append(f"{name} (no example)")
    assert missing == []


def test_every_registered_module_is_a_command():
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == list(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command)
        assert command.name == name


@pytest.fixture
def broken_command(tmp_path, monkeypatch):
    """Register ``broken`` from a module that fails to import, and ``gone`` from none."""
    (tmp_path / "sheetgrade_broken_cmd.py").write_text("import click\n\ndef broken(:\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(COMMANDS, "broken", "sheetgrade_broken_cmd:broken")
    monkeypatch.setitem(COMMANDS, "gone", "sheetgrade.cli.no_such_module:gone")


def test_a_command_that_fails_to_import_fails_loudly(run_cli, broken_command):
    result = run_cli("broken", "--help")
    assert result.exit_code == 1
    assert "command 'broken' cannot be loaded from sheetgrade_broken_cmd:broken" in result.stderr
    assert "SyntaxError" in result.stderr
    assert "reinstall sheetgrade" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_command_module_is_not_dropped_from_help(run_cli, broken_command):
    result = run_cli("--help")
    assert result.exit_code == 1
    assert "command 'broken' cannot be loaded" in result.stderr
    result = run_cli("gone")
    assert result.exit_code == 1
    assert "ModuleNotFoundError: No module named 'sheetgrade.cli.no_such_module'" in result.stderr


def test_short_help_flag(run_cli):
    assert run_cli("-h").exit_code == 0


@pytest.mark.parametrize(
    "argv", [["--help"], ["roster", "--help"], ["grade", "--help"], ["marks", "--help"]]
)
def test_help_does_not_import_heavy_libraries(argv):
    code = (
        "import sys\n"
        "from sheetgrade.cli.main import cli\n"
        f"try:\n    cli({argv!r}, prog_name='sheetgrade')\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"

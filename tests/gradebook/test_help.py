"""Every gradebook command has help with an example, and --help imports no pandas."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = [
    ["marks"],
    ["marks", "template"],
    ["marks", "import"],
    ["marks", "set"],
    ["marks", "history"],
    ["marks", "present"],
    ["gradebook"],
    ["gradebook", "show"],
    ["gradebook", "export"],
    ["feedback"],
    ["admission"],
    ["admission", "show"],
    ["admission", "export"],
    ["report"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help(run_cli, command):
    r = run_cli(*command, "--help")
    assert r.exit_code == 0
    assert "sheetgrade " + command[0] in r.stdout  # an example line


def test_help_imports_no_pandas():
    code = (
        "import sys, click; from sheetgrade.cli.main import cli\n"
        "for c in ('marks', 'gradebook', 'feedback', 'admission', 'report'):\n"
        "    cli.get_command(click.Context(cli), c)\n"
        "assert 'pandas' not in sys.modules and 'openpyxl' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-P", "-c", code], check=True)

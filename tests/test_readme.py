"""Every `$` command in README.md runs, in order, and prints what the README shows.

Console blocks are run one command at a time through bash in a scratch home
directory (``~``), with the project's ``sheetgrade`` on PATH. A ``cd`` carries
over to the next command. Shown output lines must appear in the real output in
the same order; ``…`` stands for any text. A command ending in ``# exits N``
must exit with N, every other one with 0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "__SHEETGRADE_README_PWD__"


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        match = re.search(r"#\s*exits\s+(\d+)\s*$", self.line)
        return int(match[1]) if match else 0


def readme_commands(text: str) -> list[Command]:
    commands: list[Command] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif commands and line.strip():
                commands[-1].expected.append(line)
    return commands


def pattern(shown: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in shown.strip().split("…")]
    return re.compile(r"\s*" + ".*".join(parts) + r"\s*$")


def missing_lines(expected: list[str], output: str) -> list[str]:
    """Shown lines that do not appear, in order, in the output."""
    lines = output.splitlines()
    position = 0
    missing = []
    for shown in expected:
        if shown.strip() == "…":
            continue
        regex = pattern(shown)
        for i in range(position, len(lines)):
            if regex.match(lines[i]):
                position = i + 1
                break
        else:
            missing.append(shown)
    return missing


def test_readme_commands_are_found():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert len(commands) >= 20
    assert any(c.line.startswith("sheetgrade check") for c in commands)
    assert all(
        c.expected for c in commands if c.line.startswith("sheetgrade") and "cd " not in c.line
    )


@pytest.mark.slow
def test_every_readme_command_runs_as_shown(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETGRADE_")}
    env.update(
        HOME=str(home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="200",
        NO_COLOR="1",
    )
    cwd = home
    failures = []
    for command in readme_commands(README.read_text(encoding="utf-8")):
        script = f'{command.line}\n__rc=$?\necho {MARK}"$(pwd)"\nexit $__rc\n'
        done = subprocess.run(
            ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        output, _, where = done.stdout.rpartition(MARK)
        cwd = Path(where.strip()) if where.strip() else cwd
        output += done.stderr
        if done.returncode != command.exit_code:
            failures.append(
                f"$ {command.line}\n  exit {done.returncode}, expected {command.exit_code}\n{output}"
            )
            continue
        lost = missing_lines(command.expected, output)
        if lost:
            failures.append(
                f"$ {command.line}\n  not in the output: {lost}\n--- output ---\n{output}"
            )
    assert not failures, "\n\n".join(failures)

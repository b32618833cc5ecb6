"""The competitors' venv (made by setup.sh): where it is, what it has, running in it."""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELPERS = HERE / "helpers"


def venv() -> Path:
    """The competitors' venv: ``$COMPETITOR_VENV`` or ``benchmarks/.venv-competitors``."""
    return Path(os.environ.get("COMPETITOR_VENV", HERE / ".venv-competitors"))


def bin_path(name: str) -> Path:
    """An executable of the competitors' venv."""
    return venv() / "bin" / name


def python() -> Path:
    """The competitors' Python."""
    return bin_path("python")


@cache
def available(tool: str) -> bool:
    """Whether ``tool`` (``nbgrader`` or ``otter``) is installed in the venv."""
    module = {"nbgrader": "nbgrader", "otter": "otter"}[tool]
    if not python().exists():
        return False
    probe = subprocess.run(
        [
            str(python()),
            "-c",
            f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


def environment() -> dict[str, str]:
    """Environment for the competitors: their venv first on PATH, no project venv."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{venv() / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def run(args: list[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a competitor command (``args[0]`` is a name in the venv's ``bin/``).

    Raises:
        RuntimeError: when ``check`` and the command fails; the message has its output.
    """
    argv = [str(bin_path(args[0])), *args[1:]]
    done = subprocess.run(
        argv, cwd=cwd, env=environment(), capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed in {cwd} (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return done


def helper(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``helpers/SCRIPT`` with the competitors' Python."""
    return run(["python", str(HELPERS / script), *args], cwd=cwd)

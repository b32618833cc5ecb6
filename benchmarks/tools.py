"""Where each tool's command is, and what versions are installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import competitors


def sheetgrade() -> Path:
    """The ``sheetgrade`` script of the venv running this benchmark."""
    return Path(sys.executable).parent / "sheetgrade"


def command(tool: str) -> list[str]:
    """The command line that starts ``tool``'s CLI."""
    if tool == "sheetgrade":
        return [str(sheetgrade())]
    return [str(competitors.bin_path(tool))]


def installed(tool: str) -> bool:
    """Whether ``tool`` can be run here."""
    if tool == "sheetgrade":
        return sheetgrade().exists()
    return competitors.available(tool)


def _versions(python: Path, names: list[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, platform, sys\n"
        "out = {'python': platform.python_version()}\n"
        f"for n in {names!r}:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return json.loads(done.stdout) if done.returncode == 0 else {}


def versions() -> dict[str, dict[str, str]]:
    """Versions in the project venv and in the competitors' venv."""
    found = {"sheetgrade venv": _versions(Path(sys.executable), ["sheetgrade", "numpy", "scipy"])}
    if competitors.python().exists():
        found["competitors venv"] = _versions(
            competitors.python(), ["nbgrader", "otter-grader", "numpy", "scipy", "ipykernel"]
        )
    return found

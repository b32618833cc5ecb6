"""A student's install, as a student makes it: the sheetgrade wheel, no extras,
in a fresh venv. Used by ``benchmarks/student_check.py`` and by
``tests/test_wheel_install.py``.

    .venv/bin/python benchmarks/student_venv.py /tmp/student-venv   # build, install, print stats
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class VenvStats:
    """What a venv holds: ``pip list`` entries and bytes on disk."""

    distributions: list[str]
    bytes: int

    @property
    def count(self) -> int:
        return len(self.distributions)

    @property
    def megabytes(self) -> float:
        return self.bytes / 1e6


def build_wheel(dest: Path, python: str = sys.executable) -> Path:
    """Build sheetgrade's wheel from this checkout into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [python, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dest)]
        + [str(REPO)],
        check=True,
        cwd=dest,
    )
    wheels = sorted(dest.glob("sheetgrade-*.whl"))
    if not wheels:
        raise RuntimeError(f"no wheel was written to {dest}")
    return wheels[-1]


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_script(folder: Path, name: str) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / name


def create_student_venv(folder: Path, wheel: Path) -> Path:
    """A fresh venv with ``wheel`` installed, without extras (dependencies from
    the package index; pip's cache is used as usual). Returns its python."""
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    python = venv_python(folder)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        # pip's notes about index locations configured on this machine are noise here
        noise = "is ignored: it is neither a file nor a directory"
        errors = "\n".join(line for line in result.stderr.splitlines() if noise not in line)
        raise RuntimeError(f"pip install {wheel.name} failed:\n{errors}")
    return python


def venv_stats(folder: Path) -> VenvStats:
    """The distributions ``pip list`` shows and the bytes of every file in the venv."""
    python = venv_python(folder)
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    )
    names = sorted(f"{d['name']}=={d['version']}" for d in json.loads(listed.stdout))
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return VenvStats(distributions=names, bytes=total)


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("venv", type=Path, help="folder of the student venv (recreated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        create_student_venv(args.venv, wheel)
    stats = venv_stats(args.venv)
    print(f"{stats.count} distributions, {stats.megabytes:.0f} MB")
    for name in stats.distributions:
        print(f"  {name}")


if __name__ == "__main__":
    main()

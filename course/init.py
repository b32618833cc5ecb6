"""Create a course directory, empty or from a bundled example."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from sheetgrade.course.course import COURSE_FILE
from sheetgrade.course.errors import ConfigError
from sheetgrade.course.suggest import did_you_mean

EXAMPLES = ("mlphys",)

COURSE_SKELETON = """\
# course.yml: reference of every key in docs/course-yml.md
course: {name}
term: {term}
timezone: Europe/Berlin

sheets: []
#  - id: 01-intro
#    due: 2026-10-28T10:00+01:00

admission:
  share: 0.5

late:
  kind: none
"""

FOLDERS = ("sheets", "roster")


def example_path(name: str) -> Path:
    """The folder of a bundled example course."""
    if name not in EXAMPLES:
        raise ConfigError(
            f"no example course '{name}'{did_you_mean(name, EXAMPLES)} (examples: {', '.join(EXAMPLES)})"
        )
    return Path(str(resources.files("sheetgrade.examples") / name))


def create_course(
    target: Path, *, example: str | None = None, name: str = "My course", term: str = "WS 2026/27"
) -> Path:
    """Create a course directory at ``target``; refuse to overwrite one."""
    target = target.resolve()
    if (target / COURSE_FILE).exists():
        raise ConfigError(f"{target / COURSE_FILE} already exists; init never overwrites a course")
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"{target} is not empty; choose a new directory for the course")
    if example is not None:
        source = example_path(example)
        shutil.copytree(
            source,
            target,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "gradebook.db*"),
        )
    else:
        target.mkdir(parents=True, exist_ok=True)
        (target / COURSE_FILE).write_text(
            COURSE_SKELETON.format(name=name, term=term), encoding="utf-8"
        )
        for folder in FOLDERS:
            (target / folder).mkdir(exist_ok=True)
    return target

"""Fixtures of the Moodle tests: the example course, and the submissions tests' helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib: make the submissions tests' helpers importable
sys.path.insert(0, str(Path(__file__).parents[1] / "submissions"))


@pytest.fixture
def course(example_course: Path) -> Path:
    """The example course (120 students, teams) with its database."""
    return example_course

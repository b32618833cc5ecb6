"""Fixtures of the submissions tests; the helpers live in ``submission_helpers``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(
    0, str(Path(__file__).parent)
)  # --import-mode=importlib: make the helpers importable


@pytest.fixture
def course(example_course: Path) -> Path:
    """The example course (120 students, teams) with its database."""
    return example_course

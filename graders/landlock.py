"""Landlock restrictions for a grading child (first version: a stub)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def restrict(scratch: Path, read_paths: Sequence[Path]) -> str:
    """Restrict the calling thread; return the layer status."""
    return "unavailable: not implemented yet"

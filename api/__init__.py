"""sheetgrade: exercise sheets and safe, fast autograding for university courses.

The public API is small: the version, the domain error base class, and
``check``, which students call inside a notebook (``check("2a")``).
Everything is imported lazily so that ``import sheetgrade`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "check", "SheetgradeError"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from sheetgrade.graders.notebook_check import check

        return check
    if name == "SheetgradeError":
        from sheetgrade.course.errors import SheetgradeError

        return SheetgradeError
    raise AttributeError(f"module 'sheetgrade' has no attribute {name!r}")

"""Whether this process is a confined student process.

A leaf module: :mod:`.child` sets the flag before the first student line, and
``check()`` (:mod:`sheetgrade.graders.notebook_check`) reads it, so that
``check("2a")`` cells of a notebook being graded do nothing.
"""

from __future__ import annotations

_grading = False


def enter_grading() -> None:
    """Mark this process as a student process being graded (never undone)."""
    global _grading
    _grading = True


def is_grading() -> bool:
    """True in a student process being graded."""
    return _grading

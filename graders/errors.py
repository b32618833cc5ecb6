"""Domain errors of grading.

The errors of the process machinery live in :mod:`sheetgrade.graders.sandbox.errors`
and are re-exported here, so callers catch every grading error from one module.
"""

from __future__ import annotations

from sheetgrade.graders.sandbox.errors import GradingError, ProtocolError, StudentProcessDied

__all__ = [
    "BundleMissing",
    "GradingError",
    "ProtocolError",
    "PublicTestsMissing",
    "StudentProcessDied",
]


class BundleMissing(GradingError):
    """The sheet has no autograder bundle yet (``sheet build`` makes it)."""


class PublicTestsMissing(GradingError):
    """No ``public_tests.json`` was found for a local check."""

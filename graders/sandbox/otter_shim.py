"""A stand-in for the ``otter`` package inside the grader's student and
reference processes.

Notebooks written for otter-grader start with ``import otter`` and
``grader = otter.Notebook("lab.ipynb")`` and call ``grader.check("q1")``,
``grader.check_all()`` or ``grader.export()``. In grading those calls have
nothing to do (the grader runs the tests itself) and real otter is neither
needed nor wanted in a confined process, so ``import otter`` there gives this
module: every call does nothing and returns ``None``.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class Notebook:
    """``otter.Notebook``: accepts any arguments; every method does nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def check(self, *args: Any, **kwargs: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _nothing


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


class _OtterModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _nothing


def install() -> None:
    """Make ``import otter`` (and ``from otter import Notebook``) give the shim."""
    module = _OtterModule("otter", "sheetgrade's stand-in for otter-grader inside the grader")
    module.Notebook = Notebook  # type: ignore[attr-defined]
    module.__version__ = "0+sheetgrade-shim"  # type: ignore[attr-defined]
    module.__path__ = []  # a package: ``import otter.api`` fails cleanly
    sys.modules["otter"] = module

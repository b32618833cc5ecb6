"""``from sheetgrade import check; check("2a")`` inside Jupyter.

Runs the public tests of a task on the live notebook namespace, in-process:
it is the student's own machine and kernel, so there is nothing to confine.
Answers still cross the grader's wire format and are judged by the same
harness and messages as in grading (``reference`` answers come from the
values recorded at build time in ``public_tests.json``).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sheetgrade.graders.errors import GradingError, PublicTestsMissing
from sheetgrade.graders.harness import LiveTarget, RecordedReference, run_test
from sheetgrade.graders.local_check import (
    CheckReport,
    TaskCheck,
    format_report,
    load_public_tests,
    own_tests,
    select_tasks,
)
from sheetgrade.graders.sandbox import mode
from sheetgrade.sheets.model import PUBLIC_TESTS_FILE


def check(
    *tasks: str,
    tests: str | Path | None = None,
    namespace: dict[str, Any] | None = None,
    quiet: bool = False,
) -> CheckReport | None:
    """Check tasks of the notebook you are working in against their public tests.

    Args:
        *tasks: task ids, e.g. ``"2a"``; none: every task with public tests.
        tests: path of ``public_tests.json`` (default: in the current folder).
        namespace: the variables to check (default: the notebook's).
        quiet: return the report instead of printing it.

    Returns:
        The report when ``quiet``, else ``None`` (the result is printed).

    Example:
        >>> from sheetgrade import check
        >>> check("2a")                                  # doctest: +SKIP
        2a     PASS  2/2 points
    """
    if mode.is_grading():  # a check() cell of a notebook being graded does nothing
        print(f"check({', '.join(map(repr, tasks))}) skipped: the notebook is being graded")
        return None
    path = _public_tests_path(tests)
    public = load_public_tests(path)
    names = namespace if namespace is not None else _notebook_namespace()
    session = str(names.get("__session__") or os.environ.get("JPY_SESSION_NAME") or "")
    if public.notebooks and not tasks and session:
        # a sheet of several notebooks: Jupyter says which one this is; check its tasks
        with contextlib.suppress(GradingError):
            public = own_tests(public, Path(session).name, ())
    chosen = select_tasks(public, _flatten(tasks))
    target = LiveTarget(names)
    reference = RecordedReference(public.recorded_reference)
    by_task = []
    for task in chosen:
        outcomes = [run_test(t, target, reference) for t in public.tests if t.task == task.id]
        by_task.append(TaskCheck(task=task, outcomes=outcomes))
    report = CheckReport(notebook="(this notebook)", tasks=by_task)
    if quiet:
        return report
    print(format_report(report))
    return None


def _flatten(tasks: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for task in tasks:
        out += [str(t) for t in task] if isinstance(task, list | tuple) else [str(task)]
    return out


def _public_tests_path(tests: str | Path | None) -> Path:
    if tests is not None:
        path = Path(tests)
        if not path.is_file():
            raise PublicTestsMissing(f"{path}: no such file")
        return path
    for candidate in (Path.cwd() / PUBLIC_TESTS_FILE, Path.cwd() / "student" / PUBLIC_TESTS_FILE):
        if candidate.is_file():
            return candidate
    raise PublicTestsMissing(
        f"no {PUBLIC_TESTS_FILE} in {Path.cwd()}; open the notebook from the folder of the sheet "
        f"you downloaded, or pass check(..., tests='path/to/{PUBLIC_TESTS_FILE}')"
    )


def _notebook_namespace() -> dict[str, Any]:
    """The kernel's user namespace, or the caller's globals outside IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
        if shell is not None and isinstance(getattr(shell, "user_ns", None), dict):
            return dict(shell.user_ns)
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None  # check() -> here
    return dict(caller.f_globals) if caller else {}

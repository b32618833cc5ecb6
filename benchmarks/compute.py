"""Run a submission's cells and the tests in this interpreter: the truth table
and the student code's own compute time, with no grading tool around it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench_sheet import TASKS, Pattern, student_cells


@dataclass(frozen=True)
class DirectRun:
    """What running one submission in-process gives."""

    passes: list[list[bool]]  # per task, per check
    seconds: float  # cells + tests, imports already warm


def run_direct(pattern: Pattern, *, trivial: bool = False) -> DirectRun:
    """Execute the submission's cells, then every check, in one fresh namespace.

    Modules the cells import are already loaded by the caller's earlier runs,
    which is what a warm grader sees; call once to warm up before timing.
    """
    imports, cells = student_cells(pattern, trivial=trivial)
    namespace: dict[str, object] = {}
    start = time.perf_counter()
    for source in [imports, *cells]:
        _run(source, namespace)
    passes = [[_run(check.code, namespace) for check in task.checks] for task in TASKS]
    return DirectRun(passes=passes, seconds=time.perf_counter() - start)


def _run(source: str, namespace: dict[str, object]) -> bool:
    try:
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own cells
    except Exception:  # noqa: BLE001 - any error fails the cell, like in a notebook
        return False
    return True


def verify_patterns() -> list[str]:
    """Check that the declared truth table matches what the code does.

    Returns:
        One message per disagreement (empty when the sheet is consistent).
    """
    from bench_sheet import PATTERNS

    problems = []
    for number, pattern in enumerate(PATTERNS):
        got = run_direct(pattern).passes
        for index, task in enumerate(TASKS):
            if tuple(got[index]) != pattern.passes(index):
                problems.append(
                    f"pattern {number} task {task.id}: declared {pattern.passes(index)}, "
                    f"ran {tuple(got[index])}"
                )
    return problems

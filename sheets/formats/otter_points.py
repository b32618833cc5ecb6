"""otter 7's point rules: how a question's points reach its test cases."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.formats.base import DraftTest, to_doctest


class Question:
    """A ``# BEGIN QUESTION`` block: its config and, once read, its tests."""

    def __init__(self, config: dict[str, Any], cell: int) -> None:
        self.name = str(config.get("name", ""))
        self.points = config.get("points")
        self.manual = bool(config.get("manual", False))
        self.all_or_nothing = config.get("all_or_nothing", False)
        self.task = str(config["task"]) if "task" in config else None
        self.cell = cell
        self.has_prompt = False
        self.tests: list[DraftTest] = []
        self.test_points: list[float | None] = []


def otter_case_points(total: float | None, own: list[float | None]) -> list[float]:
    """Each test case's points by otter 7's rule (``TestFile.resolve_test_file_points``).

    With a question total, cases without points of their own share what the
    others leave; without one, cases without points share 1 point when no case
    has points of its own, and are worth 0 otherwise.
    """
    given = sum(p for p in own if p is not None)
    unset = sum(1 for p in own if p is None)
    if total is not None:
        share = (total - given) / unset if unset else 0.0
    elif given == 0 and all(p in (0, None) for p in own):
        share = 1 / unset if unset else 0.0
    else:
        share = 0.0
    return [float(p) if p is not None else share for p in own]


def resolve_points(
    question: Question, problems: Problems, task_points: float | None, shared: bool
) -> None:
    """Give every test of the question its points, as otter-assign does.

    ``points`` is a number, a list (one per test) or ``{each: N}`` (``N`` times
    the number of tests); a question without ``points`` is worth what otter
    gives it (1, or the sum of its cases' own points) in proportion, scaled to
    the task's points in sheet.yml when the question is the task's only one
    (``task_points``; ``shared``: other questions feed the same task).
    """
    n = len(question.tests)
    total = question.points
    own = list(question.test_points)
    if question.manual or n == 0:
        return
    if isinstance(total, dict):
        each = total.get("each", 1)
        if not isinstance(each, int | float):
            problems.add(
                f"question '{question.name}': points {{each: N}} needs a number", question.cell
            )
            return
        total = float(each) * n
    elif isinstance(total, list):
        if len(total) != n or not all(isinstance(p, int | float) for p in total):
            problems.add(
                f"question '{question.name}': points is a list of {len(total)} but there are "
                f"{n} tests; give one number per test",
                question.cell,
            )
            return
        own, total = [float(p) for p in total], None
    elif total is not None and not isinstance(total, int | float):
        problems.add(
            f"question '{question.name}': points must be a number, a list or {{each: N}}",
            question.cell,
        )
        return
    given = sum(p for p in own if p is not None)
    if total is not None and given > total + 1e-9:
        problems.add(
            f"question '{question.name}': tests carry {given:g} points, more than the question's "
            f"{total:g}",
            question.cell,
        )
        return
    points = otter_case_points(None if total is None else float(total), own)
    if question.points is None and task_points is not None and not shared:
        worth = sum(points)
        if worth > 0:
            points = [p * task_points / worth for p in points]
    for draft, value in zip(question.tests, points, strict=True):
        draft.points = value


def all_or_nothing(question: Question, problems: Problems) -> None:
    """otter's ``all_or_nothing: true``: the question's points only when every case passes.

    The cases become one test carrying the question's points (hidden when any
    case is), their doctests run one after the other in the notebook's
    namespace, as otter runs a test file's cases; an ``assert`` case expects no
    output and a case without a stored output expects none, as in otter. When
    some cases are hidden, the public ones stay as tests worth 0 points, so that
    students' ``check`` still runs them.
    """
    flag = question.all_or_nothing
    if not isinstance(flag, bool):
        problems.add(
            f"question '{question.name}': all_or_nothing must be true or false, not {flag!r}",
            question.cell,
        )
        return
    tests = question.tests
    if not flag or question.manual or len(tests) < 2:
        return
    if any(d.points is None for d in tests):
        return  # resolve_points reported why
    hidden = any(d.hidden for d in tests)
    whole = DraftTest(
        task="",
        points=sum(d.points or 0.0 for d in tests),
        hidden=hidden,
        kind="ok",
        code="\n".join(d.code if d.kind == "ok" else to_doctest(d.code) for d in tests),
        name="",
        cell=tests[0].cell,
    )
    public = [replace(d, points=0.0) for d in tests if not d.hidden] if hidden else []
    question.tests = [*public, whole]

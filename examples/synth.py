"""Synthetic submissions and tutor marks for the example course.

Each owner (a team, or a student working alone) gets an *intent* per sheet:
correct, partial (the first k solution cells solved), blank, broken (invalid
notebook JSON), attack (blank solutions plus code that tries to cheat), or
missing; on time or late; and the pen-and-paper points a tutor would give.
:func:`expected_points` turns intents into the points each student should end
up with, without running anything, so a test can check the demo's gradebook
against what the generator meant.
"""

from __future__ import annotations

import ast
import copy
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import nbformat

    from sheetgrade.course.course import Course
    from sheetgrade.roster.model import Roster
    from sheetgrade.sheets.model import AutograderBundle, TestCase

Kind = Literal["correct", "partial", "blank", "broken", "attack", "missing"]

#: Code that tries to earn points it did not: each is put in front of blank solutions.
ATTACKS: dict[str, str] = {
    "monkeypatch": (
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.isclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
    ),
    "always-equal": (
        "import numpy as np\n"
        "class Anything(np.ndarray):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __ne__ = lambda self, other: False\n"
        "def centre(X):\n"
        "    return np.zeros((1,)).view(Anything)\n"
    ),
    "exit-early": ("print('all tests passed: 8/8 points')\nimport os\nos._exit(0)\n"),
}

SOLUTION_MARKERS = re.compile(
    r"raise NotImplementedError|YOUR CODE HERE|^\s*\.\.\.\s*$", re.MULTILINE
)


@dataclass(frozen=True)
class SolutionCell:
    """A cell of the student notebook that holds a stub, and its reference solution."""

    index: int  # in the student notebook
    reference: str
    defines: frozenset[str]


@dataclass(frozen=True)
class SheetKey:
    """What the generator needs to know of a built sheet."""

    sheet_id: str
    notebook_name: str
    student_nb: nbformat.NotebookNode
    cells: list[SolutionCell]
    auto_tasks: dict[str, float]  # task -> points
    needs: dict[str, int]  # task -> number of leading solution cells it needs
    manual_tasks: dict[str, float]
    due: datetime

    def auto_points(self, solved: int) -> float:
        return sum(p for t, p in self.auto_tasks.items() if self.needs[t] <= solved)


@dataclass
class Intent:
    """What one owner hands in for one sheet, and what a tutor marks."""

    sheet_id: str
    owner: str  # team id or student id
    members: tuple[str, ...]
    uploader: str
    kind: Kind
    solved: int = 0  # leading solution cells solved
    attack: str | None = None
    late: timedelta = timedelta(0)  # after the deadline; 0 = on time
    manual: dict[str, float] = field(default_factory=dict)


def _defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


def _names_used(test: TestCase) -> set[str]:
    code = test.code
    if test.kind == "ok":
        code = "\n".join(
            line[4:] for line in code.splitlines() if line.startswith((">>> ", "... "))
        )
    tree = ast.parse(code)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "student"
        ):
            names.add(node.attr)
    return names


def solution_cells(
    student_nb: nbformat.NotebookNode, reference_nb: nbformat.NotebookNode
) -> list[SolutionCell]:
    """Pair each stub cell of the student notebook with the reference cell that
    defines the same functions."""
    reference = [c.source for c in reference_nb.cells if c.cell_type == "code"]
    cells = []
    for i, cell in enumerate(student_nb.cells):
        if cell.cell_type != "code" or not SOLUTION_MARKERS.search(cell.source):
            continue
        names = _defined_names(cell.source)
        match = next((src for src in reference if names and _defined_names(src) >= names), None)
        if match is not None:
            cells.append(
                SolutionCell(index=i, reference=match, defines=frozenset(_defined_names(match)))
            )
    return cells


def sheet_key(course: Course, sheet_id: str) -> SheetKey:
    """Read a built sheet: its stub cells, reference solutions and test needs."""
    import nbformat

    from sheetgrade.sheets.model import REFERENCE_NOTEBOOK, AutograderBundle

    sheet = course.sheet(sheet_id)
    bundle_dir = course.build_dir / sheet.id / "autograder"
    bundle: AutograderBundle = AutograderBundle.load(bundle_dir)
    student_nb = nbformat.read(
        course.build_dir / sheet.id / "student" / bundle.student_notebook, as_version=4
    )
    reference_nb = nbformat.read(bundle_dir / REFERENCE_NOTEBOOK, as_version=4)
    cells = solution_cells(student_nb, reference_nb)
    needs: dict[str, int] = {}
    auto = {t.id: t.points for t in sheet.config.tasks if t.kind == "auto"}
    for task in auto:
        used: set[str] = set()
        for test in bundle.tests_for(task):
            used |= _names_used(test)
        positions = [i for i, c in enumerate(cells) if c.defines & used]
        needs[task] = max(positions) + 1 if positions else 0
    manual = {t.id: t.points for t in sheet.config.tasks if t.kind == "manual"}
    return SheetKey(
        sheet.id, bundle.student_notebook, student_nb, cells, auto, needs, manual, sheet.entry.due
    )


def notebook_bytes(key: SheetKey, intent: Intent) -> bytes:
    """The notebook file the intent describes."""
    import nbformat

    if intent.kind == "broken":
        return b'{"cells": [{"cell_type": "code", "source": "def centre(X):\n'
    nb = copy.deepcopy(key.student_nb)
    solved = (
        len(key.cells)
        if intent.kind == "correct"
        else intent.solved
        if intent.kind == "partial"
        else 0
    )
    for cell in key.cells[:solved]:
        nb.cells[cell.index].source = cell.reference
    if intent.kind == "attack" and intent.attack:
        cell = nbformat.v4.new_code_cell(ATTACKS[intent.attack])
        cell.id = f"attack-{intent.attack}"  # fixed, so the same intent gives the same bytes
        nb.cells.insert(1, cell)
    text: str = nbformat.writes(nb)
    return text.encode("utf-8")


def _owners(roster: Roster) -> list[tuple[str, tuple[str, ...]]]:
    owners: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for student in roster.sorted_students():
        if student.id in seen:
            continue
        team = roster.team_of(student.id)
        if team is not None:
            owners.append((team.id, tuple(team.members)))
            seen.update(team.members)
        else:
            owners.append((student.id, (student.id,)))
            seen.add(student.id)
    return owners


PROFILES = {  # share of owners, chance of handing in, manual share range
    "strong": (0.50, 1.0, (0.75, 1.0)),
    "medium": (0.30, 0.95, (0.5, 0.85)),
    "weak": (0.12, 0.8, (0.1, 0.45)),
    "dropout": (0.08, 0.0, (0.0, 0.3)),
}


def plan(roster: Roster, keys: list[SheetKey], seed: int = 2026) -> list[Intent]:
    """Decide what every owner hands in for every sheet (deterministic in ``seed``)."""
    rng = random.Random(seed)
    intents: list[Intent] = []
    owners = _owners(roster)
    names = list(PROFILES)
    weights = [PROFILES[n][0] for n in names]
    attack_names = sorted(ATTACKS)
    attackers = set(rng.sample(range(len(owners)), len(attack_names)))
    broken = set(rng.sample(sorted(set(range(len(owners))) - attackers), 3))
    for n, (owner, members) in enumerate(owners):
        profile = rng.choices(names, weights)[0]
        _, hand_in, (low, high) = PROFILES[profile]
        for s, key in enumerate(keys):
            uploader = rng.choice(members)
            intent = Intent(key.sheet_id, owner, members, uploader, "missing")
            submits = rng.random() < hand_in or (profile == "dropout" and s == 0)
            if n in attackers and s == 0:
                intent.kind, intent.attack = "attack", attack_names[sorted(attackers).index(n)]
            elif n in broken and s == len(keys) - 1:
                intent.kind = "broken"
            elif submits:
                if profile == "strong":
                    intent.kind = "correct" if rng.random() < 0.85 else "partial"
                elif profile == "medium":
                    intent.kind = rng.choice(["correct", "correct", "partial"])
                else:
                    intent.kind = rng.choice(["partial", "blank"])
                intent.solved = rng.randrange(1, len(key.cells)) if intent.kind == "partial" else 0
            if intent.kind != "missing":
                roll = rng.random()
                intent.late = (
                    timedelta(hours=10)
                    if roll < 0.08
                    else timedelta(days=4, hours=2)
                    if roll < 0.11
                    else timedelta(0)
                )
                share = rng.uniform(low, high)
                intent.manual = {t: round(p * share * 2) / 2 for t, p in key.manual_tasks.items()}
            intents.append(intent)
    return intents


def received_at(key: SheetKey, intent: Intent) -> datetime:
    """When the intent's upload reached the LMS."""
    if intent.late:
        return key.due + intent.late
    return key.due - timedelta(hours=3 + (sum(map(ord, intent.owner)) % 40))


def earned_auto(key: SheetKey, intent: Intent) -> float:
    """Autograded points the intent honestly earns (attacks and broken files: none)."""
    if intent.kind == "correct":
        return key.auto_points(len(key.cells))
    if intent.kind == "partial":
        return key.auto_points(intent.solved)
    return 0.0


def expected_points(
    keys: list[SheetKey], intents: list[Intent], late_fraction: Callable[[float], float]
) -> dict[str, float]:
    """Total points per student, as the intents imply, after late penalties.

    ``late_fraction(late_seconds) -> share lost`` is the course's late policy.
    """
    by_sheet = {k.sheet_id: k for k in keys}
    totals: dict[str, float] = {}
    for intent in intents:
        key = by_sheet[intent.sheet_id]
        raw = earned_auto(key, intent) + sum(intent.manual.values())
        kept = raw * (1 - late_fraction(intent.late.total_seconds()))
        for member in intent.members:
            totals[member] = totals.get(member, 0.0) + kept
    return totals


def write_marks(path: Path, intents: list[Intent]) -> int:
    """Fill a marks template (xlsx, as written by `marks template`) with the intents'
    pen-and-paper points: team rows for teams, student rows for students alone.
    Returns the number of rows filled."""
    from openpyxl import load_workbook

    by_owner = {i.owner: i for i in intents if i.manual}
    book = load_workbook(path)
    sheet = book.active
    header_row, columns = _header(sheet)
    filled = 0
    for row in sheet.iter_rows(min_row=header_row + 1):
        kind = str(row[columns["kind"]].value or "")
        owner = str(row[columns["id"]].value or "")
        intent = by_owner.get(owner)
        if intent is None or (kind == "student" and len(intent.members) > 1):
            continue
        for task, points in intent.manual.items():
            row[columns[task]].value = points
        filled += 1
    book.save(path)
    return filled


def _header(sheet: Any) -> tuple[int, dict[str, int]]:
    from sheetgrade.gradebook.marks_files import TASK_HEADER

    for row in sheet.iter_rows():
        values = [str(c.value or "") for c in row]
        if "id" in [v.lower() for v in values]:
            columns = {}
            for i, v in enumerate(values):
                match = TASK_HEADER.match(v)
                columns[match["task"] if match else v.lower()] = i
            return row[0].row, columns
    raise ValueError("no header row with an 'id' column")

"""sheetgrade's native format: checks the grader evaluates in its own process.

A check is a code cell whose first non-blank line is a header::

    # CHECK <task> points=<N> [hidden] [name=<word>]

(or whose metadata holds ``{"sheetgrade": {"check": {"task": ..., "points": ...,
"hidden": ..., "name": ...}}}``). The rest of the cell is the check body, run in
the grader with ``student``, ``reference``, ``np`` and the ``expect*`` helpers
(see :class:`sheetgrade.sheets.model.TestCase`). Checks are removed from both
notebooks; students get one ``check("<task>")`` cell per task with public
checks. Solutions are ``# BEGIN SOLUTION`` / ``# END SOLUTION`` regions (or
``# SOLUTION`` line markers) and become stubs.
"""

from __future__ import annotations

import re
from typing import Any

from nbformat import NotebookNode

from sheetgrade.course.config import SheetConfig
from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.formats.base import (
    DraftTest,
    ParsedSheet,
    SecretLine,
    check_cell,
    finish_tests,
    syntax_problem,
)
from sheetgrade.sheets.markers import native_stub, split_solutions
from sheetgrade.sheets.notebook import new_cell, source_lines

HEADER = re.compile(r"^\s*#\s*CHECK\b(.*)$")
TOKEN_POINTS = re.compile(r"^points=(\d+(?:\.\d+)?)$")
TOKEN_NAME = re.compile(r"^name=([\w.-]+)$")


def is_check_cell(cell: NotebookNode) -> bool:
    """Whether the cell is a native check (header line or metadata)."""
    if cell.cell_type != "code":
        return False
    if isinstance(cell.metadata.get("sheetgrade", {}).get("check"), dict):
        return True
    first = next((line for line in source_lines(cell) if line.strip()), "")
    return bool(HEADER.match(first))


def _parse_header(text: str, cell: int, line: int, problems: Problems) -> dict[str, Any] | None:
    tokens = text.split()
    if not tokens:
        problems.add("CHECK needs a task id: `# CHECK 1a points=2 [hidden]`", cell, line)
        return None
    spec: dict[str, Any] = {"task": tokens[0], "points": None, "hidden": False, "name": ""}
    for token in tokens[1:]:
        if m := TOKEN_POINTS.match(token):
            spec["points"] = float(m.group(1))
        elif m := TOKEN_NAME.match(token):
            spec["name"] = m.group(1)
        elif token in ("hidden", "public"):
            spec["hidden"] = token == "hidden"
        else:
            problems.add(
                f"unknown CHECK option '{token}'; use points=N, hidden, public or name=WORD",
                cell,
                line,
            )
            return None
    return spec


def _parse_check(cell: NotebookNode, index: int, problems: Problems) -> DraftTest | None:
    lines = source_lines(cell)
    meta = cell.metadata.get("sheetgrade", {}).get("check")
    header_at = next((i for i, line in enumerate(lines) if line.strip()), 0)
    header = HEADER.match(lines[header_at]) if lines else None
    spec: dict[str, Any] | None
    if header:
        spec = _parse_header(header.group(1), index, header_at + 1, problems)
        body_start = header_at + 1
    else:
        spec, body_start = None, 0
    if isinstance(meta, dict):
        unknown = set(meta) - {"task", "points", "hidden", "name"}
        if unknown:
            problems.add(
                f"unknown key(s) in metadata sheetgrade.check: {', '.join(sorted(unknown))}", index
            )
            return None
        from_meta = {
            "task": str(meta.get("task", "")),
            "points": meta.get("points"),
            "hidden": bool(meta.get("hidden", False)),
            "name": str(meta.get("name", "")),
        }
        if spec is not None and any(
            spec[k] != from_meta[k] for k in ("task", "points", "hidden") if k in meta
        ):
            problems.add(
                "the CHECK header and metadata sheetgrade.check disagree; keep one",
                index,
                header_at + 1,
            )
            return None
        spec = spec or from_meta
        if not spec["task"]:
            problems.add("metadata sheetgrade.check has no task", index)
            return None
    if spec is None:
        return None
    body = "\n".join(lines[body_start:]).strip("\n")
    if not body.strip():
        problems.add(f"check for task '{spec['task']}' has no body", index, header_at + 1)
        return None
    first_body = body_start + next(i for i, line in enumerate(lines[body_start:]) if line.strip())
    if syntax_problem(body, index, problems, offset=first_body):
        return None
    points = spec["points"]
    if points is not None and not isinstance(points, int | float):
        problems.add(f"points must be a number, not {points!r}", index)
        return None
    return DraftTest(
        task=spec["task"],
        points=points,
        hidden=spec["hidden"],
        kind="native",
        code=body,
        name=spec["name"],
        cell=index,
    )


def parse(nb: NotebookNode, config: SheetConfig, problems: Problems) -> ParsedSheet:
    """Parse a notebook written in the native format."""
    student: list[NotebookNode] = []
    reference: list[NotebookNode] = []
    drafts: list[DraftTest] = []
    secrets: list[SecretLine] = []
    checked: set[str] = set()
    for index, cell in enumerate(nb.cells):
        if is_check_cell(cell):
            draft = _parse_check(cell, index, problems)
            if draft is None:
                continue
            drafts.append(draft)
            if not draft.hidden and draft.task not in checked:
                checked.add(draft.task)
                student.append(check_cell(draft.task, str(index)))
            continue
        if cell.cell_type == "raw":
            student.append(new_cell("raw", "\n".join(source_lines(cell)), like=cell))
            reference.append(new_cell("raw", "\n".join(source_lines(cell)), like=cell))
            continue
        split = split_solutions(
            source_lines(cell),
            cell=index,
            cell_type=cell.cell_type,
            problems=problems,
            stub=native_stub,
        )
        secrets += [SecretLine(text, index, line) for line, text in split.secret]
        student.append(new_cell(cell.cell_type, "\n".join(split.student), like=cell))
        reference.append(new_cell(cell.cell_type, "\n".join(split.reference), like=cell))
    tests, _ = finish_tests(drafts, config, problems)
    return ParsedSheet(
        format="native",
        notebook=nb,
        student_cells=student,
        reference_cells=reference,
        tests=tests,
        secret_lines=secrets,
    )

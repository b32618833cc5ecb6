"""Solution and prompt markers inside cells, shared by the authoring formats.

``# BEGIN SOLUTION`` / ``# END SOLUTION`` (any number of ``#``) delimit a
solution region; the student version gets a stub instead. The otter-style
line markers ``expr  # SOLUTION`` and ``# SOLUTION NO PROMPT``, and prompt
regions ``""\" # BEGIN PROMPT`` / ``""\" # END PROMPT`` are understood where the
format allows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sheetgrade.sheets.errors import Problems

BEGIN_SOLUTION = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION(\s+NO PROMPT)?\s*$", re.IGNORECASE)
END_SOLUTION = re.compile(r"^\s*#+\s*END SOLUTION\s*$", re.IGNORECASE)
BEGIN_PROMPT = re.compile(r"^\s*(?:[rRuU]?(?:\"\"\"|'''))?\s*#\s*BEGIN PROMPT\s*$", re.IGNORECASE)
END_PROMPT = re.compile(r"^\s*(?:\"\"\"|''')?\s*#\s*END PROMPT\s*$", re.IGNORECASE)
SOLUTION_NO_PROMPT = re.compile(r"#\s*SOLUTION NO PROMPT\s*$")
SOLUTION_ASSIGNMENT = re.compile(
    r"^(\s*(?:[\w.]+(?:\[[^\]]*\])*(?:,\s*)?)+\s*=)(?!=).*?#\s*SOLUTION\s*$"
)
SOLUTION_LINE = re.compile(r"^(\s*)\S.*?#\s*SOLUTION\s*$")
MARKER_COMMENT = re.compile(r"\s*#\s*SOLUTION(\s+NO PROMPT)?\s*$")

#: ``stub(indent, cell_type)`` -> the lines that replace a solution region.
Stub = Callable[[str, str], list[str]]


def dots_stub(indent: str, cell_type: str) -> list[str]:
    """otter's stub: ``...`` (markdown: an answer prompt)."""
    if cell_type == "markdown":
        return ["_Type your answer here, replacing this text._"]
    return [indent + "..."]


def native_stub(indent: str, cell_type: str) -> list[str]:
    """``...`` at top level, ``raise NotImplementedError`` inside a block."""
    if cell_type == "markdown":
        return ["_Type your answer here, replacing this text._"]
    if indent:
        return [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError"]
    return ["# YOUR CODE HERE", "..."]


@dataclass
class Split:
    """A cell's source split into what students and the reference see."""

    student: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    secret: list[tuple[int, str]] = field(
        default_factory=list
    )  # (1-based line, text) removed for students
    marked: bool = False  # the cell had a solution region or line marker


def split_solutions(
    lines: list[str],
    *,
    cell: int,
    cell_type: str,
    problems: Problems,
    stub: Stub,
    line_markers: bool = True,
    prompts: bool = True,
) -> Split:
    """Split one cell's lines into the student and the reference version.

    Args:
        lines: the cell's source lines.
        cell: 0-based cell index, for error messages.
        cell_type: ``code`` or ``markdown``.
        problems: where unbalanced markers are reported.
        stub: what replaces a solution region for students.
        line_markers: understand ``# SOLUTION`` line markers (otter, native).
        prompts: understand ``# BEGIN PROMPT`` regions (otter, native).
    """
    out = Split()
    begin_line: int | None = None
    prompt_line: int | None = None
    code = cell_type == "code"
    for number, line in enumerate(lines, start=1):
        begin = BEGIN_SOLUTION.match(line)
        if begin:
            out.marked = True
            if begin_line is not None:
                problems.add(
                    f"BEGIN SOLUTION inside the solution region opened at line {begin_line}; "
                    "close it with END SOLUTION first",
                    cell,
                    number,
                )
                continue
            begin_line = number
            if not begin.group(2):
                out.student += stub(begin.group(1), cell_type)
            continue
        if END_SOLUTION.match(line):
            if begin_line is None:
                problems.add("END SOLUTION without a BEGIN SOLUTION before it", cell, number)
            begin_line = None
            continue
        if begin_line is not None:
            out.reference.append(line)
            out.secret.append((number, line))
            continue
        if prompts and code and BEGIN_PROMPT.match(line):
            if prompt_line is not None:
                problems.add(
                    f"BEGIN PROMPT inside the prompt opened at line {prompt_line}", cell, number
                )
            prompt_line = number
            continue
        if prompts and code and END_PROMPT.match(line):
            if prompt_line is None:
                problems.add("END PROMPT without a BEGIN PROMPT before it", cell, number)
            prompt_line = None
            continue
        if prompt_line is not None:
            out.student.append(line)
            continue
        if line_markers and code and SOLUTION_NO_PROMPT.search(line):
            out.marked = True
            out.reference.append(MARKER_COMMENT.sub("", line))
            out.secret.append((number, line))
            continue
        if (
            line_markers
            and code
            and (m := SOLUTION_ASSIGNMENT.match(line) or SOLUTION_LINE.match(line))
        ):
            out.marked = True
            out.reference.append(MARKER_COMMENT.sub("", line))
            out.secret.append((number, MARKER_COMMENT.sub("", line)))
            prefix = m.group(1)
            out.student.append(prefix + " ..." if prefix.rstrip().endswith("=") else prefix + "...")
            continue
        out.student.append(line)
        out.reference.append(line)
    if begin_line is not None:
        problems.add("BEGIN SOLUTION is never closed; add END SOLUTION", cell, begin_line)
    if prompt_line is not None:
        problems.add("BEGIN PROMPT is never closed; add END PROMPT", cell, prompt_line)
    return out

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

# Every pattern here runs in time linear in the line's length: possessive
# quantifiers and atomic groups leave the engine nothing to backtrack into, and
# the trailing ``# SOLUTION`` comment is found with string operations, not a
# search that restarts at every position (tests/sheets/test_markers_linear.py).
BEGIN_SOLUTION = re.compile(r"^(\s*+)#++\s*+BEGIN SOLUTION(\s++NO PROMPT)?+\s*+$", re.IGNORECASE)
END_SOLUTION = re.compile(r"^\s*+#++\s*+END SOLUTION\s*+$", re.IGNORECASE)
BEGIN_PROMPT = re.compile(
    r"^\s*+(?:[rRuU]?+(?:\"\"\"|'''))?+\s*+#\s*+BEGIN PROMPT\s*+$", re.IGNORECASE
)
END_PROMPT = re.compile(r"^\s*+(?:\"\"\"|''')?+\s*+#\s*+END PROMPT\s*+$", re.IGNORECASE)
#: ``a =``, ``a.b[0], c[i] =`` ...: the assignment targets an otter line marker keeps
ASSIGNMENT_TARGETS = re.compile(r"^(\s*+(?>[\w.]++(?:\[[^\]]*+\])*+(?:,\s*+)?+)++\s*+=)(?!=)")


@dataclass(frozen=True)
class LineMarker:
    """A trailing ``# SOLUTION`` or ``# SOLUTION NO PROMPT`` comment, taken off its line."""

    code: str  # the line without the marker comment (trailing blanks removed)
    no_prompt: bool


def line_marker(line: str) -> LineMarker | None:
    """The otter line marker ending ``line``, or None.

    ``x = f(a)  # SOLUTION`` (the code must be non-blank) and
    ``... # SOLUTION NO PROMPT`` (also on a line of its own), as otter-assign
    reads them; the words are case-sensitive, spacing is free.
    """
    text = line.rstrip()
    if not text.endswith(("SOLUTION", "PROMPT")):
        return None
    hash_at = text.rfind("#")
    if hash_at < 0:
        return None
    words = text[hash_at + 1 :].split()
    code = text[:hash_at].rstrip()
    if words == ["SOLUTION", "NO", "PROMPT"]:
        return LineMarker(code, no_prompt=True)
    if words == ["SOLUTION"] and code.strip():
        return LineMarker(code, no_prompt=False)
    return None


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
    code = cell_type == "code"
    splitter = _Splitter(cell, cell_type, problems, stub)
    for number, line in enumerate(lines, start=1):
        if splitter.solution_marker(number, line):
            continue
        if splitter.begin_line is not None:
            splitter.out.reference.append(line)
            splitter.out.secret.append((number, line))
        elif prompts and code and splitter.prompt_marker(number, line):
            continue
        elif splitter.prompt_line is not None:
            splitter.out.student.append(line)
        elif line_markers and code and splitter.marked_line(number, line):
            continue
        else:
            splitter.out.student.append(line)
            splitter.out.reference.append(line)
    if splitter.begin_line is not None:
        problems.add("BEGIN SOLUTION is never closed; add END SOLUTION", cell, splitter.begin_line)
    if splitter.prompt_line is not None:
        problems.add("BEGIN PROMPT is never closed; add END PROMPT", cell, splitter.prompt_line)
    return splitter.out


class _Splitter:
    """The state of :func:`split_solutions` in one cell: the open regions and the split."""

    def __init__(self, cell: int, cell_type: str, problems: Problems, stub: Stub) -> None:
        self.cell = cell
        self.cell_type = cell_type
        self.problems = problems
        self.stub = stub
        self.out = Split()
        self.begin_line: int | None = None  # the open solution region's first line
        self.prompt_line: int | None = None  # the open prompt region's first line

    def solution_marker(self, number: int, line: str) -> bool:
        """Handle ``BEGIN``/``END SOLUTION``; True when the line was one."""
        begin = BEGIN_SOLUTION.match(line)
        if begin:
            self.out.marked = True
            if self.begin_line is not None:
                self.problems.add(
                    f"BEGIN SOLUTION inside the solution region opened at line {self.begin_line}; "
                    "close it with END SOLUTION first",
                    self.cell,
                    number,
                )
                return True
            self.begin_line = number
            if not begin.group(2):
                self.out.student += self.stub(begin.group(1), self.cell_type)
            return True
        if END_SOLUTION.match(line):
            if self.begin_line is None:
                self.problems.add(
                    "END SOLUTION without a BEGIN SOLUTION before it", self.cell, number
                )
            self.begin_line = None
            return True
        return False

    def prompt_marker(self, number: int, line: str) -> bool:
        """Handle ``BEGIN``/``END PROMPT``; True when the line was one."""
        if BEGIN_PROMPT.match(line):
            if self.prompt_line is not None:
                self.problems.add(
                    f"BEGIN PROMPT inside the prompt opened at line {self.prompt_line}",
                    self.cell,
                    number,
                )
            self.prompt_line = number
            return True
        if END_PROMPT.match(line):
            if self.prompt_line is None:
                self.problems.add("END PROMPT without a BEGIN PROMPT before it", self.cell, number)
            self.prompt_line = None
            return True
        return False

    def marked_line(self, number: int, line: str) -> bool:
        """Handle a ``# SOLUTION`` line marker; True when the line had one."""
        marker = line_marker(line)
        if marker is None:
            return False
        out = self.out
        out.marked = True
        out.reference.append(marker.code)
        if marker.no_prompt:
            out.secret.append((number, line))
            return True
        out.secret.append((number, marker.code))
        target = ASSIGNMENT_TARGETS.match(marker.code)
        if target is not None:
            out.student.append(target.group(1) + " ...")
        else:
            out.student.append(marker.code[: len(marker.code) - len(marker.code.lstrip())] + "...")
        return True

"""The solution markers parse any line, including adversarial ones of up to
10,000 characters, and agree with a plain reading of otter's line markers.

Time is not asserted here (the machine is shared); ``benchmarks/markers.py``
measures the worst line of each family and prints the ratio to the time a
single pass over the line takes.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.markers import (
    ASSIGNMENT_TARGETS,
    BEGIN_PROMPT,
    BEGIN_SOLUTION,
    END_PROMPT,
    END_SOLUTION,
    dots_stub,
    line_marker,
    split_solutions,
)

PATTERNS = (ASSIGNMENT_TARGETS, BEGIN_PROMPT, BEGIN_SOLUTION, END_PROMPT, END_SOLUTION)
#: pieces that made the old patterns backtrack: identifiers, dots, brackets,
#: commas, runs of blanks, hashes and the marker words
PIECES = st.sampled_from(
    ["a", "_", "x1", ".", "[", "]", "[0]", ",", ", ", " ", "\t", "#", "=", "==", '"""', "'''"]
    + ["SOLUTION", " NO PROMPT", "BEGIN", "END", "PROMPT", "# SOLUTION", "é", "\\"]
)
ADVERSARIAL = st.lists(PIECES, max_size=2500).map("".join).map(lambda s: s[:10_000])
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    max_size=10_000,
)


def _reference_marker(line: str) -> tuple[str, bool] | None:
    """otter's reading of a trailing marker, with the regexes the old module used
    (run only on short lines here, where their backtracking does not matter)."""
    if re.search(r"#\s*SOLUTION\s+NO\s+PROMPT\s*$", line):
        return re.sub(r"\s*#\s*SOLUTION\s+NO\s+PROMPT\s*$", "", line), True
    if re.match(r"^\s*\S.*#\s*SOLUTION\s*$", line):
        code = re.sub(r"\s*#\s*SOLUTION\s*$", "", line)
        return (code, False) if code.strip() else None
    return None


@settings(max_examples=60, deadline=None)
@given(st.one_of(ADVERSARIAL, ANY_TEXT))
def test_every_pattern_parses_long_lines(line: str) -> None:
    for pattern in PATTERNS:
        pattern.match(line)
    marker = line_marker(line)
    if marker is not None:
        assert len(marker.code) < len(line)
        assert marker.code == marker.code.rstrip()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b_c", "d.e", "f[0]", "g[i, j]"]), min_size=1, max_size=2000),
    st.sampled_from([" = ", "= ", " =", "+= ", " == "]),
    st.sampled_from(["  # SOLUTION", " #SOLUTION", "# SOLUTION NO PROMPT", "", "  # solution"]),
)
def test_long_targets_split_like_otter(targets: list[str], op: str, tail: str) -> None:
    """Long assignment targets (the 2,318 s build) split into prompt and reference."""
    code = ", ".join(targets) + op + "compute(x)"
    line = "    " + code + tail
    problems = Problems("t.ipynb")
    split = split_solutions([line], cell=0, cell_type="code", problems=problems, stub=dots_stub)
    expected = _reference_marker(line) if len(line) < 3000 else None
    marker = line_marker(line)
    if len(line) < 3000:
        assert ((marker.code, marker.no_prompt) if marker else None) == expected
    if marker is None:
        assert split.student == [line] and not split.marked
    elif marker.no_prompt:
        assert split.student == [] and split.reference == [marker.code]
    else:
        assert split.reference == [marker.code]
        if op.strip() == "=":
            assert split.student == ["    " + ", ".join(targets) + op.rstrip() + " ..."]
        else:
            assert split.student == ["    ..."]
    assert not problems.items


def test_assignment_prefix_cases() -> None:
    cases = {
        "x = f(1)  # SOLUTION": "x = ...",
        "a, b[0] = 1, 2 # SOLUTION": "a, b[0] = ...",
        "self.w[i][j] = 0.5  # SOLUTION": "self.w[i][j] = ...",
        "x == 1  # SOLUTION": "...",
        "  x += 1  # SOLUTION": "  ...",
        "print(x)  ## SOLUTION": "...",
        "x = '#'  # SOLUTION": "x = ...",
    }
    for line, student in cases.items():
        split = split_solutions(
            [line], cell=0, cell_type="code", problems=Problems("t.ipynb"), stub=dots_stub
        )
        assert split.student == [student], line
    for line in ("# SOLUTION", "x = 1  # SOLUTIONS", "x = 'a # SOLUTION'", "x  # solution"):
        assert line_marker(line) is None, line

"""The leak check: a student version must not contain a solution line, the text
of a hidden test or a reference value (an expected output of a hidden test).

Lines are compared after collapsing whitespace; lines shorter than
``MIN_LINE`` characters (``return x``, ``else:``) and comment-only lines are too
generic to count. A hidden-test line that a public test also contains is public.
Numbers of hidden expected outputs count when the student version holds them to
at least ``MIN_DIGITS`` significant digits.

Code is compared statement by statement: a solution region or a hidden test is
parsed, and each simple statement (and each compound statement's header line)
is one secret, so a continuation line such as ``y_samples,`` is no secret on
its own. An instructor shows code on purpose with ``leak: ok`` on the visible
line (``# leak: ok`` in code, ``<!-- leak: ok -->`` in Markdown) or the cell
tag ``leak-ok``; :func:`visible_text` leaves such lines and cells out.
A statement the source itself shows in code students get (``given``: the
scaffold around a solution, a worked example, the public lines of a test) is
no secret either, even when a solution or a hidden test repeats it: students
have it anyway, and the notebook could not be released unchanged otherwise.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sheetgrade.sheets.errors import LeakError
from sheetgrade.sheets.formats.base import SecretLine
from sheetgrade.sheets.model import TestCase

MIN_LINE = 10
MIN_OUTPUT = 6
MIN_DIGITS = 4
TRIVIAL_OUTPUTS = {"True", "False", "None", "np.True_", "np.False_", "array([], dtype=float64)"}
LEAK_OK = re.compile(r"(?:#|<!--)\s*leak:\s*ok\b", re.IGNORECASE)
LEAK_OK_TAG = "leak-ok"
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Leak:
    """One secret found in the student version."""

    kind: str  # solution line | hidden test | reference value
    text: str
    found_in: str  # e.g. "student notebook cell 4"
    origin: str  # e.g. "pca.ipynb cell 5 line 3" or "hidden test 1b.2"

    def __str__(self) -> str:
        return f"{self.found_in}: {self.kind} from {self.origin}: {self.text!r}"


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(text.split())


def _meaningful(line: str) -> bool:
    text = normalise(line)
    if text.startswith(("import ", "from ")) and " import " in f" {text} ":
        return False  # imports are no answer: `import numpy as np` is everywhere
    return len(text) >= MIN_LINE and not text.startswith("#") and any(c.isalnum() for c in text)


def visible_text(source: str, tags: Iterable[str] = ()) -> str:
    """What the leak check reads of a student-visible cell: nothing for a cell
    tagged ``leak-ok``, and no line marked ``leak: ok``."""
    if LEAK_OK_TAG in tags:
        return ""
    return "\n".join(line for line in source.split("\n") if not LEAK_OK.search(line))


def statements(lines: list[str]) -> list[str]:
    """The whole statements in ``lines`` of Python: each simple statement, and the
    header line of each compound one. Lines that do not parse as one block are
    kept one by one where each is a statement by itself."""
    text = textwrap.dedent("\n".join(lines))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return [line for line in lines if _parses(line.strip())]
    source = text.split("\n")
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        if isinstance(getattr(node, "body", None), list):
            out.append(source[node.lineno - 1])
        else:
            out.append(ast.get_source_segment(text, node) or source[node.lineno - 1])
    return out


def _parses(line: str) -> bool:
    """Whether ``line`` is a statement by itself (not ``b,`` inside a call)."""
    if line.endswith((",", "(", "[", "{", "\\")) or line.startswith((")", "]", "}")):
        return False
    try:
        ast.parse(line)
    except SyntaxError:
        return False
    return bool(line)


def _code_lines(test: TestCase) -> list[str]:
    if test.kind != "ok":
        return statements(test.code.split("\n"))
    inputs = [line[4:] for line in test.code.split("\n") if line.startswith((">>> ", "... "))]
    return statements(inputs)


def _secret_statements(
    secret_lines: Iterable[SecretLine], code_cells: set[int] | None
) -> list[SecretLine]:
    """Solution lines as whole statements (code cells), or as lines (Markdown)."""
    runs: list[list[SecretLine]] = []
    for secret in secret_lines:
        last = runs[-1][-1] if runs else None
        if last is not None and last.cell == secret.cell and secret.line == last.line + 1:
            runs[-1].append(secret)
        else:
            runs.append([secret])
    out: list[SecretLine] = []
    for run in runs:
        if code_cells is not None and run[0].cell not in code_cells:
            out += run
            continue
        for text in statements([s.text for s in run]):
            first = normalise(text.split("\n")[0])
            line = next((s.line for s in run if normalise(s.text).startswith(first)), run[0].line)
            out.append(SecretLine(text, run[0].cell, line))
    return out


def expected_output(test: TestCase) -> str:
    """The expected-output part of an ok test (the lines after its inputs)."""
    lines = test.code.split("\n")
    last = max(
        (i for i, line in enumerate(lines) if line.startswith((">>> ", "... ", ">>>", "..."))),
        default=-1,
    )
    return "\n".join(lines[last + 1 :])


def _significant(number: str) -> int:
    mantissa = re.split(r"[eE]", number)[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def _numbers_match(shown: str, secret: float) -> bool:
    """Whether ``shown`` (text) is ``secret`` rounded to the digits shown."""
    if _significant(shown) < MIN_DIGITS or "e" in shown.lower():
        return False
    decimals = len(shown.split(".")[1])
    return round(secret, decimals) == float(shown) and abs(secret) > 0


def find_leaks(
    texts: Mapping[str, str],
    *,
    secret_lines: Iterable[SecretLine],
    tests: Iterable[TestCase],
    notebook: str,
    code_cells: set[int] | None = None,
    given: Iterable[str] = (),
) -> list[Leak]:
    """Every secret of the source found in ``texts`` (label -> student-visible text).

    Args:
        texts: the student version, e.g. ``{"student notebook cell 3": source, "public_tests.json": json}``.
        secret_lines: the lines removed as solutions.
        tests: all tests, with expected outputs recorded (hidden ones are secret).
        notebook: the source notebook's name, for messages.
        code_cells: indices of the source's code cells, whose solution lines are
            compared as whole statements (None: every cell's).
        given: the code students get from the source as written (code cells);
            its statements are no secret.
    """
    haystacks = {label: normalise(text) for label, text in texts.items()}
    numbers = {label: NUMBER.findall(text) for label, text in texts.items()}
    tests = list(tests)
    public_lines = {normalise(line) for t in tests if not t.hidden for line in _code_lines(t)}
    public_lines |= {normalise(line) for code in given for line in statements(code.split("\n"))}
    public_outputs = {
        normalise(expected_output(t)) for t in tests if not t.hidden and t.kind == "ok"
    }
    leaks: list[Leak] = []

    def search(kind: str, needle: str, origin: str) -> None:
        for label, hay in haystacks.items():
            if needle in hay:
                leaks.append(Leak(kind, needle, label, origin))

    for secret in _secret_statements(secret_lines, code_cells):
        if _meaningful(secret.text) and normalise(secret.text) not in public_lines:
            search(
                "solution line",
                normalise(secret.text),
                f"{notebook} cell {secret.cell + 1} line {secret.line}",
            )
    for test in tests:
        if not test.hidden:
            continue
        origin = f"hidden test {test.id}" + (
            f" ({notebook} cell {test.cell + 1})" if test.cell is not None else ""
        )
        for line in _code_lines(test):
            if _meaningful(line) and normalise(line) not in public_lines:
                search("hidden test", normalise(line), origin)
        if test.kind != "ok":
            continue
        output = normalise(expected_output(test))
        if (
            len(output) >= MIN_OUTPUT
            and output not in TRIVIAL_OUTPUTS
            and output not in public_outputs
        ):
            search("reference value", output, origin)
        for value in {
            float(n) for n in NUMBER.findall(expected_output(test)) if _significant(n) >= MIN_DIGITS
        }:
            for label, shown in numbers.items():
                hit = next((s for s in shown if _numbers_match(s, value)), None)
                if hit is not None and output not in public_outputs:
                    leaks.append(
                        Leak("reference value", hit, label, f"{origin}, expected {value!r}")
                    )
    unique = list(dict.fromkeys(leaks))
    return unique


def check_leaks(
    texts: Mapping[str, str],
    *,
    secret_lines: Iterable[SecretLine],
    tests: Iterable[TestCase],
    notebook: str,
    code_cells: set[int] | None = None,
    given: Iterable[str] = (),
) -> None:
    """Raise LeakError naming every leak, if there is one.

    Raises:
        LeakError: the student version holds a secret; nothing has been written.
    """
    leaks = find_leaks(
        texts,
        secret_lines=secret_lines,
        tests=tests,
        notebook=notebook,
        code_cells=code_cells,
        given=given,
    )
    if leaks:
        raise LeakError(
            f"refusing to write the student version of {notebook}: it would contain {len(leaks)} secret(s); "
            "remove them from the visible cells (a line that is not secret belongs outside the solution region "
            "or in a public test; to show it on purpose, end the visible line with `# leak: ok` "
            "or tag the cell `leak-ok`)",
            [str(leak) for leak in leaks],
        )

"""The model of the differential suite's sheets (``compat_sheets.py``): a
sheet, the cell builders its notebooks are written with, and the solved
notebook a student who answered everything would hand in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nbformat


def code_cell(source: str, outputs: list[Any] | None = None, **meta: Any) -> Any:
    cell = nbformat.v4.new_code_cell(source, metadata=dict(meta))
    cell.outputs = outputs or []
    return cell


def case_cell(source: str, output: str) -> Any:
    """A test cell with its stored output, as otter-assign reads expected values."""
    result = nbformat.v4.new_output(
        "execute_result", data={"text/plain": output}, execution_count=1
    )
    return code_cell(source, [result])


def md_cell(source: str) -> Any:
    return nbformat.v4.new_markdown_cell(source)


def raw_cell(source: str) -> Any:
    return nbformat.v4.new_raw_cell(source)


def notebook(cells: list[Any]) -> Any:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell{index}"
    return nb


def assignment_config(name: str, files: list[str] = ()) -> Any:  # type: ignore[assignment]
    text = (
        f"# ASSIGNMENT CONFIG\nname: {name}\nrun_tests: false\nsolutions_pdf: false\n"
        "export_cell: false\ncheck_all_cell: false\ngenerate:\n  pdf: false\ntests:\n  files: true\n"
    )
    if files:
        text += "files:\n" + "".join(f"  - {f}\n" for f in files)
    return raw_cell(text)


def question(name: str, config: str, solution: str, tests: list[Any]) -> list[Any]:
    cells = [
        raw_cell(f"# BEGIN QUESTION\nname: {name}\n{config}".rstrip()),
        raw_cell("# BEGIN SOLUTION"),
    ]
    cells += [code_cell(solution), raw_cell("# END SOLUTION"), raw_cell("# BEGIN TESTS")]
    cells += [t if not isinstance(t, str) else code_cell(t) for t in tests]
    return cells + [raw_cell("# END TESTS"), raw_cell("# END QUESTION")]


@dataclass
class CompatSheet:
    """One sheet of the suite."""

    name: str
    tool: str  # otter | nbgrader
    notebook: str
    sheet_yml: str
    source: Callable[[], Any]
    data: dict[str, str] = field(default_factory=dict)
    # (label, edits): edits map text in code cells to its replacement ("" blanks
    # the cell that starts with the text); None is the solved notebook as is,
    # UNANSWERED the released notebook handed in as it came
    submissions: list[tuple[str, dict[str, str] | None]] = field(default_factory=list)
    pattern: str = ""
    # differences from the original tool that docs/authoring.md documents:
    # label -> question -> sheetgrade's points there; ``why`` says what causes them
    documented: dict[str, dict[str, float]] = field(default_factory=dict)
    why: str = ""

    def students(self) -> dict[str, str]:
        """student id -> submission label."""
        return {f"s{i + 1:03d}": label for i, (label, _) in enumerate(self.submissions)}

    def solved(self) -> Any:
        return (
            otter_solved(self.source()) if self.tool == "otter" else nbgrader_solved(self.source())
        )

    def submission(self, index: int) -> Any:
        edits = self.submissions[index][1] or {}
        if edits == UNANSWERED:
            return unanswered(self.source(), self.tool)
        nb = self.solved()
        for old, new in edits.items():
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                if new == "" and cell.source.startswith(old):
                    cell.source = ""
                elif new != "":
                    cell.source = cell.source.replace(old, new)
        return nb


#: a submission's edits that hand in the released notebook unanswered
UNANSWERED = {"": "unanswered"}

_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END) (SOLUTION|PROMPT)\b.*$")


def otter_solved(source: Any) -> Any:
    """The solved notebook of an otter-assign source: raw markup cells, test
    cells and prompt regions out, ``# SOLUTION`` markers off their lines."""
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    cells, in_tests = [], False
    for cell in nb.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw":
            name = re.search(r"^name:\s*(\S+)", text, re.MULTILINE)
            if text.startswith("# ASSIGNMENT CONFIG") and name:
                # otter-assign's student notebook carries it; otter checks it when grading
                nb.metadata["otter"] = {"assignment_name": name.group(1)}
            if re.match(r"#\s+BEGIN TESTS", text, re.IGNORECASE):
                in_tests = True
            elif re.match(r"#\s+END TESTS", text, re.IGNORECASE):
                in_tests = False
            continue
        if in_tests:
            continue
        if cell.cell_type == "code":
            lines, prompt = [], False
            for line in cell.source.split("\n"):
                if re.search(r"#\s*BEGIN PROMPT", line):
                    prompt = True
                elif re.search(r"#\s*END PROMPT", line):
                    prompt = False
                elif not prompt and not _MARKER.match(line):
                    lines.append(line)
            cell.source = "\n".join(re.sub(r"\s*#\s*SOLUTION\s*$", "", line) for line in lines)
        cells.append(cell)
    nb.cells = cells
    return nb


def nbgrader_solved(source: Any) -> Any:
    """The solved notebook of an nbgrader source: hidden test regions out."""
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    for cell in nb.cells:
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = re.sub(
                r"\n?[ \t]*#+ BEGIN HIDDEN TESTS.*?#+ END HIDDEN TESTS[ \t]*",
                "",
                cell.source,
                flags=re.DOTALL,
            )
    return nb


def unanswered(source: Any, tool: str) -> Any:
    """The solved notebook with every answer replaced by the stub the tool's
    student version shows (otter ``...``, nbgrader ``raise NotImplementedError()``)."""
    from sheetgrade.sheets.errors import Problems
    from sheetgrade.sheets.formats.nbgrader import nbgrader_stub
    from sheetgrade.sheets.markers import dots_stub, split_solutions

    def stubbed(text: str, otter: bool) -> tuple[str, bool]:
        split = split_solutions(
            text.split("\n"),
            cell=0,
            cell_type="code",
            problems=Problems("unanswered"),
            stub=dots_stub if otter else nbgrader_stub,
            line_markers=otter,
            prompts=otter,
        )
        return "\n".join(split.student), split.marked

    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    if tool == "nbgrader":
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                text, marked = stubbed(cell.source, otter=False)
                cell.source = text if marked else "\n".join(nbgrader_stub("", "code"))
        return nbgrader_solved(nb)
    in_solution = False
    for cell in nb.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw" and re.match(r"#\s+BEGIN SOLUTION", text, re.IGNORECASE):
            in_solution = True
        elif cell.cell_type == "raw" and re.match(r"#\s+END SOLUTION", text, re.IGNORECASE):
            in_solution = False
        elif cell.cell_type == "code":
            stub, marked = stubbed(cell.source, otter=True)
            cell.source = stub if marked or not in_solution else "..."
    return otter_solved(nb)

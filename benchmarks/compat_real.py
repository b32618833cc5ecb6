"""Sheets of the differential suite made from a course's own notebook
(``compat.py --notebook PATH --tool otter|nbgrader``), read at run time and
kept outside the repository."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
from compat_model import UNANSWERED, CompatSheet


def derive_sheet_yml(source: Any, notebook: str, tool: str, data: list[str]) -> str:
    """A ``sheet.yml`` for a notebook written for ``tool``: one task per otter
    question (its otter point value) or per nbgrader grade cell."""
    import yaml

    from sheetgrade.sheets.formats.otter import otter_case_points

    tasks: list[tuple[str, float, str]] = []
    if tool == "nbgrader":
        for cell in source.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                auto = meta.get("grade") and not meta.get("solution") and cell.cell_type == "code"
                tasks.append(
                    (
                        str(meta["grade_id"]),
                        float(meta.get("points", 0)),
                        "auto" if auto else "manual",
                    )
                )
    else:
        question: dict[str, Any] | None = None
        own: list[float | None] = []
        in_tests = False
        for cell in source.cells:
            text = cell.source.strip()
            if text.startswith("```otter"):
                text = text.strip("`").removeprefix("otter").strip()
            head = text.split("\n", 1)[0].strip().lower()
            if cell.cell_type in ("raw", "markdown") and head == "# begin question":
                question, own = yaml.safe_load(text.split("\n", 1)[1]) or {}, []
            elif cell.cell_type in ("raw", "markdown") and head == "# begin tests":
                in_tests = True
            elif cell.cell_type in ("raw", "markdown") and head == "# end tests":
                in_tests = False
            elif cell.cell_type in ("raw", "markdown") and head == "# end question" and question:
                points = question.get("points")
                if question.get("manual") or not own:
                    value, kind = float(points or 0), "manual"
                else:
                    if isinstance(points, dict):
                        points = points.get("each", 1) * len(own)
                    if isinstance(points, list):
                        own, points = [float(p) for p in points], None
                    value, kind = sum(otter_case_points(points, own)), "auto"
                tasks.append((str(question["name"]), value, kind))
                question = None
            elif in_tests and cell.cell_type == "code":
                config = re.search(r"BEGIN TEST CONFIG(.*?)END TEST CONFIG", cell.source, re.DOTALL)
                points = None
                if config:
                    body = "\n".join(config.group(1).split("\n")[1:-1])
                    points = (yaml.safe_load(body) or {}).get("points")
                own.append(points)
    lines = [f"title: {notebook}", f"notebook: {notebook}"]
    if data:
        lines.append("data: [" + ", ".join(json.dumps(d) for d in data) + "]")
    lines.append("tasks:")
    for task_id, points, kind in tasks:
        lines.append(f"  - {{id: {json.dumps(task_id)}, points: {points:g}, kind: {kind}}}")
    return "\n".join(lines) + "\n"


def sheet_from_file(path: Path, tool: str, name: str) -> CompatSheet:
    """A sheet of the suite made from a course's notebook (read at run time,
    kept outside the repository), with the files beside it as its data."""
    source = nbformat.read(str(path), as_version=4)
    data = {
        p.relative_to(path.parent).as_posix(): p
        for p in sorted(path.parent.rglob("*"))
        if p.is_file()
        and p.suffix != ".ipynb"
        and not p.name.startswith(".")
        and p.stat().st_size < 20_000_000
    }
    sheet = CompatSheet(
        name,
        tool,
        path.name,
        derive_sheet_yml(source, path.name, tool, sorted(data)),
        lambda: nbformat.read(str(path), as_version=4),
        submissions=[("solved", None), ("unanswered", UNANSWERED)],
        pattern=f"real sheet {path}",
    )
    sheet.files = data  # type: ignore[attr-defined]
    return sheet

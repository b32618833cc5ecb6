"""Read-only cells a submission changed (nbgrader's locked and grade cells).

Grading always runs the instructor's tests, whatever the student did to the
cells that show them; as nbgrader does, the change is reported so a tutor can
look at it.
"""

from __future__ import annotations

from pathlib import Path

from sheetgrade.sheets.model import source_digest


def changed_readonly_cells(notebook: Path, locked: dict[str, str]) -> list[str]:
    """A ``review:`` flag for each read-only cell that was edited, blanked or deleted."""
    if not locked:
        return []
    from sheetgrade.graders.notebook import InvalidNotebook, notebook_json

    try:  # a byte-order mark and nbformat 3 are read as grading reads them
        cells = notebook_json(notebook.read_text(encoding="utf-8-sig")).get("cells", [])
    except (OSError, ValueError, InvalidNotebook):
        return []
    found: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if isinstance(grade_id, str) and grade_id in locked:
            source = cell.get("source", "")
            found[grade_id] = "".join(source) if isinstance(source, list) else str(source)
    flags = []
    for grade_id, digest in locked.items():
        if grade_id not in found:
            flags.append(
                f"review: read-only cell '{grade_id}' was deleted; graded with the instructor's test"
            )
        elif source_digest(found[grade_id]) == digest:
            continue  # as released (a hidden-tests cell is released empty)
        elif not found[grade_id].strip():
            flags.append(
                f"review: read-only cell '{grade_id}' was blanked; graded with the instructor's test"
            )
        elif source_digest(found[grade_id]) != digest:
            flags.append(
                f"review: read-only cell '{grade_id}' was edited; graded with the instructor's test"
            )
    return flags

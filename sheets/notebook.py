"""Reading source notebooks and assembling the notebooks a build writes.

nbformat is imported here, on the build path only.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from sheetgrade.sheets.errors import NotebookError, at

#: Notebook metadata kept in built notebooks; authoring tools' keys are dropped.
KEPT_METADATA = ("kernelspec", "language_info")


def read_notebook(path: Path) -> NotebookNode:
    """Read and validate a source notebook (nbformat v4).

    Raises:
        NotebookError: the file is missing, not UTF-8, not JSON (with line and
            column) or not a valid notebook (with the cell concerned).
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(f"{path}: notebook not found; check `notebook:` in sheet.yml") from None
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{name} line {exc.lineno} column {exc.colno}: invalid notebook JSON: {exc.msg}"
        ) from None
    try:
        nb: NotebookNode = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types here
        raise NotebookError(f"{name}: not a Jupyter notebook: {exc}") from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        where = list(getattr(exc, "absolute_path", []) or [])
        cell = (
            where[1]
            if len(where) > 1 and where[0] == "cells" and isinstance(where[1], int)
            else None
        )
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        raise NotebookError(f"{at(name, cell)}: invalid notebook: {message}") from None
    return nb


def source_lines(cell: NotebookNode) -> list[str]:
    """The cell's source as lines without line ends."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    return str(source).split("\n")


def cell_id(source_cell: NotebookNode | None, salt: str) -> str:
    """A stable cell id: the source cell's own, else one derived from ``salt``."""
    if source_cell is not None and isinstance(source_cell.get("id"), str) and source_cell["id"]:
        return str(source_cell["id"])
    return "sg-" + hashlib.sha256(salt.encode("utf-8")).hexdigest()[:12]


def new_cell(
    cell_type: str,
    source: str,
    *,
    like: NotebookNode | None = None,
    salt: str = "",
    metadata: dict[str, Any] | None = None,
) -> NotebookNode:
    """A fresh cell without outputs; id and metadata from ``like`` when given."""
    meta = copy.deepcopy(dict(like.get("metadata", {}))) if like is not None else {}
    meta.update(metadata or {})
    ident = cell_id(like, salt or source)
    cell: NotebookNode
    if cell_type == "code":
        cell = nbformat.v4.new_code_cell(source, id=ident, metadata=meta)
    elif cell_type == "markdown":
        cell = nbformat.v4.new_markdown_cell(source, id=ident, metadata=meta)
    else:
        cell = nbformat.v4.new_raw_cell(source, id=ident, metadata=meta)
    return cell


def assemble(source_nb: NotebookNode, cells: list[NotebookNode]) -> NotebookNode:
    """A v4.5 notebook of ``cells`` with the source's kernel metadata; ids made unique."""
    nb: NotebookNode = nbformat.v4.new_notebook()
    nb.metadata = {
        k: copy.deepcopy(source_nb.metadata[k]) for k in KEPT_METADATA if k in source_nb.metadata
    }
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        if cell.id in seen:
            cell.id = cell_id(None, f"{cell.id}/{i}")
        seen.add(cell.id)
    nb.cells = cells
    return nb


def dumps(nb: NotebookNode) -> str:
    """Serialise deterministically (sorted keys, fixed indent, final newline)."""
    text: str = nbformat.writes(nb)
    return text + "\n"


def cell_text(cell: NotebookNode) -> str:
    """Source as one string."""
    return "\n".join(source_lines(cell))

"""Reading a submitted notebook and turning its code cells into plain Python.

The notebook is read with :mod:`json`, not ``nbformat.read``: validation
against the full nbformat schema costs tens of milliseconds per notebook and
grading needs only the code cells' sources. IPython syntax (``%magic``,
``!cmd``, ``%%cell_magic``) is rewritten by IPython's own
``TransformerManager`` into calls on ``get_ipython()``, which the student
process answers with a small shim (:mod:`sheetgrade.graders.sandbox.ipython_shim`):
no kernel, no IPython shell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_NOTEBOOK = 32 * 1024 * 1024  # bytes


class InvalidNotebook(ValueError):
    """The file is not a readable notebook; the message says why."""


@dataclass(frozen=True)
class Cell:
    """One code cell: its index among all cells, and its source as Python."""

    index: int
    source: str  # transformed: valid Python unless the student's code is not
    original: str


def read_code_cells(path: Path) -> list[Cell]:
    """The code cells of the notebook at ``path``, transformed to Python.

    Raises:
        InvalidNotebook: missing file, too big, not JSON, not a notebook.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidNotebook(f"cannot read {path.name}: {exc.strerror}") from None
    if size > MAX_NOTEBOOK:
        raise InvalidNotebook(f"{path.name} is {size} bytes, more than the {MAX_NOTEBOOK} allowed")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidNotebook(f"cannot read {path.name}: {exc}") from None
    return code_cells_from_text(text, label=path.name)


def code_cells_from_text(text: str, label: str = "notebook") -> list[Cell]:
    """Like :func:`read_code_cells`, from the notebook's JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidNotebook(f"{label} is not valid notebook JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook(f"{label} is JSON but not a notebook (no list of cells)")
    cells = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _source_text(cell.get("source", ""))
        if source is None:
            raise InvalidNotebook(f"{label}: cell {index + 1} has a malformed source")
        cells.append(Cell(index=index, source=transform(source), original=source))
    return cells


def _source_text(source: Any) -> str | None:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return None


@lru_cache(maxsize=1)
def _transformer() -> Any:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def transform(source: str) -> str:
    """Rewrite IPython syntax in one cell into Python calling ``get_ipython()``."""
    if "%" not in source and "!" not in source and "?" not in source:
        return source  # nothing to do; skips the transformer on the hot path
    try:
        return str(_transformer().transform_cell(source))
    except Exception:  # noqa: BLE001 - a broken cell then fails as a SyntaxError when run
        return source


def new_notebook(cells: list[str], metadata: dict[str, Any] | None = None) -> str:
    """The JSON text of a minimal nbformat-4 notebook with these code cells (tests, tools)."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": f"c{i}",
                    "metadata": {},
                    "outputs": [],
                    "source": src,
                }
                for i, src in enumerate(cells)
            ],
            "metadata": metadata or {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )

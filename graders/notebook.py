"""Reading a submitted notebook and turning its code cells into plain Python.

The notebook is read with :mod:`json`, not ``nbformat.read``: validation
against the full nbformat schema costs tens of milliseconds per notebook and
grading needs only the code cells' sources. A UTF-8 byte-order mark is
accepted, and an nbformat-3 notebook is converted by nbformat.

IPython syntax (``%magic``, ``!cmd``, ``%%cell_magic``) is rewritten by
IPython's own ``TransformerManager`` into calls on ``get_ipython()``, which
the student process answers with a small shim
(:mod:`sheetgrade.graders.sandbox.ipython_shim`): no kernel, no IPython shell. That
rewrite runs in the student process (:func:`transform`, called by
:mod:`sheetgrade.graders.sandbox.execution`), under its CPU and wall-time limits: its
cost grows faster than linearly with a cell's length, so a crafted cell must
not spend the grader's time. The grader itself only needs a parseable
stand-in for its static scans (:func:`python_outline`), made in linear time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetgrade.graders.sandbox.ipython_syntax import python_outline

MAX_NOTEBOOK = 32 * 1024 * 1024  # bytes


class InvalidNotebook(ValueError):
    """The file is not a readable notebook; the message says why."""


@dataclass(frozen=True)
class Cell:
    """One code cell: its index among all cells, and its source as Python."""

    index: int
    source: str  # python_outline(original): for static scans in the grader, never run
    original: str  # as written; the student process transforms and runs it


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
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is fine
    except OSError as exc:
        raise InvalidNotebook(f"cannot read {path.name}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InvalidNotebook(
            f"cannot read {path.name}: not UTF-8 text (byte {exc.start}); "
            "save the notebook again from Jupyter"
        ) from None
    return code_cells_from_text(text, label=path.name)


def notebook_json(text: str, label: str = "notebook") -> dict[str, Any]:
    """The notebook's JSON as an nbformat-4 dict (byte-order mark dropped, version 3 converted).

    Raises:
        InvalidNotebook: not JSON, or not a notebook.
    """
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise InvalidNotebook(f"{label} is not valid notebook JSON: {str(exc)[:200]}") from None
    if isinstance(data, dict) and data.get("nbformat") == 3:
        data = _from_v3(data, label)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook(f"{label} is JSON but not a notebook (no list of cells)")
    return data


def code_cells_from_text(text: str, label: str = "notebook") -> list[Cell]:
    """Like :func:`read_code_cells`, from the notebook's JSON text."""
    data = notebook_json(text, label)
    cells = []
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _source_text(cell.get("source", ""))
        if source is None:
            raise InvalidNotebook(f"{label}: cell {index + 1} has a malformed source")
        cells.append(Cell(index=index, source=python_outline(source), original=source))
    return cells


def _from_v3(data: dict[str, Any], label: str) -> dict[str, Any]:
    """An nbformat-3 notebook (cells in worksheets, code in ``input``) as version 4."""
    import nbformat

    try:
        converted = nbformat.convert(nbformat.from_dict(data), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise InvalidNotebook(
            f"{label} is an nbformat-3 notebook that cannot be converted: {str(exc)[:200]}"
        ) from None
    return dict(converted)


def _source_text(source: Any) -> str | None:
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return None


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

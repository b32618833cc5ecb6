"""Small helpers to write and edit notebooks with nbformat (v4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook(cells: list[Any]) -> Any:
    """A v4 notebook with a Python 3 kernelspec."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def code(source: str, **metadata: Any) -> Any:
    """A code cell, with optional cell metadata."""
    return new_code_cell(source, metadata=metadata)


def markdown(source: str, **metadata: Any) -> Any:
    """A markdown cell, with optional cell metadata."""
    return new_markdown_cell(source, metadata=metadata)


def raw(source: str) -> Any:
    """A raw cell (otter-assign delimiters)."""
    return new_raw_cell(source)


def read(path: Path) -> Any:
    """Read a notebook as v4."""
    return nbformat.read(path, as_version=4)


def write(nb: Any, path: Path) -> None:
    """Write a notebook, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def fill_student_cells(stub: Any, imports: str, cells: list[str], functions: list[str]) -> Any:
    """A copy of a distributed stub with the student's code in place.

    The import cell is the first code cell that imports numpy; each task's cell
    is the code cell that defines its function (``def NAME(``).

    Raises:
        ValueError: when the stub lacks one of these cells.
    """
    nb = nbformat.from_dict(stub)
    targets = {"import numpy as np": imports}
    targets.update({f"def {name}(": src for name, src in zip(functions, cells, strict=True)})
    for marker, source in targets.items():
        cell = next((c for c in nb.cells if c.cell_type == "code" and marker in c.source), None)
        if cell is None:
            raise ValueError(f"the stub notebook has no code cell containing {marker!r}")
        cell.source = source
        cell.outputs = []
        cell.execution_count = None
    return nb

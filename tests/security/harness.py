"""Helpers of the security suite: attack notebooks on disk, file snapshots.

``snapshot`` records every file below a folder (size, mode, mtime, content
hash), skipping scratch directories, so a test can assert that no attack
changed a file it must not touch.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attacks
import nbformat

SECRET_PREFIX = int(str(attacks.SECRET)[:4])


def write_notebook(
    path: Path,
    attack: attacks.Attack,
    port: int = 9,
    *,
    bom: bool = False,
    version: int = 4,
    released: Sequence[Any] = (),
) -> Path:
    """Write the attack as a real ``.ipynb`` file (``port``: where ``network_connect`` connects).

    The JSON is ASCII (``\\uXXXX`` escapes), as Jupyter may write it, so a
    cell can hold lone surrogates. ``bom``: start with a UTF-8 byte-order
    mark; ``version=3``: save in nbformat 3 (cells in a worksheet).
    ``released``: the read-only cells of the released notebook (nbgrader test
    cells), appended unchanged as a student's notebook keeps them.
    """
    nb = nbformat.v4.new_notebook()
    cells = attacks.notebook_cells(attack, SECRET_PREFIX, port)
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    offset = len(cells) - len(attack.cells) if not attack.before_stubs else 0
    for i, meta in enumerate(attack.cell_metadata):
        nb.cells[offset + i].metadata.update(meta)
    nb.metadata.update(attack.metadata)
    nb.cells += [nbformat.from_dict(copy.deepcopy(dict(c))) for c in released]
    path.parent.mkdir(parents=True, exist_ok=True)
    if version == 3:
        text = nbformat.writes(nb, version=3)
    else:
        text = json.dumps(nb, indent=1, ensure_ascii=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def snapshot(root: Path, skip: tuple[str, ...] = ("scratch", "output.txt")) -> dict[str, str]:
    """Path -> size, mode, mtime and content hash of every file below ``root``."""
    state: dict[str, str] = {}
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            if name in skip:
                continue
            path = Path(base, name)
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            state[str(path.relative_to(root))] = (
                f"{st.st_size}:{st.st_mode:o}:{st.st_mtime_ns}:{digest}"
            )
    return state

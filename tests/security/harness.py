"""Helpers of the security suite: attack notebooks on disk, file snapshots.

``snapshot`` records every file below a folder (size, mode, mtime, content
hash), skipping scratch directories, so a test can assert that no attack
changed a file it must not touch.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import attacks
import nbformat

SECRET_PREFIX = int(str(attacks.SECRET)[:4])


def write_notebook(path: Path, attack: attacks.Attack, port: int = 9) -> Path:
    """Write the attack as a real ``.ipynb`` file (``port``: where ``network_connect`` connects)."""
    nb = nbformat.v4.new_notebook()
    cells = attacks.notebook_cells(attack, SECRET_PREFIX, port)
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    offset = len(cells) - len(attack.cells) if not attack.before_stubs else 0
    for i, meta in enumerate(attack.cell_metadata):
        nb.cells[offset + i].metadata.update(meta)
    nb.metadata.update(attack.metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
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

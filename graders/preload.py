"""What a sheet's warm worker imports before it forks: the modules the sheet's
own notebook imports, not the whole scientific stack.

Importing scipy, pandas and matplotlib costs most of a second; a sheet that
needs only numpy should not pay for them at the start of every ``grade``. The
list comes from the instructor's reference notebook, never from a submission:
the warm worker imports before any confinement, so student text must not
choose what it runs. A submission that imports more still works; its child
imports the rest itself. IPython's cell rewriter is preloaded when the sheet's
notebook uses IPython syntax (``%matplotlib inline``, ``!ls``): its students
will copy it, and each child would otherwise import IPython on its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.graders.sandbox.ipython_syntax import python_outline

if TYPE_CHECKING:
    from sheetgrade.sheets.model import AutograderBundle

#: ``import a.b as c, d`` and ``from a.b import c`` at the start of a line
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.MULTILINE)
_FROM = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import\b", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
#: at most this many modules are preloaded (a sheet imports a handful)
LIMIT = 64
#: what the student process needs to rewrite IPython syntax
IPYTHON_REWRITER = "IPython.core.inputtransformer2"


def modules_in(source: str) -> list[str]:
    """Absolute module names imported by a cell's source, in order, each once.

    ``import a.b.c`` names ``a``, ``a.b`` and ``a.b.c``; relative imports and
    anything that is not a plain dotted name are skipped.
    """
    found: list[str] = []
    for match in _IMPORT.finditer(source):
        for part in match.group(1).split(","):
            found.append(part.split(" as ")[0].strip())
    found += [m.group(1) for m in _FROM.finditer(source)]
    names: list[str] = []
    for name in found:
        if not _NAME.match(name):
            continue
        pieces = name.split(".")
        for depth in range(1, len(pieces) + 1):
            dotted = ".".join(pieces[:depth])
            if dotted not in names:
                names.append(dotted)
    return names


def sheet_modules(notebook: Path) -> tuple[str, ...]:
    """The modules the code cells of ``notebook`` import (at most :data:`LIMIT`).

    An unreadable notebook gives ``()``: grading then reports it, not this.
    """
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8-sig"))
        cells = nb.get("cells", []) if isinstance(nb, dict) else []
    except (OSError, ValueError):
        return ()
    names: list[str] = []
    ipython = False
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        ipython = ipython or python_outline(text) != text
        for name in modules_in(text):
            if name not in names:
                names.append(name)
    names = names[: LIMIT - 1]
    return (*names, IPYTHON_REWRITER) if ipython else tuple(names)


def bundle_modules(bundle: AutograderBundle) -> tuple[str, ...]:
    """What a warm worker imports for a bundle: what its reference notebooks import."""
    assert bundle.path is not None
    names = (m for p in bundle.notebook_parts() for m in sheet_modules(bundle.path / p.reference))
    return tuple(dict.fromkeys(names))

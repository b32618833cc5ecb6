"""IPython syntax in a cell: rewritten for running, outlined for scanning.

:func:`transform` runs in the student process (:mod:`.execution`), turning
magics and shell escapes into calls of ``get_ipython()``; :func:`python_outline`
gives the grader's static scans parseable Python in linear time
(:mod:`sheetgrade.graders.notebook`). A leaf of the sandbox: IPython is
imported only for a cell that needs it, and the warm worker builds the
rewriter once (:func:`rewriter`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def rewriter() -> Any:
    """IPython's cell rewriter, built once per process."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


_MAGIC_LINE = re.compile(r"^(\s*)(?:[%!]|[\w.\[\], ]+=\s*[%!])")


def python_outline(source: str) -> str:
    """``source`` with IPython-only lines replaced by ``pass``: parseable Python
    for the grader's static scans, made in linear time (nothing here is run).

    Lines that start a magic or shell escape (``%time``, ``!pip``,
    ``files = !ls``) keep their indentation and become ``pass``; a trailing
    ``?`` (help syntax) is dropped.
    """
    if "%" not in source and "!" not in source and "?" not in source:
        return source
    lines = []
    for line in source.splitlines():
        match = _MAGIC_LINE.match(line)
        if match:
            line = f"{match.group(1)}pass"
        elif line.rstrip().endswith("?") and not line.lstrip().startswith("#"):
            line = line.rstrip().rstrip("?")
        lines.append(line)
    return "\n".join(lines)


def transform(source: str) -> str:
    """Rewrite IPython syntax in one cell into Python calling ``get_ipython()``.

    Runs in the student process (see the module docstring)."""
    if python_outline(source) == source:
        return source  # no IPython syntax: skips importing IPython on the hot path
    try:
        return str(rewriter().transform_cell(source))
    except Exception:  # noqa: BLE001 - a broken cell then fails as a SyntaxError when run
        return source

"""A stand-in for ``get_ipython()`` in the student process.

Cells rewritten by IPython's transformer call ``get_ipython().run_line_magic``,
``.run_cell_magic``, ``.system`` and ``.getoutput``. Grading needs none of a
shell: display magics are harmless no-ops, ``%time``/``%%time``/``%%capture``
just run their code, and shell commands (``!pip install ...``) are never run;
each skipped line is recorded in :attr:`IPythonShim.skipped` and reported.
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import Any

_HARMLESS = {
    "matplotlib",
    "config",
    "load_ext",
    "reload_ext",
    "autoreload",
    "precision",
    "pylab",
    "pprint",
    "colors",
    "xmode",
    "who",
    "whos",
    "env",
    "pwd",
}


class IPythonShim:
    """Answers the calls that transformed IPython syntax makes."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.user_ns = namespace
        self.skipped: list[str] = []

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        name = name.lstrip("%")
        if name in _HARMLESS:
            return None
        if name in ("time", "timeit"):
            return self._run_timed(line)
        if name in ("pip", "conda", "sx", "system"):
            self.skipped.append(f"%{name} {line}".strip())
            return None
        self.skipped.append(f"%{name} {line}".strip())
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in ("time", "timeit"):
            return self._run_timed(cell)
        if name == "capture":
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                exec(compile(cell, "<cell>", "exec"), self.user_ns)
            return None
        self.skipped.append(f"%%{name} {line}".strip())
        return None

    def system(self, cmd: str) -> None:
        self.skipped.append(f"!{cmd}")

    def getoutput(self, cmd: str, split: bool = True, depth: int = 0) -> list[str]:
        self.skipped.append(f"!{cmd}")
        return []

    def _run_timed(self, code: str) -> Any:
        start = time.perf_counter()
        try:
            return eval(compile(code, "<magic>", "eval"), self.user_ns)
        except SyntaxError:
            exec(compile(code, "<magic>", "exec"), self.user_ns)
            return None
        finally:
            print(f"Wall time: {time.perf_counter() - start:.3f} s")

    # IPython's display machinery, for code that calls it directly
    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"get_ipython().{name} is not available while grading")

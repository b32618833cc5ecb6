"""The start-up both kinds of student process share, before confinement.

The fork child (:mod:`.child`) and the portable one (:mod:`.portable_child`)
both call :func:`enter_scratch` with their request (``scratch``, ``output``,
``limits``): it sets :mod:`.mode`, reads stdin from ``/dev/null``, sends
stdout and stderr to the capped output file, enters the scratch directory
(also ``HOME`` and the temporary folder) and gives the process a fresh import
path. What differs stays with each: the fork child's own session, parent-death
signal and signal dispositions; the portable child's pipes.

Nothing here needs ``fork``, sockets, ``resource`` or ``fcntl``.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sheetgrade.graders.sandbox import mode


def enter_scratch(request: dict[str, Any], *, keep_fds: Iterable[int] | None = None) -> None:
    """Redirect the standard streams, enter the scratch directory, reset the import path.

    Args:
        request: the child's request: ``scratch`` (directory), ``output`` (the
            capped output file), ``limits`` (its ``hidden_paths``).
        keep_fds: close every inherited descriptor but 0, 1, 2 and these (the
            fork child inherits the warm worker's); ``None`` closes only the
            two this function opens (the portable child starts with no others).
    """
    scratch = Path(request["scratch"])
    mode.enter_grading()  # check("1a") cells of the notebook run harmlessly
    out_fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    if keep_fds is None:
        os.close(null_fd)
        os.close(out_fd)
    else:
        close_fds_except({0, 1, 2, *keep_fds})
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    # tracebacks of cells go to sys.__stderr__: point it at the capped file too
    sys_module: Any = sys
    sys_module.__stdout__, sys_module.__stderr__, sys_module.__stdin__ = (
        sys.stdout,
        sys.stderr,
        sys.stdin,
    )
    os.chdir(scratch)
    home = str(scratch)
    os.environ.update({"HOME": home, "TMPDIR": home, "MPLBACKEND": "Agg"})
    if os.name == "nt":
        os.environ.update({"USERPROFILE": home, "TEMP": home, "TMP": home})
    sys.argv = [""]
    fresh_import_path(request)


def fresh_import_path(request: dict[str, Any]) -> None:
    """A fresh import path: the scratch dir (a student's own helper modules)
    and the installation's absolute entries, none inside a hidden folder."""
    hidden = [Path(os.path.realpath(h)) for h in request.get("limits", {}).get("hidden_paths", [])]
    sys.path[:] = [
        "",
        *(
            p
            for p in sys.path
            if p and os.path.isabs(p) and not any(_inside(Path(p), h) for h in hidden)
        ),
    ]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def close_fds_except(keep: set[int]) -> None:
    """Close every open descriptor of this process not in ``keep``."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass

"""The warm worker: a fresh interpreter that has imported the scientific stack
and forks one student process per request.

It is started as a new interpreter (``python -c``, i.e. a spawn, never a fork
of the grader, which holds hidden tests and the reference), with a clean
environment and only its control socket inherited. It imports numpy, scipy,
matplotlib (Agg) and pandas once, with BLAS/OpenMP threads set to 1, so that
each forked child starts warm in about a millisecond.

Control socket (``SOCK_SEQPACKET``, one JSON message per packet):

- grader → worker: ``{"op": "fork", "id": n, ...child request}`` with the
  child's end of a fresh socketpair attached (``socket.send_fds``);
- worker → grader: ``{"op": "forked", "id": n, "pid": p}`` or
  ``{"op": "error", "id": n, "message": ...}``, and, whenever a child ends,
  ``{"op": "exit", "pid": p, "code": c}`` (negative: killed by signal ``-c``).

When the grader goes away (EOF), the worker kills every child's process group
and exits.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
from typing import Any

THREAD_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
PRELOAD = (
    "numpy",
    "scipy",
    "scipy.linalg",
    "scipy.stats",
    "scipy.optimize",
    "matplotlib",
    "matplotlib.pyplot",
    "pandas",
    # IPython syntax is rewritten in the student process (sandbox.ipython_syntax.transform)
    "IPython.core.inputtransformer2",
)
#: our own modules the child needs; imported once here, not in every child.
#: ``notebook_check`` is named (not imported by this package) so that a graded
#: notebook's ``from sheetgrade import check`` finds it loaded.
OWN_MODULES = (
    "sheetgrade.graders.sandbox.child",
    "sheetgrade.graders.sandbox.execution",
    "sheetgrade.graders.sandbox.confine",
    "sheetgrade.graders.sandbox.landlock",
    "sheetgrade.graders.sandbox.seccomp",
    "sheetgrade.graders.notebook_check",
)
MAX_PACKET = 1 << 16


def main(control_fd: int, preload: str, use_fork: bool) -> None:
    """Run the worker loop on the inherited control socket.

    ``preload`` is ``"1"`` (the whole scientific stack, :data:`PRELOAD`),
    ``"0"`` (nothing) or a comma-separated list of modules: those a sheet's own
    notebook imports (:func:`sheetgrade.graders.preload.sheet_modules`).
    """
    control = socket.socket(fileno=control_fd)
    _import_all(OWN_MODULES)
    _preload(preload_list(preload))
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the grader, which closes us
    children: set[int] = set()
    while True:
        try:
            ready, _, _ = select.select([control.fileno(), wake_r], [], [])
        except InterruptedError:
            continue
        if wake_r in ready:
            os.read(wake_r, 512)
        _reap(control, children)
        if control.fileno() in ready:
            try:
                data, fds, _flags, _addr = socket.recv_fds(control, MAX_PACKET, 1)
            except OSError:
                data, fds = b"", []
            if not data:
                _kill_all(children)
                os._exit(0)
            request = json.loads(data)
            if not fds:
                _send(control, {"op": "error", "id": request.get("id"), "message": "no channel"})
                continue
            try:
                pid = _start_child(fds[0], request, control, (wake_r, wake_w), use_fork)
            except OSError as exc:
                os.close(fds[0])
                _send(control, {"op": "error", "id": request.get("id"), "message": str(exc)})
                continue
            os.close(fds[0])
            children.add(pid)
            _send(control, {"op": "forked", "id": request.get("id"), "pid": pid})


def _import_all(names: tuple[str, ...]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the child imports it again and reports what fails
            pass


def preload_list(spec: str) -> tuple[str, ...]:
    """The modules a ``preload`` argument of :func:`main` names."""
    if spec in ("", "0"):
        return ()
    if spec == "1":
        return PRELOAD
    return tuple(name for name in spec.split(",") if name)


def _preload(names: tuple[str, ...]) -> None:
    _import_all(names)
    if "IPython.core.inputtransformer2" in sys.modules:
        try:  # the IPython rewriter children use (sandbox.ipython_syntax.transform), built once here
            from sheetgrade.graders.sandbox.ipython_syntax import rewriter

            rewriter()
        except Exception:  # noqa: BLE001 - the child builds it again and reports what fails
            pass
    if "matplotlib.pyplot" not in sys.modules:
        return
    # Warm the font cache and the Agg canvas so a student's first plot is cheap.
    try:
        import matplotlib.pyplot as plt

        plt.figure()
        plt.close("all")
    except Exception:  # noqa: BLE001
        pass


def _start_child(
    fd: int, request: dict[str, Any], control: socket.socket, wake: tuple[int, int], use_fork: bool
) -> int:
    if not use_fork:
        return subprocess.Popen(
            [
                sys.executable,
                "-E",  # no PYTHONPATH: see worker_env
                "-P",
                "-m",
                "sheetgrade.graders.sandbox.child",
                str(fd),
                json.dumps(request),
            ],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        ).pid
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            control.close()
            for w in wake:
                os.close(w)
            from sheetgrade.graders.sandbox.child import child_main

            child_main(socket.socket(fileno=fd), request)
        finally:
            os._exit(70)
    return pid


def _reap(control: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        _send(control, {"op": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _kill_all(children: set[int]) -> None:
    for pid in children:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _send(control: socket.socket, message: dict[str, Any]) -> None:
    try:
        control.send(json.dumps(message).encode())
    except OSError:
        pass


def worker_env() -> dict[str, str]:
    """The environment of the warm worker: only what Python needs, threads = 1.

    No ``PYTHONPATH`` (nor any other ``PYTHON*`` variable of the grader's):
    a folder named there would become importable, and readable, by student code.
    """
    keep = (
        "PATH",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "VIRTUAL_ENV",
        "SYSTEMROOT",
        "COVERAGE_PROCESS_START",
    )
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(THREAD_ENV)
    return env


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1")

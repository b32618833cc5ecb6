"""Backends: how one student process runs. The judging above does not know which ran.

Two backends speak the same protocol (:mod:`.protocol`) to the same child
runtime (:mod:`.child`, :mod:`.execution`):

- ``fork`` (:class:`.worker.WarmWorker`): the Linux fork server. A warm worker
  forks one child per submission in about a millisecond; the child applies
  every confinement layer (:mod:`.confine`). Linux only: it needs ``fork``,
  ``SOCK_SEQPACKET`` socket pairs and fd passing.
- ``portable`` (:class:`.portable.PortableBackend`): one fresh interpreter per
  submission through :mod:`subprocess`, frames over its stdin/stdout pipes.
  It runs wherever Python runs (macOS, Windows, Linux) and applies the layers
  the platform has: on Linux all of them, elsewhere rlimits where the
  ``resource`` module exists, on Windows a Job Object limit on memory, CPU
  time and processes.

``SHEETGRADE_BACKEND`` chooses: ``auto`` (default: fork where it works, else
portable), ``fork`` or ``portable``. Every result records the backend and the
layers that were active (``layers["backend"]``).

A backend hands out :class:`ChildHandle` objects; :class:`.session.StudentProcess`
is written against that interface only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from sheetgrade.graders.sandbox.errors import GradingError

BACKEND_ENV = "SHEETGRADE_BACKEND"
BACKENDS = ("auto", "fork", "portable")


class BackendUnavailable(GradingError):
    """The backend asked for cannot run on this machine (or the name is unknown)."""


class ChildHandle(Protocol):
    """The grader's end of one running student process."""

    pid: int
    #: layers the backend applied from outside the child, and ``backend``
    layers: dict[str, str]

    def send(self, message: Any) -> None:
        """Send one request (raises ``BrokenPipeError`` if the child is gone)."""

    def wait_readable(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next reply to start arriving."""

    def recv(self, deadline: float, max_size: int) -> Any:
        """The next reply, decoded (``TimeoutError``, ``EOFError``, ``ProtocolError``)."""

    def exit_code(self, timeout: float = 2.0) -> int | None:
        """The exit code once the child ended (negative: killed by that signal)."""

    def kill(self) -> None:
        """Kill the child and everything it started, now."""

    def close(self) -> None:
        """Kill what is left and release the channel."""


class Backend(Protocol):
    """Starts student processes; a context manager for one grading run."""

    name: str

    def start(self, request: dict[str, Any]) -> ChildHandle:
        """Start one student process for ``request`` (``scratch``, ``output``, ``limits``)."""

    def close(self) -> None:
        """Stop the backend; no child outlives it."""

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...


def fork_unavailable() -> str | None:
    """Why the fork server cannot run here, or ``None`` if it can."""
    if not sys.platform.startswith("linux"):
        return f"the fork server needs Linux; this is {sys.platform}"
    import socket

    missing = [
        name
        for name, ok in (
            ("os.fork", hasattr(os, "fork")),
            ("socket.AF_UNIX", hasattr(socket, "AF_UNIX")),
            ("socket.SOCK_SEQPACKET", hasattr(socket, "SOCK_SEQPACKET")),
            ("socket.send_fds", hasattr(socket, "send_fds")),
        )
        if not ok
    ]
    if missing:
        return f"this Python has no {', '.join(missing)}"
    return None


def chosen_backend(choice: str | None = None) -> str:
    """The backend name asked for: ``choice``, else ``$SHEETGRADE_BACKEND``, else ``auto``.

    Raises:
        BackendUnavailable: an unknown name.
    """
    name = (choice or os.environ.get(BACKEND_ENV) or "auto").strip().lower()
    if name not in BACKENDS:
        raise BackendUnavailable(
            f"{BACKEND_ENV}={name!r} is not a backend; use one of {', '.join(BACKENDS)}"
        )
    return name


def open_backend(*, preload: bool | Sequence[str] = True, choice: str | None = None) -> Backend:
    """Start the backend for one grading run or check.

    Args:
        preload: what the fork server imports once before forking: the scientific
            stack (``True``), nothing (``False``: a student's check imports only
            what the notebook does) or the modules named (a sheet's own imports).
            The portable backend starts a fresh interpreter per child and ignores it.
        choice: ``auto``, ``fork`` or ``portable`` (default: ``$SHEETGRADE_BACKEND``).

    Raises:
        BackendUnavailable: ``fork`` was asked for where it cannot run; the
            message says why and what to set instead.
    """
    name = chosen_backend(choice)
    if name == "portable":
        return _portable()
    reason = fork_unavailable()
    if reason is None:
        from sheetgrade.graders.sandbox.worker import WarmWorker

        try:
            return WarmWorker(preload=preload)
        except OSError as exc:
            reason = f"it could not start: {exc}"
    if name == "fork":
        raise BackendUnavailable(
            f"{BACKEND_ENV}=fork, but the fork backend is not available here ({reason}); "
            f"unset {BACKEND_ENV} or set it to portable"
        )
    return _portable()


def _portable() -> Backend:
    from sheetgrade.graders.sandbox.portable import PortableBackend

    return PortableBackend()

"""The grader's handle on the warm worker (:mod:`sheetgrade.graders.sandbox.zygote`).

One :class:`WarmWorker` serves a whole grading run; any number of grader
threads may call :meth:`WarmWorker.fork` at once.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from sheetgrade.graders.sandbox import protocol
from sheetgrade.graders.sandbox.errors import GradingError
from sheetgrade.graders.sandbox.zygote import MAX_PACKET, worker_env


class WarmWorker:
    """A started warm worker: the ``fork`` backend (see :mod:`.backend`).

    Use as a context manager, or call :meth:`close`.
    """

    name = "fork"

    def __init__(
        self, *, preload: bool | Sequence[str] = True, use_fork: bool | None = None
    ) -> None:
        """Start the worker process; it imports in the background while the caller goes on.

        Args:
            preload: the scientific stack (True), nothing (False), or the
                modules named (a sheet's own imports).
            use_fork: fork children (default where ``os.fork`` exists).
        """
        if use_fork is None:
            use_fork = hasattr(os, "fork") and os.environ.get("SHEETGRADE_NO_FORK", "") != "1"
        self.use_fork = use_fork
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = (
            "import sys; from sheetgrade.graders.sandbox.zygote import main; "
            "a = sys.argv; main(int(a[1]), a[2], bool(int(a[3])))"
        )
        if isinstance(preload, bool):
            preload_arg = str(int(preload))
        else:
            preload_arg = ",".join(preload) or "0"
        debug = os.environ.get("SHEETGRADE_DEBUG") == "1"
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-E",  # ignore PYTHONPATH and friends: see zygote.worker_env
                "-P",  # no cwd on sys.path
                "-c",
                code,
                str(theirs.fileno()),
                preload_arg,
                str(int(use_fork)),
            ],
            pass_fds=(theirs.fileno(),),
            env=worker_env(),
            stdin=subprocess.DEVNULL,
            stdout=None if debug else subprocess.DEVNULL,
            stderr=None if debug else subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self._control = ours
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._next_id = 0
        self._forked: dict[int, dict[str, Any]] = {}
        self._exits: dict[int, int] = {}
        self._closed = False
        self._reader = threading.Thread(
            target=self._read_loop, name="warm-worker-reader", daemon=True
        )
        self._reader.start()

    def __enter__(self) -> WarmWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- api
    def fork(self, request: dict[str, Any], timeout: float = 120.0) -> tuple[int, socket.socket]:
        """Start one student process for ``request`` (see :mod:`.child`).

        Returns:
            The child's pid (also its process group) and the grader's end of
            its channel.

        Raises:
            GradingError: the worker is gone or refused.
        """
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            payload = json.dumps({**request, "op": "fork", "id": ident}).encode()
            if len(payload) > MAX_PACKET:
                raise GradingError("request to the warm worker is too large")
            try:
                socket.send_fds(self._control, [payload], [theirs.fileno()])
            except OSError as exc:
                ours.close()
                raise GradingError(f"the warm worker is gone ({exc})") from None
            finally:
                theirs.close()
        deadline = time.monotonic() + timeout
        with self._cond:
            while ident not in self._forked:
                if self._closed or time.monotonic() > deadline:
                    ours.close()
                    raise GradingError("the warm worker did not start a student process")
                self._cond.wait(0.5)
            reply = self._forked.pop(ident)
        if reply.get("op") != "forked":
            ours.close()
            raise GradingError(
                f"the warm worker could not start a student process: {reply.get('message')}"
            )
        return int(reply["pid"]), ours

    def start(self, request: dict[str, Any]) -> ForkChild:
        """Fork one student process for ``request``: the backend interface."""
        pid, channel = self.fork(request)
        return ForkChild(self, pid, channel)

    def exit_code(self, pid: int, timeout: float = 2.0) -> int | None:
        """The exit code of child ``pid`` (negative: signal), waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while pid not in self._exits:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return None
                self._cond.wait(remaining)
            return self._exits.pop(pid)

    def forget(self, pid: int) -> None:
        """Drop a recorded exit code nobody will ask for."""
        with self._cond:
            self._exits.pop(pid, None)

    @staticmethod
    def kill(pid: int) -> None:
        """SIGKILL the child's whole process group (and the child, if it has no group yet)."""
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """Stop the worker; it kills any child still running."""
        if self._next_id == 0 and self._process.poll() is None:
            # Never asked for a child (nothing to grade): it may still be
            # importing, and it has no children to clean up.
            self._process.kill()
            self._process.wait()
        if self._process.poll() is None:
            try:
                self._control.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._control.close()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # ------------------------------------------------------------ internals
    def _read_loop(self) -> None:
        while True:
            try:
                data = self._control.recv(MAX_PACKET)
            except OSError:
                data = b""
            if not data:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            message = json.loads(data)
            with self._cond:
                if message.get("op") == "exit":
                    self._exits[int(message["pid"])] = int(message["code"])
                else:
                    self._forked[int(message["id"])] = message
                self._cond.notify_all()


class ForkChild:
    """One forked student process, seen from the grader (a ``backend.ChildHandle``)."""

    def __init__(self, worker: WarmWorker, pid: int, channel: socket.socket) -> None:
        self.worker = worker
        self.pid = pid
        self.layers = {"backend": "fork"}
        self._channel = channel

    def send(self, message: Any) -> None:
        protocol.send(self._channel, message)

    def wait_readable(self, timeout: float) -> bool:
        readable, _, _ = select.select([self._channel], [], [], max(timeout, 0.0))
        return bool(readable)

    def recv(self, deadline: float, max_size: int) -> Any:
        return protocol.recv(self._channel, deadline, max_size)

    def exit_code(self, timeout: float = 2.0) -> int | None:
        return self.worker.exit_code(self.pid, timeout)

    def kill(self) -> None:
        WarmWorker.kill(self.pid)

    def close(self) -> None:
        WarmWorker.kill(self.pid)
        try:
            self._channel.close()
        except OSError:
            pass

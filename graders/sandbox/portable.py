"""The portable backend: one fresh interpreter per student process, frames over pipes.

Used where the Linux fork server is missing (macOS, Windows) or when
``SHEETGRADE_BACKEND=portable``. It relies only on what every platform's
Python has: :mod:`subprocess` with the current interpreter, its stdin/stdout
pipes carrying the same length-prefixed JSON frames as the fork backend
(:mod:`.protocol`), and a reader thread per child, so that waiting for a reply
with a deadline works on Windows pipes too (``select`` does not).

The child is :mod:`.portable_child`. It is started with a clean environment
(:func:`.zygote.worker_env`), its own session (POSIX) or process group
(Windows), and is sent its request as the first frame; it then confines itself
with what the platform has. On Windows the grader also puts it in a Job Object
(:mod:`.winjob`) before sending that first frame: memory, CPU time, no child
processes, and killed with the job.

What it costs against the fork server: an interpreter start and the imports of
the notebook per submission (a few hundred milliseconds) instead of a fork.
The guarantee does not change: native checks are judged in the grader process.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from typing import IO, Any

from sheetgrade.graders.sandbox import protocol
from sheetgrade.graders.sandbox.errors import GradingError, ProtocolError
from sheetgrade.graders.sandbox.zygote import worker_env

CHILD_MODULE = "sheetgrade.graders.sandbox.portable_child"
_EOF = object()


class PortableBackend:
    """Starts each student process as ``python -m sheetgrade.graders.sandbox.portable_child``."""

    name = "portable"

    def __init__(self) -> None:
        self._children: set[PortableChild] = set()
        self._lock = threading.Lock()

    def __enter__(self) -> PortableBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, request: dict[str, Any]) -> PortableChild:
        """Start one student process and send it ``request``.

        Raises:
            GradingError: the interpreter could not be started.
        """
        child = PortableChild(request)
        with self._lock:
            self._children = {c for c in self._children if c.alive()}
            self._children.add(child)
        return child

    def close(self) -> None:
        """Kill every child still running."""
        with self._lock:
            children, self._children = list(self._children), set()
        for child in children:
            child.close()


class PortableChild:
    """One student process of the portable backend, seen from the grader."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.layers: dict[str, str] = {"backend": "portable"}
        limits = request.get("limits", {})
        try:
            self._process = subprocess.Popen(
                # -P: the scratch dir (cwd) is not put on sys.path before the
                # child has set itself up; it adds it then, as the fork child does
                [sys.executable, "-P", "-m", CHILD_MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=worker_env(),
                cwd=request["scratch"],
                close_fds=True,
                **_new_group(),
            )
        except OSError as exc:
            raise GradingError(f"could not start a student process: {exc}") from None
        self.pid = self._process.pid
        self._job: Any = None
        if os.name == "nt":
            from sheetgrade.graders.sandbox import winjob

            self._job, self.layers["job_object"] = winjob.confine_process(
                self._process, memory=limits.get("address_space"), cpu=limits.get("cpu_seconds")
            )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin: IO[bytes] = self._process.stdin
        self._frames: queue.Queue[Any] = queue.Queue()
        self._pending: Any = None
        self._reader = threading.Thread(
            target=_read_frames,
            args=(self._process.stdout, self._frames),
            name=f"portable-child-{self.pid}",
            daemon=True,
        )
        self._reader.start()
        try:
            self.send(request)
        except BrokenPipeError:
            pass  # it died at once; the first request reports it

    def __hash__(self) -> int:
        return id(self)

    # ------------------------------------------------------------ channel
    def send(self, message: Any) -> None:
        payload = protocol.dumps(message)
        if len(payload) > protocol.MAX_MESSAGE:
            raise protocol.EncodeError(
                f"message of {len(payload)} bytes exceeds the limit of {protocol.MAX_MESSAGE}"
            )
        try:
            self._stdin.write(protocol._HEADER.pack(len(payload)) + payload)
            self._stdin.flush()
        except (OSError, ValueError) as exc:  # Windows: EINVAL on a dead pipe; closed: ValueError
            raise BrokenPipeError(str(exc)) from None

    def wait_readable(self, timeout: float) -> bool:
        if self._pending is None:
            try:
                self._pending = self._frames.get(timeout=max(timeout, 0.0))
            except queue.Empty:
                return False
        return True

    def recv(self, deadline: float, max_size: int) -> Any:
        if not self.wait_readable(deadline - time.monotonic()):
            raise TimeoutError
        item, self._pending = self._pending, None
        if item is _EOF:
            self._frames.put(_EOF)  # every later read sees the end too
            raise EOFError("the student process closed its channel")
        if isinstance(item, BaseException):
            raise item
        if len(item) > max_size:
            raise ProtocolError(f"message of {len(item)} bytes exceeds the limit of {max_size}")
        return protocol.loads(item)

    # ------------------------------------------------------------- ending
    def alive(self) -> bool:
        return self._process.poll() is None

    def exit_code(self, timeout: float = 2.0) -> int | None:
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self._job is not None:
            from sheetgrade.graders.sandbox import winjob

            winjob.terminate(self._job)
        elif os.name == "posix":
            import signal

            try:
                os.killpg(self.pid, signal.SIGKILL)  # its own session: pgid == pid
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self._process.kill()
        except OSError:
            pass

    def close(self) -> None:
        self.kill()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        try:
            self._stdin.close()
        except OSError:
            pass
        # the reader ends at the end of the pipe; a reader still blocked (the
        # pipe kept open by something else) keeps its end rather than racing it
        self._reader.join(1.0)
        if not self._reader.is_alive() and self._process.stdout is not None:
            self._process.stdout.close()
        if self._job is not None:
            from sheetgrade.graders.sandbox import winjob

            winjob.close(self._job)
            self._job = None


def _new_group() -> dict[str, Any]:
    """Popen options that give the child its own process group, so a kill reaches all of it."""
    if os.name == "nt":
        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(
            subprocess, "CREATE_NO_WINDOW", 0
        )
        return {"creationflags": flags}
    return {"start_new_session": True}


def _read_frames(stream: IO[bytes], frames: queue.Queue[Any]) -> None:
    """Reader thread: whole frames (bytes) onto ``frames``, then ``_EOF``."""
    try:
        while True:
            header = _read_exact(stream, protocol._HEADER.size)
            if header is None:
                break
            (length,) = protocol._HEADER.unpack(header)
            if length > protocol.MAX_MESSAGE:
                frames.put(
                    ProtocolError(
                        f"message of {length} bytes exceeds the limit of {protocol.MAX_MESSAGE}"
                    )
                )
                return
            payload = _read_exact(stream, length)
            if payload is None:
                break
            frames.put(payload)
    except (OSError, ValueError):
        pass
    frames.put(_EOF)


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)

"""One running student process, seen from the grader.

:class:`StudentProcess` prepares a scratch directory (a copy of the notebook
and the public data files), has the backend start a child for it (a fork of
the warm worker, or a fresh interpreter: see :mod:`.backend`), sends it
the cells and then answers the harness's requests under one wall-clock
deadline. Past the deadline, or on :meth:`StudentProcess.close`, the child's
whole process group is killed. It knows the child only as a
:class:`.backend.ChildHandle`, so it runs the same on every backend.
"""

from __future__ import annotations

import math
import os
import shutil
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sheetgrade.course.config import DEFAULT_TIMEOUT
from sheetgrade.graders.sandbox.errors import GradingError, ProtocolError, StudentProcessDied

if TYPE_CHECKING:
    from sheetgrade.graders.sandbox.backend import Backend

#: replies larger than this from a student process end its grading
MAX_REPLY = 64 * 1024 * 1024
DISK_POLL = 0.5  # seconds between disk-use checks while a request runs


class SubmissionTimeout(GradingError):
    """The submission ran past its wall-clock limit."""


class DiskLimitExceeded(StudentProcessDied):
    """The submission wrote more than its disk allowance (the process is killed)."""


class StudentError(Exception):
    """A request to the student process raised (in student code) or failed."""

    def __init__(self, type_name: str, message: str) -> None:
        self.type_name = type_name
        self.call_name = ""  # the function called, when known
        super().__init__(message)


@dataclass
class ProcessLimits:
    """Limits of one student process (derived from ``GradingLimits``)."""

    timeout: float = DEFAULT_TIMEOUT.total_seconds()  # wall seconds for the whole submission
    memory: int | None = 2 * 1024**3  # address space, bytes
    output: int = 1024**2  # bytes of stdout/stderr kept
    cpu: int | None = None  # CPU seconds (default: the wall timeout, rounded up)
    disk: int = 256 * 1024**2  # bytes in the scratch dir (and the largest single file)
    #: folders the child must never read (the course folder, build/): see ``confine.readable_set``
    hidden: tuple[str, ...] = ()

    def confine_limits(self) -> dict[str, Any]:
        """Keyword arguments for ``sheetgrade.graders.sandbox.confine.Limits``."""
        return {
            "address_space": self.memory,
            "cpu_seconds": self.cpu or int(math.ceil(self.timeout)) + 1,
            "file_size": self.disk,
            "hidden_paths": list(self.hidden),
        }


@dataclass
class RunReport:
    """What running the cells reported."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    memory_error: bool = False
    skipped: list[str] = field(default_factory=list)
    layers: dict[str, str] = field(default_factory=dict)
    tampered: list[str] = field(default_factory=list)


def copy_data(scratch: Path, data_files: Mapping[str, Path]) -> None:
    """Copy data files into ``scratch`` at their relative paths (``data/iris.csv``
    stays ``data/iris.csv``), as the student has them beside the notebook.

    Raises:
        GradingError: a relative path leaves the scratch dir.
    """
    for rel, source in data_files.items():
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise GradingError(f"data file '{rel}' must be a path inside the sheet folder")
        target = scratch.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.exists():
            shutil.copyfile(source, target)


class StudentProcess:
    """A confined child running one notebook. Use as a context manager."""

    def __init__(
        self,
        worker: Backend,
        workdir: Path,
        limits: ProcessLimits,
        *,
        notebook: Path | None = None,
        data_files: Mapping[str, Path] | None = None,
    ) -> None:
        self.worker = worker
        self.limits = limits
        self.workdir = workdir
        self.scratch = workdir / "scratch"
        self.output_path = workdir / "output.txt"
        self.scratch.mkdir(parents=True, exist_ok=True)
        if notebook is not None:
            shutil.copyfile(notebook, self.scratch / notebook.name)
        copy_data(self.scratch, data_files or {})
        self._disk_base = _disk_used(self.workdir)  # the copies made above do not count
        request = {
            "scratch": str(self.scratch),
            "output": str(self.output_path),
            "limits": limits.confine_limits(),
        }
        self._child = worker.start(request)
        self.pid = self._child.pid
        self.backend = worker.name
        # The clock starts once the child exists: waiting for the warm worker
        # (still importing, or busy forking for others) is not the student's time.
        self.started = time.monotonic()
        self.deadline = self.started + limits.timeout
        self._dead = False
        self.exit_code: int | None = None

    @property
    def host_layers(self) -> dict[str, str]:
        """What the backend recorded from outside the child: ``backend`` and its own layers."""
        return dict(self._child.layers)

    def __enter__(self) -> StudentProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ requests
    def run_cells(self, cells: list[tuple[int, str]]) -> RunReport:
        """Run the notebook's cells; raise on timeout or death."""
        raw = self.request({"op": "run", "cells": [list(c) for c in cells]})
        if not isinstance(raw, dict):
            raise ProtocolError("malformed report from the student process")
        return RunReport(
            errors=[e for e in raw.get("errors", []) if isinstance(e, dict)][:1000],
            memory_error=raw.get("memory_error") is True,
            skipped=[str(s) for s in raw.get("skipped", [])][:100],
            layers={
                **self._child.layers,
                **{str(k): str(v) for k, v in dict(raw.get("layers", {})).items()},
            },
            tampered=[str(s) for s in raw.get("tampered", [])][:100],
        )

    def request(self, message: dict[str, Any]) -> Any:
        """Send one request and return the decoded answer.

        Raises:
            StudentError: the student's code raised, or the answer cannot be sent.
            SubmissionTimeout: the wall-clock deadline passed (the process is killed).
            StudentProcessDied: the process ended (crash, memory, exit).
            ProtocolError: the answer was malformed (the process is killed).
        """
        if self._dead:
            raise StudentProcessDied("the student process has already ended")
        try:
            self._child.send(message)
            self._wait_for_reply()
            reply = self._child.recv(self.deadline, MAX_REPLY)
        except TimeoutError:
            self.kill()
            raise SubmissionTimeout(
                f"ran longer than the limit of {self.limits.timeout:g} s"
            ) from None
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self._dead = True
            self.exit_code = self._child.exit_code()
            self.kill()
            raise StudentProcessDied(_describe_exit(self.exit_code)) from None
        except ProtocolError:
            self.kill()
            raise
        if not isinstance(reply, dict) or not ("ok" in reply or "error" in reply):
            self.kill()
            raise ProtocolError("malformed reply from the student process")
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise StudentError(
                str(error.get("type", "Error")), str(error.get("message", ""))[:2000]
            )
        return reply["ok"]

    def _wait_for_reply(self) -> None:
        """Wait until the reply starts, watching the deadline and the disk use."""
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if self._child.wait_readable(min(remaining, DISK_POLL)):
                return
            used = _disk_used(self.workdir) - self._disk_base + held_unlinked(self.pid)
            if used > self.limits.disk:
                self.kill()
                raise DiskLimitExceeded(
                    f"wrote more than {self.limits.disk // 1024**2} MiB to disk; the process was stopped"
                )

    def finish(self) -> list[str]:
        """Ask for the last identity check; the process then exits."""
        try:
            changes = self.request({"op": "finish"})
        except (StudentError, StudentProcessDied, ProtocolError):
            return []
        return [str(c) for c in changes][:100] if isinstance(changes, list) else []

    # ------------------------------------------------------------- ending
    def kill(self) -> None:
        """Kill the process group now."""
        self._dead = True
        self._child.kill()

    def close(self) -> None:
        """Kill whatever is left of the process group and release the channel;
        remove SysV IPC objects it made (where seccomp did not refuse them)."""
        self._dead = True
        self._child.close()
        from sheetgrade.graders.sandbox.leftovers import remove_ipc_of

        remove_ipc_of([self.pid])

    def output(self) -> str:
        """The first ``limits.output`` bytes the student process printed."""
        try:
            with open(self.output_path, "rb") as f:
                data = f.read(self.limits.output + 1)
        except OSError:
            return ""
        text = data[: self.limits.output].decode("utf-8", errors="replace")
        if len(data) > self.limits.output:
            text += f"\n[output cut at {self.limits.output} bytes]\n"
        return text

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _disk_used(folder: Path, max_entries: int = 20_000) -> int:
    """Bytes allocated below ``folder`` (huge if it holds more than ``max_entries`` entries)."""
    total, seen = 0, 0
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > max_entries:
                        return 1 << 62
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        stat = entry.stat(follow_symlinks=False)
                        # st_blocks: allocated size (sparse files count as written); Windows lacks it
                        blocks = getattr(stat, "st_blocks", None)
                        total += blocks * 512 if blocks is not None else stat.st_size
        except OSError:
            continue
    return total


def held_unlinked(pid: int) -> int:
    """Bytes of the files ``pid`` holds open that no directory shows any more.

    A file written and then removed while still open (or made with
    ``O_TMPFILE``, or an anonymous ``memfd``) occupies disk or memory but is
    invisible to a walk of the scratch folder; counting the process's open
    files closes that hole in the disk allowance.
    """
    total = 0
    base = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(base)
    except OSError:
        return 0
    for fd in fds:
        try:
            target = os.readlink(f"{base}/{fd}")
        except OSError:
            continue
        if not (target.endswith(" (deleted)") or target.startswith("/memfd:")):
            continue
        try:
            st = os.stat(f"{base}/{fd}")
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            total += st.st_blocks * 512
    return total


def _describe_exit(code: int | None) -> str:
    import signal

    if code is None:
        return "the student process ended unexpectedly"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGXCPU" or name == "SIGKILL":
            return f"the student process was killed ({name}; CPU-time or memory limit?)"
        return f"the student process was killed by {name}"
    return f"the student process exited with code {code} before grading finished"

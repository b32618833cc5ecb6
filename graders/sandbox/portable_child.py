"""The student process of the portable backend: ``python -m sheetgrade.graders.sandbox.portable_child``.

Started by :class:`.portable.PortableBackend` with pipes on stdin and stdout.
It moves the pipes to fresh descriptors, reads its request (the first frame:
``scratch``, ``output``, ``limits``), points fds 0/1/2 at ``/dev/null`` and
the capped output file, enters the scratch directory, confines itself with
what the platform has, and then serves the same requests as the fork
backend's child (:func:`.child.serve`), until ``finish`` or the end of the pipe.

Confinement, reported in the ``layers`` of the run:

- Linux: every layer of :func:`.confine.confine` (rlimits, capabilities,
  Landlock, seccomp), as in the fork backend;
- other POSIX systems (macOS): the rlimits of :func:`.confine.apply_rlimits`;
- Windows: no rlimits (``resource`` does not exist); the grader has put the
  process in a Job Object before sending the request (``job_object``).

Nothing here needs ``fork``, UNIX sockets, ``resource`` or ``fcntl`` at import.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sheetgrade.graders.sandbox import protocol, startup


class PipeChannel:
    """A pair of pipe descriptors with the socket methods :mod:`.protocol` uses."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def settimeout(self, _timeout: float | None) -> None:
        """Pipes are blocking; the grader keeps the deadline."""

    def recv(self, size: int) -> bytes:
        return os.read(self.read_fd, size)

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view) :]

    def fileno(self) -> int:
        return self.read_fd


def main() -> None:
    """Run one student process to completion (never returns)."""
    code = 0
    try:
        channel = PipeChannel(os.dup(0), os.dup(1))
        _inheritable(channel)
        # what the fork server's warm worker imports before forking: the same
        # modules are then loaded (and readable) before confinement as there
        _import_own_modules()
        request = protocol.recv(channel)  # type: ignore[arg-type]
        if not isinstance(request, dict):
            raise ValueError("the first frame must be the request")
        _setup(request)
        layers = confine_here(Path(request["scratch"]), request.get("limits", {}))
        from sheetgrade.graders.sandbox.child import serve

        serve(channel, layers)  # type: ignore[arg-type]
    except BaseException:  # noqa: BLE001 - the process must always end with os._exit
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        os._exit(code)


def _import_own_modules() -> None:
    """Import what the warm worker imports; a module this platform lacks
    (``confine`` needs ``resource``) is skipped, whatever it raises."""
    import importlib

    from sheetgrade.graders.sandbox.zygote import OWN_MODULES

    for name in OWN_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - e.g. ImportError of resource on Windows
            pass


def _inheritable(channel: PipeChannel) -> None:
    for fd in (channel.read_fd, channel.write_fd):
        os.set_inheritable(fd, False)


def _setup(request: dict[str, Any]) -> None:
    # No PR_SET_PDEATHSIG here: it fires when the grader *thread* that started
    # this process ends (a pool thread may start the shared reference). If the
    # grader dies, the pipe ends (the next read is EOF) and RLIMIT_CPU bounds a loop.
    # The pipes were moved off 0 and 1 and are not inherited; nothing else is open.
    startup.enter_scratch(request)  # as the fork child: scratch first, no hidden folder


def confine_here(scratch: Path, limits: dict[str, Any]) -> dict[str, str]:
    """Apply the confinement this platform has; layer name -> status."""
    if sys.platform.startswith("linux"):
        try:
            from sheetgrade.graders.sandbox.confine import Limits, confine
        except ImportError as exc:
            return {"confinement": f"unavailable: {exc}"}
        try:
            return dict(confine(scratch, Limits(**limits)))
        except Exception as exc:  # noqa: BLE001 - checking goes on with what is there
            return {"confinement": f"unavailable: {type(exc).__name__}: {exc}"}
    try:
        import resource  # noqa: F401 - POSIX only
    except ImportError:
        return {"rlimits": f"none: no resource module on {sys.platform}"}
    try:
        from sheetgrade.graders.sandbox.confine import Limits, apply_rlimits

        return {"rlimits": apply_rlimits(Limits(**limits))}
    except Exception as exc:  # noqa: BLE001
        return {"rlimits": f"unavailable: {type(exc).__name__}: {exc}"}


if __name__ == "__main__":
    main()

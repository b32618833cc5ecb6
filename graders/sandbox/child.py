"""The student process: set itself up, confine itself, run the notebook, serve.

Entered right after ``fork()`` in the warm worker (or as ``python -m
sheetgrade.graders.sandbox.child`` where fork is unavailable). It holds only the
submission's cells (sent by the grader over ``channel``) and the public data
files in its scratch directory.

Order matters: own session, fds 1/2 to the capped output file, every other
inherited fd closed, cwd to the scratch directory, then :func:`confine`, and
only then the first student line.

Requests (one JSON frame each, see :mod:`sheetgrade.graders.sandbox.protocol`):

- ``{"op": "run", "cells": [[index, source], ...]}`` runs the cells; the reply
  holds ``errors``, ``memory_error``, ``skipped`` (magics and shell lines not
  run), ``layers`` (confinement) and ``tampered`` (identity checks);
- ``{"op": "call", "name", "args", "kwargs"}``, ``{"op": "value", "name"}``;
- ``{"op": "ok", "sources": [...]}`` (one OK-format case);
- ``{"op": "assert", "code"}``;
- ``{"op": "cell", "code"}``: an nbgrader grade cell (error, stderr, last value);
- ``{"op": "finish"}``: last identity check, then the process exits.

Every reply is ``{"ok": value}`` or ``{"error": {"type", "message"}}``.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

# Bound at import: student code in the same process may replace attributes of
# the builtins module; this runtime keeps working and reports it (see tamper checks).
from builtins import (  # noqa: UP029
    BaseException,
    EOFError,
    Exception,
    ImportError,
    MemoryError,
    OSError,
    dict,
    int,
    isinstance,
    len,
    list,
    set,
    str,
    type,
)
from pathlib import Path
from typing import Any

from sheetgrade.graders.sandbox import execution, protocol, startup


def child_main(channel: socket.socket, request: dict[str, Any]) -> None:
    """Run one student process to completion (never returns)."""
    code = 0
    try:
        _setup(channel, request)
        layers = _confine(Path(request["scratch"]), request.get("limits", {}))
        serve(channel, layers)
    except BaseException:  # noqa: BLE001 - the child must always end with os._exit
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        os._exit(code)


def _setup(channel: socket.socket, request: dict[str, Any]) -> None:
    try:
        os.setsid()
    except OSError:
        pass
    _die_with_parent()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    # every inherited fd but the channel closed (the warm worker's sockets)
    startup.enter_scratch(request, keep_fds=[channel.fileno()])


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: if the warm worker dies, so does this process."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # noqa: BLE001
        pass


def _confine(scratch: Path, limits: dict[str, Any]) -> dict[str, str]:
    try:
        from sheetgrade.graders.sandbox.confine import Limits, confine
    except ImportError as exc:
        return {"confinement": f"unavailable: {exc}"}
    try:
        return dict(confine(scratch, Limits(**limits)))
    except Exception as exc:  # noqa: BLE001 - grading goes on with what is there
        return {"confinement": f"unavailable: {type(exc).__name__}: {exc}"}


def serve(channel: socket.socket, layers: dict[str, str]) -> None:
    """Answer the grader's requests on ``channel`` (a socket, or the portable
    backend's pipe pair) until ``finish`` or the end of the channel."""
    from sheetgrade.graders.sandbox import otter_shim

    otter_shim.install()  # ``import otter`` in a notebook written for otter-grader
    namespace = execution.new_namespace()
    shim = execution.shim_of(namespace)
    before = execution.identity_snapshot()
    tampered: set[str] = set()
    while True:
        try:
            message = protocol.recv(channel)
        except EOFError:
            return
        op = message.get("op") if isinstance(message, dict) else None
        try:
            if op == "run":
                report = execution.run_cells(
                    namespace, [(int(i), str(s)) for i, s in message["cells"]]
                )
                report["skipped"] = list(shim.skipped) if shim else []
                report["layers"] = layers
                tampered.update(execution.restore(before))
                report["tampered"] = sorted(tampered)
                reply: dict[str, Any] = {"ok": report}
            elif op == "call":
                reply = {
                    "ok": execution.call(
                        namespace,
                        message["name"],
                        message.get("args", []),
                        message.get("kwargs", {}),
                    )
                }
            elif op == "value":
                reply = {"ok": execution.lookup(namespace, message["name"])}
            elif op == "ok":
                reply = {"ok": execution.run_ok(namespace, list(message["sources"]))}
            elif op == "eval":
                reply = {"ok": execution.evaluate(namespace, message["expr"])}
            elif op == "cell":
                reply = {"ok": execution.run_cell(namespace, message["code"])}
            elif op == "assert":
                reply = {"ok": execution.run_assert(namespace, message["code"])}
            elif op == "finish":
                tampered.update(execution.restore(before))
                protocol.send(channel, {"ok": sorted(tampered)})
                return
            else:
                reply = {"error": {"type": "ProtocolError", "message": f"unknown request {op!r}"}}
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            if isinstance(exc, MemoryError):
                reply = {"error": {"type": "MemoryError", "message": "out of memory"}}
            else:
                reply = {
                    "error": {
                        "type": type(exc).__name__,
                        "message": execution.describe_exception(exc),
                    }
                }
        # student code may have replaced builtins or numpy functions meanwhile: undo it
        # (and remember it) before this runtime encodes the reply or runs the next test
        tampered.update(execution.restore(before))
        _reply(channel, reply)


def _reply(channel: socket.socket, reply: dict[str, Any]) -> None:
    try:
        payload = protocol.dumps(reply)
    except Exception as exc:  # noqa: BLE001 - e.g. a value of an unsendable type
        payload = protocol.dumps({"error": {"type": "EncodeError", "message": str(exc)[:500]}})
    channel.sendall(protocol._HEADER.pack(len(payload)) + payload)


if __name__ == "__main__":  # spawn mode: python -m sheetgrade.graders.sandbox.child FD JSON
    import json

    _channel = socket.socket(fileno=int(sys.argv[1]))
    child_main(_channel, json.loads(sys.argv[2]))

"""Confinement of a grading child: each layer, checked in a real forked child."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sheetgrade.graders.sandbox import landlock, seccomp
from sheetgrade.graders.sandbox.confine import Limits, confine, default_read_paths

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not sys.platform.startswith("linux"),
    reason="confinement layers are Linux-only; elsewhere confine() only reports",
)

MIB = 1 << 20


@dataclass
class Outcome:
    """What happened in the child: the layers, the probe's value, the exit."""

    layers: dict[str, str]
    value: Any
    status: int  # os.waitstatus_to_exitcode: negative = killed by signal


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def run_confined(
    scratch: Path, probe: Callable[[], Any], limits: Limits | None = None, timeout: float = 10
) -> Outcome:
    """Fork, confine the child as the engine does, run ``probe`` there.

    The probe's return value (or ``"<ExcType>: message"``) comes back as JSON
    over a pipe opened before confinement.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_fd)
            os.setsid()
            os.chdir(scratch)
            chosen = limits or Limits(address_space=_vm_size() + 512 * MIB, cpu_seconds=5)
            layers = confine(scratch, chosen)
            os.write(write_fd, (json.dumps({"layers": layers}) + "\n").encode())
            try:
                value = probe()
            except BaseException as exc:  # noqa: BLE001 - report it to the parent
                value = f"{type(exc).__name__}: {exc}"
            os.write(write_fd, (json.dumps({"value": value}, default=repr) + "\n").encode())
        except BaseException:  # noqa: BLE001
            code = 70
        finally:
            os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        status = os.waitpid(pid, os.WNOHANG)
        if status[0]:
            break
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError("confined child did not finish in time")
        time.sleep(0.01)
    while data := os.read(read_fd, 65536):
        chunks.append(data)
    os.close(read_fd)
    lines = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
    layers = lines[0]["layers"] if lines else {}
    value = lines[1]["value"] if len(lines) > 1 else None
    return Outcome(layers, value, os.waitstatus_to_exitcode(status[1]))


def _require(outcome: Outcome, layer: str) -> None:
    if not outcome.layers.get(layer, "").startswith("on"):
        pytest.skip(f"{layer} not active here: {outcome.layers.get(layer)}")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    path = tmp_path / "scratch"
    path.mkdir()
    return path


def test_layers_are_reported(scratch: Path) -> None:
    outcome = run_confined(scratch, lambda: None)
    assert list(outcome.layers) == ["rlimits", "capabilities", "landlock", "seccomp"]
    assert outcome.layers["rlimits"] == "on"
    if landlock.abi_version() >= 1:
        assert outcome.layers["landlock"].startswith("on (ABI ")
    if platform.machine() in ("x86_64", "aarch64"):
        assert outcome.layers["seccomp"] == "on"
    assert outcome.status == 0


def test_big_allocation_becomes_memory_error(scratch: Path) -> None:
    def probe() -> str:
        try:
            np.ones(4 * 1024 * MIB // 8)
        except MemoryError:
            return "MemoryError"
        return "allocated"

    outcome = run_confined(scratch, probe)
    assert outcome.value == "MemoryError"


def test_cpu_limit_kills_busy_loop(scratch: Path) -> None:
    def probe() -> None:
        while True:
            pass

    limits = Limits(address_space=None, cpu_seconds=1)
    start = time.monotonic()
    outcome = run_confined(scratch, probe, limits, timeout=10)
    assert outcome.status in (-signal.SIGXCPU, -signal.SIGKILL)
    assert time.monotonic() - start < 5


def test_file_size_limit(scratch: Path) -> None:
    def probe() -> str:
        with open("big.bin", "wb") as out:
            out.write(b"x" * (2 * MIB))
        return "written"

    outcome = run_confined(scratch, probe, Limits(address_space=None, file_size=1 * MIB))
    assert outcome.value.startswith("OSError") and "File too large" in outcome.value
    assert (scratch / "big.bin").stat().st_size <= 1 * MIB


def test_open_files_limit(scratch: Path) -> None:
    def probe() -> str:
        files = [open(os.devnull) for _ in range(100)]
        return f"opened {len(files)}"

    outcome = run_confined(scratch, probe, Limits(address_space=None, open_files=32))
    assert outcome.value.startswith("OSError") and "Too many open files" in outcome.value


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK])
def test_network_sockets_fail(scratch: Path, family: int) -> None:
    outcome = run_confined(scratch, lambda: repr(socket.socket(family)))
    _require(outcome, "seccomp")
    assert outcome.value.startswith("PermissionError")


def test_unix_sockets_work(scratch: Path) -> None:
    def probe() -> str:
        a, b = socket.socketpair()
        a.sendall(b"ping")
        server = socket.socket(socket.AF_UNIX)
        server.bind("sock")  # a pathname socket inside the scratch dir
        return b.recv(4).decode()

    outcome = run_confined(scratch, probe)
    assert outcome.value == "ping"


def test_connect_to_outside_unix_socket_fails(scratch: Path, tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "grader.sock"))
    server.listen(1)

    def probe() -> str:
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(tmp_path / "grader.sock"))
        return "connected"

    try:
        outcome = run_confined(scratch, probe)
    finally:
        server.close()
    assert outcome.value.startswith("PermissionError")


def test_fork_fails(scratch: Path) -> None:
    outcome = run_confined(scratch, lambda: os.fork())
    _require(outcome, "seccomp")
    assert outcome.value.startswith("PermissionError")


def test_subprocess_and_exec_fail(scratch: Path) -> None:
    def probe() -> list[str]:
        results = []
        for attempt in (
            lambda: subprocess.run(["true"], check=False),
            lambda: os.posix_spawn("/bin/true", ["true"], {}),
            lambda: os.execv("/bin/true", ["true"]),
            lambda: os.system("true"),
        ):
            try:
                results.append(repr(attempt()))
            except OSError as exc:
                results.append(type(exc).__name__)
        return results

    outcome = run_confined(scratch, probe)
    _require(outcome, "seccomp")
    assert outcome.value[:3] == ["PermissionError"] * 3
    assert outcome.value[3] != "0"  # os.system cannot run the shell


def test_reading_outside_allowed_paths_fails(scratch: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "hidden_tests.py").write_text("EXPECTED = 42\n")

    def probe() -> list[str]:
        results = []
        for target in (bundle / "hidden_tests.py", Path("/etc/hostname"), tmp_path):
            try:
                results.append(repr(target.read_text() if target.is_file() else os.listdir(target)))
            except OSError as exc:
                results.append(type(exc).__name__)
        return results

    outcome = run_confined(scratch, probe)
    _require(outcome, "landlock")
    assert outcome.value == ["PermissionError"] * 3


def test_parent_memory_is_unreadable(scratch: Path) -> None:
    def probe() -> str:
        with open(f"/proc/{os.getppid()}/mem", "rb") as mem:
            return repr(mem.read(1))

    outcome = run_confined(scratch, probe)
    _require(outcome, "landlock")
    assert outcome.value.startswith("PermissionError")


def test_writing_outside_scratch_fails(scratch: Path, tmp_path: Path) -> None:
    existing = tmp_path / "results.json"
    existing.write_text("{}")

    def probe() -> list[str]:
        results = []
        for attempt in (
            lambda: (tmp_path / "new.txt").write_text("x"),
            lambda: existing.write_text('{"points": 100}'),
            lambda: os.truncate(existing, 0),
            lambda: existing.unlink(),
            lambda: os.chmod(existing, 0),
            lambda: os.utime(existing, (0, 0)),
            lambda: os.rename(existing, scratch / "stolen.json"),
            lambda: (scratch / "inside.txt").write_text("fine"),
        ):
            try:
                attempt()
                results.append("ok")
            except OSError as exc:
                results.append(type(exc).__name__)
        return results

    before = existing.stat()
    outcome = run_confined(scratch, probe)
    _require(outcome, "landlock")
    assert outcome.value[:-1] == ["PermissionError"] * 7, outcome.value
    assert outcome.value[-1] == "ok"
    assert not (tmp_path / "new.txt").exists()
    after = existing.stat()
    assert existing.read_text() == "{}"
    assert (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)


def test_signalling_the_parent_fails(scratch: Path) -> None:
    def probe() -> list[str]:
        results = []
        for attempt in (
            lambda: os.kill(os.getppid(), 0),
            lambda: os.kill(os.getppid(), signal.SIGTERM),
            lambda: os.kill(-1, signal.SIGTERM),
            lambda: os.killpg(os.getpgid(os.getppid()), signal.SIGTERM),
            lambda: signal.pthread_kill(threading.get_ident(), 0),
            lambda: os.kill(os.getpid(), 0),
        ):
            try:
                attempt()
                results.append("ok")
            except OSError as exc:
                results.append(type(exc).__name__)
        return results

    outcome = run_confined(scratch, probe)
    _require(outcome, "seccomp")
    assert outcome.value == ["PermissionError"] * 4 + ["ok", "ok"]


def test_ptrace_and_process_vm_read_fail(scratch: Path) -> None:
    def probe() -> list[int]:
        libc = ctypes.CDLL(None, use_errno=True)
        ptrace_attach = 16  # PTRACE_ATTACH, include/uapi/linux/ptrace.h
        results = [libc.ptrace(ptrace_attach, os.getppid(), None, None), ctypes.get_errno()]
        return results

    outcome = run_confined(scratch, probe)
    _require(outcome, "seccomp")
    assert outcome.value == [-1, 1]  # EPERM


def test_limits_cannot_be_raised(scratch: Path) -> None:
    import resource

    def probe() -> str:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        return "raised"

    outcome = run_confined(scratch, probe)
    assert not outcome.value == "raised"


def test_threads_still_work(scratch: Path) -> None:
    def probe() -> list[int]:
        results: list[int] = []
        workers = [threading.Thread(target=results.append, args=(i,)) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return sorted(results)

    outcome = run_confined(scratch, probe)
    assert outcome.value == [0, 1, 2, 3]


def test_numpy_and_lazy_imports_work(scratch: Path) -> None:
    def probe() -> list[float]:
        import scipy.special  # lazily imported after confinement

        rng = np.random.default_rng(0)
        a = rng.normal(size=(50, 50))
        np.save("a.npy", a)
        b = np.load("a.npy")
        return [float(np.linalg.svd(b, compute_uv=False)[0] > 0), float(scipy.special.gamma(5))]

    outcome = run_confined(scratch, probe)
    assert outcome.value == [1.0, 24.0]


def test_missing_layer_degrades(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)

    def broken() -> str:
        raise OSError("no seccomp here")

    monkeypatch.setattr(seccomp, "install", broken)
    outcome = run_confined(scratch, lambda: "ran")
    assert outcome.layers["landlock"].startswith("unavailable")
    assert outcome.layers["seccomp"] == "unavailable: OSError: no seccomp here"
    assert outcome.layers["rlimits"] == "on"
    assert outcome.value == "ran"


def test_default_read_paths_exclude_the_scratch_parent(tmp_path: Path) -> None:
    paths = default_read_paths()
    assert Path("/") not in paths
    assert all(not str(tmp_path).startswith(str(p) + os.sep) for p in paths)


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_filter_assembles_for_both_architectures(machine: str) -> None:
    prog = seccomp.build_filter(machine, pid=1234, pgrp=1234)
    assert 100 < len(prog) < 4096  # BPF_MAXINSNS
    assert prog[-1].k == 0x7FFF0000  # default: allow
    assert all(0 <= insn.jt < 256 and 0 <= insn.jf < 256 for insn in prog)


def test_unsupported_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported architecture"):
        seccomp.build_filter("riscv64", pid=1, pgrp=1)


def test_limits_is_a_small_value_object() -> None:
    limits = replace(Limits(), cpu_seconds=3)
    assert limits.cpu_seconds == 3 and limits.read_paths == ()

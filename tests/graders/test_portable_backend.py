"""The portable backend: chosen by SHEETGRADE_BACKEND or where the fork server
cannot run, grading and checking through it, and its Windows Job Object."""

from __future__ import annotations

import ctypes
import errno
import json
import socket
import sys
from pathlib import Path

import pytest

from sheetgrade.graders.sandbox import backend, winjob

from .conftest import BROKEN, CORRECT, PARTIAL, AddSubmission, write_bundle, write_public_tests
from .test_grade_cli import results_of


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sheetgrade.graders.validate import validate_build

    tmp_path = tmp_path_factory.mktemp("portable")
    bundle = write_bundle(tmp_path / "course")
    report = validate_build(None, bundle)
    assert report.ok, report.failures
    folder = tmp_path / "course" / "build" / "01-pca" / "student"
    write_public_tests(folder, report.recorded_reference)
    return folder


def _notebook(folder: Path, cells: list[str]) -> Path:
    from sheetgrade.graders.notebook import new_notebook

    path = folder / "pca.ipynb"
    path.write_text(new_notebook(cells))
    return path


@pytest.fixture
def no_seqpacket(monkeypatch: pytest.MonkeyPatch) -> None:
    """What macOS answers: no SOCK_SEQPACKET socket pairs."""
    real = socket.socketpair

    def socketpair(family=socket.AF_UNIX, type=socket.SOCK_STREAM, proto=0):  # noqa: A002
        if type == socket.SOCK_SEQPACKET:
            raise OSError(errno.EPROTONOSUPPORT, "Protocol not supported")
        return real(family, type, proto)

    monkeypatch.setattr(socket, "socketpair", socketpair)


def test_auto_uses_fork_on_linux_and_portable_where_it_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SHEETGRADE_BACKEND", raising=False)
    if backend.fork_unavailable() is None:
        with backend.open_backend(preload=False) as chosen:
            assert chosen.name == "fork"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert backend.fork_unavailable() == "the fork server needs Linux; this is darwin"
    with backend.open_backend(preload=False) as chosen:
        assert chosen.name == "portable"


def test_check_falls_back_to_portable_when_the_fork_server_fails(
    run_cli, student_dir: Path, no_seqpacket: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetgrade.graders.local_check import check_notebook

    monkeypatch.delenv("SHEETGRADE_BACKEND", raising=False)
    report = check_notebook(_notebook(student_dir, CORRECT))
    assert report.passed
    assert report.layers["backend"] == "portable"
    result = run_cli("check", str(_notebook(student_dir, CORRECT)))
    assert result.exit_code == 0, result.output


def test_forcing_fork_where_it_cannot_run_is_one_clean_line(
    run_cli, student_dir: Path, no_seqpacket: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETGRADE_BACKEND", "fork")
    result = run_cli("check", str(_notebook(student_dir, CORRECT)))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: SHEETGRADE_BACKEND=fork, but the fork backend is not available here (it could "
        "not start: [Errno 93] Protocol not supported); unset SHEETGRADE_BACKEND or set it to "
        "portable\n"
    )
    monkeypatch.setattr(sys, "platform", "win32")
    result = run_cli("check", str(_notebook(student_dir, CORRECT)))
    assert result.exit_code == 1
    assert "(the fork server needs Linux; this is win32)" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_backend_name_is_refused(
    run_cli, student_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETGRADE_BACKEND", "docker")
    result = run_cli("check", str(_notebook(student_dir, CORRECT)))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: SHEETGRADE_BACKEND='docker' is not a backend; use one of auto, fork, portable\n"
    )


def test_portable_check_reports_layers(student_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheetgrade.graders.local_check import check_notebook

    monkeypatch.setenv("SHEETGRADE_BACKEND", "portable")
    report = check_notebook(_notebook(student_dir, PARTIAL))
    assert report.layers["backend"] == "portable"
    if sys.platform.startswith("linux"):
        # the portable child on Linux applies every layer the fork child does
        assert report.layers["rlimits"] == "on"
        assert {"seccomp", "landlock", "capabilities"} <= set(report.layers)
    assert not report.passed
    assert [t.task.id for t in report.tasks if t.passed] == ["1b"]


def test_grading_through_the_portable_backend(
    run_cli,
    graded_course: Path,
    add_submission: AddSubmission,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHEETGRADE_BACKEND", "portable")
    good = add_submission("s001", CORRECT)
    part = add_submission("s002", PARTIAL)
    bad = add_submission("s003", BROKEN)
    loop = add_submission("s004", [*CORRECT, "while True:\n    pass\n"])
    memory = add_submission("s005", ["import numpy as np\nbig = np.ones(10**10)\n", *CORRECT])
    exits = add_submission("s006", ["import os\nos._exit(0)\n", *CORRECT])
    result = run_cli(
        "grade", "01", "--jobs", "2", "--timeout", "8s", "--memory", "1GiB", course=graded_course
    )
    assert result.exit_code == 1, result.output
    res = results_of(graded_course)
    assert res[good]["status"] == "graded" and res[good]["points"] == 6, (
        res[good]["message"],
        {k: v["message"] for k, v in res[good]["tests"].items()},
    )
    assert "mean is 2.5" in res[good]["stdout"]
    assert res[part]["points"] == 2
    assert res[bad]["points"] == 2 and "RuntimeError" in res[bad]["stdout"]
    assert res[loop]["status"] == "timeout" and res[loop]["points"] == 0
    assert res[memory]["status"] == "memory" and res[memory]["points"] == 6
    assert res[exits]["status"] == "crashed"
    for sha in (good, part, bad, loop, memory, exits):
        assert json.loads(res[sha]["layers"])["backend"] == "portable"


# ------------------------------------------------------------ Windows Job Object


class FakeKernel32:
    """Records the Job Object calls the portable backend makes on Windows."""

    def __init__(self, fail: str = "") -> None:
        self.fail = fail
        self.calls: list[tuple[str, object]] = []
        self.info: winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION | None = None

    def CreateJobObjectW(self, *_args: object) -> int:  # noqa: N802 - the Win32 names
        self.calls.append(("create", None))
        return 0 if self.fail == "create" else 42

    def SetInformationJobObject(self, job: int, cls: int, ref: object, size: int) -> int:  # noqa: N802
        self.info = winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.from_buffer_copy(
            ctypes.string_at(ctypes.addressof(ref._obj), size)  # type: ignore[attr-defined]
        )
        self.calls.append(("set", (job, cls, size)))
        return 1

    def AssignProcessToJobObject(self, job: int, process: int) -> int:  # noqa: N802
        self.calls.append(("assign", (job, process)))
        return 0 if self.fail == "assign" else 1

    def TerminateJobObject(self, job: int, code: int) -> int:  # noqa: N802
        self.calls.append(("terminate", (job, code)))
        return 1

    def CloseHandle(self, job: int) -> int:  # noqa: N802
        self.calls.append(("close", job))
        return 1


class FakeProcess:
    _handle = 7


def test_job_object_limits_memory_cpu_and_processes() -> None:
    # the layout Windows x64 expects (winnt.h): 64 + 48 + 4 * 8 bytes
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144
    k32 = FakeKernel32()
    job, status = winjob.confine_process(FakeProcess(), memory=1 << 30, cpu=61, kernel32=k32)
    assert status == "on (memory 1024 MiB, CPU 61 s, no child processes)"
    assert [c[0] for c in k32.calls] == ["create", "set", "assign"]
    assert k32.calls[1][1] == (42, 9, ctypes.sizeof(winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION))
    assert k32.calls[2][1] == (42, 7)
    assert k32.info is not None
    basic = k32.info.BasicLimitInformation
    assert basic.LimitFlags == 0x2000 | 0x400 | 0x8 | 0x100 | 0x2
    assert k32.info.ProcessMemoryLimit == 1 << 30
    assert basic.PerProcessUserTimeLimit == 61 * 10_000_000
    assert basic.ActiveProcessLimit == 1
    winjob.terminate(job)
    winjob.close(job)
    assert k32.calls[-2:] == [("terminate", (42, 137)), ("close", 42)]


@pytest.mark.parametrize("fail", ["create", "assign"])
def test_job_object_failure_is_recorded_as_none(fail: str) -> None:
    k32 = FakeKernel32(fail=fail)
    job, status = winjob.confine_process(FakeProcess(), memory=None, cpu=None, kernel32=k32)
    assert job is None
    assert status.startswith("none: ")
    if fail == "assign":
        assert ("close", 42) in k32.calls


def test_job_object_off_windows_is_none() -> None:
    if sys.platform == "win32":
        pytest.skip("on Windows the real kernel32 is used")
    _job, status = winjob.confine_process(FakeProcess(), memory=1 << 30, cpu=10)
    assert status == "none: OSError: not Windows"

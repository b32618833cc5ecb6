"""Windows Job Objects through ctypes: the portable backend's confinement on Windows.

The grader creates one job per student process and assigns the process to it
before sending the first request, so no student line runs outside it:

- ``JOB_OBJECT_LIMIT_PROCESS_MEMORY``: committed memory (the address-space limit);
- ``JOB_OBJECT_LIMIT_PROCESS_TIME``: user-mode CPU time (the CPU limit);
- ``JOB_OBJECT_LIMIT_ACTIVE_PROCESS`` = 1: the student code starts no process;
- ``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE``: closing the job (or the grader dying)
  kills the process; ``JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION``: no error dialog.

Structures and constants follow the Win32 documentation of
``JOBOBJECT_EXTENDED_LIMIT_INFORMATION`` (winnt.h). Everything else in the
portable backend works without this module; if any call fails, the layer is
recorded as ``"none: <reason>"`` and checking goes on.
"""

from __future__ import annotations

import ctypes
from ctypes import wintypes
from typing import Any

JOB_OBJECT_LIMIT_PROCESS_TIME = 0x00000002
JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x00000100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
TICKS_PER_SECOND = 10_000_000  # the limits count 100-ns intervals


DWORD = ctypes.c_uint32  # 32 bits on Windows (wintypes.DWORD follows the host's long)


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):  # noqa: N801 - the Win32 name
    _fields_ = [
        ("PerProcessUserTimeLimit", ctypes.c_int64),
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", DWORD),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", DWORD),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", DWORD),
        ("SchedulingClass", DWORD),
    ]


class IO_COUNTERS(ctypes.Structure):  # noqa: N801
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in (
            "ReadOperationCount",
            "WriteOperationCount",
            "OtherOperationCount",
            "ReadTransferCount",
            "WriteTransferCount",
            "OtherTransferCount",
        )
    ]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):  # noqa: N801
    _fields_ = [
        ("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION),
        ("IoInfo", IO_COUNTERS),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    ]


def limit_information(memory: int | None, cpu: int | None) -> JOBOBJECT_EXTENDED_LIMIT_INFORMATION:
    """The job limits for ``memory`` bytes and ``cpu`` seconds (``None``: not limited)."""
    info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
    basic = info.BasicLimitInformation
    basic.LimitFlags = (
        JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
    )
    basic.ActiveProcessLimit = 1
    if memory:
        basic.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY
        info.ProcessMemoryLimit = int(memory)
    if cpu:
        basic.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_TIME
        basic.PerProcessUserTimeLimit = int(cpu) * TICKS_PER_SECOND
    return info


def describe(memory: int | None, cpu: int | None) -> str:
    """The layer status of a job with these limits."""
    parts = []
    if memory:
        parts.append(f"memory {memory // (1 << 20)} MiB")
    if cpu:
        parts.append(f"CPU {cpu} s")
    parts.append("no child processes")
    return f"on ({', '.join(parts)})"


def confine_process(
    process: Any, *, memory: int | None, cpu: int | None, kernel32: Any = None
) -> tuple[Any, str]:
    """Put ``process`` (a ``subprocess.Popen``) in a new job with the limits.

    Args:
        process: the started, not yet instructed, student process.
        memory: bytes of committed memory, or ``None``.
        cpu: seconds of user CPU time, or ``None``.
        kernel32: the ``kernel32`` library (tests pass a stand-in).

    Returns:
        ``(job handle or None, layer status)``; the status is ``"none: <reason>"``
        when the job could not be set up, and the process then runs without it.
    """
    try:
        k32 = kernel32 if kernel32 is not None else _kernel32()
        job = k32.CreateJobObjectW(None, None)
        if not job:
            return None, f"none: CreateJobObjectW failed ({_last_error()})"
        info = limit_information(memory, cpu)
        if not k32.SetInformationJobObject(
            job,
            JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
            ctypes.byref(info),
            ctypes.sizeof(info),
        ):
            reason = f"SetInformationJobObject failed ({_last_error()})"
            k32.CloseHandle(job)
            return None, f"none: {reason}"
        handle = int(getattr(process, "_handle", 0))
        if not k32.AssignProcessToJobObject(job, handle):
            reason = f"AssignProcessToJobObject failed ({_last_error()})"
            k32.CloseHandle(job)
            return None, f"none: {reason}"
    except Exception as exc:  # noqa: BLE001 - checking goes on without the layer
        return None, f"none: {type(exc).__name__}: {exc}"
    return _Job(job, k32), describe(memory, cpu)


class _Job:
    def __init__(self, handle: Any, kernel32: Any) -> None:
        self.handle = handle
        self.kernel32 = kernel32


def terminate(job: _Job) -> None:
    """Kill every process in the job."""
    job.kernel32.TerminateJobObject(job.handle, 137)


def close(job: _Job) -> None:
    """Close the job handle (which kills what is left in it)."""
    job.kernel32.CloseHandle(job.handle)


def _kernel32() -> Any:
    windll: Any = getattr(ctypes, "WinDLL", None)
    if windll is None:
        raise OSError("not Windows")
    k32 = windll("kernel32", use_last_error=True)
    k32.CreateJobObjectW.restype = wintypes.HANDLE
    k32.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
    k32.SetInformationJobObject.restype = wintypes.BOOL
    k32.SetInformationJobObject.argtypes = [
        wintypes.HANDLE,
        ctypes.c_int,
        ctypes.c_void_p,
        wintypes.DWORD,
    ]
    k32.AssignProcessToJobObject.restype = wintypes.BOOL
    k32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    k32.TerminateJobObject.restype = wintypes.BOOL
    k32.TerminateJobObject.argtypes = [wintypes.HANDLE, wintypes.UINT]
    k32.CloseHandle.restype = wintypes.BOOL
    k32.CloseHandle.argtypes = [wintypes.HANDLE]
    return k32


def _last_error() -> str:
    get = getattr(ctypes, "get_last_error", None)
    return f"error {get()}" if get else "error unknown"

"""Landlock restrictions for a grading child, in pure ctypes.

:func:`restrict` probes the Landlock ABI, creates a ruleset that handles every
file-system right the kernel knows (plus TCP bind/connect from ABI 4 and the
abstract-UNIX-socket and signal scopes from ABI 6), allows reading the given
paths and reading and writing below the scratch directory, and enforces it on
the calling thread with ``landlock_restrict_self``. Everything else is denied:
the course directory, the sheet bundle with hidden tests and the reference,
``/proc/<ppid>``, ``/tmp``, TCP, signals to processes outside the sandbox.

Landlock restricts only the calling thread (before ABI 8), so it must be
applied while the child is single-threaded; threads created afterwards inherit
the restriction. It needs ``no_new_privs`` (set by
:func:`sheetgrade.graders.sandbox.seccomp.set_no_new_privs`) unless the caller has
``CAP_SYS_ADMIN``.

Constants come from ``include/uapi/linux/landlock.h`` and the Landlock
user-space API documentation (Documentation/userspace-api/landlock.rst); the
syscall numbers (444, 445, 446) are the same on every architecture
(``include/uapi/asm-generic/unistd.h``, ``syscall_64.tbl``).
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["abi_version", "restrict"]

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446

_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1

# File-system access rights and the ABI that introduced them.
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
# Network rights (ABI 4).
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
# Scopes (ABI 6).
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
# Rights that may be granted on a regular file (others are directory rights).
_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    # struct landlock_ruleset_attr; the kernel accepts a larger struct whose
    # unknown trailing fields are zero, so older ABIs read what they know.
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    # struct landlock_path_beneath_attr { __u64 allowed_access;
    #                                     __s32 parent_fd; } __packed
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """Return the kernel's Landlock ABI version, or 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    version = libc.syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(version), 0)


def handled_fs(abi: int) -> int:
    """File-system rights a ruleset can handle at Landlock ABI ``abi``."""
    rights = _FS_ABI1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def restrict(scratch: Path, read_paths: Sequence[Path]) -> str:
    """Restrict the calling thread to reading ``read_paths`` and using ``scratch``.

    Args:
        scratch: directory the child may read, write, create and delete in.
        read_paths: files and directories the child may read (directories:
            list and read everything beneath).

    Returns:
        ``"on (ABI n)"``, with notes on rules that could not be added, or
        ``"unavailable: <reason>"``; never raises for a missing feature.
    """
    abi = abi_version()
    if abi <= 0:
        err = ctypes.get_errno()
        reason = os.strerror(err) if err else "no Landlock"
        if not sys.platform.startswith("linux"):
            reason = f"not Linux ({sys.platform})"
        return f"unavailable: {reason}"
    notes: list[str] = []
    threads = _thread_count()
    if threads > 1:
        notes.append(f"{threads - 1} earlier threads not restricted")

    fs = handled_fs(abi)
    attr = _RulesetAttr(fs, 0, 0)
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP  # no rules: no TCP
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    libc = _libc()
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return f"unavailable: landlock_create_ruleset: {os.strerror(ctypes.get_errno())}"
    try:
        read_dir = FS_READ_FILE | FS_READ_DIR
        write_all = fs & ~(FS_EXECUTE | FS_MAKE_CHAR | FS_MAKE_BLOCK)
        for path in read_paths:
            extra = 0
            if str(path) in ("/dev/null", "/dev/zero"):
                # open(os.devnull, "w") is common and changes nothing.
                extra = FS_WRITE_FILE | FS_TRUNCATE
            _add_rule(libc, ruleset, path, (read_dir | extra) & fs, notes)
        _add_rule(libc, ruleset, Path(scratch), write_all, notes)
        if libc.syscall(_SYS_RESTRICT_SELF, ruleset, 0) != 0:
            return f"unavailable: landlock_restrict_self: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset)
    detail = f"ABI {abi}"
    if notes:
        detail += "; " + "; ".join(notes)
    return f"on ({detail})"


def _add_rule(libc: ctypes.CDLL, ruleset: int, path: Path, access: int, notes: list[str]) -> None:
    """Allow ``access`` beneath ``path``; record a note if that fails."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError as exc:
        notes.append(f"skipped {path}: {exc.strerror}")
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_RIGHTS
        rule = _PathBeneathAttr(access, fd)
        if libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            notes.append(f"rule for {path} failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1

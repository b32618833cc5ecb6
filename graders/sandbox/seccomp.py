"""Seccomp syscall filter for a grading child, in pure ctypes.

:func:`install` assembles a classic BPF program (``struct sock_filter``) and
loads it with ``seccomp(SECCOMP_SET_MODE_FILTER)`` after
``prctl(PR_SET_NO_NEW_PRIVS)``, which makes it work unprivileged. The filter
is a deny list: every syscall is allowed except those below, which fail with
``EPERM`` (``clone3`` with ``ENOSYS`` so that libc falls back to ``clone``):

* processes: ``fork``, ``vfork``, ``clone`` without ``CLONE_THREAD`` (threads
  stay allowed), ``execve``, ``execveat``, ``setsid``, ``setpgid``,
  ``unshare``, ``setns``;
* other processes: ``ptrace``, ``process_vm_readv/writev``, ``kcmp``,
  ``pidfd_open/getfd/send_signal``, ``process_madvise``, ``tkill``;
  ``kill``/``tgkill``/``rt_(tg)sigqueueinfo`` unless aimed at the child itself
  (or its own process group); ``setpriority``, ``ioprio_set`` and the
  ``sched_set*`` calls (they can reach other processes of the same user);
* network: ``socket``/``socketpair`` unless ``AF_UNIX`` stream or seqpacket;
  ``connect`` (pathname UNIX sockets outside are not covered by Landlock
  below ABI 9); ``sendto`` with an address;
* limits and privileges: ``setrlimit``, ``prlimit64`` with a new limit,
  ``capset``, ``personality`` other than the query;
* file metadata, which Landlock does not cover: ``chmod``/``chown``/``utime``
  families and extended-attribute writes;
* kernel interfaces an exercise never needs: mounts, ``bpf``, keyrings,
  ``perf_event_open``, ``userfaultfd``, ``io_uring`` (its requests would
  bypass this filter), modules, ``kexec``, ``reboot``, swap, clocks, host
  names, ``syslog``, quotas, file handles, ``fanotify_init``;
* ``ioctl(TIOCSTI)`` (typing into a terminal the child inherited);
* state that would outlive the child or escape its memory limit: SysV shared
  memory, semaphores and message queues, POSIX message queues,
  ``memfd_create`` and ``memfd_secret``;
* ``mkdir``/``mkdirat`` without the owner's ``rwx`` bits and a ``umask`` that
  clears them (a directory the grader cannot list would hide files from its
  disk count);
* syscalls of other ABIs (x32, i386) and numbers above :data:`.syscalls.MAX_KNOWN_NR`
  (unknown future syscalls: ``ENOSYS``).

Constants come from the Linux UAPI headers: ``include/uapi/linux/seccomp.h``
(``SECCOMP_*``, ``struct seccomp_data``), ``include/uapi/linux/filter.h`` and
``bpf_common.h`` (BPF opcodes), ``include/uapi/linux/audit.h``
(``AUDIT_ARCH_*``), ``include/uapi/linux/prctl.h`` (``PR_SET_NO_NEW_PRIVS``),
``include/uapi/linux/sched.h`` (``CLONE_THREAD``); the syscall numbers and
the deny list are in :mod:`.syscalls`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass

from sheetgrade.graders.sandbox.syscalls import DENY, MAX_KNOWN_NR, NR

__all__ = ["install", "set_no_new_privs", "build_filter"]

# include/uapi/linux/prctl.h
_PR_SET_NO_NEW_PRIVS = 38
_PR_GET_NO_NEW_PRIVS = 39
# include/uapi/linux/seccomp.h
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer;
#                       __u64 args[6]; }
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARGS = 16
# include/uapi/linux/bpf_common.h: BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K,
# BPF_JMP|BPF_JGE|BPF_K, BPF_JMP|BPF_JGT|BPF_K, BPF_JMP|BPF_JSET|BPF_K,
# BPF_ALU|BPF_AND|BPF_K, BPF_RET|BPF_K
_LD_ABS = 0x20
_JEQ = 0x15
_JGE = 0x35
_JGT = 0x25
_JSET = 0x45
_AND = 0x54
_RET = 0x06
# include/uapi/linux/audit.h: EM_X86_64 / EM_AARCH64 | __AUDIT_ARCH_64BIT |
# __AUDIT_ARCH_LE
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# arch/x86/include/uapi/asm/unistd.h: __X32_SYSCALL_BIT
_X32_SYSCALL_BIT = 0x40000000
# include/uapi/linux/sched.h
_CLONE_THREAD = 0x00010000
# include/linux/socket.h, include/linux/net.h (SOCK_STREAM, SOCK_SEQPACKET,
# SOCK_TYPE_MASK)
_AF_UNIX = 1
_SOCK_STREAM = 1
_SOCK_SEQPACKET = 5
_SOCK_TYPE_MASK = 0xF
# include/uapi/asm-generic/ioctls.h (x86 and arm64 use the generic values)
_TIOCSTI = 0x5412
# personality(0xffffffff) queries the persona without changing it
_PERSONALITY_QUERY = 0xFFFFFFFF
# Directories must stay listable by the grader (its disk count walks them):
# mkdir only with the owner's rwx bits, and a umask that keeps them.
_OWNER_RWX = 0o700


@dataclass(frozen=True)
class Insn:
    """One classic BPF instruction (``struct sock_filter``)."""

    code: int
    jt: int = 0
    jf: int = 0
    k: int = 0


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _ret_errno(err: int) -> Insn:
    return Insn(_RET, k=_SECCOMP_RET_ERRNO | (err & 0xFFFF))


_ALLOW = Insn(_RET, k=_SECCOMP_RET_ALLOW)
_EPERM = _ret_errno(errno.EPERM)


def _ld_arg(index: int, high: bool = False) -> Insn:
    """Load the low (or high) 32 bits of syscall argument ``index``."""
    return Insn(_LD_ABS, k=_OFF_ARGS + 8 * index + (4 if high else 0))


def _ld_nr() -> Insn:
    return Insn(_LD_ABS, k=_OFF_NR)


def _allow_if_arg_in(index: int, values: list[int]) -> list[Insn]:
    """Body: allow if the low 32 bits of the argument are one of ``values``.

    Int-typed arguments (pids, families) are truncated to 32 bits by the
    kernel's syscall wrappers, so the low word is what the kernel sees.
    """
    n = len(values)
    body = [_ld_arg(index)]
    body += [Insn(_JEQ, jt=n - i, jf=0, k=v & 0xFFFFFFFF) for i, v in enumerate(values)]
    return [*body, _EPERM, _ALLOW]


def _allow_if_arg_zero(index: int) -> list[Insn]:
    """Body: allow if the (64-bit) argument is 0, e.g. a NULL pointer."""
    return [
        _ld_arg(index),
        Insn(_JEQ, jt=0, jf=2, k=0),
        _ld_arg(index, high=True),
        Insn(_JEQ, jt=1, jf=0, k=0),
        _EPERM,
        _ALLOW,
    ]


def _allow_if_bits(index: int, mask: int, value: int) -> list[Insn]:
    """Body: allow if ``argument & mask == value`` (low 32 bits)."""
    return [_ld_arg(index), Insn(_AND, k=mask), Insn(_JEQ, jt=1, jf=0, k=value), _EPERM, _ALLOW]


def _unix_socket_only() -> list[Insn]:
    """Body for socket/socketpair: AF_UNIX with a stream or seqpacket type."""
    return [
        _ld_arg(0),
        Insn(_JEQ, jt=0, jf=4, k=_AF_UNIX),
        _ld_arg(1),
        Insn(_AND, k=_SOCK_TYPE_MASK),
        Insn(_JEQ, jt=2, jf=0, k=_SOCK_STREAM),
        Insn(_JEQ, jt=1, jf=0, k=_SOCK_SEQPACKET),
        _EPERM,
        _ALLOW,
    ]


def _block(nr: int, body: list[Insn]) -> list[Insn]:
    """If the syscall number is ``nr`` run ``body`` (which must return)."""
    if len(body) > 255:
        raise ValueError("BPF block too long for a conditional jump")
    return [Insn(_JEQ, jt=0, jf=len(body), k=nr), *body]


def build_filter(machine: str, pid: int, pgrp: int) -> list[Insn]:
    """Assemble the filter program for one architecture.

    Args:
        machine: ``platform.machine()``: ``"x86_64"`` or ``"aarch64"``.
        pid: the child's own pid (signals to it stay allowed).
        pgrp: its process group; signals to the group are allowed only if the
            child leads it (after ``setsid`` it does).

    Returns:
        The instructions, ready for :func:`install`.

    Raises:
        ValueError: for an unsupported architecture.
    """
    if machine not in _AUDIT_ARCH:
        raise ValueError(f"unsupported architecture {machine}")
    col = 0 if machine == "x86_64" else 1

    def nr(name: str) -> int | None:
        return NR[name][col]

    return [
        *_prologue(machine),
        *_process_rules(nr, pid, pgrp),
        *_argument_rules(nr),
        _ALLOW,
    ]


def _prologue(machine: str) -> list[Insn]:
    """Refuse other ABIs and unknown syscall numbers; leave the number loaded."""
    prog = [
        Insn(_LD_ABS, k=_OFF_ARCH),
        Insn(_JEQ, jt=1, jf=0, k=_AUDIT_ARCH[machine]),
        _EPERM,  # another ABI (i386 via int 0x80, arm32 compat)
        _ld_nr(),
    ]
    if machine == "x86_64":
        prog += [Insn(_JGE, jt=0, jf=1, k=_X32_SYSCALL_BIT), _EPERM]
    prog += [Insn(_JGT, jt=0, jf=1, k=MAX_KNOWN_NR), _ret_errno(errno.ENOSYS)]
    return prog


def _known(nr: Callable[[str], int | None], name: str) -> int:
    """The number of a syscall both architectures have."""
    number = nr(name)
    assert number is not None
    return number


def _process_rules(nr: Callable[[str], int | None], pid: int, pgrp: int) -> list[Insn]:
    """The deny list, then clone (threads only) and the calls aimed at a pid."""
    prog: list[Insn] = []
    for name in DENY:
        number = nr(name)
        if number is not None:
            prog += _block(number, [_EPERM])

    prog += _block(_known(nr, "clone3"), [_ret_errno(errno.ENOSYS)])
    # clone(flags, ...) on both architectures: threads only.
    prog += _block(
        _known(nr, "clone"),
        [_ld_arg(0), Insn(_JSET, jt=1, jf=0, k=_CLONE_THREAD), _EPERM, _ALLOW],
    )

    own = [pid, 0] + ([-pid] if pgrp == pid else [])
    signal_rules = {
        "kill": own,  # kill(pid, sig)
        "tgkill": [pid],  # tgkill(tgid, tid, sig)
        "rt_sigqueueinfo": [pid],  # rt_sigqueueinfo(tgid, sig, info)
        "rt_tgsigqueueinfo": [pid],  # rt_tgsigqueueinfo(tgid, tid, sig, info)
        "sched_setaffinity": [0, pid],  # sched_setaffinity(pid, len, mask)
    }
    for name, allowed in signal_rules.items():
        prog += _block(_known(nr, name), _allow_if_arg_in(0, allowed))
    return prog


def _argument_rules(nr: Callable[[str], int | None]) -> list[Insn]:
    """Sockets, sendto, prlimit64, personality, ioctl, mkdir and umask by argument."""
    prog: list[Insn] = []
    for name in ("socket", "socketpair"):
        prog += _block(_known(nr, name), _unix_socket_only())

    # sendto(fd, buf, len, flags, addr, alen)
    prog += _block(_known(nr, "sendto"), _allow_if_arg_zero(4))
    prog += _block(_known(nr, "prlimit64"), _allow_if_arg_zero(2))  # prlimit64(pid, res, new, old)
    prog += _block(_known(nr, "personality"), _allow_if_arg_in(0, [_PERSONALITY_QUERY]))
    prog += _block(
        _known(nr, "ioctl"),
        [_ld_arg(1), Insn(_JEQ, jt=0, jf=1, k=_TIOCSTI), _EPERM, _ALLOW],
    )
    for name, mode_arg in (
        ("mkdir", 1),
        ("mkdirat", 2),
    ):  # mkdir(path, mode), mkdirat(dfd, path, mode)
        number = nr(name)
        if number is not None:
            prog += _block(number, _allow_if_bits(mode_arg, _OWNER_RWX, _OWNER_RWX))
    prog += _block(_known(nr, "umask"), _allow_if_bits(0, _OWNER_RWX, 0))  # umask(mask)
    return prog


def _sock_filter_array(prog: list[Insn]) -> ctypes.Array[_SockFilter]:
    """The program as the ``struct sock_filter`` array seccomp(2) reads."""
    return (_SockFilter * len(prog))(*(_SockFilter(i.code, i.jt, i.jf, i.k) for i in prog))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def set_no_new_privs() -> bool:
    """Set ``PR_SET_NO_NEW_PRIVS`` (needed by seccomp and Landlock).

    Returns:
        True if the flag is set afterwards, False where unsupported.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(_PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)


# seccomp(2) syscall numbers (x86_64, aarch64)
_SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}


def install() -> str:
    """Install the filter on the calling process (all its threads).

    Returns:
        ``"on"`` or ``"unavailable: <reason>"``; never raises for a missing
        kernel feature.
    """
    if not sys.platform.startswith("linux"):
        return f"unavailable: not Linux ({sys.platform})"
    machine = platform.machine()
    if machine not in _AUDIT_ARCH:
        return f"unavailable: unsupported architecture {machine}"
    if not set_no_new_privs():
        return "unavailable: prctl(PR_SET_NO_NEW_PRIVS) failed"
    prog = build_filter(machine, os.getpid(), os.getpgrp())
    fprog = _SockFprog(len(prog), _sock_filter_array(prog))
    libc = _libc()
    for flags in (_SECCOMP_FILTER_FLAG_TSYNC, 0):
        rc = libc.syscall(
            _SYS_SECCOMP[machine], _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)
        )
        if rc == 0:
            return "on"
    err = ctypes.get_errno()
    return f"unavailable: seccomp(SECCOMP_SET_MODE_FILTER): {os.strerror(err)}"

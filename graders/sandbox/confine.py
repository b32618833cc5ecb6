"""Confinement of a grading child before the first student line runs.

The grading engine forks one child per submission from a warm worker. In the
child, after ``fork()``, ``setsid()`` and ``chdir(scratch)`` and before any
student code runs, it calls::

    from sheetgrade.graders.sandbox.confine import Limits, confine

    layers = confine(scratch, Limits(address_space=1 << 30, cpu_seconds=10))

Contract:

* ``confine`` must be called in the child, single-threaded (right after
  ``fork()`` only the forking thread exists). Landlock restricts only the
  calling thread, so threads started earlier would stay unconfined; if there
  are any, the ``landlock`` entry says so.
* It never raises for a missing kernel feature: each layer is applied if the
  platform supports it, and the returned dict maps layer name to ``"on"``,
  ``"on (<detail>)"`` or ``"unavailable: <reason>"``. The engine stores this
  dict on the submission result. Keys, in the order applied: ``rlimits``,
  ``capabilities``, ``seccomp``, ``landlock``.
* It is irreversible: the process cannot undo any layer (no raising of hard
  rlimits, no new privileges, no further syscalls of the denied kinds).
* After confinement the child can: read the paths in ``Limits.read_paths``
  (default: the Python installation, its site-packages, system library and a
  few ``/etc`` and ``/dev`` files; see :func:`default_read_paths`), read and
  write below ``scratch``, start threads, use UNIX sockets and pipes it already
  has, and signal itself. It cannot: fork, exec, ptrace, open non-UNIX sockets,
  bind or connect TCP, signal or read the memory of other processes, change
  rlimits, modes, owners or timestamps of files, or read anything else (the
  course directory, the sheet bundle with hidden tests and reference).
* Denied syscalls fail with ``EPERM`` (``PermissionError`` in Python), so
  student code sees an ordinary exception rather than a killed process.
  ``clone3`` fails with ``ENOSYS`` so that libc falls back to ``clone``, which
  is allowed for threads only.
* The engine must open everything the child needs from outside the scratch
  (the result pipe, the capped stdout file) *before* calling ``confine``: file
  descriptors that are already open keep working.

Layers, each implemented in its own module:

* rlimits (here): address space, CPU seconds, file size, open files, no core
  dumps, optionally the number of processes.
* capabilities (here): if the child holds capabilities (grading as root), it
  drops them all, so uid 0 cannot override file permissions or kill others.
* seccomp (:mod:`sheetgrade.graders.sandbox.seccomp`): a classic BPF syscall filter.
* landlock (:mod:`sheetgrade.graders.sandbox.landlock`): file system, TCP and scope
  restrictions.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import sys
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "confine", "default_read_paths"]

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits and read-only paths for one grading child.

    Attributes:
        address_space: RLIMIT_AS in bytes (virtual memory; a bigger allocation
            raises ``MemoryError``). ``None`` leaves it unlimited.
        cpu_seconds: RLIMIT_CPU in seconds; the kernel sends SIGXCPU at the
            soft limit and SIGKILL one second later. ``None``: unlimited.
        file_size: RLIMIT_FSIZE in bytes: the largest file the child may
            write (a write beyond fails with ``EFBIG``; SIGXFSZ is ignored).
        open_files: RLIMIT_NOFILE: highest file descriptor number plus one.
        processes: RLIMIT_NPROC, or ``None`` to leave it alone (it counts
            all processes of the user, so the grader's own count too;
            seccomp is what stops ``fork``).
        read_paths: extra paths (files or directories) the child may read,
            on top of :func:`default_read_paths`.
        hidden_paths: folders the child must never read, whatever the
            allow-list says (the course folder, ``build/``, the sheet
            bundle); see :func:`readable_set`. The package's example course is
            always hidden.
    """

    address_space: int | None = 2048 * MIB
    cpu_seconds: int | None = 60
    file_size: int | None = 64 * MIB
    open_files: int | None = 256
    processes: int | None = None
    read_paths: Sequence[Path] = field(default_factory=tuple)
    hidden_paths: Sequence[Path] = field(default_factory=tuple)


def default_read_paths() -> list[Path]:
    """Paths a confined Python child needs to read to keep working.

    The Python installation (``sys.prefix``, ``sys.base_prefix``, the
    ``sysconfig`` paths, absolute ``sys.path`` entries), the directories of
    sheetgrade's own library packages (but not its example course), system
    libraries, a few files under ``/etc`` (dynamic loader cache, time zone,
    locale aliases, fonts) and harmless devices. ``/proc/self`` resolves to
    the child's own ``/proc/<pid>`` when the rule is made, so other
    processes' ``/proc`` entries stay unreadable.

    The course directory and the sheet bundle must not lie beneath any of
    these paths; :func:`confine` also drops any path that contains the
    scratch directory.

    Returns:
        Existing paths only, deduplicated, in a stable order.
    """
    candidates: list[str] = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        *sysconfig.get_paths().values(),
        # The warm worker runs with -E: no PYTHONPATH entries reach this list.
        *(p for p in sys.path if p and os.path.isabs(p)),
        *_sheetgrade_package_dirs(),
        "/usr",
        "/lib",
        "/lib64",
        "/lib32",
        "/bin",
        "/opt/conda",
        "/etc/ld.so.cache",
        "/etc/localtime",
        "/etc/timezone",
        "/etc/locale.alias",
        "/etc/fonts",
        "/etc/mime.types",
        "/dev/null",
        "/dev/zero",
        "/dev/urandom",
        "/dev/random",
        "/proc/self",
        "/proc/cpuinfo",
        "/proc/meminfo",
        "/sys/devices/system/cpu",
        "/sys/fs/cgroup/cpu",
    ]
    seen: set[str] = set()
    out: list[Path] = []
    for raw in candidates:
        path = os.path.realpath(raw)
        if path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        out.append(Path(path))
    return out


# Library packages whose modules the child may import lazily. Not "examples"
# (package data of the example course) and not "cli".
_LIBRARY_PACKAGES = ("sheetgrade", "sheetgrade.graders", "sheetgrade.sheets", "sheetgrade.course")


def _sheetgrade_package_dirs() -> list[str]:
    dirs: list[str] = []
    for name in _LIBRARY_PACKAGES:
        module = sys.modules.get(name)
        for entry in getattr(module, "__path__", None) or []:
            dirs.append(str(entry))
    return dirs


def _contains(parent: Path, child: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True


def example_dirs() -> list[Path]:
    """Folders of the package's example course (``sheetgrade.examples``): its
    source notebooks hold solutions and hidden tests."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("sheetgrade.examples")
    except (ImportError, ValueError):
        return []
    locations = list(spec.submodule_search_locations or []) if spec else []
    return [Path(os.path.realpath(p)) for p in locations]


def readable_set(allowed: Sequence[Path], hidden: Sequence[Path]) -> list[Path]:
    """The allow-list ``allowed`` minus everything at or below a ``hidden`` folder.

    Landlock can only grant, never carve out: an allowed folder that holds a
    hidden one (``PYTHONPATH`` naming the folder above ``build/``, a
    site-packages that holds the example course) is replaced by its entries
    except the one leading to the hidden folder, which is split in turn. An
    allowed path inside a hidden folder is dropped. A path that is itself one
    of the interpreter's own (a virtual environment inside the course folder)
    stays, as long as no hidden folder lies below it.

    Args:
        allowed: files and folders to grant (absolute, resolved).
        hidden: folders that must stay unreadable (absolute, resolved).

    Returns:
        The paths to grant, none of them at, above or below a hidden folder.
    """
    hidden = [Path(os.path.realpath(h)) for h in hidden]
    out: list[Path] = []
    seen: set[Path] = set()
    pending = [Path(p) for p in allowed]
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.add(path)
        if any(_contains(h, path) for h in hidden):
            continue  # at or below a hidden folder
        inner = [h for h in hidden if _contains(path, h)]
        if not inner:
            out.append(path)
            continue
        try:
            children = sorted(path.iterdir())
        except OSError:
            continue
        pending.extend(children)  # the hidden ones among them are dropped above
    return out


def confine(scratch: Path, limits: Limits) -> dict[str, str]:
    """Confine the calling (child) process; see the module docstring.

    Args:
        scratch: the directory the child may write to (its cwd).
        limits: resource limits and extra read-only paths.

    Returns:
        Layer name to status, e.g. ``{"rlimits": "on", "seccomp": "on",
        "landlock": "on (ABI 7)"}`` or ``"unavailable: <reason>"``.
    """
    scratch = Path(os.path.realpath(scratch))
    # A read-only rule on a parent of the scratch dir (say sys.path holds the
    # course directory) would open the course to the child: drop it.
    read_paths = [
        p
        for p in readable_set(
            [*default_read_paths(), *(Path(p) for p in limits.read_paths)],
            [*(Path(p) for p in limits.hidden_paths), *example_dirs()],
        )
        if not _contains(p, scratch)
    ]

    # Both seccomp and Landlock require no_new_privs when unprivileged.
    from sheetgrade.graders.sandbox import landlock, seccomp

    seccomp.set_no_new_privs()
    # Landlock first: it opens one descriptor per readable path, which the
    # open-files limit (and whatever descriptors the process inherited) could
    # refuse; the rlimits follow, then seccomp, which may forbid setting them.
    landlocked = _guard(lambda: landlock.restrict(scratch, read_paths))
    layers: dict[str, str] = {}
    layers["rlimits"] = _guard(lambda: apply_rlimits(limits))
    layers["capabilities"] = _guard(drop_capabilities)
    layers["landlock"] = landlocked
    layers["seccomp"] = _guard(seccomp.install)
    return layers


def _guard(apply: Callable[[], str]) -> str:
    """Run one layer; turn unexpected errors into an "unavailable" status."""
    try:
        return apply()
    except Exception as exc:  # noqa: BLE001 - a layer must never stop grading
        return f"unavailable: {type(exc).__name__}: {exc}"


def apply_rlimits(limits: Limits) -> str:
    """Set the rlimits of ``limits`` (soft = hard, so they cannot be raised).

    Args:
        limits: the limits; ``None`` fields are left as they are.

    Returns:
        ``"on"``, or ``"on (<details>)"`` naming limits that could not be set.
    """
    import signal

    wanted: list[tuple[int, int | None]] = [
        (resource.RLIMIT_AS, limits.address_space),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if limits.processes is not None:
        wanted.append((resource.RLIMIT_NPROC, limits.processes))
    failed: list[str] = []
    for which, value in wanted:
        if value is None:
            continue
        _soft, hard = resource.getrlimit(which)
        if which == resource.RLIMIT_CPU:
            # Soft limit: SIGXCPU (default action: terminate); hard limit one
            # second later: SIGKILL, which student code cannot catch.
            soft_val, hard_val = value, value + 1
        else:
            soft_val = hard_val = value
        if hard != resource.RLIM_INFINITY:
            soft_val, hard_val = min(soft_val, hard), min(hard_val, hard)
        try:
            resource.setrlimit(which, (soft_val, hard_val))
        except (ValueError, OSError) as exc:
            failed.append(f"{_RLIMIT_NAMES.get(which, which)}: {exc}")
    # A write beyond RLIMIT_FSIZE raises SIGXFSZ, which kills by default;
    # ignoring it turns the write into an OSError(EFBIG) the student sees.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return "on" if not failed else f"on (not set: {'; '.join(failed)})"


_RLIMIT_NAMES = {
    resource.RLIMIT_AS: "RLIMIT_AS",
    resource.RLIMIT_CPU: "RLIMIT_CPU",
    resource.RLIMIT_FSIZE: "RLIMIT_FSIZE",
    resource.RLIMIT_NOFILE: "RLIMIT_NOFILE",
    resource.RLIMIT_CORE: "RLIMIT_CORE",
}


# capset(2): struct __user_cap_header_struct {u32 version; int pid;} and two
# struct __user_cap_data_struct {u32 effective, permitted, inheritable;};
# _LINUX_CAPABILITY_VERSION_3 = 0x20080522 (include/uapi/linux/capability.h).
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPGET = {"x86_64": 125, "aarch64": 90}
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


def drop_capabilities() -> str:
    """Drop every capability the process holds (only matters for root).

    Returns:
        ``"on (none held)"``, ``"on (dropped)"`` or ``"unavailable: ..."``.
    """
    if not sys.platform.startswith("linux"):
        return f"unavailable: not Linux ({sys.platform})"
    machine = platform.machine()
    if machine not in _SYS_CAPSET:
        return f"unavailable: unsupported architecture {machine}"
    libc = ctypes.CDLL(None, use_errno=True)
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.syscall(_SYS_CAPGET[machine], header, data) != 0:
        return f"unavailable: capget: {os.strerror(ctypes.get_errno())}"
    if not any(data):
        return "on (none held)"
    empty = (ctypes.c_uint32 * 6)()
    if libc.syscall(_SYS_CAPSET[machine], header, empty) != 0:
        return f"unavailable: capset: {os.strerror(ctypes.get_errno())}"
    return "on (dropped)"

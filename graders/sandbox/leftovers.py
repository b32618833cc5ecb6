"""Clearing what a finished student process may have left on the machine.

seccomp refuses SysV IPC and POSIX message queues in the child, so where it
is on nothing is left. Where it is not (an old kernel, a platform without
it), :func:`remove_ipc_of` removes the SysV shared memory segments and
message queues a child created or used, found by its pid in
``/proc/sysvipc``: a segment records its creator's pid, a queue the last
sender's and receiver's. Semaphore sets and POSIX queues record no pid and
cannot be told apart from other programs' objects; they are not touched.

:func:`remove_stale_workroots` removes grading scratch folders of earlier
runs whose grader process no longer exists (killed, machine rebooted), so a
crash does not leave submissions' files in the temp directory for good.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["remove_ipc_of", "remove_stale_workroots", "workroot_prefix"]

_IPC_RMID = 0


def remove_ipc_of(pids: Iterable[int]) -> list[str]:
    """Remove SysV shared memory and message queues created or used by ``pids``.

    Returns:
        What was removed, e.g. ``["shm 32769", "msg 3"]`` (empty off Linux).
    """
    wanted = {int(p) for p in pids}
    if not wanted or not sys.platform.startswith("linux"):
        return []
    removed: list[str] = []
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return []
    for kind, pid_columns, remove in (
        ("shm", ("cpid", "lpid"), libc.shmctl),
        ("msg", ("lspid", "lrpid"), libc.msgctl),
    ):
        for ident in _ids_used_by(kind, pid_columns, wanted):
            if remove(ident, _IPC_RMID, None) == 0:
                removed.append(f"{kind} {ident}")
    return removed


def _ids_used_by(kind: str, pid_columns: tuple[str, ...], pids: set[int]) -> list[int]:
    try:
        lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
    except OSError:
        return []
    if not lines:
        return []
    header = lines[0].split()
    try:
        id_col = header.index("shmid" if kind == "shm" else "msqid")
        cols = [header.index(c) for c in pid_columns]
    except ValueError:
        return []
    found = []
    for line in lines[1:]:
        fields = line.split()
        try:
            if any(int(fields[c]) in pids for c in cols):
                found.append(int(fields[id_col]))
        except (IndexError, ValueError):
            continue
    return found


def workroot_prefix(sheet_id: str) -> str:
    """The temp-dir prefix of one grading run: names the sheet and the grader's pid."""
    return f"sheetgrade-{sheet_id}-pid{os.getpid()}-"


_WORKROOT = re.compile(r"^sheetgrade-.+-pid(\d+)-[^-]+$")


def remove_stale_workroots(temp_dir: Path | None = None) -> list[Path]:
    """Remove grading scratch folders whose grader process is gone.

    Only folders named by :func:`workroot_prefix` and owned by this user are
    considered; a folder whose pid is alive is left alone (another run, maybe
    of another tutor on the same machine).

    Returns:
        The folders removed.
    """
    root = Path(temp_dir or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _WORKROOT.match(entry.name)
        if not match:
            continue
        try:
            st = entry.lstat()
        except OSError:
            continue
        if st.st_uid != os.getuid() or not entry.is_dir() or entry.is_symlink():
            continue
        if _alive(int(match.group(1))):
            continue
        remove_tree(entry)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_tree(folder: Path) -> None:
    """Remove ``folder`` and everything below it, however deep; never raises.

    ``shutil.rmtree`` recurses once per directory level, so a submission that
    nests directories a few thousand deep makes it raise ``RecursionError``.
    This walks without recursion: every subdirectory is first moved up to
    ``folder`` itself (a rename, one level at a time), then removed once empty.
    Directories the grader cannot list (no read permission) are made
    listable first.
    """
    top = str(folder)
    try:
        top_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        try:
            os.unlink(top)
        except OSError:
            pass
        return
    try:
        pending = ["."]  # directories, relative to top (all at depth 0 or 1)
        done: list[str] = []
        counter = 0
        while pending:
            name = pending.pop()
            try:
                if name != ".":
                    os.chmod(name, 0o700, dir_fd=top_fd, follow_symlinks=False)
                fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top_fd)
            except OSError:
                continue
            try:
                for entry in os.scandir(fd):
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        try:
                            os.unlink(entry.name, dir_fd=fd)
                        except OSError:
                            pass
                        continue
                    counter += 1
                    flat = f".sheetgrade-rm-{counter}"
                    try:
                        os.rename(entry.name, flat, src_dir_fd=fd, dst_dir_fd=top_fd)
                    except OSError:
                        continue
                    pending.append(flat)
            except OSError:
                pass
            finally:
                os.close(fd)
            if name != ".":
                done.append(name)
        for name in done:
            try:
                os.rmdir(name, dir_fd=top_fd)
            except OSError:
                pass
    finally:
        os.close(top_fd)
    try:
        os.rmdir(top)
    except OSError:
        pass

"""Clearing what a student process or a killed grader left behind.

seccomp refuses SysV IPC in the child (see ``test_attacks_process.py``); where
it is unavailable, the grader removes the shared memory segments and message
queues a finished child made, found by its pid. A grading run also removes the
scratch folders of earlier runs whose grader process is gone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sheetgrade.graders.sandbox.leftovers import remove_ipc_of, remove_stale_workroots

MAKE_IPC = """\
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
key = int(sys.argv[1])
shm = libc.shmget(key, 1 << 20, 0o1000 | 0o600)
msg = libc.msgget(key + 1, 0o1000 | 0o600)
print(shm, msg)
"""


def _keys(kind: str) -> set[int]:
    lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
    return {int(line.split()[0]) for line in lines}


@pytest.mark.skipif(not Path("/proc/sysvipc/shm").exists(), reason="needs Linux SysV IPC")
def test_ipc_objects_of_a_finished_process_are_removed() -> None:
    key = 0x5348_0000 | (os.getpid() & 0xFFFF)
    # an unconfined process, as a child runs where seccomp is unavailable
    child = subprocess.run(
        [sys.executable, "-c", MAKE_IPC, str(key)], capture_output=True, text=True, check=True
    )
    shm_id, msg_id = map(int, child.stdout.split())
    assert shm_id >= 0 and msg_id >= 0
    assert key in _keys("shm") and key + 1 in _keys("msg")
    # the message queue records no creator: a send marks it as the child's
    pid = _pid_of_creator(key)
    removed = remove_ipc_of([pid])
    assert f"shm {shm_id}" in removed
    assert key not in _keys("shm")
    # the queue was never used by the child, so it cannot be attributed: remove it here
    subprocess.run(["ipcrm", "-q", str(msg_id)], check=False)


def _pid_of_creator(key: int) -> int:
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()
    header = lines[0].split()
    for line in lines[1:]:
        fields = line.split()
        if int(fields[0]) == key:
            return int(fields[header.index("cpid")])
    raise AssertionError("segment not found")


def test_stale_scratch_folders_are_removed_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = tmp_path / f"sheetgrade-01-pca-pid{int(dead.stdout)}-abc123"
    (gone / "s0" / "scratch" / "deep").mkdir(parents=True)
    (gone / "s0" / "scratch" / "deep" / "answer.txt").write_text("a student's file")
    live = tmp_path / f"sheetgrade-01-pca-pid{os.getpid()}-def456"
    live.mkdir()
    other = tmp_path / "sheetgrade-01-pca-xyz789"  # not a run's folder by its name
    other.mkdir()
    assert remove_stale_workroots(tmp_path) == [gone]
    assert not gone.exists() and live.exists() and other.exists()


def test_graders_never_hand_a_scratch_folder_to_rmtree() -> None:
    """Student or reference code may have nested folders thousands deep in any
    scratch folder; ``shutil.rmtree`` recurses per level and raises
    RecursionError (not OSError, so ``ignore_errors`` does not help).
    Every removal in the graders goes through ``remove_tree``."""
    graders = Path(__file__).resolve().parents[2] / "graders"
    users = [
        f"{path.relative_to(graders.parent)}:{number}"
        for path in sorted(graders.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "rmtree(" in line and not line.lstrip().startswith(("#", '"', "``"))
    ]
    assert users == []


def test_remove_tree_takes_a_tree_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    from sheetgrade.graders.sandbox.leftovers import remove_tree

    top = tmp_path / "top"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(sys.getrecursionlimit() + 100):  # deeper than any absolute path may be
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    with pytest.raises(RecursionError):
        shutil.rmtree(top, ignore_errors=True)
    remove_tree(top)
    assert not top.exists()

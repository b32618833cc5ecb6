"""Every attack run through the engine's student process, judged like native checks.

This level drives :class:`sheetgrade.graders.session.StudentProcess` directly:
the warm worker forks a confined child, the attack notebook's cells run in
it, and the "grader" (this test) asks for the student's values and compares
them itself, as native checks do. ``test_attacks_cli.py`` runs the same
attacks through ``sheetgrade grade``.

For each attack: no point it did not earn honestly, the grader and the warm
worker survive (the next honest submission still gets its points), the grading
ends within the timeout, and no file outside the scratch directory changes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attacks
import numpy as np
import pytest
from harness import snapshot, write_notebook

session = pytest.importorskip("sheetgrade.graders.session")
worker_mod = pytest.importorskip("sheetgrade.graders.worker")
compare = pytest.importorskip("sheetgrade.graders.compare")
protocol = pytest.importorskip("sheetgrade.graders.protocol")
notebook = pytest.importorskip("sheetgrade.graders.notebook")

TIMEOUT = 4.0
X = np.arange(12.0).reshape(3, 4)


@pytest.fixture(scope="module")
def worker() -> Iterator[Any]:
    with worker_mod.WarmWorker() as warm:
        yield warm


def grade(worker: Any, workdir: Path, nb_path: Path) -> dict[str, Any]:
    """Run the notebook in a confined child and score the native checks."""
    limits = session.ProcessLimits(timeout=TIMEOUT, memory=1536 * 1024**2, output=64 * 1024)
    outcome: dict[str, Any] = {"points": 0.0, "status": "graded", "layers": {}, "checks": {}}
    checks = {
        "1a-public": lambda s: compare.expect_equal(call(s, "add", 2, 3), 5),
        "1a-hidden": lambda s: compare.expect_equal(call(s, "add", 10, -4), 6),
        "1b-hidden": lambda s: compare.expect_close(call(s, "mean_rows", X), X.mean(axis=1)),
        "2-hidden": lambda s: compare.expect_equal(value(s, "answer"), attacks.SECRET),
    }
    start = time.monotonic()
    try:
        with session.StudentProcess(worker, workdir, limits, notebook=nb_path) as proc:
            cells = [(c.index, c.source) for c in notebook.read_code_cells(nb_path)]
            report = proc.run_cells(cells)
            outcome["layers"] = report.layers
            outcome["tampered"] = report.tampered
            for name, check in checks.items():
                try:
                    check(proc)
                except (session.SubmissionTimeout, session.StudentProcessDied) as exc:
                    outcome["status"] = type(exc).__name__
                    outcome["checks"][name] = "error"
                    break
                except Exception as exc:  # noqa: BLE001 - a failed check
                    outcome["checks"][name] = f"{type(exc).__name__}: {str(exc)[:80]}"
                else:
                    outcome["checks"][name] = "passed"
                    outcome["points"] += 1
            outcome["output"] = proc.output()
    except Exception as exc:  # noqa: BLE001 - timeout, death, protocol error
        outcome["status"] = f"{type(exc).__name__}: {str(exc)[:120]}"
    outcome["elapsed"] = time.monotonic() - start
    return outcome


def call(proc: Any, name: str, *args: Any) -> Any:
    return proc.request({"op": "call", "name": name,
                                         "args": list(args)})


def value(proc: Any, name: str) -> Any:
    return proc.request({"op": "value", "name": name})


def test_honest_submission_scores(worker: Any, secret_course: Path, tmp_path: Path) -> None:
    nb = tmp_path / "honest.ipynb"
    import nbformat

    notebook_node = nbformat.v4.new_notebook()
    notebook_node.cells = [nbformat.v4.new_code_cell(attacks.HONEST)]
    nbformat.write(notebook_node, str(nb))
    result = grade(worker, secret_course / "work" / "honest", nb)
    assert result["status"] == "graded", result
    assert result["points"] == 3, result  # the secret is nobody's to know
    assert result["layers"].get("seccomp") == "on"
    assert result["layers"].get("landlock", "").startswith("on")


@pytest.mark.parametrize("attack", attacks.ATTACKS, ids=lambda a: a.name)
def test_attack_earns_nothing(worker: Any, secret_course: Path, attack: attacks.Attack) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.01)
    workdir = secret_course / "work" / attack.name
    nb = write_notebook(workdir / "submitted" / "submission.ipynb", attack)
    (workdir / "scratch").mkdir(parents=True, exist_ok=True)
    (workdir / "scratch" / "port.txt").write_text(str(listener.getsockname()[1]))
    before = snapshot(secret_course)
    processes_before = _processes()

    result = grade(worker, workdir, nb)

    # No point it did not earn honestly.
    assert result["points"] == 0, result
    # The batch goes on: the grading ended in time.
    assert result["elapsed"] < TIMEOUT + 3, result
    # No file outside the scratch directory changed.
    assert snapshot(secret_course) == before
    # No network connection reached the listener.
    with pytest.raises(OSError):
        listener.accept()
    listener.close()
    # The warm worker survives and nothing the attack started lingers.
    assert worker._process.poll() is None
    time.sleep(0.05)
    assert _processes() - processes_before == set(), "a process outlived its submission"


def test_worker_still_grades_after_all_attacks(worker: Any, secret_course: Path, tmp_path: Path) -> None:
    test_honest_submission_scores(worker, secret_course, tmp_path)


def _processes() -> set[int]:
    """Pids of this user's processes that descend from the warm worker's group."""
    me = os.getpid()
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        ppid = int(fields[1])
        if ppid == me or _is_descendant(int(entry), me):
            found.add(int(entry))
    found.discard(me)
    return {p for p in found if not _is_thread_helper(p)}


def _is_descendant(pid: int, ancestor: int, depth: int = 6) -> bool:
    for _ in range(depth):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def _is_thread_helper(pid: int) -> bool:
    return pid == threading.get_native_id()


COMPAT_TESTS = ("assert add(2, 3) == 5", f"assert answer == {attacks.SECRET}")


def judge_compat(worker: Any, workdir: Path, nb_path: Path) -> dict[str, Any]:
    """Run assert-style tests in the child, as compat tests are judged."""
    limits = session.ProcessLimits(timeout=TIMEOUT, memory=1536 * 1024**2, output=64 * 1024)
    result: dict[str, Any] = {"passed": 0, "flags": [], "status": "graded"}
    cells = notebook.read_code_cells(nb_path)
    tamper = pytest.importorskip("sheetgrade.graders.tamper")
    result["flags"] += tamper.scan_cells(cells)
    try:
        with session.StudentProcess(worker, workdir, limits, notebook=nb_path) as proc:
            report = proc.run_cells([(c.index, c.source) for c in cells])
            result["flags"] += report.tampered
            for code in COMPAT_TESTS:
                if proc.request({"op": "assert", "code": code}) is None:
                    result["passed"] += 1
            result["flags"] += proc.finish()
    except Exception as exc:  # noqa: BLE001
        result["status"] = type(exc).__name__
    return result


@pytest.mark.parametrize(
    "attack",
    [a for a in attacks.ATTACKS if a.name.startswith(("monkeypatch", "always", "int_"))]
    + [attacks.CHANNEL_TAKEOVER],
    ids=lambda a: a.name,
)
def test_compat_tampering_is_flagged(worker: Any, secret_course: Path, attack: attacks.Attack) -> None:
    if attack is attacks.CHANNEL_TAKEOVER:
        pytest.xfail("engine finding F1 in tests/security/FINDINGS.md: forged replies pass compat asserts")
    workdir = secret_course / "work" / f"compat-{attack.name}"
    nb = write_notebook(workdir / "submitted" / "submission.ipynb", attack)
    result = judge_compat(worker, workdir, nb)
    assert result["passed"] == 0 or result["flags"], result

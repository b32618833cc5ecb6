"""Every attack run through the engine's student process, judged like native checks.

This level drives :class:`sheetgrade.graders.sandbox.session.StudentProcess` directly:
the warm worker forks a confined child, the attack notebook's cells run in
it, and the "grader" (this test) asks for the student's values and compares
them itself, as native checks do. ``test_attacks_cli.py`` runs the same
attacks through ``sheetgrade grade``.

For each attack: no point it did not earn honestly, the grader and the warm
worker survive (the next honest submission still gets its points), no file
outside the scratch directory changes, no TCP connection reaches a listener,
and no process outlives the submission. Against assert-style tests (graded
with the engine's own ``grade_notebook``), tampering is flagged or earns
nothing.
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

from sheetgrade.graders import compare, notebook, submission
from sheetgrade.graders.sandbox import session
from sheetgrade.graders.sandbox import worker as worker_mod
from sheetgrade.sheets import model

TIMEOUT = 4.0
X = np.arange(12.0).reshape(3, 4)


@pytest.fixture(scope="module")
def worker() -> Iterator[Any]:
    with worker_mod.WarmWorker() as warm:
        yield warm


def grade(worker: Any, workdir: Path, nb_path: Path, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run the notebook in a confined child and score the native checks."""
    limits = session.ProcessLimits(timeout=timeout, memory=1536 * 1024**2, output=64 * 1024)
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
            cells = [(c.index, c.original) for c in notebook.read_code_cells(nb_path)]
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
    return proc.request({"op": "call", "name": name, "args": list(args)})


def value(proc: Any, name: str) -> Any:
    return proc.request({"op": "value", "name": name})


def test_honest_submission_scores(worker: Any, secret_course: Path, tmp_path: Path) -> None:
    nb = tmp_path / "honest.ipynb"
    import nbformat

    notebook_node = nbformat.v4.new_notebook()
    notebook_node.cells = [nbformat.v4.new_code_cell(attacks.HONEST)]
    nbformat.write(notebook_node, str(nb))
    # a generous limit: an honest run must not time out on a busy machine
    result = grade(worker, secret_course / "work" / "honest", nb, timeout=30.0)
    assert result["status"] == "graded", result
    assert result["points"] == 3, result  # the secret is nobody's to know
    assert result["layers"].get("seccomp") == "on"
    assert result["layers"].get("landlock", "").startswith("on")


@pytest.mark.parametrize("attack", attacks.ATTACKS + attacks.EDGE_ATTACKS, ids=lambda a: a.name)
def test_attack_earns_nothing(worker: Any, secret_course: Path, attack: attacks.Attack) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.01)
    workdir = secret_course / "work" / attack.name
    nb = write_notebook(
        workdir / "submitted" / "submission.ipynb", attack, listener.getsockname()[1]
    )
    before = snapshot(secret_course)
    processes_before = _processes()

    result = grade(worker, workdir, nb)

    # No point it did not earn honestly.
    assert result["points"] == 0, result
    # No file outside the scratch directory changed.
    assert snapshot(secret_course) == before
    # No network connection reached the listener.
    with pytest.raises(OSError):
        listener.accept()
    listener.close()
    # The warm worker survives and nothing the attack started lingers.
    assert worker._process.poll() is None
    assert _lingering(processes_before) == set(), "a process outlived its submission"


def test_worker_still_grades_after_all_attacks(
    worker: Any, secret_course: Path, tmp_path: Path
) -> None:
    test_honest_submission_scores(worker, secret_course, tmp_path)


def _lingering(before: set[int]) -> set[int]:
    """New processes still alive once the killed child had time to be reaped (up to 10 s)."""
    deadline = time.monotonic() + 10
    while (left := _processes() - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


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


def _assert_test(test_id: str, code: str) -> Any:
    return model.TestCase(
        id=test_id, task=test_id, points=1.0, hidden=True, kind="assert", code=code
    )


# 1a and 2 have the liftable shape ``assert <expr> == <literal>`` (judged in the
# grader); 1b has not, so it is judged in the student process (compat level).
COMPAT_TESTS = [
    _assert_test("1a", "assert add(2, 3) == 5"),
    _assert_test(
        "1b",
        "X = np.arange(12.0).reshape(3, 4)\nr = mean_rows(X)\nassert len(r) == 3\n"
        "assert np.allclose(r, X.mean(axis=1))",
    ),
    _assert_test("2", f"assert answer == {attacks.SECRET}"),
]


class _NoReference:
    """Assert tests never ask the reference."""

    def call(self, name: str, args: Any, kwargs: Any) -> Any:
        raise AssertionError("assert tests do not use the reference")

    value = call


def judge_compat(worker: Any, workdir: Path, nb_path: Path) -> Any:
    """Grade assert-style tests with the engine's own ``grade_notebook``."""
    limits = session.ProcessLimits(timeout=TIMEOUT, memory=1536 * 1024**2, output=64 * 1024)
    return submission.grade_notebook(
        nb_path,
        COMPAT_TESTS,
        worker=worker,
        reference=_NoReference(),
        limits=limits,
        workdir=workdir,
    )


def test_compat_honest_submission_is_not_flagged(worker: Any, secret_course: Path) -> None:
    workdir = secret_course / "work" / "compat-honest"
    nb = write_notebook(
        workdir / "submitted" / "submission.ipynb", attacks.Attack("honest", (attacks.HONEST,))
    )
    result = judge_compat(worker, workdir / "run", nb)
    assert result.status == "graded", result
    assert result.points == 2, result  # 1a and 1b; the secret is nobody's to know
    assert result.flags == [], result


# The attacks that target what compat tests rely on (the CLI suite runs every attack on a compat sheet).
@pytest.mark.parametrize(
    "attack",
    [a for a in attacks.ATTACKS if a.expect == "zero"] + list(attacks.COMPAT_ATTACKS),
    ids=lambda a: a.name,
)
def test_compat_tampering_is_flagged_or_earns_nothing(
    worker: Any, secret_course: Path, attack: attacks.Attack
) -> None:
    workdir = secret_course / "work" / f"compat-{attack.name}"
    nb = write_notebook(workdir / "submitted" / "submission.ipynb", attack)
    result = judge_compat(worker, workdir / "run", nb)
    flagged = any(f.startswith("review:") for f in result.flags)
    assert result.points == 0 or flagged, result
    # the secret is compared in the grader: forged replies cannot reveal or match it
    assert not any(o.passed for o in result.tests if o.test.id == "2"), result
    if attack.name.startswith(("monkeypatch", "always", "int_", "channel_")):
        assert flagged, result


PROBE = """\
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def outcome(call):
    try:
        value = call()
    except OSError as exc:
        return f"refused ({type(exc).__name__})"
    return "refused (-1)" if value == -1 else f"allowed ({value})"
report = {
    "memfd_create": outcome(lambda: os.memfd_create("probe")),
    "shmget": outcome(lambda: libc.shmget(0, 4096, 0o1000 | 0o600)),
    "msgget": outcome(lambda: libc.msgget(0, 0o1000 | 0o600)),
    "semget": outcome(lambda: libc.semget(0, 1, 0o1000 | 0o600)),
    "mkdir 0o300": outcome(lambda: os.mkdir("hidden", 0o300)),
    "umask 0o777": outcome(lambda: os.umask(0o777)),
    "mkdir": outcome(lambda: os.mkdir("plain")),
    "umask 0o022": outcome(lambda: os.umask(0o022)),
}
for key, value in report.items():
    print(f"PROBE {key}: {value}")
print("PROBE sys.path:", [p for p in sys.path if p])
print("PROBE PYTHONPATH:", os.environ.get("PYTHONPATH"))
"""


def test_confined_child_refuses_ipc_memfd_and_unlistable_folders(
    worker: Any, secret_course: Path, tmp_path: Path
) -> None:
    """What the edge attacks rely on, asked directly: IPC objects, memfd and
    unlistable folders are refused, plain folders and umasks still work, and
    the import path names no course folder."""
    limits = session.ProcessLimits(
        timeout=20, memory=1024**3, hidden=(str(secret_course), str(secret_course / "build"))
    )
    with session.StudentProcess(worker, tmp_path / "probe", limits) as proc:
        proc.run_cells([(0, PROBE)])
        out = proc.output()
    probes = dict(
        line[len("PROBE ") :].split(": ", 1)
        for line in out.splitlines()
        if line.startswith("PROBE")
    )
    for refused in ("memfd_create", "shmget", "msgget", "semget", "mkdir 0o300", "umask 0o777"):
        assert probes[refused].startswith("refused"), (refused, out)
    assert probes["mkdir"].startswith("allowed") and probes["umask 0o022"].startswith("allowed")
    assert probes["PYTHONPATH"] == "None"
    assert str(secret_course) not in probes["sys.path"]


def test_readable_set_carves_hidden_folders_out_of_the_allow_list(tmp_path: Path) -> None:
    """A site-packages holding the example course (a wheel install) and a
    PYTHONPATH naming the folder above build/: granted, minus the secrets."""
    from sheetgrade.graders.sandbox.confine import readable_set

    site = tmp_path / "site-packages"
    for folder in ("numpy", "sheetgrade/graders", "sheetgrade/examples/mlphys"):
        (site / folder).mkdir(parents=True)
    (site / "sheetgrade" / "__init__.py").write_text("")
    course = tmp_path / "home" / "course"
    (course / "build").mkdir(parents=True)
    (course / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / "home" / "notes.txt").write_text("")
    granted = readable_set(
        [site, tmp_path / "home", course / ".venv" / "lib"],
        [site / "sheetgrade" / "examples", course],
    )
    assert site / "numpy" in granted and site / "sheetgrade" / "graders" in granted
    assert site / "sheetgrade" / "__init__.py" in granted
    assert tmp_path / "home" / "notes.txt" in granted
    for path in granted:  # nothing at, above or below a hidden folder
        for hidden in (site / "sheetgrade" / "examples", course):
            assert hidden not in path.parents and path != hidden and path not in hidden.parents

"""Every attack as a real submission graded through the command line.

One course (the example course's roster) gets two sheets with the same three
auto tasks (see ``attacks.py``): ``90-native`` with native checks (``# CHECK``
cells, judged in the grader) and ``91-compat`` in nbgrader markup (``assert``
cells; the simple ones are lifted and judged in the grader, the others run in
the student process at "compat" level). Each attack, plus the baselines
``honest`` (3 of 4 points: the fourth is the secret), ``partial`` (task 1a
only) and ``blank`` (the stubs), is submitted by its own student or team, collected
with ``sheetgrade collect`` and graded with ONE ``sheetgrade grade`` run per
sheet. Scores are read back through ``sheetgrade feedback --format gradescope``
(per test and task) and ``sheetgrade gradebook export --format json`` (per
sheet); review flags through the summary table ``grade`` prints.

Asserted for each sheet: the grader process survives and grades the whole
batch; the baselines get exactly their points; no file below the test's
folder (course, bundle, submission store, uploads) changes during grading,
nor any database row other than the results; no TCP connection reaches a
listener; no process outlives the run. Native sheet: no attack earns any
point. Compat sheet: an attack earns nothing, or its result carries a
``review:`` flag (``grade`` prints REVIEW); the tampering attacks are flagged.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import attacks
import nbformat
import pytest
import yaml
from harness import snapshot, write_notebook

NATIVE, COMPAT = "90-native", "91-compat"
SECRET = attacks.SECRET
SUBMITTED = (*attacks.ATTACKS, *attacks.EDGE_ATTACKS, *attacks.COMPAT_ATTACKS)
FULL = {"1a": 2.0, "1b": 1.0, "2": 0.0}  # the secret (task 2) is nobody's to know
BASELINES = {  # name -> (cells, points per task)
    "honest": ((attacks.HONEST,), FULL),
    # byte-distinct honest copies: a byte-order mark, nbformat 3, IPython syntax
    "honest_bom": ((attacks.HONEST + "# saved with a BOM\n",), FULL),
    "honest_v3": ((attacks.HONEST + "# saved as nbformat 3\n",), FULL),
    "honest_magic": (("%matplotlib inline\n!echo hi\n" + attacks.HONEST,), FULL),
    "partial": ((attacks.PARTIAL,), {"1a": 2.0, "1b": 0.0, "2": 0.0}),
    "blank": ((), {"1a": 0.0, "1b": 0.0, "2": 0.0}),
}
HONEST = {name for name, (_, points) in BASELINES.items() if points == FULL}
WRITE_OPTIONS = {"honest_bom": {"bom": True}, "honest_v3": {"version": 3}}
#: attacks that tamper with what compat tests rely on: these must be flagged
TAMPERING = {
    "monkeypatch_numpy",
    "monkeypatch_builtins",
    "monkeypatch_test_machinery",
    "always_equal_object",
    "int_and_ndarray_subclass",
    "channel_takeover",
    "channel_takeover_exec",
    "channel_takeover_module",
    "channel_garbage",
    "read_grader_memory",
    "signal_and_ptrace_grader",
    "sys_exit_after_claim",
    "os_exit_after_claim",
    "compat_rebinding",
    "lying_builtin_subclasses",
}

TASKS_YML = """\
tasks:
  - {id: 1a, points: 2}
  - {id: 1b, points: 1}
  - {id: "2", points: 1}
"""
NATIVE_CELLS = [
    "import numpy as np\n\n"
    "def add(a, b):\n    # BEGIN SOLUTION\n    return a + b\n    # END SOLUTION\n\n"
    "def mean_rows(X):\n    # BEGIN SOLUTION\n    return np.asarray(X).mean(axis=1)\n    # END SOLUTION\n",
    f"answer = None\n# BEGIN SOLUTION\nanswer = {SECRET}\n# END SOLUTION\n",
    "# CHECK 1a points=1\nexpect_equal(student.add(2, 3), 5)\n",
    "# CHECK 1a points=1 hidden\nexpect_equal(student.add(10, -4), 6)\n",
    "# CHECK 1b points=1 hidden\nX = np.arange(12.0).reshape(3, 4)\n"
    "expect_close(student.mean_rows(X), reference.mean_rows(X))\n",
    f"# CHECK 2 points=1 hidden\nexpect_equal(student.value('answer'), {SECRET})\n",
]
# (source, nbgrader metadata). 1a and 2 have the liftable shape ``assert <expr> == <literal>``;
# 1b has not, so it is judged in the student process (compat level).
COMPAT_CELLS = [
    (
        "import numpy as np\n\n"
        "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n\n"
        "def mean_rows(X):\n    ### BEGIN SOLUTION\n    return np.asarray(X).mean(axis=1)\n    ### END SOLUTION\n",
        {"solution": True, "grade": False, "grade_id": "functions"},
    ),
    (
        f"answer = None\n### BEGIN SOLUTION\nanswer = {SECRET}\n### END SOLUTION\n",
        {"solution": True, "grade": False, "grade_id": "answer"},
    ),
    (
        "assert add(2, 3) == 5\n### BEGIN HIDDEN TESTS\nassert add(10, -4) == 6\n### END HIDDEN TESTS\n",
        {"grade": True, "solution": False, "grade_id": "1a", "points": 2, "locked": True},
    ),
    (
        "X = np.arange(12.0).reshape(3, 4)\nr = mean_rows(X)\nassert len(r) == 3\n"
        "assert np.allclose(r, X.mean(axis=1))\n",
        {"grade": True, "solution": False, "grade_id": "1b", "points": 1, "locked": True},
    ),
    (
        f"### BEGIN HIDDEN TESTS\nassert answer == {SECRET}\n### END HIDDEN TESTS\n",
        {"grade": True, "solution": False, "grade_id": "q2", "points": 1, "locked": True},
    ),
]
DB_FILES = ("gradebook.db", "gradebook.db-wal", "gradebook.db-shm")


@dataclass
class Row:
    """One line of the table ``sheetgrade grade`` prints."""

    status: str
    points: float
    note: str


@dataclass
class Graded:
    """What one ``sheetgrade grade`` run over all submissions of one sheet did."""

    sheet: str
    run: subprocess.CompletedProcess[str]
    who: dict[str, str]  # owner (student or team) -> attack or baseline name
    rows: dict[str, Row] = field(default_factory=dict)
    tasks: dict[str, dict[str, float]] = field(default_factory=dict)  # owner -> task -> points
    auto: dict[str, float] = field(default_factory=dict)  # owner -> autograded points (gradebook)
    changed_files: list[str] = field(default_factory=list)
    changed_tables: list[str] = field(default_factory=list)
    results_rows: int = 0
    connections: int = 0
    leftover: list[str] = field(default_factory=list)
    peak_rss_mib: float = 0.0  # of the grading process itself
    scratch_left: list[str] = field(default_factory=list)  # in the run's temp dir
    ipc_left: list[str] = field(default_factory=list)  # SysV objects with the attack's key
    stdout: dict[str, str] = field(default_factory=dict)  # owner -> stored output
    feedback: dict[str, dict[str, str]] = field(default_factory=dict)  # owner -> format -> text


# Runs the CLI in this interpreter and reports the process's own peak RSS at exit
# (children and the warm worker are not counted: they have their own limits).
_MEASURED = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF)"
    ".ru_maxrss, file=sys.stderr))\n"
    "from sheetgrade.cli.main import main\n"
    "sys.argv = ['sheetgrade', *sys.argv[1:]]\n"
    "main()\n"
)


def sheetgrade(
    course: Path,
    *args: str,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    measure: bool = False,
) -> subprocess.CompletedProcess[str]:
    command = ["-c", _MEASURED] if measure else ["-m", "sheetgrade.cli"]
    return subprocess.run(
        [sys.executable, *command, "--course", str(course), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _tail(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr)[-3000:]


def _make_sheets(course: Path) -> None:
    native = course / "sheets" / NATIVE
    native.mkdir(parents=True)
    (native / "sheet.yml").write_text(
        "title: Security (native)\nnotebook: security.ipynb\n" + TASKS_YML
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in NATIVE_CELLS]
    nbformat.write(nb, str(native / "security.ipynb"))
    compat = course / "sheets" / COMPAT
    compat.mkdir(parents=True)
    (compat / "sheet.yml").write_text(
        "title: Security (compat)\nnotebook: security.ipynb\n" + TASKS_YML
    )
    nb = nbformat.v4.new_notebook()
    for source, meta in COMPAT_CELLS:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    nbformat.write(nb, str(compat / "security.ipynb"))
    config = yaml.safe_load((course / "course.yml").read_text())
    config["sheets"] += [
        {"id": NATIVE, "due": "2030-01-01T00:00+01:00"},
        {"id": COMPAT, "due": "2030-01-01T00:00+01:00"},
    ]
    (course / "course.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def _subjects(course: Path) -> list[tuple[str, str]]:
    """(uploader, owner) pairs with distinct owners: a team member's upload is credited to the team."""
    team_of: dict[str, str] = {}
    for line in (course / "roster" / "teams.csv").read_text().splitlines()[1:]:
        team, student = line.split(",")[:2]
        team_of[student] = team
    students = [
        line.split(",")[0]
        for line in (course / "roster" / "students.csv").read_text().splitlines()[1:]
    ]
    subjects: dict[str, str] = {}
    for student in students:
        subjects.setdefault(team_of.get(student, student), student)
    return [(uploader, owner) for owner, uploader in subjects.items()]


def _ipc_objects(key: int) -> list[str]:
    """SysV shared memory, queues and semaphores with ``key`` (the attack's, unique to this run)."""
    found = []
    for kind in ("shm", "msg", "sem"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        found += [f"{kind}: {line.split()[:2]}" for line in lines if int(line.split()[0]) == key]
    return found


def _db_state(course: Path) -> tuple[dict[str, list[str]], int]:
    """Every table's rows except the grading results, and the number of result rows."""
    conn = sqlite3.connect(f"file:{course / 'gradebook.db'}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        state = {
            t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"')))
            for t in tables
            if t not in ("results", "test_results")
        }
        results = conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    finally:
        conn.close()
    return state, results


def _grading_processes(sheet: str) -> list[str]:
    """Live processes whose working directory is in this sheet's grading scratch."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"sheetgrade-{sheet}-" in cwd and state != "Z":
            found.append(f"{entry} in {cwd}")
    return found


def _wait_for_no_processes(sheet: str) -> list[str]:
    """Give killed children time to be reaped; return those still alive after that."""
    import time

    deadline = time.monotonic() + 10
    while (left := _grading_processes(sheet)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _parse_table(stdout: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    lines = stdout.splitlines()
    for line in lines[2:]:  # header, dashes
        if line.startswith("sheet "):
            break  # the summary lines
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        rows[parts[0]] = Row(
            status=parts[1], points=float(parts[2]), note=parts[5] if len(parts) > 5 else ""
        )
    return rows


def _grade_sheet(
    root: Path,
    course: Path,
    sheet: str,
    subjects: list[tuple[str, str]],
    port: int,
    listener: socket.socket,
) -> Graded:
    notebook = "security.ipynb"
    uploads = root / "uploads" / sheet
    who: dict[str, str] = {}
    uploader_of: dict[str, str] = {}
    everyone = [
        *(attacks.Attack(name, cells) for name, (cells, _) in BASELINES.items()),
        *SUBMITTED,
    ]
    released = nbformat.read(str(course / "build" / sheet / "student" / notebook), as_version=4)
    locked = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("locked")]
    for (uploader, owner), attack in zip(subjects, everyone, strict=False):
        write_notebook(
            uploads / uploader / notebook,
            attack,
            port,
            released=locked,
            **WRITE_OPTIONS.get(attack.name, {}),
        )
        who[owner] = attack.name
        uploader_of[uploader] = owner
    assert len(who) == len(everyone), "not enough students and teams in the roster"
    collect = sheetgrade(
        course, "collect", sheet, str(uploads), "--received-at", "2029-12-01T10:00", "--quiet"
    )
    assert collect.returncode == 0, _tail(collect)

    # written by the grader itself: its tutor log (logs/) and the sheet lock (.lock)
    skip = ("scratch", "logs", ".lock", *DB_FILES)
    files_before = snapshot(root, skip=skip)
    tables_before, results_before = _db_state(course)
    # The tutor's shell names the course folder (native run) or the folder above
    # it (compat run) on PYTHONPATH; the run's temp dir is the test's own.
    scratch_root = root / f"tmp-{sheet}"
    scratch_root.mkdir()
    env = {
        "PYTHONPATH": os.pathsep.join([str(course), str(course / "build")])
        if sheet == NATIVE
        else str(root),
        "TMPDIR": str(scratch_root),
    }
    run = sheetgrade(
        course,
        "grade",
        sheet,
        "--jobs",
        "2",
        "--timeout",
        "6",  # honest neighbours must finish on a busy 2-core machine too
        "--memory",
        "1GiB",
        "--quiet",
        env=env,
        measure=True,
    )
    leftover = _wait_for_no_processes(sheet)
    files_after = snapshot(root, skip=skip)
    tables_after, results_after = _db_state(course)
    connections = 0
    while True:
        try:
            listener.accept()[0].close()
            connections += 1
        except BlockingIOError:
            break

    peak = [line.split()[1] for line in run.stderr.splitlines() if line.startswith("PEAK_RSS_KIB")]
    graded = Graded(
        sheet=sheet,
        run=run,
        who=who,
        leftover=leftover,
        connections=connections,
        rows=_parse_table(run.stdout),
        results_rows=results_after - results_before,
        peak_rss_mib=int(peak[0]) / 1024 if peak else float("nan"),
        scratch_left=sorted(p.name for p in scratch_root.iterdir()),
        ipc_left=_ipc_objects(attacks.ipc_key()),
    )
    graded.changed_files = sorted(
        k
        for k in files_before.keys() | files_after.keys()
        if files_before.get(k) != files_after.get(k)
    )
    graded.changed_tables = sorted(
        t
        for t in tables_before.keys() | tables_after.keys()
        if tables_before.get(t) != tables_after.get(t)
    )

    feedback = sheetgrade(course, "feedback", sheet, "--format", "html,md,gradescope")
    assert feedback.returncode == 0, _tail(feedback)
    conn = sqlite3.connect(f"file:{course / 'gradebook.db'}?mode=ro", uri=True)
    try:
        shas = dict(
            conn.execute("SELECT owner, sha256 FROM submissions WHERE sheet_id = ?", (sheet,))
        )
        stored = dict(conn.execute("SELECT submission_sha, stdout FROM results"))
    finally:
        conn.close()
    for owner in who:
        graded.stdout[owner] = stored.get(shas.get(owner, ""), "")
        folder = course / "feedback" / sheet
        graded.feedback[owner] = {
            fmt: (folder / name).read_text()
            for fmt, name in (
                ("md", f"{owner}.md"),
                ("html", f"{owner}.html"),
                ("json", f"gradescope/{owner}/results.json"),
            )
        }
        results = json.loads(
            (course / "feedback" / sheet / "gradescope" / owner / "results.json").read_text()
        )
        per_task: dict[str, float] = {}
        for test in results["tests"]:
            task = test["name"].split(":", 1)[0]
            per_task[task] = per_task.get(task, 0.0) + float(test["score"])
        graded.tasks[owner] = per_task
    export_path = root / f"gradebook-{sheet}.json"
    export = sheetgrade(course, "gradebook", "export", "--format", "json", "-o", str(export_path))
    assert export.returncode == 0, _tail(export)
    for student in json.loads(export_path.read_text())["students"]:
        for row in student["sheets"]:
            if row["sheet_id"] == sheet and student["id"] in uploader_of:
                graded.auto[uploader_of[student["id"]]] = float(row["auto"] or 0.0)
    return graded


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graded]:
    root = tmp_path_factory.mktemp("cli")
    course = root / "course"
    init = sheetgrade(root, "init", str(course), "--example", "mlphys")
    assert init.returncode == 0, _tail(init)
    _make_sheets(course)
    for sheet in (NATIVE, COMPAT):
        build = sheetgrade(course, "sheet", "build", sheet)
        assert build.returncode == 0, _tail(build)
    (root / "canary.txt").write_text("nothing may change this file\n")
    subjects = _subjects(course)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        return {
            kind: _grade_sheet(root, course, sheet, subjects, port, listener)
            for kind, sheet in (("native", NATIVE), ("compat", COMPAT))
        }
    finally:
        listener.close()


KINDS = ("native", "compat")


@pytest.mark.parametrize("kind", KINDS)
def test_grader_survives_and_grades_the_whole_batch(graded: dict[str, Graded], kind: str) -> None:
    g = graded[kind]
    # 1: some submissions ended in error (timeout, memory, crash); a negative code is a killed grader
    assert g.run.returncode in (0, 1), g.run.stdout + g.run.stderr
    assert "Traceback" not in g.run.stderr, g.run.stderr
    assert f"sheet {g.sheet}: {len(g.who)} graded" in g.run.stdout, g.run.stdout
    assert set(g.rows) == set(g.who), g.run.stdout
    assert g.results_rows == len(g.who)  # one result per submission, nothing graded twice


@pytest.mark.parametrize("kind", KINDS)
def test_baselines_get_exactly_their_points(graded: dict[str, Graded], kind: str) -> None:
    g = graded[kind]
    for student, name in g.who.items():
        if name in BASELINES:
            expected = BASELINES[name][1]
            assert g.rows[student].status == "graded", (name, g.rows[student])
            assert g.tasks[student] == expected, name
            assert g.auto[student] == sum(expected.values()), name
            assert "REVIEW" not in g.rows[student].note, name


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_outside_the_scratch_changes(graded: dict[str, Graded], kind: str) -> None:
    g = graded[kind]
    assert g.changed_files == []  # course, bundle, submission store, uploads, canary
    assert g.changed_tables == []  # the database: only result rows are written
    assert g.connections == 0  # no TCP connection reached the listener
    assert g.leftover == []  # no process outlives the run


@pytest.mark.parametrize("attack", [a.name for a in SUBMITTED])
def test_native_attack_earns_nothing(graded: dict[str, Graded], attack: str) -> None:
    g = graded["native"]
    student = next(s for s, name in g.who.items() if name == attack)
    blank = BASELINES["blank"][1]
    assert g.tasks[student] == blank, (g.rows[student], g.tasks[student])
    assert g.auto[student] == 0.0
    assert g.rows[student].points == 0.0


@pytest.mark.parametrize("attack", [a.name for a in SUBMITTED])
def test_compat_attack_is_flagged_or_earns_nothing(graded: dict[str, Graded], attack: str) -> None:
    g = graded["compat"]
    student = next(s for s, name in g.who.items() if name == attack)
    row = g.rows[student]
    flagged = row.note.startswith("REVIEW")
    assert flagged or g.tasks[student] == BASELINES["blank"][1], (row, g.tasks[student])
    assert g.auto[student] == row.points
    # the secret (task 2) is judged in the grader: nobody earns it, flagged or not
    assert g.tasks[student]["2"] == 0.0
    if attack in TAMPERING:
        assert flagged, row


@pytest.mark.parametrize("kind", KINDS)
def test_every_honest_submission_gets_full_points_beside_the_attacks(
    graded: dict[str, Graded], kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    g = graded[kind]
    with capsys.disabled():
        print(
            f"\n[{g.sheet}] {len(g.who)} submissions ({len(SUBMITTED)} attacks, {len(HONEST)} honest): "
            f"grader peak RSS {g.peak_rss_mib:.0f} MiB"
        )
    assert g.peak_rss_mib < 1024, g.peak_rss_mib
    honest = [s for s, name in g.who.items() if name in HONEST]
    assert len(honest) == 4
    for student in honest:
        assert g.rows[student].status == "graded", (g.who[student], g.rows[student])
        assert g.tasks[student] == FULL, g.who[student]


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_of_a_submission_outlives_the_run(graded: dict[str, Graded], kind: str) -> None:
    g = graded[kind]
    assert g.scratch_left == []  # the run's temp dir is empty again
    assert g.ipc_left == []  # no SysV object with the attack's key
    owner = next(s for s, name in g.who.items() if name == "ipc_objects_left_behind")
    line = next(x for x in g.stdout[owner].splitlines() if x.startswith("ipc "))
    # every IPC call was refused (-1), the POSIX queue too
    assert "'shm': -1" in line and "'msg': -1" in line and "'sem': -1" in line, line
    assert "'mq': -1" in line or "librt" in line, line


def _owner(g: Graded, attack: str) -> str:
    return next(s for s, name in g.who.items() if name == attack)


@pytest.mark.parametrize("kind", KINDS)
def test_no_secret_is_readable_through_paths(graded: dict[str, Graded], kind: str) -> None:
    # PYTHONPATH named the course folder (native) or the folder above it (compat);
    # the course was made with `init --example mlphys`.
    g = graded[kind]
    out = g.stdout[_owner(g, "read_secrets_on_paths")]
    assert "NOTEBOOKS-AND-SECRETS-READ 0" in out, out[-2000:]
    assert "PYTHONPATH None" in out, out[-2000:]
    assert g.tasks[_owner(g, "read_secrets_on_paths")]["2"] == 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_inputs_never_reach_feedback(graded: dict[str, Graded], kind: str) -> None:
    g = graded[kind]
    for attack in ("echo_hidden_inputs", "echo_through_malformed_reply"):
        text = "\n".join(g.feedback[_owner(g, attack)].values())
        assert "LEAK[10|-4]" not in text, attack
        assert "[10, -4]" not in text and "(10, -4)" not in text, attack
        assert "0.0, 1.0, 2.0, 3.0" not in text, attack  # the hidden X
    if kind == "native":  # the public test's message does quote the public call
        assert "LEAK[2|3]" in g.feedback[_owner(g, "echo_hidden_inputs")]["md"]


def _outside_code(markdown: str) -> list[str]:
    """Lines of ``markdown`` outside fenced code blocks (CommonMark fences)."""
    import re

    out, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.strip()
        if fence:
            if re.fullmatch(re.escape(fence[0]) + "{" + str(len(fence)) + ",}", stripped):
                fence = ""
            continue
        match = re.match(r"(`{3,}|~{3,})", stripped)
        if match:
            fence = match.group(1)
            continue
        out.append(line)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_feedback_is_inert(graded: dict[str, Graded], kind: str) -> None:
    import re

    g = graded[kind]
    for attack in ("markup_in_messages", "markup_in_status"):
        files = g.feedback[_owner(g, attack)]
        for line in _outside_code(files["md"]):
            assert "<script" not in line and "<img" not in line, (attack, line)
            assert not re.search(r"(?<!\\)\]\(javascript:", line), (attack, line)
            assert not re.search(r"(?<!\\)\*\*11 / 11", line), (attack, line)
        assert "<script>" not in files["html"] and "<img" not in files["html"], attack
        assert 'href="javascript:' not in files["html"], attack
        for test in json.loads(files["json"])["tests"]:
            if "output" in test:
                assert test["output_format"] == "text", test
    # the markup did reach the public test's message: it is there, inert
    if kind == "native":
        assert "alert(1)" in g.feedback[_owner(g, "markup_in_messages")]["md"]

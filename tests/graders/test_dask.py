"""Grading on a real Dask cluster (``distributed.LocalCluster``, two worker processes):
the same results as the local executor, test by test, and a worker killed mid-batch
loses nothing. One cluster serves the whole module."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetgrade.course.course import Course
from sheetgrade.graders import batch
from sheetgrade.graders import results as results_module

from . import test_grade_several
from .conftest import CORRECT, PARTIAL, AddSubmission
from .test_example_sheets import SHEETS, _submit
from .test_grade_cli import results_of
from .test_grade_several import CUBE, SQUARES, _answer, _store

distributed = pytest.importorskip("distributed")
several = test_grade_several.several  # the fixture: sheet 01 as two notebooks and a header


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def _by_test(results: dict[str, dict]) -> dict[str, tuple]:
    return {
        sha: (
            r["status"],
            r["points"],
            r["max_points"],
            r["message"],
            r["flags"],
            sorted(
                (t["test_id"], t["passed"], t["points"], t["message"], t["kind"], t["level"])
                for t in r["tests"].values()
            ),
        )
        for sha, r in results.items()
    }


@pytest.mark.slow
def test_example_sheets_on_dask_equal_the_local_executor_test_by_test(
    run_cli, example_course: Path, tmp_path: Path, cluster
) -> None:
    for sheet_id in SHEETS:
        assert run_cli("sheet", "build", sheet_id, course=example_course).exit_code == 0
        build = example_course / "build" / sheet_id
        name = json.loads((build / "autograder" / "bundle.json").read_text())["student_notebook"]
        reference = build / "autograder" / "reference.ipynb"
        broken = tmp_path / f"{sheet_id}-broken.ipynb"
        cells = json.loads(reference.read_text())
        code = [c for c in cells["cells"] if c["cell_type"] == "code"]
        code[len(code) // 2]["source"] = "raise RuntimeError('half done')\n"
        broken.write_text(json.dumps(cells))
        _submit(example_course, sheet_id, "s001", reference, name)
        _submit(example_course, sheet_id, "s002", build / "student" / name, name)
        _submit(example_course, sheet_id, "s003", broken, name)
    on_dask = tmp_path / "on-dask"
    shutil.copytree(example_course, on_dask)

    for sheet_id in SHEETS:
        local = run_cli("grade", sheet_id, "--jobs", "2", course=example_course)
        assert local.exit_code == 0, local.output
        dask = run_cli(
            "grade",
            sheet_id,
            "--executor",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            course=on_dask,
        )
        assert dask.exit_code == 0, dask.output
        assert "3 graded" in dask.stdout
    expected, got = _by_test(results_of(example_course)), _by_test(results_of(on_dask))
    assert len(expected) == 9 and {r[0] for r in expected.values()} == {"graded"}
    assert got == expected


@pytest.mark.slow
def test_a_sheet_of_several_notebooks_on_dask_equals_the_local_executor(
    run_cli,
    several: Path,
    tmp_path: Path,
    cluster,
) -> None:
    """Each handed-in notebook travels with the task and runs against its own
    reference and tests on the Dask worker; a missing one scores 0 there too."""
    _store(
        several,
        "s001",
        {
            "part1.ipynb": _answer(several, "part1.ipynb", {"squares": SQUARES}),
            "part2.ipynb": _answer(several, "part2.ipynb", {"cube": CUBE}),
        },
    )
    _store(several, "s002", {"work/PART2.ipynb": _answer(several, "part2.ipynb", {"cube": CUBE})})
    _store(several, "s003", {"notes.txt": "no notebook"})
    on_dask = tmp_path / "on-dask"
    shutil.copytree(several, on_dask)
    local = run_cli("grade", "01", course=several)
    dask = run_cli(
        "grade",
        "01",
        "--executor",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
        course=on_dask,
    )
    assert (local.exit_code, dask.exit_code) == (1, 1), dask.output  # s003 is invalid
    expected, got = _by_test(results_of(several)), _by_test(results_of(on_dask))
    assert sorted((r[0], r[1]) for r in expected.values()) == [
        ("graded", 1.0),
        ("graded", 3.0),
        ("invalid", 0.0),
    ]
    assert got == expected


def test_a_worker_killed_mid_batch_loses_nothing_and_stores_each_result_once(
    graded_course: Path, add_submission: AddSubmission, cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = "import time\ntime.sleep(1.5)\n"
    shas = [add_submission(f"s{i:03}", [slow, *(CORRECT if i % 2 else PARTIAL)]) for i in range(6)]
    stored: Counter[str] = Counter()
    save = results_module.save_result

    def counting_save(engine, **kwargs):
        stored[kwargs["submission_sha"]] += 1
        save(engine, **kwargs)

    monkeypatch.setattr(results_module, "save_result", counting_save)
    killed: list[int] = []

    def kill_a_busy_worker(done: int, total: int, latest: batch.GradedSubmission) -> None:
        if killed:
            return
        with distributed.Client(cluster.scheduler_address) as client:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    break
                time.sleep(0.05)
            pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    run = batch.grade_sheet(
        Course.open(graded_course),
        "01",
        executor="dask",
        scheduler=cluster.scheduler_address,
        on_progress=kill_a_busy_worker,
    )
    assert killed
    assert sorted(g.sha256 for g in run.graded) == sorted(shas)
    assert {g.status for g in run.graded} == {"graded"}
    assert stored == Counter(dict.fromkeys(shas, 1))
    results = results_of(graded_course)
    assert sorted(results) == sorted(shas)
    assert [results[s]["points"] for s in shas] == [2, 6, 2, 6, 2, 6]


def test_slurm_settings_become_the_job_script(tmp_path: Path) -> None:
    from datetime import timedelta

    from sheetgrade.course.config import SlurmJobs
    from sheetgrade.graders.dask_executor import slurm_options

    jobqueue = pytest.importorskip("dask_jobqueue")
    settings = SlurmJobs(
        jobs=4,
        queue="cpu",
        account="phys-ml",
        cores=16,
        memory=32 * 1024**3,
        walltime=timedelta(minutes=90),
        job_extra_directives=["--qos=short"],
        job_script_prologue=["source /shared/sheetgrade/venv/bin/activate"],
        local_directory="$TMPDIR",
    )
    with jobqueue.SLURMCluster(
        **slurm_options(settings), scheduler_options={"dashboard_address": None}
    ) as slurm:
        script = slurm.job_script()
    for line in (
        "#SBATCH -J sheetgrade",
        "#SBATCH -p cpu",
        "#SBATCH -A phys-ml",
        "#SBATCH --cpus-per-task=16",
        "#SBATCH --mem=32G",
        "#SBATCH -t 01:30:00",
        "#SBATCH --qos=short",
        "source /shared/sheetgrade/venv/bin/activate",
    ):
        assert line in script.splitlines(), script
    assert "--nthreads 1 " in script and "--nworkers 16 " in script
    assert "--local-directory $TMPDIR" in script


def test_bad_cluster_is_a_usage_error_and_a_config_error(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    add_submission("s001", CORRECT)
    r = run_cli("grade", "01", "--cluster", "locl:2", course=graded_course)
    assert r.exit_code == 2
    assert '"locl:2" is not a cluster; use local, local:N (N worker processes) or slurm' in r.stderr
    r = run_cli("grade", "01", "--executor", "local", "--cluster", "local:2", course=graded_course)
    assert r.exit_code == 2 and "--scheduler and --cluster go with --executor dask" in r.stderr
    yml = graded_course / "course.yml"
    text = yml.read_text().replace(
        "  workers: 0\n", "  workers: 0\n  executor: dask\n  cluster: slurm:3\n"
    )
    assert "slurm:3" in text
    yml.write_text(text)
    r = run_cli("grade", "01", course=graded_course)
    assert r.exit_code == 1
    assert re.search(r'course.yml:\d+: grading.cluster: "slurm:3" is not a cluster', r.stderr)

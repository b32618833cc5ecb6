"""Local executor against Dask: a sheet whose submissions train a small network.

One run builds a course with the benchmark sheet ``01-train`` (its reference
trains a one-hidden-layer network by full-batch gradient descent, twice per
submission: a public and a hidden check), collects ``--n`` submissions (most
correct, some with a wrong gradient, some blank) and grades all of them four
times with ``--force``:

* the local executor with ``--jobs 1`` and ``--jobs 2``;
* a Dask ``LocalCluster`` of 1 and of 2 worker processes (one thread each),
  started before the grading run and timed on its own.

Every variant must store the same points for every submission. The scheduler's
own cost per task is measured twice: as the difference between the Dask and
the local run with one worker, per submission, and with no-op tasks on the
2-worker cluster. Prints Markdown tables; writes ``benchmarks/out/cluster-*.json``.

    .venv/bin/python benchmarks/cluster.py [--n 60] [--epochs 600] [--keep]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat

OUT = Path(__file__).resolve().parent / "out"
SHEET = "01-train"
NOTEBOOK = "train.ipynb"

DATA_CELL = """\
import numpy as np

rng = np.random.default_rng(0)
X = rng.uniform(-2.0, 2.0, size=(256, 4))
y = np.sin(X).sum(axis=1)"""

TRAIN_CELL = """\
def train(X, y, hidden=32, epochs=100, lr=0.05, seed=0):
    \"\"\"Train a tanh network with one hidden layer by full-batch gradient descent
    on the mean squared error; return the loss of every epoch.\"\"\"
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    n, d = X.shape
    W1 = rng.normal(scale=1 / np.sqrt(d), size=(d, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.normal(scale=1 / np.sqrt(hidden), size=hidden)
    b2 = 0.0
    losses = np.empty(epochs)
    for epoch in range(epochs):
        H = np.tanh(X @ W1 + b1)
        err = H @ w2 + b2 - y
        losses[epoch] = np.mean(err**2)
        g = 2 * err / n
        gH = np.outer(g, w2) * (1 - H**2)
        w2 -= lr * (H.T @ g)
        b2 -= lr * g.sum()
        W1 -= lr * (X.T @ gH)
        b1 -= lr * gH.sum(axis=0)
    return losses
    # END SOLUTION"""

CHECKS = """\
# CHECK 1a points=2
X0, y0 = reference.value("X"), reference.value("y")
expect_close(student.train(X0, y0, epochs={epochs}), reference.train(X0, y0, epochs={epochs}), rtol=1e-6)
---
# CHECK 1a points=2 hidden
X0, y0 = reference.value("X"), reference.value("y")
expect_close(student.train(X0, y0, hidden=24, epochs={epochs}, seed=3),
             reference.train(X0, y0, hidden=24, epochs={epochs}, seed=3), rtol=1e-6)"""

WRONG = ("gH = np.outer(g, w2) * (1 - H**2)", "gH = np.outer(g, w2) * (1 - H)")


def sheetgrade(*args: str, course: Path) -> str:
    """Run the CLI of this checkout's venv; raise with its stderr if it fails."""
    exe = Path(sys.executable).with_name("sheetgrade")
    done = subprocess.run(
        [str(exe), "--course", str(course), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"sheetgrade {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def make_course(root: Path, n: int, epochs: int) -> dict[str, str]:
    """The course, built and collected; returns each student's variant."""
    exe = Path(sys.executable).with_name("sheetgrade")
    subprocess.run([str(exe), "init", str(root)], check=True, capture_output=True)
    yml = root / "course.yml"
    yml.write_text(
        yml.read_text().replace(
            "sheets: []", 'sheets:\n  - {id: 01-train, due: "2026-11-04T10:00+01:00"}'
        )
        + "\ngrading:\n  timeout: 10m\n"
    )
    roster = root / "students-import.csv"
    lines = ["id,first_name,last_name,email,matrikel,group"]
    lines += [f"s{i:03d},Stu,Dent{i:03d},s{i:03d}@uni.example,{4100000 + i},G1" for i in range(n)]
    roster.write_text("\n".join(lines) + "\n")
    sheetgrade("roster", "import", str(roster), "--kind", "students", course=root)

    folder = root / "sheets" / SHEET
    folder.mkdir(parents=True)
    (folder / "sheet.yml").write_text(
        f"title: Training a small network\nnotebook: {NOTEBOOK}\n"
        "tasks:\n  - {id: 1a, title: Gradient descent, points: 4, kind: auto}\n"
    )
    cells = [nbformat.v4.new_markdown_cell("# Sheet 1: training a small network")]
    cells += [nbformat.v4.new_code_cell(DATA_CELL), nbformat.v4.new_code_cell(TRAIN_CELL)]
    cells += [nbformat.v4.new_code_cell(c) for c in CHECKS.format(epochs=epochs).split("\n---\n")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / NOTEBOOK)
    sheetgrade("sheet", "build", "01", course=root)

    reference = (root / "build" / SHEET / "autograder" / "reference.ipynb").read_text()
    blank = (root / "build" / SHEET / "student" / NOTEBOOK).read_text()
    assert WRONG[0] in reference
    incoming = root / "incoming"
    incoming.mkdir()
    variants = {}
    for i in range(n):
        variant = "blank" if i % 12 == 5 else "wrong" if i % 6 == 1 else "correct"
        text = {
            "correct": reference.replace("seed=0):", f"seed=0):  # s{i:03d}"),
            "wrong": reference.replace(*WRONG).replace("seed=0):", f"seed=0):  # s{i:03d}"),
            "blank": blank.replace("seed=0):", f"seed=0):  # s{i:03d}"),
        }[variant]
        (incoming / f"s{i:03d}.ipynb").write_text(text)
        variants[f"s{i:03d}"] = variant
    sheetgrade("collect", "01", str(incoming), course=root)
    return variants


def grade(course_root: Path, **options: Any) -> tuple[float, dict[str, float], list[float]]:
    """One forced grading run in this process: wall seconds, points by owner, durations."""
    from sheetgrade.course.course import Course
    from sheetgrade.graders.batch import grade_sheet

    course = Course.open(course_root)
    start = time.perf_counter()
    run = grade_sheet(course, "01", force=True, **options)
    wall = time.perf_counter() - start
    course.engine.dispose()
    if run.failed:
        raise SystemExit(f"grading failed: {[(g.owner, g.message) for g in run.failed]}")
    return wall, {g.owner: g.points for g in run.graded}, [g.duration for g in run.graded]


def _noop(i: int) -> int:
    return i


def scheduler_overhead(client: Any, tasks: int) -> float:
    """Seconds per no-op task, submitted all at once and gathered."""
    client.gather(client.map(_noop, range(50), pure=False))  # warm up
    start = time.perf_counter()
    client.gather(client.map(_noop, range(tasks), pure=False))
    return (time.perf_counter() - start) / tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="submissions (default 60)")
    parser.add_argument("--epochs", type=int, default=600, help="epochs per training call")
    parser.add_argument("--noop-tasks", type=int, default=500, help="no-op tasks for overhead")
    parser.add_argument("--keep", action="store_true", help="keep the course folder")
    args = parser.parse_args()

    import distributed

    work = Path(tempfile.mkdtemp(prefix="sheetgrade-cluster-bench-"))
    course = work / "course"
    t0 = time.perf_counter()
    variants = make_course(course, args.n, args.epochs)
    setup = time.perf_counter() - t0
    print(f"course with {args.n} submissions built and collected in {setup:.0f} s", file=sys.stderr)

    rows, points, noop = run_variants(course, args.n, args.noop_tasks)
    first = next(iter(points.values()))
    identical = all(p == first for p in points.values())
    by_variant: dict[str, list[float]] = {}
    for owner, variant in variants.items():
        by_variant.setdefault(variant, []).append(first[owner])
    local1, local2, dask1, dask2 = (r["wall_s"] for r in rows)
    summary = {
        "speedup_local_1_to_2": round(local1 / local2, 2),
        "speedup_dask_1_to_2": round(dask1 / dask2, 2),
        "dask_over_local_per_submission_s": round((dask1 - local1) / args.n, 3),
        "noop_task_overhead_ms": round(noop * 1000, 2) if noop else None,
        "identical_points": identical,
    }
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": os.getloadavg(),
            "distributed": distributed.__version__,
        },
        "n": args.n,
        "epochs": args.epochs,
        "mix": {v: len(p) for v, p in by_variant.items()},
        "points_by_variant": {v: sorted(set(p)) for v, p in by_variant.items()},
        "rows": rows,
        "summary": summary,
    }
    OUT.mkdir(exist_ok=True)
    path = OUT / f"cluster-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=1))

    print_tables(result, args.n, args.epochs)
    print(f"\nload average at the end: {result['machine']['load_avg_at_end']}; written {path}")
    if args.keep:
        print(f"course kept in {course}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if not identical:
        raise SystemExit("the executors stored different points")


def run_variants(
    course: Path, n: int, noop_tasks: int
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]], float | None]:
    """Grade with the local executor (1, 2 jobs) and on a Dask LocalCluster (1, 2
    workers): the table rows, the points stored by each, the no-op task cost."""
    import distributed

    rows: list[dict[str, Any]] = []
    points: dict[str, dict[str, float]] = {}

    def record(name: str, workers: int, wall: float, pts: dict, durations: list, **extra: Any):
        points[name] = pts
        rows.append(
            {
                "executor": name,
                "workers": workers,
                "wall_s": round(wall, 2),
                "per_submission_s": round(wall / n, 3),
                "mean_task_duration_s": round(statistics.mean(durations), 3),
                **extra,
            }
        )
        print(f"{name}: {wall:.1f} s", file=sys.stderr)

    for jobs in (1, 2):
        wall, pts, durations = grade(course, jobs=jobs)
        record(f"local --jobs {jobs}", jobs, wall, pts, durations)
    noop = None
    for workers in (1, 2):
        t0 = time.perf_counter()
        with distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster:
            started = time.perf_counter() - t0
            wall, pts, durations = grade(
                course, executor="dask", scheduler=cluster.scheduler_address
            )
            if workers == 2:
                with distributed.Client(cluster.scheduler_address) as client:
                    noop = scheduler_overhead(client, noop_tasks)
        record(
            f"Dask LocalCluster {workers}", workers, wall, pts, durations, cluster_start_s=started
        )
    return rows, points, noop


def print_tables(result: dict[str, Any], n: int, epochs: int) -> None:
    """The rows as a Markdown table, then the summary."""
    print(f"\n{n} submissions of {SHEET} ({result['mix']}), {epochs} epochs per call\n")
    print("| executor | workers | wall s | s per submission | mean task s | cluster start s |")
    print("|---|---|---|---|---|---|")
    for r in result["rows"]:
        start = f"{r['cluster_start_s']:.1f}" if "cluster_start_s" in r else "–"
        print(
            f"| {r['executor']} | {r['workers']} | {r['wall_s']:.1f} | "
            f"{r['per_submission_s']:.2f} | {r['mean_task_duration_s']:.2f} | {start} |"
        )
    print()
    for key, value in result["summary"].items():
        print(f"- {key}: {value}")


if __name__ == "__main__":
    main()

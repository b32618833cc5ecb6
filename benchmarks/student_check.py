"""A student's `sheetgrade check`: start to verdict, fork and portable backends,
and the size of the student install.

    .venv/bin/python benchmarks/student_check.py                # both parts, 5 repetitions
    .venv/bin/python benchmarks/student_check.py --reps 3 --no-venv

Part 1 builds the example course (`init --example mlphys`, `sheet build` of
every sheet), puts the reference solution into each sheet's student folder and
times `sheetgrade check solved.ipynb` as a student runs it: a new process, from
its start to its exit, once with `SHEETGRADE_BACKEND=fork` and once with
`SHEETGRADE_BACKEND=portable`, alternating, `--reps` times. It prints the
median and the range of each, and the ratio portable / fork.

Part 2 builds sheetgrade's wheel, installs it without extras into a fresh venv
(as `pip install sheetgrade` would; pip's cache is used), counts `pip list`
and the venv's bytes, and times `check` once more inside that venv (the
student's real case: no staff libraries at all).

Results go to stdout as Markdown and to `benchmarks/out/student-check.json`.
Nothing here is a test: times depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import student_venv  # noqa: E402

BACKENDS = ("fork", "portable")


def sheetgrade_cmd(python: Path | str) -> list[str]:
    return [str(python), "-m", "sheetgrade"]


def prepare(root: Path, python: str) -> list[tuple[str, Path]]:
    """The example course with every sheet built; (sheet, solved notebook) pairs."""
    env = _env(None)
    subprocess.run(
        [*sheetgrade_cmd(python), "init", str(root), "--example", "mlphys"],
        check=True,
        capture_output=True,
        env=env,
    )
    sheets = sorted(p.name for p in (root / "sheets").iterdir() if (p / "sheet.yml").is_file())
    out = []
    for sheet in sheets:
        subprocess.run(
            [*sheetgrade_cmd(python), "--course", str(root), "sheet", "build", sheet],
            check=True,
            capture_output=True,
            env=env,
        )
        build = root / "build" / sheet
        solved = build / "student" / "solved.ipynb"
        shutil.copyfile(build / "autograder" / "reference.ipynb", solved)
        out.append((sheet, solved))
    return out


def _env(backend: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETGRADE_")}
    if backend:
        env["SHEETGRADE_BACKEND"] = backend
    return env


def time_check(python: Path | str, notebook: Path, backend: str) -> tuple[float, float, str]:
    """Wall seconds from starting `sheetgrade check` to its exit, the CPU seconds
    it and its processes used (less sensitive to a busy machine), and its last line."""
    before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [*sheetgrade_cmd(python), "check", notebook.name],
        cwd=notebook.parent,
        env=_env(backend),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - before
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0:
        raise RuntimeError(f"check failed ({backend}): {result.stdout}{result.stderr}")
    return elapsed, cpu, lines[-1] if lines else ""


def _children_cpu() -> float:
    """User + system CPU seconds of every waited-for descendant so far (POSIX)."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


Times = dict[str, dict[str, list[float]]]


def measure(
    python: Path | str, notebooks: list[tuple[str, Path]], reps: int
) -> tuple[Times, Times]:
    """Wall and CPU seconds per sheet and backend."""
    times: Times = {s: {b: [] for b in BACKENDS} for s, _ in notebooks}
    cpus: Times = {s: {b: [] for b in BACKENDS} for s, _ in notebooks}
    verdicts: dict[tuple[str, str], str] = {}
    for rep in range(reps):
        order = BACKENDS if rep % 2 == 0 else tuple(reversed(BACKENDS))
        for sheet, notebook in notebooks:
            for backend in order:
                seconds, cpu, verdict = time_check(python, notebook, backend)
                times[sheet][backend].append(seconds)
                cpus[sheet][backend].append(cpu)
                verdicts.setdefault((sheet, backend), verdict)
    for sheet, _ in notebooks:
        if verdicts[(sheet, "fork")] != verdicts[(sheet, "portable")]:
            raise RuntimeError(f"{sheet}: the backends disagree: {verdicts}")
    return times, cpus


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def table(times: Times, cpus: Times) -> str:
    lines = [
        "| sheet | fork, wall | portable, wall | portable / fork | fork, CPU | portable, CPU |",
        "|---|---|---|---|---|---|",
    ]
    for sheet, by in times.items():
        ratio = statistics.median(by["portable"]) / statistics.median(by["fork"])
        cpu = cpus[sheet]
        lines.append(
            f"| {sheet} | {_fmt(by['fork'])} | {_fmt(by['portable'])} | {ratio:.2f} "
            f"| {statistics.median(cpu['fork']):.2f} s | {statistics.median(cpu['portable']):.2f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-venv", action="store_true", help="skip the student venv part")
    parser.add_argument("--venv", type=Path, default=None, help="student venv folder (kept)")
    args = parser.parse_args()
    report: dict[str, object] = {
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "cpus": os.cpu_count(),
        "reps": args.reps,
    }
    with tempfile.TemporaryDirectory(prefix="student-check-") as tmp:
        notebooks = prepare(Path(tmp) / "mlphys", sys.executable)
        times, cpus = measure(sys.executable, notebooks, args.reps)
        report["dev_venv"] = {"wall": times, "cpu": cpus}
        print(f"## `sheetgrade check` start to verdict, dev venv, {args.reps} repetitions\n")
        print(table(times, cpus))
        if not args.no_venv:
            venv_dir = args.venv or Path(tmp) / "student-venv"
            wheel = student_venv.build_wheel(Path(tmp) / "dist")
            python = student_venv.create_student_venv(venv_dir, wheel)
            stats = student_venv.venv_stats(venv_dir)
            student_times, student_cpus = measure(python, notebooks, args.reps)
            report["student_venv"] = {
                "distributions": stats.distributions,
                "count": stats.count,
                "bytes": stats.bytes,
                "wall": student_times,
                "cpu": student_cpus,
            }
            print(
                f"\n## Student venv: `pip install {wheel.name}` (no extras)\n\n"
                f"{stats.count} distributions in `pip list` (pip and setuptools included), "
                f"{stats.megabytes:.0f} MB on disk.\n"
            )
            print(table(student_times, student_cpus))
    if hasattr(os, "getloadavg"):
        print(
            f"\nload average at the start: {report['load_average']}, at the end: {os.getloadavg()}"
        )
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "student-check.json").write_text(json.dumps(report, indent=1))
    print(f"\nwritten: {out / 'student-check.json'}")


if __name__ == "__main__":
    main()

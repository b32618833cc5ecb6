"""The measurements, section by section. Each returns plain data for the report.

Every section that compares tools interleaves them: within a repetition the
tools take turns, and the order rotates between repetitions.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import agreement
import batch
import competitors
import compute
import prepare
import ps1
import tools
from bench_sheet import NOTEBOOK, pattern_for, student_name
from graders_under_test import NbgraderBatch, OtterBatch, SheetgradeBatch
from stats import Sample
from timing import Measure, interleave, time_command

HERE = Path(__file__).resolve().parent
GRADEBOOK_BENCH = HERE / "gradebook_bench.py"
#: sheetgrade runs on the native sheet: checks run in the grader
NATIVE = ("sheetgrade_j1", "sheetgrade_auto")
#: what gradebook_bench.py prints (milliseconds), read back as seconds
GRADEBOOK_LINES = {
    "build": r"build gradebook:\s+median\s+(?P<median>[\d.]+) ms",
    "export": r"admission export:\s+median\s+(?P<median>[\d.]+) ms",
    "together": r"together:\s+median\s+(?P<median>[\d.]+) ms \(min (?P<min>[\d.]+), "
    r"max (?P<max>[\d.]+)",
}


@dataclass
class Sizes:
    """How much to measure."""

    n: int = 30  # submissions in the batch
    n_trivial: int = 20  # submissions in the overhead batch
    reps: int = 3  # repetitions of batch grading and overhead
    startup_reps: int = 10
    check_reps: int = 5
    warm_up: bool = True  # one untimed run of each CLI before timing start-up
    competitor_overhead: bool = True  # trivial batches for the competitors too
    formats: bool = True  # sheetgrade also grades the nbgrader- and otter-format sheets


SMOKE = Sizes(
    n=2,
    n_trivial=3,
    reps=1,
    startup_reps=1,
    check_reps=1,
    warm_up=False,
    competitor_overhead=False,
    formats=False,
)


@dataclass
class Results:
    """Everything a run measured, keyed for the report."""

    samples: dict[str, Sample] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    agreement: list[agreement.Agreement] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gradebook: dict[str, object] = field(default_factory=dict)


_STARTED = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr, with the seconds since the start."""
    print(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def available_tools(wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The competitors among ``wanted`` that are installed, with a note for the rest."""
    found = []
    for tool in wanted:
        if tools.installed(tool):
            found.append(tool)
        else:
            say(f"skipping {tool}: not installed (run benchmarks/setup.sh)")
    return tuple(found)


def startup(res: Results, competitors_: tuple[str, ...], reps: int, *, warm_up: bool) -> None:
    """``--help`` of each CLI, as a cold-ish process start (files cached)."""
    say("CLI start-up (--help)")
    measures: dict[str, Measure] = {}
    for tool in ("sheetgrade", *competitors_):
        argv = [*tools.command(tool), "--help"]
        env = competitors.environment() if tool != "sheetgrade" else None
        measures[f"startup.{tool}"] = lambda argv=argv, env=env: time_command(argv, HERE, env)
    for m in measures.values() if warm_up else ():  # warm the file cache once
        m()
    res.samples.update(interleave(measures, reps, progress=say))


def student_compute(res: Results, n: int) -> None:
    """The student code's own run time: cells and tests in a warm interpreter."""
    problems = compute.verify_patterns()
    if problems:
        res.notes += [f"truth table: {p}" for p in problems]
    for i in range(3):
        compute.run_direct(pattern_for(i))
    runs = [compute.run_direct(pattern_for(i)).seconds for i in range(n)]
    res.values["compute_per_submission"] = statistics.median(runs)
    trivial = [compute.run_direct(pattern_for(i), trivial=True).seconds for i in range(n)]
    res.values["compute_per_submission_trivial"] = statistics.median(trivial)


@dataclass
class Prepared:
    """A written and prepared batch."""

    written: batch.Batch
    sheetgrade_course: Path | None


def write_and_prepare(
    root: Path, n: int, forms: tuple[str, ...], *, trivial: bool, formats: bool = True
) -> Prepared:
    """Write the batch in every form and prepare sheetgrade's course (only the
    native sheet unless ``formats``)."""
    say(f"writing {'trivial ' if trivial else ''}batch of {n} to {root}")
    written = batch.write_batch(root, n, forms, trivial=trivial)
    sheets = ("bench", "bench-nbgrader", "bench-otter") if formats else ("bench",)
    course = prepare.sheetgrade_course(root / "sheetgrade", sheets)
    return Prepared(written, course)


def grading_measures(
    prep: Prepared,
    work: Path,
    competitors_: tuple[str, ...],
    *,
    formats: bool,
    students: list[str] | None = None,
    prefix: str = "batch",
) -> dict[str, NbgraderBatch | OtterBatch | SheetgradeBatch]:
    """The timed grading runs of one prepared batch, by key; each with its own
    working copy under ``work/<prefix>/``, which holds its last run's results."""
    forms = prep.written.forms
    base = work / prefix
    measures: dict[str, NbgraderBatch | OtterBatch | SheetgradeBatch] = {}
    if "nbgrader" in competitors_:
        measures[f"{prefix}.nbgrader"] = NbgraderBatch(
            forms["nbgrader"], base / "nbgrader", students
        )
    if "otter" in competitors_:
        measures[f"{prefix}.otter"] = OtterBatch(forms["otter"], students)
    course = prep.sheetgrade_course
    assert course is not None
    measures[f"{prefix}.sheetgrade_j1"] = SheetgradeBatch(
        course, base / "sg-j1", "bench", 1, students
    )
    if students is None:
        measures[f"{prefix}.sheetgrade_auto"] = SheetgradeBatch(
            course, base / "sg-auto", "bench", None
        )
    if formats:
        for fmt in ("nbgrader", "otter"):
            measures[f"{prefix}.sheetgrade_auto_{fmt}_source"] = SheetgradeBatch(
                course, base / f"sg-{fmt}", f"bench-{fmt}", None
            )
    return measures


def grade_batch(
    res: Results,
    prep: Prepared,
    work: Path,
    competitors_: tuple[str, ...],
    reps: int,
    *,
    formats: bool = True,
) -> None:
    """Grade the batch with every tool, interleaved, then compare the scores."""
    say(f"grading the batch of {prep.written.n} ({reps} repetitions)")
    measures = grading_measures(prep, work, competitors_, formats=formats)
    res.samples.update(interleave(dict(measures), reps, progress=say))
    otter = measures.get("batch.otter")
    if isinstance(otter, OtterBatch) and otter.per_call:
        res.values["otter_per_call_median"] = statistics.median(otter.per_call)
    expected = json.loads(prep.written.expected_path.read_text(encoding="utf-8"))
    scores = {}
    for key, runner in measures.items():
        tool = key.removeprefix("batch.")
        got = runner.scores()
        native = tool in NATIVE
        res.agreement.append(agreement.compare(tool, expected, got, native=native))
        scores[tool] = got
    res.disagreements = agreement.pairwise({k: v for k, v in scores.items() if k not in NATIVE})


def overhead(
    res: Results, prep: Prepared, work: Path, competitors_: tuple[str, ...], reps: int
) -> None:
    """Trivial notebooks: the whole batch and one submission, per tool.

    The marginal cost of a submission, (T(n) - T(1)) / (n - 1), is the tool's
    own cost per submission with start-up taken out.
    """
    n = prep.written.n
    say(f"overhead: trivial batch of {n} and of 1 ({reps} repetitions)")
    full = grading_measures(prep, work, competitors_, formats=False, prefix="trivial_full")
    one = grading_measures(
        prep, work, competitors_, formats=False, prefix="trivial_one", students=[student_name(0)]
    )
    full.pop("trivial_full.sheetgrade_auto", None)
    res.samples.update(interleave({**full, **one}, reps, progress=say))
    for tool in ("nbgrader", "otter", "sheetgrade_j1"):
        big, small = res.samples.get(f"trivial_full.{tool}"), res.samples.get(f"trivial_one.{tool}")
        if big and small and n > 1:
            res.values[f"marginal.{tool}"] = (big.median - small.median) / (n - 1)


def check_latency(
    res: Results, real: Prepared, work: Path, competitors_: tuple[str, ...], reps: int
) -> None:
    """A student checks a partial notebook against the public tests."""
    say(f"student check ({reps} repetitions)")
    forms = real.written.forms
    measures: dict[str, Measure] = {}
    sg_dir = prepare.sheetgrade_check_dir(forms["sheetgrade"], work / "check-sheetgrade")
    sg = [str(tools.sheetgrade()), "check", NOTEBOOK]
    measures["check.sheetgrade"] = lambda: time_command(sg, sg_dir, ok_codes=(0, 1))
    env = competitors.environment()
    if "otter" in competitors_:
        otter_dir = prepare.otter_check_dir(forms["otter"], work / "check-otter")
        otter = [str(competitors.bin_path("otter")), "check", NOTEBOOK]
        measures["check.otter"] = lambda: time_command(otter, otter_dir, env, ok_codes=(0, 1))
    if "nbgrader" in competitors_:
        nb_dir = prepare.nbgrader_check_dir(forms["nbgrader"], work / "check-nbgrader")
        nbg = [str(competitors.bin_path("nbgrader")), "validate", NOTEBOOK]
        measures["check.nbgrader_validate"] = lambda: time_command(
            nbg, nb_dir, env, ok_codes=(0, 1)
        )
    res.samples.update(interleave(measures, reps, progress=say))


def gradebook(res: Results, *, smoke: bool) -> None:
    """Run the gradebook benchmark (benchmarks/gradebook_bench.py) and read its
    medians from its output; tiny sizes in a smoke run."""
    if not GRADEBOOK_BENCH.exists():
        res.notes.append("gradebook: benchmarks/gradebook_bench.py is not there; not measured")
        return
    say("gradebook build + admission export (gradebook_bench.py)")
    argv = [sys.executable, str(GRADEBOOK_BENCH)]
    if smoke:
        argv += ["--students", "50", "--sheets", "3", "--tasks", "4", "--repeat", "1"]
    done = subprocess.run(argv, cwd=HERE.parent, capture_output=True, text=True, check=False)
    res.gradebook["stdout"] = done.stdout[-4000:]
    res.gradebook["sizes"] = "50 x 3 x 4 (smoke)" if smoke else "1,000 x 12 x 8"
    if done.returncode != 0:
        res.notes.append(
            f"gradebook: gradebook_bench.py exited {done.returncode}: {done.stderr[-600:]}"
        )
        return
    for key, pattern in GRADEBOOK_LINES.items():
        if m := re.search(pattern, done.stdout):
            res.gradebook[key] = {name: float(v) / 1000 for name, v in m.groupdict().items()}
    if "together" not in res.gradebook:
        res.notes.append("gradebook: could not read the 'together' line of gradebook_bench.py")


def single(
    res: Results, prep: Prepared, work: Path, competitors_: tuple[str, ...], reps: int
) -> None:
    """One real submission (a correct one) graded on its own: what a tutor
    regrading one student waits for, start-up included."""
    say(f"one submission of the own sheet ({reps} repetitions)")
    one = grading_measures(
        prep, work, competitors_, formats=False, prefix="one", students=[student_name(0)]
    )
    res.samples.update(interleave(dict(one), reps, progress=say))


def ps1_workload(
    res: Results, work: Path, competitors_: tuple[str, ...], n: int, reps: int
) -> None:
    """nbgrader's own ps1 (problem1), read from the installed nbgrader: a batch
    of ``n`` byte-distinct submissions and one submission alone, graded by
    nbgrader and by sheetgrade; then the scores of the batch compared."""
    if "nbgrader" not in competitors_:
        res.notes.append("ps1: needs nbgrader in the competitors' venv; not measured")
        return
    say(f"ps1 (nbgrader user guide): writing {n} submissions")
    batch_ = ps1.write(work / "ps1", n)
    base = work / "ps1-grade"
    first = ps1.student_name(0)
    measures: dict[str, ps1.NbgraderPs1 | ps1.SheetgradePs1] = {
        "ps1.nbgrader": ps1.NbgraderPs1(batch_, base / "nbgrader"),
        "ps1.sheetgrade_auto": ps1.SheetgradePs1(batch_, base / "sg-auto", None),
        "ps1_one.nbgrader": ps1.NbgraderPs1(batch_, base / "nbgrader-one", first),
        "ps1_one.sheetgrade_j1": ps1.SheetgradePs1(batch_, base / "sg-one", 1, first),
    }
    say(f"ps1: grading {n} and 1 ({reps} repetitions)")
    res.samples.update(interleave(dict(measures), reps, progress=say))
    expected = ps1.expected(n)
    for key in ("ps1.nbgrader", "ps1.sheetgrade_auto"):
        res.agreement.append(
            agreement.compare(key.replace(".", " "), expected, measures[key].scores())
        )
    res.disagreements += agreement.pairwise(
        {k: measures[k].scores() for k in ("ps1.nbgrader", "ps1.sheetgrade_auto")}
    )

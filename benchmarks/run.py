"""Benchmark sheetgrade against nbgrader and otter-grader, side by side.

    .venv/bin/python benchmarks/run.py            # full run (make bench), several minutes
    .venv/bin/python benchmarks/run.py --smoke    # tiny sizes, under a minute (make bench-smoke)
    .venv/bin/python benchmarks/run.py --n 300 --reps 1

The competitors run from benchmarks/.venv-competitors (``bash benchmarks/setup.sh``);
a competitor that is not installed is skipped. Results are printed as tables
with the targets and written as JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import competitors  # noqa: E402
import machine  # noqa: E402
import report  # noqa: E402
import suite  # noqa: E402
import tools  # noqa: E402

SECTIONS = ("startup", "batch", "single", "overhead", "check", "ps1", "gradebook")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--n", type=int, help="submissions in the batch (default 30)")
    parser.add_argument("--n-trivial", type=int, help="trivial notebooks for the overhead (20)")
    parser.add_argument("--reps", type=int, help="repetitions of grading and overhead (3)")
    parser.add_argument(
        "--tools",
        default="nbgrader,otter",
        help="competitors to include (default: nbgrader,otter; '' for none)",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"sections to run (default: all of {','.join(SECTIONS)})",
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="results folder")
    parser.add_argument("--keep", action="store_true", help="keep the generated batches")
    parser.add_argument(
        "--no-setup",
        action="store_true",
        help="don't create the competitors' venv when it is missing (full run)",
    )
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> suite.Sizes:
    sizes = suite.SMOKE if args.smoke else suite.Sizes()
    changes = {
        k: v
        for k, v in (("n", args.n), ("n_trivial", args.n_trivial), ("reps", args.reps))
        if v is not None
    }
    return replace(sizes, **changes)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 even when a target is missed (it is reported)."""
    args = parse_args(argv)
    sizes = sizes_from(args)
    sections = {s for s in args.only.split(",") if s}
    if unknown := sections - set(SECTIONS):
        sys.exit(
            f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}"
        )
    wanted = tuple(t for t in args.tools.split(",") if t)
    started = time.monotonic()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = args.out / f"work-{stamp}"
    res = suite.Results()
    info = machine.describe()
    versions = tools.versions()
    if wanted and not args.smoke and not args.no_setup and not competitors.python().exists():
        suite.say("creating the competitors' venv (benchmarks/setup.sh)")
        subprocess.run(["bash", str(HERE / "setup.sh")], check=False)
    competitors_ = suite.available_tools(wanted)
    try:
        run_sections(res, sections, sizes, work, competitors_, smoke=args.smoke)
    finally:
        if not args.keep and work.exists():
            shutil.rmtree(work, ignore_errors=True)

    info["load_average_end"] = machine.load_average()
    derived = report.derive(res, sizes)
    print_report(res, sizes, derived, info, versions, smoke=args.smoke)
    path = args.out / f"results-{stamp}{'-smoke' if args.smoke else ''}.json"
    report.write_json(
        path,
        machine=info,
        versions=versions,
        sizes=sizes,
        res=res,
        derived=derived,
        smoke=args.smoke,
    )
    shutil.copy(path, args.out / ("latest-smoke.json" if args.smoke else "latest.json"))
    print(f"\nresults: {path} ({time.monotonic() - started:.0f} s)")
    return 0


def run_sections(
    res: suite.Results,
    sections: set[str],
    sizes: suite.Sizes,
    work: Path,
    competitors_: tuple[str, ...],
    *,
    smoke: bool,
) -> None:
    """Measure the chosen sections into ``res``; scratch files go to ``work``."""
    forms = ("sheetgrade", *competitors_)
    if "startup" in sections:
        suite.startup(res, competitors_, sizes.startup_reps, warm_up=sizes.warm_up)
    if sections & {"batch", "single", "check"}:
        suite.student_compute(res, sizes.n)
        real = suite.write_and_prepare(
            work / "batch", sizes.n, forms, trivial=False, formats=sizes.formats
        )
        if "batch" in sections:
            suite.grade_batch(
                res, real, work / "grade", competitors_, sizes.reps, formats=sizes.formats
            )
        if "single" in sections:
            suite.single(res, real, work / "grade", competitors_, sizes.reps)
        if "check" in sections:
            suite.check_latency(res, real, work, competitors_, sizes.check_reps)
    if "overhead" in sections:
        measured = competitors_ if sizes.competitor_overhead else ()
        trivial = suite.write_and_prepare(
            work / "trivial",
            sizes.n_trivial,
            ("sheetgrade", *measured),
            trivial=True,
            formats=False,
        )
        suite.overhead(res, trivial, work / "grade-trivial", measured, sizes.reps)
    if "ps1" in sections:
        suite.ps1_workload(res, work, competitors_, sizes.n, sizes.reps)
    if "gradebook" in sections:
        suite.gradebook(res, smoke=smoke)


def print_report(
    res: suite.Results,
    sizes: suite.Sizes,
    derived: dict[str, float],
    info: dict[str, object],
    versions: dict[str, dict[str, str]],
    *,
    smoke: bool,
) -> None:
    """The results as Markdown: machine, tables, agreement, targets, notes."""
    print(f"# sheetgrade benchmark, {info['date']}{' (smoke)' if smoke else ''}")
    print(
        f"{info['cores']} cores, {info['cpu']}, {info['memory']}, load average "
        f"{info['load_average']} at start, {info['load_average_end']} at end; "
        + "; ".join(
            f"{where}: " + ", ".join(f"{k} {v}" for k, v in found.items())
            for where, found in versions.items()
        )
    )
    print()
    print(report.tables(res, sizes, derived))
    if res.gradebook:
        print("\n" + report.gradebook_text(res))
    if res.agreement:
        print("\n### Do the tools agree on the scores?\n")
        print(report.agreement_text(res))
    table, missed = report.targets_table(derived)
    print(
        "\n### Targets"
        + (" (smoke sizes: indicative only, judge on a full run)" if smoke else "")
        + "\n"
    )
    print(table)
    if missed and not smoke:
        print("\nMissed: " + "; ".join(missed) + ". See benchmarks/README.md for why.")
    for note in res.notes:
        print(f"\nnote: {note}")


if __name__ == "__main__":
    sys.exit(main())

"""Write a batch of equivalent submissions of the benchmark sheet in the forms
of sheetgrade, nbgrader and otter-grader.

    python benchmarks/batch.py OUT [--n 30] [--forms sheetgrade,nbgrader,otter] [--trivial]

Writes ``OUT/sheetgrade/`` (course + submission folders), ``OUT/nbgrader/``
(course directory with ``submitted/``), ``OUT/otter/`` (``otter assign`` output
and submissions) and ``OUT/expected.json`` (the score every submission should
get, per task). The competitors' forms need their venv (``setup.sh``); a form
whose tool is missing is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import competitors
import form_nbgrader
import form_otter
import form_sheetgrade
from bench_sheet import TASKS, pattern_for, student_name

FORMS = ("sheetgrade", "nbgrader", "otter")
WRITERS = {
    "sheetgrade": form_sheetgrade.write,
    "nbgrader": form_nbgrader.write,
    "otter": form_otter.write,
}


@dataclass
class Batch:
    """What was written, and where."""

    root: Path
    n: int
    trivial: bool
    forms: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # form -> reason

    @property
    def expected_path(self) -> Path:
        return self.root / "expected.json"


def expected_scores(n: int, *, trivial: bool = False) -> dict[str, dict[str, object]]:
    """Per student: the pattern's kind, the points per task and the total.

    ``tasks`` holds the points where tests run in the student's namespace,
    ``tasks_native`` where checks run in the grader; they differ only for a
    broken import (see :meth:`bench_sheet.Pattern.passes`).
    """
    table: dict[str, dict[str, object]] = {}
    for index in range(n):
        pattern = pattern_for(index)
        if trivial:
            tasks = native = {t.id: 0.0 for t in TASKS}
            kind = "trivial"
        else:
            tasks, native = pattern.task_scores(), pattern.task_scores(in_grader=True)
            kind = pattern.kind
        table[student_name(index)] = {
            "kind": kind,
            "tasks": tasks,  # tests run in the student's namespace (asserts)
            "tasks_native": native,  # checks run in the grader (sheetgrade native)
            "total": sum(tasks.values()),
        }
    return table


def mix(n: int) -> Counter[str]:
    """How many correct, partial and broken submissions a batch of ``n`` has."""
    return Counter(pattern_for(i).kind for i in range(n))


def write_batch(
    root: Path, n: int = 30, forms: tuple[str, ...] = FORMS, *, trivial: bool = False
) -> Batch:
    """Write the batch under ``root`` (emptied first)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    batch = Batch(root=root, n=n, trivial=trivial)
    for form in forms:
        if form != "sheetgrade" and not competitors.available(form):
            batch.skipped[form] = f"{form} is not installed (run benchmarks/setup.sh)"
            continue
        batch.forms[form] = WRITERS[form](root / form, n, trivial=trivial)
    batch.expected_path.write_text(
        json.dumps(expected_scores(n, trivial=trivial), indent=1, sort_keys=True), encoding="utf-8"
    )
    return batch


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the batch to (emptied first)")
    parser.add_argument("--n", type=int, default=30, help="number of submissions (default 30)")
    parser.add_argument("--forms", default=",".join(FORMS), help="comma-separated forms")
    parser.add_argument(
        "--trivial", action="store_true", help="functions that return at once (overhead batch)"
    )
    args = parser.parse_args(argv)
    forms = tuple(f for f in args.forms.split(",") if f)
    unknown = set(forms) - set(FORMS)
    if unknown:
        parser.error(
            f"unknown form(s) {', '.join(sorted(unknown))}; choose from {', '.join(FORMS)}"
        )
    batch = write_batch(args.out, args.n, forms, trivial=args.trivial)
    counts = mix(args.n)
    print(
        f"{args.n} submissions ({counts['correct']} correct, {counts['partial']} partial, "
        f"{counts['broken']} broken) in {args.out}"
    )
    for form, path in batch.forms.items():
        print(f"  {form}: {path}")
    for form, reason in batch.skipped.items():
        print(f"  {form}: skipped, {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

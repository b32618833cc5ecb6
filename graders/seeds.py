"""Measuring the false-failure rate of stochastic checks.

A stochastic native check names the seed it hands to the student's code on a
line of its own, ``SEED = <number>``. :func:`sweep_seeds` reruns each such
check against the reference solution (playing the student, as in build
validation) with other seeds and counts the failures: how often a correct
solution would fail for lack of luck. It should be 0.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.graders.batch import load_bundle, process_limits
from sheetgrade.graders.errors import GradingError
from sheetgrade.graders.harness import run_test
from sheetgrade.graders.sandbox.backend import open_backend
from sheetgrade.graders.sandbox.leftovers import remove_tree
from sheetgrade.graders.single import start_reference
from sheetgrade.graders.validate import _RenewingTarget

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.sheets.model import TestCase

SEED_LINE = re.compile(r"^(\s*)SEED\s*=\s*\d+\s*$", re.MULTILINE)


@dataclass
class SeedSweep:
    """One stochastic check rerun under ``runs`` seeds."""

    test_id: str
    task: str
    runs: int
    failures: int = 0
    first_failure: str = ""  # "seed 17: <message>"
    seeds: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.failures / self.runs if self.runs else 0.0


def is_seeded(code: str) -> bool:
    """Whether a check's code has a ``SEED = <number>`` line."""
    return bool(SEED_LINE.search(code))


def with_seed(code: str, seed: int) -> str:
    """The check's code with its ``SEED`` line set to ``seed``."""
    return SEED_LINE.sub(lambda m: f"{m.group(1)}SEED = {seed}", code)


def sweep_seeds(
    course: Course, sheet_id: str, *, runs: int = 50, first_seed: int = 1000
) -> list[SeedSweep]:
    """Rerun every seeded native check of the built sheet against the reference
    with seeds ``first_seed``, ``first_seed + 1``, … (``runs`` of them).

    Raises:
        BundleMissing: the sheet has no build.
        GradingError: the reference cannot run.
    """
    sheet_id = course.resolve_sheet_id(sheet_id)
    bundle = load_bundle(course, sheet_id)
    assert bundle.path is not None
    tests = [t for t in bundle.tests if t.kind == "native" and is_seeded(t.code)]
    sweeps = [SeedSweep(t.id, t.task, runs) for t in tests]
    if not tests:
        return sweeps
    limits = process_limits(course)
    workroot = Path(tempfile.mkdtemp(prefix="sheetgrade-seeds-"))
    try:
        with open_backend() as worker:
            for index, part in enumerate(bundle.notebook_parts()):  # one reference per notebook
                own = {t.id for t in bundle.tests_in(part)}
                pairs = [(t, s) for t, s in zip(tests, sweeps, strict=True) if t.id in own]
                if not pairs:
                    continue
                reference = start_reference(
                    worker,
                    bundle.path / part.reference,
                    limits,
                    workroot / f"reference{index}",
                    bundle.data_sources(),
                )
                try:
                    target = _RenewingTarget(reference.process, limits.timeout)
                    for test, sweep in pairs:
                        _sweep(test, sweep, target, reference, first_seed, runs)
                finally:
                    reference.process.close()
    except GradingError as exc:
        raise GradingError(f"sheet {sheet_id}: {exc}") from None
    finally:
        remove_tree(workroot)
    return sweeps


def _sweep(
    test: TestCase, sweep: SeedSweep, target: Any, reference: Any, first_seed: int, runs: int
) -> None:
    """Run one seeded check with each seed, counting failures into ``sweep``."""
    for seed in range(first_seed, first_seed + runs):
        sweep.seeds.append(seed)
        outcome = run_test(replace(test, code=with_seed(test.code, seed)), target, reference)
        if not outcome.passed:
            sweep.failures += 1
            if not sweep.first_failure:
                sweep.first_failure = f"seed {seed}: {outcome.message}"

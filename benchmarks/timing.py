"""Timing commands, and running measurements interleaved across tools."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from stats import Sample

#: A measurement: run once, return seconds (it may set up untimed work first).
Measure = Callable[[], float]


class CommandFailed(RuntimeError):
    """A timed command exited non-zero."""


def time_command(
    argv: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    *,
    ok_codes: tuple[int, ...] = (0,),
    timeout: float = 3600,
) -> float:
    """Wall-clock seconds of one run of ``argv``; output is discarded.

    Raises:
        CommandFailed: when the exit code is not in ``ok_codes`` (with the output tail).
    """
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in ok_codes:
        raise CommandFailed(
            f"{' '.join(map(str, argv))} in {cwd} exited {done.returncode}:\n"
            f"{done.stdout[-1500:]}\n{done.stderr[-3000:]}"
        )
    return elapsed


def interleave(
    measures: dict[str, Measure], reps: int, *, progress: Callable[[str], None] | None = None
) -> dict[str, Sample]:
    """Run every measurement ``reps`` times, alternating tools within each
    repetition and rotating the order between repetitions, so that drifts of
    the machine (caches, thermals, other load) spread over all tools."""
    names = list(measures)
    samples = {name: Sample(name) for name in names}
    for rep in range(reps):
        shift = rep % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            if progress:
                progress(f"  rep {rep + 1}/{reps}: {name}")
            samples[name].values.append(measures[name]())
    return samples

"""How long the solution-marker parser takes on adversarial lines, by length.

    .venv/bin/python benchmarks/markers.py

Each family is a line shape that made a backtracking pattern slow (long
assignment targets before ``# SOLUTION``, blank runs, unclosed brackets,
repeated hashes). For lengths 1,000 and 10,000 it prints the best of five
times to split one cell made of that line, and the ratio of the two: a linear
parser shows about 10, a quadratic one about 100, an exponential one never
finishes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sheetgrade.sheets.errors import Problems
from sheetgrade.sheets.markers import dots_stub, split_solutions

FAMILIES: dict[str, Callable[[int], str]] = {
    "long target = ... # SOLUTION": lambda n: "a" * n + " = x  # SOLUTION",
    "long target, no marker": lambda n: "a" * n + " = x",
    "targets a, b, c ... =": lambda n: ", ".join(["ab"] * (n // 4)) + " = 1  # SOLUTION",
    "name then no '='": lambda n: "a_" * (n // 2) + " + 1  # SOLUTION",
    "unclosed brackets": lambda n: "a" + "[" * n + " = 1  # SOLUTION",
    "blank run then text": lambda n: " " * n + "x",
    "hash run": lambda n: "#" * n + " SOLUTION x",
    "blank run before marker": lambda n: "x" + " " * n + "# SOLUTION",
    "prompt-like": lambda n: '"""' + " " * n + "# BEGIN PROMPT x",
}


def best_of(line: str, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        split_solutions(
            [line], cell=0, cell_type="code", problems=Problems("bench.ipynb"), stub=dots_stub
        )
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(f"{'line family':32} {'1,000 chars':>12} {'10,000 chars':>13} {'ratio':>6}")
    for name, make in FAMILIES.items():
        short, long = best_of(make(1000)), best_of(make(10_000))
        print(f"{name:32} {short * 1e6:9.1f} us {long * 1e6:10.1f} us {long / short:6.1f}")


if __name__ == "__main__":
    main()

"""Benchmark: build the gradebook and write the admission export for a large synthetic course.

Target (issue 6): <= 1 s for 1,000 students x 12 sheets x 8 tasks. Not a test:
run it by hand, ``python benchmarks/gradebook_bench.py [--students N] [--repeat R]``.
It builds the synthetic course once (not timed), then times each step.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--sheets", type=int, default=12)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sheetgrade.course import store
    from sheetgrade.course.course import Course
    from sheetgrade.examples.synthetic_course import make_synthetic_course
    from sheetgrade.gradebook.book import build_gradebook
    from sheetgrade.gradebook.exports import export_admission

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        root = make_synthetic_course(
            Path(tmp) / "course",
            students=args.students,
            sheets=args.sheets,
            tasks=args.tasks,
            due_weeks_before_now=args.sheets,
        )
        setup = time.perf_counter() - t0
        course = Course.open(root)
        with course.engine.connect() as conn:
            n_tests = conn.execute(
                store.test_results.select().with_only_columns(store.test_results.c.points)
            ).all()
            n_subs = conn.execute(store.submissions.select()).all()
        print(
            f"synthetic course: {args.students} students x {args.sheets} sheets x {args.tasks} tasks, "
            f"{len(n_subs)} submissions, {len(n_tests)} test results (built in {setup:.1f} s)"
        )
        build_times, export_times = [], []
        for _ in range(args.repeat):
            course = Course.open(root)  # cold: course.yml, sheet.yml and the engine each time
            t1 = time.perf_counter()
            book = build_gradebook(course)
            t2 = time.perf_counter()
            export_admission(book, fmt="campus", path=Path(tmp) / "campus.csv")
            t3 = time.perf_counter()
            build_times.append(t2 - t1)
            export_times.append(t3 - t2)
            course.engine.dispose()
        total = [b + e for b, e in zip(build_times, export_times, strict=True)]
        print(f"build gradebook:   median {statistics.median(build_times) * 1000:7.1f} ms")
        print(f"admission export:  median {statistics.median(export_times) * 1000:7.1f} ms")
        print(
            f"together:          median {statistics.median(total) * 1000:7.1f} ms "
            f"(min {min(total) * 1000:.1f}, max {max(total) * 1000:.1f}; target <= 1000 ms)"
        )


if __name__ == "__main__":
    main()

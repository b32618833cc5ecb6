"""The benchmark batch generator, in sheetgrade's form only: no timings, no competitors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules (they live in benchmarks/, run as scripts)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import batch
        import bench_sheet
        import compute
    finally:
        sys.path.remove(str(BENCHMARKS))
    return batch, bench_sheet, compute


def test_declared_scores_match_what_the_code_does(bench) -> None:
    _, _, compute = bench
    assert compute.verify_patterns() == []


def test_batch_mixes_correct_partial_and_broken(bench, tmp_path: Path) -> None:
    batch, bench_sheet, _ = bench
    written = batch.write_batch(tmp_path / "batch", 10, ("sheetgrade",))

    assert set(written.forms) == {"sheetgrade"}
    expected = json.loads(written.expected_path.read_text(encoding="utf-8"))
    kinds = [row["kind"] for row in expected.values()]
    assert {k: kinds.count(k) for k in set(kinds)} == {"correct": 3, "partial": 4, "broken": 3}
    totals = sorted(row["total"] for row in expected.values())
    assert totals[0] == 0.0 and totals[-1] == 9.0 and 0.0 < totals[4] < 9.0

    root = tmp_path / "batch" / "sheetgrade"
    assert (root / "course" / "course.yml").is_file()
    for sheet in ("bench", "bench-nbgrader", "bench-otter"):
        folders = sorted(p.name for p in (root / "submissions" / sheet).iterdir())
        assert folders == [bench_sheet.student_name(i) for i in range(10)]
    broken_import = nbformat.read(root / "submissions" / "bench" / "s0008" / "bench.ipynb", 4)
    assert "import nump as np" in broken_import.cells[1].source


def test_every_source_notebook_parses_to_nine_one_point_tests(bench, tmp_path: Path) -> None:
    batch, _, _ = bench
    from sheetgrade.course.course import Course
    from sheetgrade.sheets.formats import parse_notebook

    batch.write_batch(tmp_path / "batch", 2, ("sheetgrade",))
    course = Course.open(tmp_path / "batch" / "sheetgrade" / "course")
    formats = {}
    for sheet in course.sheets():
        nb = nbformat.read(course.sheets_dir / sheet.id / "bench.ipynb", 4)
        parsed = parse_notebook(nb, sheet.config, sheet.id)
        formats[sheet.id] = parsed.format
        assert [(t.task, t.points) for t in parsed.tests] == [
            (task, 1.0) for task in ("1a", "1b", "1c") for _ in range(3)
        ]
    assert formats == {"bench": "native", "bench-nbgrader": "nbgrader", "bench-otter": "otter"}

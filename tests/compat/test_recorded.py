"""sheetgrade against the scores otter-grader 7 and nbgrader 0.9 gave on the
suite's own sheets (``tests/compat/recorded.json``, written by
``make compat RECORD=1``), per question, without the competitors installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


compat_sheets = _load("compat_sheets")
RECORDED = compat_sheets.recorded()


def test_recorded_with_versions() -> None:
    versions = RECORDED["versions"]
    assert versions["otter-grader"].startswith("7.")
    assert versions["nbgrader"].startswith("0.9.")
    assert set(RECORDED["sheets"]) == {s.name for s in compat_sheets.SHEETS}


@pytest.mark.parametrize("sheet", compat_sheets.SHEETS, ids=lambda s: s.name)
def test_sheetgrade_agrees_with_the_original_tool(sheet, tmp_path: Path) -> None:
    want = RECORDED["sheets"][sheet.name]["scores"]
    got = compat_sheets.sheetgrade_scores(sheet, tmp_path)
    for label in want:
        # a question the original tool scores and sheetgrade has no test for counts as 0;
        # a documented difference (docs/authoring.md) must give exactly sheetgrade's points
        expected = want[label] | sheet.documented.get(label, {})
        questions = set(want[label]) | set(got[label])
        pairs = {q: (expected.get(q, 0.0), got[label].get(q, 0.0)) for q in questions}
        assert all(abs(a - b) < 1e-6 for a, b in pairs.values()), (label, pairs)


def test_documented_differences_are_differences() -> None:
    """A documented difference names a question where the original tool scored otherwise."""
    for sheet in compat_sheets.SHEETS:
        scores = RECORDED["sheets"][sheet.name]["scores"]
        for label, questions in sheet.documented.items():
            for question, ours in questions.items():
                assert abs(scores[label][question] - ours) > 1e-6, (sheet.name, label, question)

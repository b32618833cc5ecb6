"""Slip 4: two grade runs at once, and Ctrl-C in the middle of one."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, dump


def test_second_grade_of_a_sheet_is_told_who_holds_it(sg: Run, course: Path) -> None:
    from sheetgrade.course.course import Course
    from sheetgrade.course.locks import sheet_lock

    before = dump(course)
    with sheet_lock(Course.open(course), "01-pca", "grade"):
        result = sg("grade", "01", "--quiet")
    assert result.exit_code == 1
    assert "sheet 01-pca is busy: `sheetgrade grade 01-pca on" in result.stderr
    assert " pid " in result.stderr and "wait for it to finish" in result.stderr
    assert dump(course) == before


def test_ctrl_c_says_how_many_results_were_saved_and_rerun_continues(
    sg: Run, course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sheetgrade.graders import results

    real = results.save_result
    calls = []

    def interrupted(*args: object, **kwargs: object) -> None:
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(results, "save_result", interrupted)
    cut = sg("grade", "01", "--jobs", "1", "--quiet")
    assert cut.exit_code == 130
    assert "interrupted: 2 results saved; `sheetgrade grade 01` continues" in cut.stderr
    monkeypatch.setattr(results, "save_result", real)
    rest = sg("grade", "01", "--jobs", "1", "--quiet")
    assert rest.exit_code in (0, 1), rest.output
    assert "already graded by build" in rest.stdout  # the 2 saved results are kept
    assert " graded;" in rest.stdout  # and the rest is graded now

"""`sheetgrade grade` end to end: real notebooks, real child processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.course.course import Course

from .conftest import BROKEN, CORRECT, PARTIAL, AddSubmission


def results_of(course_root: Path) -> dict[str, dict]:
    course = Course.open(course_root)
    with course.engine.connect() as conn:
        rows = conn.execute(select(store.results)).mappings().all()
        tests = conn.execute(select(store.test_results)).mappings().all()
    out = {r["submission_sha"]: dict(r) | {"tests": {}} for r in rows}
    for t in tests:
        out[t["submission_sha"]]["tests"][t["test_id"]] = dict(t)
    return out


@pytest.mark.usefixtures("database")
def test_correct_partial_broken(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    good = add_submission("s001", CORRECT)
    part = add_submission("s002", PARTIAL)
    bad = add_submission("s003", BROKEN)
    result = run_cli("grade", "01", "--jobs", "2", course=graded_course)
    assert result.exit_code == 0, result.output
    assert "3 graded" in result.stdout
    res = results_of(graded_course)
    assert res[good]["status"] == "graded"
    assert res[good]["points"] == 6
    assert res[good]["max_points"] == 6
    assert "mean is 2.5" in res[good]["stdout"]
    assert res[part]["points"] == 2  # double (ok-format), nothing else
    assert not res[part]["tests"]["1a-public"]["passed"]
    assert "differ" in res[part]["tests"]["1a-public"]["message"]
    # an exception in one cell does not stop the later cells: double() still defined
    assert res[bad]["tests"]["1b-ok"]["passed"]
    assert res[bad]["points"] == 2
    assert "RuntimeError" in res[bad]["stdout"] and "SyntaxError" in res[bad]["stdout"]
    assert "NameError" in res[bad]["tests"]["1a-public"]["message"]
    kinds = {t["test_id"]: (t["kind"], t["level"]) for t in res[good]["tests"].values()}
    assert kinds["1a-public"] == ("native", "tamper-proof")
    assert kinds["1b-ok"] == ("ok", "output-compared")
    assert kinds["1c-assert"] == ("assert", "compat")
    assert json.loads(res[good]["layers"])

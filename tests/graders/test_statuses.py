"""Per-submission statuses and notebook execution: one bad submission never stops the batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CORRECT, AddSubmission
from .test_grade_cli import results_of


def test_timeout_memory_invalid_crash_in_one_batch(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    good = add_submission("s001", CORRECT)
    loop = add_submission("s002", [*CORRECT, "while True:\n    pass\n"])
    memory = add_submission("s003", ["import numpy as np\nbig = np.ones(10**10)\n", *CORRECT])
    invalid = add_submission("s004", text="{ this is not json")
    exits = add_submission(
        "s005", ["print('all tests passed')\nimport os\nos._exit(0)\n", *CORRECT]
    )
    sysexit = add_submission("s006", ["import sys\nsys.exit(0)\n", *CORRECT])
    result = run_cli("grade", "01", "--timeout", "6s", "--memory", "1GiB", course=graded_course)
    assert result.exit_code == 1, result.output
    res = results_of(graded_course)
    assert res[good]["status"] == "graded" and res[good]["points"] == 6
    assert res[loop]["status"] == "timeout"
    assert res[loop]["points"] == 0
    assert res[memory]["status"] == "memory"
    assert res[memory]["points"] == 6  # the later cells still ran
    assert res[invalid]["status"] == "invalid"
    assert "not valid notebook JSON" in res[invalid]["message"]
    assert res[exits]["status"] == "crashed" and res[exits]["points"] == 0
    assert "all tests passed" in res[exits]["stdout"]
    assert res[sysexit]["status"] == "graded" and res[sysexit]["points"] == 6
    assert "4 ended in error" in result.stdout
    for owner in ("s002 (timeout)", "s003 (memory)", "s004 (invalid)", "s005 (crashed)"):
        assert owner in result.stdout


def test_magics_and_pip(run_cli, graded_course: Path, add_submission: AddSubmission) -> None:
    sha = add_submission(
        "s001",
        [
            "%matplotlib inline\n!pip install scikit-learn\nfiles = !ls\n%load_ext autoreload\n",
            "%%time\nx = 1\n",
            *CORRECT,
            "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n",
        ],
    )
    result = run_cli("grade", "01", course=graded_course)
    assert result.exit_code == 0, result.output
    res = results_of(graded_course)[sha]
    assert res["status"] == "graded" and res["points"] == 6
    flags = json.loads(res["flags"])
    assert "not run: !pip install scikit-learn" in flags
    assert "not run: !ls" in flags
    assert "!pip install scikit-learn" in res["message"]
    assert "Wall time" in res["stdout"]


def test_output_is_capped(run_cli, graded_course: Path, add_submission: AddSubmission) -> None:
    sha = add_submission("s001", ["for i in range(300000):\n    print('x' * 20)\n", *CORRECT])
    run_cli("grade", "01", course=graded_course)
    res = results_of(graded_course)[sha]
    assert res["points"] == 6
    assert len(res["stdout"]) < 1024**2 + 200
    assert "output cut" in res["stdout"]


def test_confinement_layers_recorded(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    sha = add_submission("s001", CORRECT)
    run_cli("grade", "01", course=graded_course)
    layers = json.loads(results_of(graded_course)[sha]["layers"])
    assert layers  # e.g. {"rlimits": "on", ...} or {"confinement": "unavailable: ..."}


def test_tampering_is_flagged_but_native_checks_hold(
    run_cli, graded_course: Path, add_submission: AddSubmission
) -> None:
    sha = add_submission(
        "s001",
        [
            "import numpy as np\nnp.allclose = lambda *a, **k: True\n",
            "class Yes(float):\n    def __eq__(self, other):\n        return True\n",
            "def center(X):\n    return Yes(0)\n",
            "def double(x):\n    return Yes(0)\n",
            "mean = Yes(0)\n",
        ],
    )
    run_cli("grade", "01", course=graded_course)
    res = results_of(graded_course)[sha]
    tests = res["tests"]
    assert not tests["1a-public"]["passed"] and not tests["1a-hidden"]["passed"]
    assert not tests["1c-value"]["passed"]
    flags = json.loads(res["flags"])
    assert any("np.allclose" in f for f in flags)
    assert any("__eq__" in f for f in flags)
    assert any("numpy.allclose" in f for f in flags)  # the child's identity check


def test_disk_flood_is_stopped(run_cli, graded_course: Path, add_submission: AddSubmission) -> None:
    flood = (
        "import os\nchunk = b'x' * (1 << 20)\n"
        "for i in range(100000):\n"
        "    with open(f'f{i}.bin', 'wb') as f:\n"
        "        f.write(chunk * 8)\n"
    )
    sha = add_submission("s001", [*CORRECT, flood])
    result = run_cli("grade", "01", "--timeout", "30s", course=graded_course)
    assert result.exit_code == 1
    res = results_of(graded_course)[sha]
    assert res["status"] == "crashed"
    assert "MiB to disk" in res["message"]
    assert res["duration"] < 20


def test_a_result_the_database_refuses_is_stored_as_crashed(
    graded_course: Path, add_submission: AddSubmission, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing a result can fail (text the database refuses): the submission is
    stored as ``crashed`` with 0 points, and the batch goes on."""
    from sheetgrade.course.course import Course
    from sheetgrade.graders import batch
    from sheetgrade.graders import results as results_module

    refused = add_submission("s001", CORRECT)
    fine = add_submission("s002", CORRECT)
    save = results_module.save_result
    calls: list[str] = []

    def refuse_once(engine, **kwargs):
        calls.append(kwargs["submission_sha"])
        if kwargs["submission_sha"] == refused and calls.count(refused) == 1:
            raise ValueError("the database refused the text")
        save(engine, **kwargs)

    monkeypatch.setattr(results_module, "save_result", refuse_once)
    batch.grade_sheet(Course.open(graded_course), "01", jobs=1)
    res = results_of(graded_course)
    assert calls.count(refused) == 2
    assert (res[refused]["status"], res[refused]["points"]) == ("crashed", 0)
    assert res[refused]["message"] == "grading this submission failed"
    assert {t["message"] for t in res[refused]["tests"].values()} == {"not stored"}
    assert (res[fine]["status"], res[fine]["points"]) == ("graded", 6)

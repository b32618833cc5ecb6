"""Fixtures of the security suite: a course folder with a secret.

The course folder stands in for a real one: a sheet bundle whose hidden check
and reference notebook hold :data:`attacks.SECRET`, a gradebook database and a
results file. ``harness.snapshot`` records every file outside the scratch
directories so a test can assert that no attack changed one.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import attacks  # noqa: E402

from sheetgrade.graders.sandbox.leftovers import remove_tree  # noqa: E402


@pytest.fixture(scope="module")
def secret_course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A course folder holding the secret in the places a grader keeps it."""
    course = tmp_path_factory.mktemp("course")
    autograder = course / "build" / "00-security" / "autograder"
    autograder.mkdir(parents=True)
    bundle = {
        "sheet_id": "00-security",
        "tests": [
            {
                "id": "2-hidden",
                "task": "2",
                "kind": "native",
                "hidden": True,
                "code": f"expect_equal(student.value('answer'), {attacks.SECRET})",
            }
        ],
    }
    (autograder / "bundle.json").write_text(json.dumps(bundle))
    ref = nbformat.v4.new_notebook()
    ref.cells = [nbformat.v4.new_code_cell(f"answer = {attacks.SECRET}\n")]
    nbformat.write(ref, str(autograder / "reference.ipynb"))
    (autograder / "reference.py").write_text(f"answer = {attacks.SECRET}\n")
    (course / "gradebook.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (course / "results").mkdir()
    (course / "results" / "results.json").write_text('{"score": 0}')
    (course / "course.yml").write_text("course: Security\nterm: WS\n")
    yield course
    # attacks leave trees too deep for shutil.rmtree (pytest's own clean-up)
    remove_tree(course)

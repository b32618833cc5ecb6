"""Feedback reports never reveal hidden tests; Gradescope results.json follows the schema."""

from __future__ import annotations

import json

from sheetgrade.sheets import model

HIDDEN_MARKERS = (
    "HIDDEN_SOURCE_7f3a9",
    "HIDDEN_INPUT_c01d2",
    "HIDDEN_EXPECTED_42b6e",
    "HIDDEN_MESSAGE_91aa",
)


def _bundle(small):
    tests = [
        model.TestCase(
            id="1a-pub",
            task="1a",
            points=2,
            hidden=False,
            kind="native",
            name="centred mean is zero",
            code="expect_close(student.centre(X).mean(0), 0)",
        ),
        model.TestCase(
            id="1b-hid",
            task="1b",
            points=4,
            hidden=True,
            kind="native",
            name="svd on a held-out set",
            code=f"X = load('{HIDDEN_MARKERS[1]}')  # {HIDDEN_MARKERS[0]}\n"
            f"expect_close(student.pca(X), {HIDDEN_MARKERS[2]!r})",
        ),
    ]
    bundle = model.AutograderBundle(
        sheet_id="01-pca",
        build_hash="build-01-pca",
        format="native",
        tasks=[model.TaskInfo("1a", "Centre", 2, "auto"), model.TaskInfo("1b", "SVD", 4, "auto")],
        tests=tests,
    )
    folder = small.root / "build" / "01-pca" / "autograder"
    folder.mkdir(parents=True)
    (folder / "bundle.json").write_text(bundle.to_json(), encoding="utf-8")


def test_feedback_hides_hidden_tests(small, run_cli):
    _bundle(small)
    small.submit(
        "01-pca",
        "s6",
        [("1a-pub", "1a", 0, 2, False), ("1b-hid", "1b", 0, 4, True)],
        messages={"1a-pub": "mean is 0.3, expected 0", "1b-hid": f"expected {HIDDEN_MARKERS[3]}"},
    )
    small.mark("01-pca", "2", "t1", 3, kind="team", comment="Sauberer Beweis")
    small.mark("01-pca", "2", "s3", 4, comment="own proof")
    r = run_cli("feedback", "01", "--format", "html,md,gradescope", course=small.root)
    assert r.exit_code == 0, r.output
    folder = small.root / "feedback" / "01-pca"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == [
        "gradescope/s4/results.json",
        "gradescope/s5/results.json",
        "gradescope/s6/results.json",
        "gradescope/t1/results.json",
        "s4.html",
        "s4.md",
        "s5.html",
        "s5.md",
        "s6.html",
        "s6.md",
        "t1.html",
        "t1.md",
    ]
    everything = "\n".join((folder / f).read_text(encoding="utf-8") for f in files)
    for marker in HIDDEN_MARKERS:
        assert marker not in everything
    md = (folder / "s6.md").read_text(encoding="utf-8")
    assert "centred mean is zero: failed, 0 / 2" in md
    assert "mean is 0.3, expected 0" in md  # public test details are shown
    assert "*svd on a held-out set (hidden test)*: failed, 0 / 4" in md
    team = (folder / "t1.md").read_text(encoding="utf-8")
    assert "team t1: Ada Lovelace (s1), Emmy Noether (s2), Max Planck (s3)" in team
    assert "> Sauberer Beweis" in team
    assert "| Max Planck (s3) | 8 | task 2: 4/4 (own proof) |" in team
    late = (folder / "s5.md").read_text(encoding="utf-8")
    assert (
        "Late submission: 1.0 h late (1 started day): 25% of the points deducted. 1.5 points deducted"
        in late
    )
    html = (folder / "t1.html").read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in html and "Sauberer Beweis" in html


def test_gradescope_results_schema(small, run_cli):
    small.mark("01-pca", "2", "s5", 2, comment="fast fertig")
    r = run_cli("feedback", "01", "--format", "gradescope", course=small.root)
    assert r.exit_code == 0
    data = json.loads(
        (small.root / "feedback/01-pca/gradescope/s5/results.json").read_text(encoding="utf-8")
    )
    allowed_top = {
        "score",
        "execution_time",
        "output",
        "output_format",
        "test_output_format",
        "test_name_format",
        "visibility",
        "stdout_visibility",
        "extra_data",
        "tests",
        "leaderboard",
    }
    assert set(data) <= allowed_top
    assert data["score"] == 6.0  # (2 + 4 + 2) minus 25 % for an hour late
    assert data["visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
    assert data["stdout_visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
    assert isinstance(data["output"], str) and "2 points deducted" in data["output"]
    allowed_test = {
        "score",
        "max_score",
        "status",
        "name",
        "name_format",
        "number",
        "output",
        "output_format",
        "tags",
        "visibility",
        "extra_data",
    }
    for test in data["tests"]:
        assert set(test) <= allowed_test
        assert isinstance(test["name"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test["visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
    hidden = [t for t in data["tests"] if t["name"].endswith("(hidden)")]
    assert hidden == [
        {
            "name": "1b: 1b-hid (hidden)",
            "score": 4.0,
            "max_score": 4.0,
            "status": "passed",
            "visibility": "after_published",
        }
    ]
    manual = data["tests"][-1]
    assert manual == {
        "name": "2: Proof",
        "score": 2.0,
        "max_score": 4.0,
        "visibility": "after_published",
        "output": "fast fertig",
        "output_format": "text",
    }


def test_unknown_feedback_format(small, run_cli):
    r = run_cli("feedback", "01", "--format", "pdf", course=small.root)
    assert r.exit_code == 1 and "unknown feedback format 'pdf'" in r.stderr

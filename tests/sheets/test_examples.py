"""The example course's three sheets build (one per authoring format) and release."""

from __future__ import annotations

import json
import zipfile

SHEETS = {"01-pca": "native", "02-kde": "otter", "03-regression": "nbgrader"}


def test_example_sheets_build_and_release(run_cli, example_dir):
    for sheet_id, fmt in SHEETS.items():
        result = run_cli("sheet", "build", sheet_id, course=example_dir)
        assert result.exit_code == 0, result.output
        assert f"built {sheet_id} ({fmt})" in result.stdout
        bundle = json.loads(
            (example_dir / "build" / sheet_id / "autograder" / "bundle.json").read_text()
        )
        assert bundle["format"] == fmt and bundle["pending_outputs"] == []
        assert {t["hidden"] for t in bundle["tests"]} == {True, False}
        result = run_cli("sheet", "release", sheet_id, course=example_dir)
        assert result.exit_code == 0, result.output
    html = (example_dir / "release" / "index.html").read_text()
    for title in (
        "Linear dimension reduction (PCA)",
        "Kernel density estimation and mean shift",
        "Linear, ridge and lasso regression",
        "Ridge as MAP estimate with a Gaussian prior",
    ):
        assert title in html
    with zipfile.ZipFile(example_dir / "release" / "02-kde.zip") as z:
        student = z.read("02-kde/kde.ipynb").decode()
    assert "np.exp(-0.5 * u**2)" not in student and "BEGIN QUESTION" not in student
    assert "0.129518" not in student and 'check(\\"1a\\")' in student


def test_otter_expected_outputs_are_recorded(run_cli, example_dir):
    assert run_cli("sheet", "build", "02", course=example_dir).exit_code == 0
    bundle = json.loads(
        (example_dir / "build" / "02-kde" / "autograder" / "bundle.json").read_text()
    )
    codes = {t["id"]: t["code"] for t in bundle["tests"]}
    assert codes["1a.3"] == ">>> round(float(gaussian_kernel(1.5)), 6)\n0.129518"
    public = (example_dir / "build" / "02-kde" / "student" / "public_tests.json").read_text()
    assert "0.129518" not in public and "gaussian_kernel(1.5)" not in public

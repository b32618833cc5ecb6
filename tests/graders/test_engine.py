"""The engine below the CLI: warm worker, spawn fallback, statuses from grade_notebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetgrade.graders.harness import normalise_output
from sheetgrade.graders.notebook import new_notebook
from sheetgrade.graders.sandbox.session import ProcessLimits
from sheetgrade.graders.sandbox.worker import WarmWorker
from sheetgrade.graders.single import start_reference
from sheetgrade.graders.submission import grade_notebook
from sheetgrade.graders.tamper import scan_source

from .conftest import CORRECT, PARTIAL, TESTS, write_bundle


@pytest.mark.parametrize("use_fork", [True, False], ids=["fork", "spawn"])
def test_grade_notebook(tmp_path: Path, use_fork: bool) -> None:
    bundle = write_bundle(tmp_path / "course")
    data = {"points.csv": bundle / "points.csv"}
    limits = ProcessLimits(timeout=30)
    with WarmWorker(preload=use_fork, use_fork=use_fork) as worker:
        reference = start_reference(
            worker, bundle / "reference.ipynb", limits, tmp_path / "ref", data
        )
        try:
            for cells, points in ((CORRECT, 6), (PARTIAL, 2)):
                notebook = tmp_path / "pca.ipynb"
                notebook.write_text(new_notebook(cells))
                result = grade_notebook(
                    notebook,
                    TESTS,
                    worker=worker,
                    reference=reference,
                    limits=limits,
                    workdir=tmp_path / f"run{points}",
                    data_files=data,
                )
                assert result.status == "graded", result.message
                assert result.points == points
                assert not (tmp_path / f"run{points}").exists()  # scratch removed
        finally:
            reference.process.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("np.float64(0.5)", "0.5"),
        ("np.True_", "True"),
        ("(np.int64(3), np.False_)", "(3, False)"),
        ("array([1., 2.])", "array([1., 2.])"),
        ("np.str_('a')", "'a'"),
    ],
)
def test_numpy2_reprs_are_normalised(text: str, expected: str) -> None:
    assert normalise_output(text) == expected


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        ("import numpy as np\nnp.allclose = lambda *a, **k: True", "assigns np.allclose"),
        ("import builtins\nbuiltins.isinstance = None", "assigns builtins.isinstance"),
        ("setattr(np.testing, 'assert_allclose', f)", "calls setattr on np.testing"),
        ("class A:\n    def __eq__(self, o):\n        return True", "defines __eq__"),
        ("import sys\nsys.settrace(f)", "calls sys.settrace"),
        ("import gc\ngc.get_objects()", "walks the garbage collector"),
        ("import sys\nsys._getframe(1).f_globals['x'] = 1", "uses .f_globals"),
    ],
)
def test_static_tamper_scan(source: str, finding: str) -> None:
    assert any(finding in f for f in scan_source(source))


def test_static_scan_is_quiet_on_ordinary_code() -> None:
    assert (
        scan_source("import numpy as np\ndef f(X):\n    return np.linalg.svd(X)\nx = f(1)\n") == []
    )


@pytest.mark.parametrize(
    ("code", "lifted"),
    [
        ("assert mean == 2.5", [("mean", 2.5, False)]),
        ("assert 4 == double(2)", [("double(2)", 4, False)]),
        (
            "assert np.allclose(center([[1, 2]]), [[0, 0]], atol=1e-6)",
            [("center([[1, 2]])", [[0, 0]], True)],
        ),
        (
            "np.testing.assert_allclose(f(1), 0.5)\nassert g() == 'x'",
            [("f(1)", 0.5, True), ("g()", "x", False)],
        ),
        ("assert f(1) == g(1)", None),  # no literal: judged in the student process
        ("assert mean > 2", None),
        ("x = f(1)\nassert x == 1", None),
    ],
)
def test_simple_asserts_are_judged_in_the_grader(code: str, lifted: list | None) -> None:
    from sheetgrade.graders.assert_lift import lift

    claims = lift(code)
    got = None if claims is None else [(c.expr, c.expected, c.close) for c in claims]
    assert got == lifted


def test_forged_replies_cannot_pass_lifted_asserts(tmp_path: Path) -> None:
    """A submission that answers the grader itself can only forge values, never the verdict."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
    try:
        import attacks
    finally:
        sys.path.pop(0)
    from sheetgrade.sheets.model import TestCase as Case

    notebook = tmp_path / "takeover.ipynb"
    notebook.write_text(new_notebook(list(attacks.CHANNEL_TAKEOVER.cells)))
    test = Case(
        id="t", task="1", points=1, hidden=True, kind="assert", code="assert answer == 31337"
    )
    limits = ProcessLimits(timeout=10)
    with WarmWorker() as worker:
        result = grade_notebook(
            notebook,
            [test],
            worker=worker,
            reference=None,  # type: ignore[arg-type]
            limits=limits,
            workdir=tmp_path / "w",
        )
    assert result.points == 0
    assert any("fileno=" in f for f in result.flags)

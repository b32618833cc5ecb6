"""Build validation, `sheetgrade check` and the in-notebook `check()`: public tests
through the grader's own harness, reference answers recorded at build time."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sheetgrade.graders.notebook import new_notebook
from sheetgrade.graders.sandbox import protocol
from sheetgrade.graders.validate import validate_build
from sheetgrade.sheets.model import TestCase as Case

from .conftest import BROKEN, CORRECT, PARTIAL, TESTS, write_bundle, write_public_tests


@pytest.fixture
def student_dir(tmp_path: Path) -> Path:
    """A student's sheet folder: data, public_tests.json recorded by validate_build."""
    bundle = write_bundle(tmp_path / "course")
    report = validate_build(None, bundle)
    assert report.ok, report.failures
    folder = tmp_path / "course" / "build" / "01-pca" / "student"
    write_public_tests(folder, report.recorded_reference)
    return folder


def test_validate_records_public_reference_answers(tmp_path: Path) -> None:
    report = validate_build(None, write_bundle(tmp_path))
    assert report.ok
    x = [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    import numpy as np

    key = protocol.call_key("call", "center", (np.asarray(x),), {})
    assert key in report.recorded_reference
    assert protocol.decode(report.recorded_reference[key]).tolist() == [[-2, -2], [0, 0], [2, 2]]
    assert protocol.call_key("value", "mean", (), {}) in report.recorded_reference
    assert len(report.recorded_reference) == 2  # hidden checks record nothing
    assert report.expected_outputs["1b-ok"] == "4\nnp.float64(0.5)\n"


def test_validate_names_failing_tests(tmp_path: Path) -> None:
    broken = [
        *TESTS,
        Case(
            id="h-undefined",
            task="1a",
            points=1,
            hidden=True,
            kind="native",
            code="expect_close(student.center(Xc), 0)",
        ),
        Case(
            id="wrong",
            task="1a",
            points=1,
            hidden=True,
            kind="assert",
            code="assert double(2) == 5",
        ),
        Case(
            id="wrong-ok", task="1b", points=1, hidden=False, kind="ok", code=">>> double(1)\n3\n"
        ),
    ]
    report = validate_build(None, write_bundle(tmp_path, tests=broken))
    assert set(report.failures) == {"h-undefined", "wrong", "wrong-ok"}
    assert "NameError: name 'Xc' is not defined" in report.failures["h-undefined"]
    assert "assertion failed" in report.failures["wrong"]
    assert "expected:\n    3\ngot:\n    2" in report.failures["wrong-ok"]


def test_validate_reports_a_broken_reference(tmp_path: Path) -> None:
    report = validate_build(None, write_bundle(tmp_path, reference=["raise ValueError('no')\n"]))
    assert "ValueError: no" in report.warnings[0]
    # the tests fail (nothing is defined): each is named, with the cell that raised
    assert "1a-public" in report.failures
    assert "NameError" in report.failures["1a-public"]
    assert "ValueError: no" in report.failures["1a-public"]
    assert not report.ok


def _notebook(folder: Path, cells: list[str]) -> Path:
    path = folder / "pca.ipynb"
    path.write_text(new_notebook(cells))
    return path


def test_check_correct(run_cli, student_dir: Path) -> None:
    result = run_cli("check", str(_notebook(student_dir, CORRECT)))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "1a     PASS  1/1 public points of 2  Centre",
        "1b     PASS  2/2 public points of 2  Double",
        "1c     PASS  1/1 public points of 2  Mean",
        "3/3 tasks pass their public tests",
    ]


def test_check_partial(run_cli, student_dir: Path) -> None:
    result = run_cli("check", str(_notebook(student_dir, PARTIAL)))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "1a     FAIL  0/1 public points of 2  Centre"
    assert lines[1].startswith("       - 1a-public: 6 of 6 values differ")
    assert "1b     PASS  2/2 public points of 2  Double" in lines
    assert lines[-1] == "1/3 tasks pass their public tests"


def test_check_broken(run_cli, student_dir: Path) -> None:
    result = run_cli("check", str(_notebook(student_dir, BROKEN)))
    assert result.exit_code == 1
    out = result.stdout
    assert (
        "NameError: name 'center' is not defined (is it defined, and did its cell run without errors?)"
        in out
    )
    assert "note: cell 2 raised RuntimeError: oops" in out
    assert "note: cell 4 raised SyntaxError" in out


def test_check_selected_tasks(run_cli, student_dir: Path) -> None:
    result = run_cli("check", str(_notebook(student_dir, PARTIAL)), "1b")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "1b     PASS  2/2 public points of 2  Double",
        "1/1 tasks pass their public tests",
    ]
    unknown = run_cli("check", str(_notebook(student_dir, PARTIAL)), "1d")
    assert unknown.exit_code == 1 and "no task '1d'" in unknown.stderr


def test_check_without_public_tests(run_cli, tmp_path: Path) -> None:
    result = run_cli("check", str(_notebook(tmp_path, CORRECT)))
    assert result.exit_code == 1
    assert "no public_tests.json next to pca.ipynb" in result.stderr
    assert "Traceback" not in result.output


def test_check_agrees_with_grading_on_public_tests(student_dir: Path) -> None:
    from sheetgrade.graders.local_check import check_notebook

    report = check_notebook(_notebook(student_dir, PARTIAL))
    messages = {o.test.id: o.message for t in report.tasks for o in t.outcomes}
    assert messages["1a-public"].startswith("6 of 6 values differ")
    assert set(messages) == {t.id for t in TESTS if not t.hidden}


def test_in_notebook_check(
    student_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sheetgrade import check

    monkeypatch.chdir(student_dir)
    namespace: dict = {}
    for cell in CORRECT:
        exec(cell.replace("%matplotlib inline\n", ""), namespace)
    capsys.readouterr()
    check("1a", namespace=namespace)
    assert (
        capsys.readouterr().out
        == "1a     PASS  1/1 public points of 2  Centre\n1/1 tasks pass their public tests\n"
    )
    namespace["center"] = lambda X: X
    report = check(namespace=namespace, quiet=True)
    assert report is not None and not report.passed
    assert [t.task.id for t in report.tasks if not t.passed] == ["1a"]


def test_in_notebook_check_uses_caller_globals(
    student_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(student_dir)
    code = "import numpy as np\nfrom sheetgrade import check\ndef double(x):\n    return 2 * x\ncheck('1b')\n"
    exec(code, {"__name__": "__main__"})
    assert "1b     PASS  2/2 public points of 2" in capsys.readouterr().out


def test_recorded_reference_missing_is_explained(student_dir: Path) -> None:
    from sheetgrade import check

    odd = dataclasses.replace(
        TESTS[0], code="X = np.ones((2, 2))\nexpect_close(student.center(X), reference.center(X))"
    )
    write_public_tests(student_dir, {}, tests=[odd])
    namespace: dict = {}
    exec(CORRECT[1], namespace)
    report = check("1a", tests=student_dir / "public_tests.json", namespace=namespace, quiet=True)
    assert report is not None
    assert "was not recorded at build time" in report.tasks[0].outcomes[0].message


DEEP_TREE = (
    "import os\n"
    "home = os.getcwd()\n"
    "for _ in range(1500):\n"
    "    os.mkdir('d'); os.chdir('d')\n"
    "os.chdir(home)\n"
)


@pytest.mark.parametrize("backend", ["fork", "portable"])
def test_check_survives_a_tree_too_deep_for_rmtree(
    run_cli, student_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, backend: str
) -> None:
    """A notebook that nests 1500 folders still gets its report, and its
    scratch is gone (``shutil.rmtree`` would raise RecursionError on it)."""
    from sheetgrade.graders.local_check import check_notebook

    monkeypatch.setenv("SHEETGRADE_BACKEND", backend)
    scratch = tmp_path / "temp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    report = check_notebook(_notebook(student_dir, [DEEP_TREE, *CORRECT]))
    assert report.passed
    assert list(scratch.iterdir()) == []

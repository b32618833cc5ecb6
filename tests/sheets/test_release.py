"""`sheet release`: the zip, the index page, refusing missing and stale builds."""

from __future__ import annotations

import zipfile

import pytest

pytestmark = pytest.mark.usefixtures("fake_validator")


def test_release_refuses_a_missing_build(run_cli, make_course):
    course = make_course()
    result = run_cli("sheet", "release", "01", course=course)
    assert result.exit_code == 1
    assert "sheet 01-demo has not been built; run `sheetgrade sheet build 01-demo`" in result.stderr


def test_release_refuses_a_stale_build(run_cli, make_course):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    notebook = course / "sheets" / "01-demo" / "demo.ipynb"
    notebook.write_text(notebook.read_text().replace("# Demo", "# Demo, revised"))
    result = run_cli("sheet", "release", "01", course=course)
    assert result.exit_code == 1
    assert (
        "the build of sheet 01-demo is stale: its source changed since the build" in result.stderr
    )
    assert "stale" in run_cli("sheet", "list", course=course).stdout
    assert not (course / "release").exists()


def test_release_writes_zip_and_index(run_cli, make_course):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    result = run_cli("sheet", "release", "01", course=course)
    assert result.exit_code == 0, result.output
    archive = course / "release" / "01-demo.zip"
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == [
            "01-demo/demo.ipynb",
            "01-demo/numbers.csv",
            "01-demo/public_tests.json",
        ]
        assert "NotImplementedError" in z.read("01-demo/demo.ipynb").decode()
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in z.infolist())
    first = archive.read_bytes()
    assert run_cli("sheet", "release", "01", course=course).exit_code == 0
    assert archive.read_bytes() == first

    html = (course / "release" / "index.html").read_text()
    assert "<title>Test course · exercise sheets</title>" in html
    assert "01-demo: Demo sheet" in html
    assert "Wed 28 Oct 2026, 10:00" in html and 'datetime="2026-10-28T10:00:00+01:00"' in html
    assert "7 points" in html and "4 computational, 3 pen-and-paper" in html
    assert '<td>A proof</td><td><span class="kind pen">pen and paper</span>' in html
    assert 'href="01-demo.zip"' in html
    assert "http" not in html.replace('lang="en"', "")  # no external resources
    assert "yes" in run_cli("sheet", "list", course=course).stdout.splitlines()[-1]

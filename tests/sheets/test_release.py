"""`sheet release`: the zip, the index page, refusing missing and stale builds."""

from __future__ import annotations

import zipfile
from html import unescape

import pytest


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


def _wheel(folder, version="0.1.0", name=None):
    path = folder / (name or f"sheetgrade-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            f"sheetgrade-{version}.dist-info/METADATA", f"Name: sheetgrade\nVersion: {version}\n"
        )
    return path


def test_index_tells_students_how_to_install_and_check(run_cli, make_course):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    assert run_cli("sheet", "release", "01", course=course).exit_code == 0
    html = unescape((course / "release" / "index.html").read_text())
    assert '<pre><code>python -m pip install "sheetgrade==0.1.0"</code></pre>' in html
    assert "<pre><code>sheetgrade check demo.ipynb</code></pre>" in html
    assert "python -m sheetgrade check" in html and 'check("1a")' in html


def test_release_with_wheel_publishes_it_and_the_page_installs_it(run_cli, make_course, tmp_path):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    old = _wheel(tmp_path, name="sheetgrade-0.1.0-py3-none-any.whl")
    result = run_cli("sheet", "release", "01", "--wheel", str(old), course=course)
    assert result.exit_code == 0, result.output
    assert "  wheel: " in result.stdout
    assert (course / "release" / old.name).read_bytes() == old.read_bytes()
    html = (course / "release" / "index.html").read_text()
    assert f"<pre><code>python -m pip install {old.name}</code></pre>" in html
    assert f'<a href="{old.name}" download>' in html
    # a later release without --wheel keeps offering the published wheel
    assert run_cli("sheet", "release", "01", course=course).exit_code == 0
    assert old.name in (course / "release" / "index.html").read_text()


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda d: _wheel(d, version="9.9"),
            "is sheetgrade 9.9, but this course is graded with sheetgrade 0.1.0",
        ),
        (lambda d: d / "notes.txt", "not a sheetgrade wheel"),
        (lambda d: d / "sheetgrade-0.1.0-py3-none-any.whl", "no such file"),
    ],
)
def test_release_refuses_a_wrong_wheel(run_cli, make_course, tmp_path, make, message):
    course = make_course()
    assert run_cli("sheet", "build", "01", course=course).exit_code == 0
    result = run_cli("sheet", "release", "01", "--wheel", str(make(tmp_path)), course=course)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (course / "release" / "01-demo.zip").exists()

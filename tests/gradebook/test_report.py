"""The course report: a static page with inline plots, and how it looks in a real browser."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from sheetgrade.examples.synthetic_course import make_synthetic_course

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def report_course(tmp_path_factory):
    return make_synthetic_course(
        tmp_path_factory.mktemp("report") / "course", students=120, sheets=6, tasks=5, groups=6
    )


def test_report_page(report_course, run_cli):
    r = run_cli("report", course=report_course)
    assert r.exit_code == 0, r.output
    page = (report_course / "reports" / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 4  # totals, per sheet, per task, per group
    assert "admission threshold 50 %" in page
    assert "Students at risk, per tutor" in page and "Tutor " in page
    assert (
        "<script" not in page and "<link" not in page and 'src="http' not in page
    )  # self-contained


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_in_headless_chromium(report_course, run_cli, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (.ci/setup.d/chromium.sh installs it)")
    run_cli("report", course=report_course)
    shot = tmp_path / "report.png"
    cmd = [
        browser,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,1600",
        f"--screenshot={shot}",
        (report_course / "reports" / "index.html").as_uri(),
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    data = shot.read_bytes()
    assert _png_size(data) == (1280, 1600)
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    # the header band is the dark blue of the page, and the plots put plenty of their blue on the page
    assert abs(pixels[20, 20] - [0x23 / 255, 0x39 / 255, 0x5D / 255]).max() < 0.02
    blue = (abs(pixels - [0x3B / 255, 0x6F / 255, 0xB6 / 255]).max(axis=2) < 0.03).mean()
    assert blue > 0.01

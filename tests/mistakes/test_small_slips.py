"""Slip 4: the smaller slips, each with a clear outcome and no grade changed."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from .conftest import Run, dump


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_empty_zip_is_refused(sg: Run, course: Path) -> None:
    empty = _zip(course / "incoming" / "empty.zip", {})
    before = dump(course)
    result = sg("collect", "02", str(empty))
    assert result.exit_code == 1
    assert "empty.zip: empty, nothing in it to collect" in result.stdout
    assert dump(course) == before


def test_zip_without_a_notebook(sg: Run, course: Path) -> None:
    listing = sg("submissions", "list", "02", "--format", "csv").stdout.splitlines()
    name = next(row for row in csv.DictReader(listing))["name"]
    first, last = (name.split(", ")[1], name.split(", ")[0]) if ", " in name else (name, "")
    folder = f"{first} {last}".strip() + "_80000_assignsubmission_file_"
    # nothing the sheet takes: refused, exit 1, nothing written
    word = _zip(course / "incoming" / "word.zip", {f"{folder}/solution.docx": "PK"})
    before = dump(course)
    refused = sg("collect", "02", str(word))
    assert refused.exit_code == 1
    assert "nothing acceptable to collect" in refused.stdout
    assert "solution.docx: not accepted for this sheet" in refused.stdout
    assert dump(course) == before
    # write-ups only (a download of the pen-and-paper part): collected, and said so
    scans = _zip(course / "incoming" / "scans.zip", {f"{folder}/notes.txt": "see paper"})
    result = sg("collect", "02", str(scans))
    assert result.exit_code == 0, result.output
    assert "no notebook (.ipynb) in any of its 1 upload(s)" in result.stderr
    assert "expects kde.ipynb; collected the write-ups only" in result.stderr
    assert "submissions undo 02-kde" in result.stderr


def test_refused_csv_keeps_every_collects_history(sg: Run, course: Path) -> None:
    empty = _zip(course / "incoming" / "empty.zip", {})
    bad = _zip(course / "incoming" / "bad.zip", {"../evil.ipynb": "{}"})
    assert sg("collect", "02", str(empty)).exit_code == 1
    assert sg("collect", "02", str(bad)).exit_code == 1
    rows = list(
        csv.DictReader(
            io.StringIO((course / "submissions" / "02-kde" / "refused.csv").read_text("utf-8"))
        )
    )
    sources = [Path(r["source"]).name for r in rows]
    assert "empty.zip" in sources and any(s.startswith("bad.zip") for s in sources)
    assert all(r["collected_at"].endswith("+01:00") for r in rows)


def test_empty_course_yml_says_so_in_one_line(sg: Run, course: Path) -> None:
    (course / "course.yml").write_text("# the course, to be written\n\n", encoding="utf-8")
    result = sg("sheet", "list")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: course.yml is empty (nothing but comments or blank lines); "
        "`sheetgrade init` writes one to start from"
    ]


def test_tab_in_yaml_says_use_spaces(sg: Run, course: Path) -> None:
    text = (course / "course.yml").read_text(encoding="utf-8")
    (course / "course.yml").write_text(text.replace("  - id: 02-kde", "\t- id: 02-kde"), "utf-8")
    result = sg("sheet", "list")
    assert result.exit_code == 1
    assert "a tab character" in result.stderr and "use spaces" in result.stderr
    assert "Traceback" not in result.output


def test_misspelt_command_gets_did_you_mean(sg: Run) -> None:
    result = sg("colect", "02", "x.zip")
    assert result.exit_code == 2
    assert "No such command 'colect'; did you mean 'collect'?" in result.stderr


def test_stale_release_shows_and_release_says_what_changed(sg: Run, course: Path) -> None:
    import json

    first = sg("sheet", "release", "02")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("released 02-kde")
    again = sg("sheet", "release", "02")
    assert again.exit_code == 0
    assert "unchanged since its release at 20" in again.stdout and "+01:00" in again.stdout
    released = [line for line in dump(course, "sheets") if "02-kde" in line]

    source = course / "sheets" / "02-kde" / "kde.ipynb"
    nb = json.loads(source.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + "\n\nErratum: the bandwidth is h, not 2h."
    source.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    assert sg("sheet", "build", "02").exit_code == 0
    listing = sg("sheet", "list").stdout
    row = next(line for line in listing.splitlines() if line.startswith("02-kde"))
    assert row.rstrip().endswith("yes (stale: rebuilt since)")
    assert "(stale: rebuilt since)" in sg("sheet", "show", "02").stdout
    assert [line for line in dump(course, "sheets") if "02-kde" in line] != released

    third = sg("sheet", "release", "02")
    assert third.exit_code == 0
    assert "since the release at 20" in third.stdout and "changed: kde.ipynb" in third.stdout
    row = next(line for line in sg("sheet", "list").stdout.splitlines() if "02-kde" in line)
    assert row.rstrip().endswith("yes")


def test_times_shown_are_course_time_with_offset(sg: Run, course: Path) -> None:
    assert sg("sheet", "release", "02").exit_code == 0
    show = sg("sheet", "show", "02").stdout
    released = next(line for line in show.splitlines() if "released:" in line)
    assert released.rstrip().endswith("+01:00")
    history = sg("marks", "history", "--sheet", "02").stdout.splitlines()
    assert history[2].split()[1].endswith("+01:00")  # 2026-11-29 08:12+01:00
    report = sg("report")
    assert report.exit_code == 0, report.output
    html = (course / "reports" / "index.html").read_text(encoding="utf-8")
    assert "+01:00</p>" in html

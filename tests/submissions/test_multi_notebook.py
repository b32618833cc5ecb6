"""Sheets with several graded notebooks (nbgrader's ps1: problem1 + problem2):
one upload is one version holding every notebook at the top, under the sheet's
names; the record's notebook is the first present; a missing one is flagged,
not refused; the wrong-sheet check looks at every notebook."""

from __future__ import annotations

import json
from pathlib import Path

from submission_helpers import PS1, SHEET, add_ps1, nb, rows, solo_students, write_zip


def built(course: Path, sheet: str, notebooks: dict[str, bytes]) -> None:
    """The student notebooks a build leaves (what the wrong-sheet check compares with)."""
    folder = course / "build" / sheet / "student"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in notebooks.items():
        (folder / name).write_bytes(data)


def test_all_notebooks_in_one_version(course: Path, tmp_path: Path, run_cli) -> None:
    add_ps1(course)
    a, b = (p.id for p in solo_students(course)[:2])
    uploads = tmp_path / "uploads"
    (uploads / a).mkdir(parents=True)
    (uploads / a / "problem1.ipynb").write_bytes(nb("P1", code="a = 1"))
    (uploads / a / "problem2.ipynb").write_bytes(nb("P2", code="b = 2"))
    (uploads / b / "work").mkdir(parents=True)
    (uploads / b / "work" / "Problem2.ipynb").write_bytes(nb("P2", code="b = 3"))
    (uploads / b / "notes.ipynb").write_bytes(nb("mine"))

    result = run_cli("collect", PS1, uploads, "--received-at", "2026-11-04T12:00", course=course)
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.stdout
    by_owner = {r["owner"]: r for r in rows(course, PS1)}
    assert by_owner[a]["notebook"] == "problem1.ipynb"
    assert json.loads(by_owner[a]["flags"]) == []
    version_a = course / by_owner[a]["path"]
    assert sorted(p.name for p in version_a.iterdir()) == [
        "manifest.json",
        "problem1.ipynb",
        "problem2.ipynb",
    ]
    # the missing notebook is flagged, the other stored at the top under the sheet's name
    assert by_owner[b]["notebook"] == "problem2.ipynb"
    assert "notebook-missing:problem1.ipynb" in json.loads(by_owner[b]["flags"])
    version_b = course / by_owner[b]["path"]
    assert (version_b / "problem2.ipynb").read_bytes() == nb("P2", code="b = 3")
    assert not (version_b / "work").exists()
    assert (version_b / "notes.ipynb").is_file()  # kept, not graded
    manifest = json.loads((version_b / "manifest.json").read_text())
    assert manifest["notebook"] == "problem2.ipynb"
    assert "notebook-missing:problem1.ipynb" in result.stdout
    assert "no problem1.ipynb; the upload holds notes.ipynb (renamed?)" in result.stdout


def test_wrong_sheet_seen_through_every_notebook(course: Path, tmp_path: Path, run_cli) -> None:
    add_ps1(course)
    p1, p2 = nb("Problem 1: loops", "Part A"), nb("Problem 2: plots", "Part B")
    pca = nb("PCA sheet", "Centre the data", "Reconstruct")
    built(course, PS1, {"problem1.ipynb": p1, "problem2.ipynb": p2})
    built(course, SHEET, {"pca.ipynb": pca})
    people = [p.id for p in solo_students(course)[:3]]

    ps1_uploads = tmp_path / "ps1"
    for who in people:
        (ps1_uploads / who).mkdir(parents=True)
        (ps1_uploads / who / "problem2.ipynb").write_bytes(p2)  # only the second notebook
    wrong = run_cli(
        "collect", SHEET, ps1_uploads, "--received-at", "2026-10-27T12:00", course=course
    )
    assert wrong.exit_code == 1, wrong.output
    assert "3 of 3 uploads look like sheet 14-ps1" in wrong.stdout
    assert rows(course, SHEET) == []

    pca_uploads = tmp_path / "pca"
    for who in people:
        (pca_uploads / who).mkdir(parents=True)
        (pca_uploads / who / "pca.ipynb").write_bytes(pca)
    back = run_cli("collect", PS1, pca_uploads, "--received-at", "2026-11-04T12:00", course=course)
    assert back.exit_code == 1, back.output
    assert f"3 of 3 uploads look like sheet {SHEET}" in back.stdout
    assert rows(course, PS1) == []

    right = run_cli("collect", PS1, ps1_uploads, "--received-at", "2026-11-04T12:00", course=course)
    assert right.exit_code == 0, right.output
    assert "3 stored" in right.stdout
    assert all("looks-like" not in r["flags"] for r in rows(course, PS1))


def test_moodle_download_of_a_multi_notebook_sheet(course: Path, tmp_path: Path, run_cli) -> None:
    add_ps1(course)
    a, b = solo_students(course)[:2]
    download = write_zip(
        tmp_path / "ps1-moodle.zip",
        [
            (f"{a.name}_4711_assignsubmission_file/problem1.ipynb", nb("P1")),
            (f"{a.name}_4711_assignsubmission_file/ps1/problem2.ipynb", nb("P2")),
            (f"{b.name}_4712_assignsubmission_file/problem1.ipynb", nb("P1", code="y = 2")),
        ],
    )
    result = run_cli("collect", PS1, download, "--received-at", "2026-11-04T12:00", course=course)
    assert result.exit_code == 0, result.output
    by_owner = {r["owner"]: r for r in rows(course, PS1)}
    assert sorted(p.name for p in (course / by_owner[a.id]["path"]).iterdir()) == [
        "manifest.json",
        "problem1.ipynb",
        "problem2.ipynb",
    ]
    assert not [f for f in json.loads(by_owner[a.id]["flags"]) if f.startswith("notebook")]
    assert by_owner[a.id]["notebook"] == "problem1.ipynb"
    assert "notebook-missing:problem2.ipynb" in json.loads(by_owner[b.id]["flags"])

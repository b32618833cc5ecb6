"""Unsafe uploads are refused with a reason, the rest of the batch still collects,
and nothing is ever written outside the store."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from submission_helpers import (
    SHEET,
    notebook,
    rows,
    set_course_yml,
    solo_students,
    symlink_info,
    write_zip,
)

from sheetgrade.submissions.moodle import write_moodle_zip


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _collect_with_good_one(course: Path, tmp_path: Path, run_cli, bad: Path, *extra: str):
    good_student = solo_students(course)[0]
    good = tmp_path / f"{good_student.id}.ipynb"
    good.write_bytes(notebook("good"))
    before = _tree(tmp_path)
    result = run_cli(
        "collect", SHEET, bad, good, "--received-at", "2026-10-28T09:00", *extra, course=course
    )
    assert result.exit_code == 1, result.output
    assert good_student.id in {r["owner"] for r in rows(course)}, "the good item still collects"
    store = course.relative_to(tmp_path).as_posix()
    created = _tree(tmp_path) - before
    allowed = (f"{store}/submissions", f"{store}/gradebook.db-wal", f"{store}/gradebook.db-shm")
    assert all(p.startswith(allowed) for p in created), sorted(created)
    return result


def test_zip_path_traversal_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    victim = solo_students(course)[1]
    bad = write_zip(
        tmp_path / f"{victim.id}.zip",
        [
            ("../../../escaped.txt", b"owned"),
            ("sub/../../escaped2.ipynb", notebook()),
            ("pca.ipynb", notebook("victim")),
        ],
    )
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert "path traversal ('..') in the archive" in result.stdout
    # inside tmp_path (every new file is checked above) and the folders above it;
    # not rglob over the shared base folder, which may hold other tests' deep trees
    assert not list(tmp_path.rglob("escaped*"))
    assert not [p for up in tmp_path.parents[:3] for p in up.glob("escaped*")]
    # the safe member of the same zip is kept
    assert victim.id in {r["owner"] for r in rows(course)}


def test_zip_absolute_path_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    victim = solo_students(course)[1]
    bad = write_zip(
        tmp_path / f"{victim.id}.zip",
        [("/tmp/sheetgrade-absolute.ipynb", notebook()), ("C:/evil.ipynb", notebook("c"))],
    )
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert result.stdout.count("absolute path in the archive") == 2
    assert not Path("/tmp/sheetgrade-absolute.ipynb").exists()


def test_zip_symlink_entry_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    victim = solo_students(course)[1]
    bad = write_zip(tmp_path / f"{victim.id}.zip", [(symlink_info("pca.ipynb"), b"/etc/passwd")])
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert "symlink in the archive" in result.stdout


def test_symlink_in_a_folder_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    a = solo_students(course)[1]
    src = tmp_path / "uploads"
    (src / a.id).mkdir(parents=True)
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(notebook("secret"))
    (src / a.id / "pca.ipynb").symlink_to(secret)
    (src / "linked").symlink_to(tmp_path, target_is_directory=True)
    result = _collect_with_good_one(course, tmp_path, run_cli, src)
    assert f"{a.id}/pca.ipynb: symlink" in result.stdout
    assert "linked: symlink to a folder" in result.stdout


def test_zip_bomb_by_ratio_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    victim = solo_students(course)[1]
    bad = write_zip(tmp_path / f"{victim.id}.zip", [("pca.ipynb", b" " * (8 * 1024**2))])
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert "exceeds limits.max_zip_ratio (100); refused as a possible zip bomb" in result.stdout


def test_zip_bomb_by_total_size_is_refused_whole(course: Path, tmp_path: Path, run_cli) -> None:
    set_course_yml(
        course, "limits:\n  max_zip_total: 1MiB\n  max_file: 10MiB\n  max_zip_ratio: 100000\n"
    )
    people = solo_students(course)[1:3]
    bad = write_moodle_zip(
        tmp_path / "moodle.zip",
        [
            {"full_name": p.name, "participant_id": i, "files": {"pca.ipynb": b"0" * 700 * 1024}}
            for i, p in enumerate(people)
        ],
    )
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert (
        "more than limits.max_zip_total (1048576); refused as a possible zip bomb" in result.stdout
    )
    assert {r["owner"] for r in rows(course)} == {solo_students(course)[0].id}


def test_zip_whose_header_lies_about_its_size_is_refused(
    course: Path, tmp_path: Path, run_cli
) -> None:
    victim = solo_students(course)[1]
    bad = tmp_path / f"{victim.id}.zip"
    write_zip(bad, [("pca.ipynb", b"A" * 5000)])
    raw = bytearray(bad.read_bytes())
    # shrink the declared uncompressed size (5000) to 50 in both headers
    raw[:] = raw.replace((5000).to_bytes(4, "little"), (50).to_bytes(4, "little"))
    bad.write_bytes(bytes(raw))
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert "pca.ipynb: cannot be extracted" in result.stdout


def test_oversized_file_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    set_course_yml(course, "limits:\n  max_file: 1KiB\n")
    victim = solo_students(course)[1]
    big = tmp_path / f"{victim.id}.ipynb"
    big.write_bytes(notebook("x" * 4096))
    result = _collect_with_good_one(course, tmp_path, run_cli, big)
    assert "larger than limits.max_file (1024)" in result.stdout


def test_non_notebook_files_are_refused_but_pdf_is_kept_for_pen_and_paper(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a = solo_students(course)[1]
    src = tmp_path / "uploads"
    (src / a.id).mkdir(parents=True)
    (src / a.id / "pca.ipynb").write_bytes(notebook())
    (src / a.id / "proof.pdf").write_bytes(b"%PDF-1.4")
    (src / a.id / "run.exe").write_bytes(b"MZ")
    (src / a.id / ".DS_Store").write_bytes(b"junk")
    result = _collect_with_good_one(course, tmp_path, run_cli, src)
    assert (
        "run.exe: not accepted for this sheet (it takes notebooks (.ipynb) and pen-and-paper"
        in result.stdout
    )
    row = next(r for r in rows(course) if r["owner"] == a.id)
    assert sorted(p.name for p in (course / row["path"]).iterdir()) == [
        "manifest.json",
        "pca.ipynb",
        "proof.pdf",
    ]


def test_duplicate_uploads_are_refused(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[1:3]
    src = tmp_path / "uploads"
    (src / a.id).mkdir(parents=True)
    (src / a.id / "pca.ipynb").write_bytes(notebook("a"))
    (src / a.id / "pca (1).ipynb").write_bytes(notebook("a"))
    copy = tmp_path / "again"
    (copy / b.id).mkdir(parents=True)
    (copy / b.id / "pca.ipynb").write_bytes(notebook("b"))
    (src / b.id).mkdir()
    (src / b.id / "pca.ipynb").write_bytes(notebook("b"))
    result = _collect_with_good_one(course, tmp_path, run_cli, src, str(copy))
    assert "pca (1).ipynb: duplicate upload: the same bytes as pca.ipynb" in result.stdout
    assert "duplicate  " in result.stdout and "duplicate upload: the same files as" in result.stdout
    assert [r["owner"] for r in rows(course)].count(b.id) == 1
    refused_csv = (course / "submissions" / SHEET / "refused.csv").read_text(encoding="utf-8")
    assert "pca (1).ipynb" in refused_csv


def test_corrupt_notebook_is_kept_and_flagged(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[:2]
    bad_json = tmp_path / f"{a.id}.ipynb"
    bad_json.write_bytes(b'{"cells": [')
    not_nb = tmp_path / f"{b.id}.ipynb"
    not_nb.write_bytes(
        json.dumps({"cells": "nope", "nbformat": 4, "nbformat_minor": 5, "metadata": {}}).encode()
    )
    result = run_cli(
        "collect", SHEET, bad_json, not_nb, "--received-at", "2026-10-28T09:00", course=course
    )
    assert result.exit_code == 0, result.output
    assert "corrupt notebook, kept and flagged (not valid JSON" in result.stdout
    assert "corrupt notebook, kept and flagged (not valid nbformat" in result.stdout
    for row in rows(course):
        assert "corrupt-notebook" in json.loads(row["flags"])
        assert (course / row["path"] / row["notebook"]).is_file()


def test_unreadable_zip_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    result = _collect_with_good_one(course, tmp_path, run_cli, bad)
    assert "broken.zip: not a readable zip file" in result.stdout


def test_zip_inside_zip_inside_upload_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    victim = solo_students(course)[1]
    inner = tmp_path / "inner.zip"
    write_zip(inner, [("deeper.zip", b"PK")])
    middle = tmp_path / "middle.zip"
    write_zip(middle, [("pca.ipynb", notebook()), ("inner.zip", inner.read_bytes())])
    folder = tmp_path / "uploads" / victim.id
    folder.mkdir(parents=True)
    (folder / "middle.zip").write_bytes(middle.read_bytes())
    result = _collect_with_good_one(course, tmp_path, run_cli, tmp_path / "uploads")
    assert "a zip inside a zip inside the upload" in result.stdout
    assert zipfile.is_zipfile(middle)

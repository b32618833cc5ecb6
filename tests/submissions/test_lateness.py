"""Lateness against the timezone-aware deadline, with grace and personal extensions."""

from __future__ import annotations

import json
from pathlib import Path

from submission_helpers import SHEET, moodle_time, notebook, rows, set_course_yml, solo_students

from sheetgrade.submissions.moodle import write_moodle_zip

# 01-pca is due 2026-10-28T10:00+01:00 (09:00 UTC); grace 15 minutes


def _collect_one(course: Path, tmp_path: Path, run_cli, student_id: str, when: str, *extra: str):
    single = tmp_path / f"{student_id}.ipynb"
    single.write_bytes(notebook(when))
    return run_cli("collect", SHEET, single, "--received-at", when, *extra, course=course)


def test_within_grace_is_on_time_and_after_it_is_late(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a, b, c = solo_students(course)[:3]
    assert _collect_one(course, tmp_path, run_cli, a.id, "2026-10-28T10:14:59+01:00").exit_code == 0
    assert _collect_one(course, tmp_path, run_cli, b.id, "2026-10-28T09:16:00Z").exit_code == 0
    result = _collect_one(course, tmp_path, run_cli, c.id, "2026-10-29T11:15")  # course timezone
    assert "late 1d 1h" in result.stdout
    late = {r["owner"]: r["late_seconds"] for r in rows(course)}
    assert late == {a.id: 0.0, b.id: 60.0, c.id: 25 * 3600.0}


def test_extension_from_course_yml(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[:2]
    set_course_yml(
        course,
        f"extensions:\n  - {{student: '{a.matrikel}', sheet: '01', due: 2026-10-30T10:00+01:00}}\n",
    )
    _collect_one(course, tmp_path, run_cli, a.id, "2026-10-30T10:10+01:00")
    _collect_one(course, tmp_path, run_cli, b.id, "2026-10-30T10:10+01:00")
    got = {r["owner"]: r for r in rows(course)}
    assert got[a.id]["late_seconds"] == 0 and "extension" in json.loads(got[a.id]["flags"])
    assert got[b.id]["late_seconds"] == (2 * 24 * 3600 - 5 * 60)


def test_extension_file(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[:2]
    ext = tmp_path / "extensions.csv"
    ext.write_text(
        f"student;sheet;due\n{a.email};01-pca;2026-11-01T10:00\n{b.id};02-kde;2026-11-20T10:00\n",
        encoding="utf-8",
    )
    _collect_one(course, tmp_path, run_cli, a.id, "2026-10-31T10:00", "--extensions", str(ext))
    _collect_one(course, tmp_path, run_cli, b.id, "2026-10-28T10:20", "--extensions", str(ext))
    got = {r["owner"]: r["late_seconds"] for r in rows(course)}
    assert got == {a.id: 0.0, b.id: 5 * 60.0}


def test_bad_extension_file_stops_before_anything_is_collected(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a = solo_students(course)[0]
    ext = tmp_path / "extensions.csv"
    ext.write_text("student,due\nnobody,2026-11-01T10:00\ns001,next week\n", encoding="utf-8")
    result = _collect_one(
        course, tmp_path, run_cli, a.id, "2026-10-28T09:00", "--extensions", str(ext)
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {ext}: 2 problem(s) in the extensions file; nothing was collected\n"
        "  line 2: no student 'nobody' in the roster (by id, matriculation number or e-mail)\n"
        "  line 3: 'next week' is not a time (expected e.g. 2026-11-05T10:00+01:00)\n"
    )
    assert rows(course) == []


def test_moodle_zip_with_one_time_for_everyone_warns(course: Path, tmp_path: Path, run_cli) -> None:
    people = solo_students(course)[:2]
    stamp = moodle_time(2026, 10, 29, 12, 0)  # the download, a day after the deadline
    zip_path = write_moodle_zip(
        tmp_path / "m.zip",
        [
            {
                "full_name": p.name,
                "participant_id": i,
                "files": {"pca.ipynb": notebook(p.id)},
                "mtime": stamp,
            }
            for i, p in enumerate(people)
        ],
    )
    result = run_cli("collect", SHEET, zip_path, "--dry-run", course=course)
    assert (
        "every entry carries the same time (2026-10-29 12:00), probably the download time"
        in result.stderr
    )
    result = run_cli("collect", SHEET, zip_path, "--received-at", "2026-10-28T09:59", course=course)
    assert result.exit_code == 0
    assert "using --received-at instead" in result.stderr
    assert {r["late_seconds"] for r in rows(course)} == {0.0}

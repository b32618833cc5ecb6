"""Matching uploads to students: all 120 of a Moodle zip; misspellings reported, never guessed."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from submission_helpers import SHEET, moodle_time, notebook, rows, solo_students, students, teams

from sheetgrade.submissions.moodle import write_moodle_zip
from sheetgrade.submissions.names import name_keys


def test_name_keys_meet_across_spellings() -> None:
    assert name_keys("Müller, Jörg") & name_keys("Jörg Müller")
    assert name_keys("Jörg Müller") & name_keys("Joerg Mueller")
    assert name_keys("Jörg Müller") & name_keys("Jorg Muller")
    assert name_keys("Strauß, Anneliese") & name_keys("ANNELIESE STRAUSS")
    assert name_keys("Noémie Schmid") & name_keys("Noemie Schmid")
    assert not name_keys("Ana Berg") & name_keys("Anna Berg")


def _moodle_entries(course: Path) -> list[dict]:
    return [
        {
            "full_name": p.name,
            "participant_id": 4000 + i,
            "files": {"pca.ipynb": notebook(p.id)},
            "mtime": moodle_time(2026, 10, 28, 8, i % 60),
        }
        for i, p in enumerate(students(course))
    ]


def test_moodle_zip_of_120_students_matches_all(course: Path, tmp_path: Path, run_cli) -> None:
    entries = _moodle_entries(course)
    assert len(entries) == 120
    zip_path = write_moodle_zip(tmp_path / "moodle.zip", entries)
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{SHEET}: 120 stored"
    got = rows(course)
    assert len(got) == 120
    assert {r["submitted_by"] for r in got} == {p.id for p in students(course)}
    in_team = {s: t for t, members in teams(course).items() for s in members}
    for r in got:
        assert r["owner"] == in_team.get(r["submitted_by"], r["submitted_by"])


def test_planted_misspelling_is_reported_not_matched(course: Path, tmp_path: Path, run_cli) -> None:
    entries = _moodle_entries(course)
    target = solo_students(course)[0]
    planted = next(e for e in entries if e["full_name"] == target.name)
    misspelled = target.first_name[:-1] + " " + target.last_name  # one letter short
    planted["full_name"] = misspelled
    zip_path = write_moodle_zip(tmp_path / "moodle.zip", entries)
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2] == f"{SHEET}: 119 stored, 1 unmatched"
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("unmatched"))
    assert f"'{misspelled}' matches no student" in line
    assert (
        f"near miss: {target.name} ({target.id})" in line
        and "(not matched: names must match exactly)" in line
    )
    assert target.id not in {r["submitted_by"] for r in rows(course)}
    report = course / "submissions" / SHEET / "unmatched.csv"
    assert f"unmatched uploads are listed in {report}" in result.stdout
    with report.open(encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    assert (
        len(listed) == 1
        and listed[0]["problem"] == "unmatched"
        and misspelled in listed[0]["source"]
    )


def test_two_students_of_one_name_are_ambiguous(course: Path, tmp_path: Path, run_cli) -> None:
    target = solo_students(course)[0]
    with sqlite3.connect(course / "gradebook.db") as conn:
        conn.execute(
            "insert into students (id, first_name, last_name, email, matrikel) values (?, ?, ?, ?, ?)",
            ("s999", target.first_name, target.last_name, "twin@example.org", "9999999"),
        )
    zip_path = write_moodle_zip(
        tmp_path / "moodle.zip",
        [{"full_name": target.name, "participant_id": 1, "files": {"pca.ipynb": notebook()}}],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 1
    assert (
        f"could be any of: {target.name} ({target.id}), {target.name} (s999); not guessed"
        in result.stdout
    )
    assert rows(course) == []


def test_unknown_folder_and_blind_marking_are_reported(
    course: Path, tmp_path: Path, run_cli
) -> None:
    zip_path = write_moodle_zip(
        tmp_path / "moodle.zip",
        [
            {"full_name": "Participant", "participant_id": 17, "files": {"pca.ipynb": notebook()}},
            {
                "full_name": "Nobody Known",
                "participant_id": 18,
                "files": {"pca.ipynb": notebook("n")},
            },
        ],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 1
    assert "Moodle blind marking hides the name" in result.stdout
    assert (
        "'Nobody Known' matches no student by id, matriculation number, e-mail or name"
        in result.stdout
    )

"""Each kind of source: folders of subfolders, flat folders, Moodle zips, single files, nbgrader trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from submission_helpers import (
    SHEET,
    moodle_time,
    notebook,
    rows,
    solo_students,
    students,
    write_zip,
)

from sheetgrade.submissions.moodle import parse_component, write_moodle_zip


def test_folder_of_student_subfolders_by_id_matrikel_email_and_name(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a, b, c, d = solo_students(course)[:4]
    src = tmp_path / "uploads"
    for label, person in (
        (a.id, a),
        (b.matrikel, b),
        (c.email, c),
        (f"{d.last_name}, {d.first_name}", d),
    ):
        (src / label).mkdir(parents=True)
        (src / label / "pca.ipynb").write_bytes(notebook(person.id))
    result = run_cli("collect", SHEET, src, "--received-at", "2026-10-28T09:00", course=course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{SHEET}: 4 stored"
    owners = {r["owner"]: r for r in rows(course)}
    assert set(owners) == {a.id, b.id, c.id, d.id}
    for person in (a, b, c, d):
        row = owners[person.id]
        assert (
            row["version"] == 1
            and row["owner_kind"] == "student"
            and row["notebook"] == "pca.ipynb"
        )
        stored = course / row["path"] / "pca.ipynb"
        assert json.loads(stored.read_bytes())["cells"][0]["source"] == person.id
        assert row["received_at"] == "2026-10-28T08:00:00+00:00"


def test_flat_folder_by_id_and_matrikel_merges_one_students_files(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a, b = solo_students(course)[:2]
    src = tmp_path / "flat"
    src.mkdir()
    (src / f"{a.id}.ipynb").write_bytes(notebook("a"))
    (src / f"{a.id}.pdf").write_bytes(b"%PDF-1.4 pen and paper")
    (src / f"{b.matrikel}_pca.ipynb").write_bytes(notebook("b"))
    result = run_cli(
        "collect", SHEET, src, "--received-at", "2026-10-28T09:00+01:00", course=course
    )
    assert result.exit_code == 0, result.output
    by_owner = {r["owner"]: r for r in rows(course)}
    assert sorted(by_owner) == sorted([a.id, b.id])
    assert sorted(p.name for p in (course / by_owner[a.id]["path"]).iterdir()) == [
        "manifest.json",
        f"{a.id}.ipynb",
        f"{a.id}.pdf",
    ]
    # the only notebook, named after its owner: the main notebook, not flagged as renamed
    assert by_owner[b.id]["notebook"] == f"{b.matrikel}_pca.ipynb"
    assert json.loads(by_owner[b.id]["flags"]) == []


@pytest.mark.parametrize("style", ["folders", "folders-legacy", "flat"])
def test_moodle_zip_every_layout(course: Path, tmp_path: Path, run_cli, style: str) -> None:
    people = solo_students(course)[:3]
    entries = [
        {
            "full_name": p.name,
            "participant_id": 7000 + i,
            "files": {"pca.ipynb": notebook(p.id)},
            "mtime": moodle_time(2026, 10, 28, 9, 10 + i),
        }
        for i, p in enumerate(people)
    ]
    entries[0]["onlinetext"] = "<p>see the notebook</p>"
    zip_path = write_moodle_zip(tmp_path / "moodle.zip", entries, style=style)
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert f"{SHEET}: 3 stored" in result.stdout
    assert "times are the zip entries' times" in result.stdout
    got = {r["owner"]: r for r in rows(course)}
    stored = course / got[people[0].id]["path"]
    assert (stored / "onlinetext.html").read_text() == "<p>see the notebook</p>"
    assert set(got) == {p.id for p in people}
    # DOS times are local (Europe/Berlin, CET in late October): 09:10 CET is 08:10 UTC
    assert got[people[0].id]["received_at"] == "2026-10-28T08:10:00+00:00"
    assert "time:zip-entry" in json.loads(got[people[0].id]["flags"])


def test_moodle_folder_names_parse() -> None:
    parsed = parse_component("Anna Berg_1234567_assignsubmission_file_")
    assert parsed is not None and (parsed.full_name, parsed.participant_id, parsed.plugin) == (
        "Anna Berg",
        "1234567",
        "file",
    )
    flat = parse_component("Anna Berg_12_assignsubmission_file_pca.ipynb")
    assert flat is not None and flat.rest == "pca.ipynb"
    assert parse_component("random_folder") is None


def test_single_notebook_and_student_zip(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[:2]
    single = tmp_path / f"{a.matrikel}.ipynb"
    single.write_bytes(notebook("a"))
    own_zip = write_zip(
        tmp_path / f"{b.id}.zip",
        [
            ("sheet01/pca.ipynb", notebook("b")),
            ("sheet01/proof.pdf", b"%PDF-1.4"),
            ("__MACOSX/sheet01/._pca.ipynb", b"junk"),
        ],
    )
    result = run_cli(
        "collect", SHEET, single, own_zip, "--received-at", "2026-10-28T09:00", course=course
    )
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert set(got) == {a.id, b.id}
    assert sorted(p.name for p in (course / got[b.id]["path"]).iterdir()) == [
        "manifest.json",
        "pca.ipynb",
        "proof.pdf",
    ]


def test_nbgrader_tree_with_timestamps(course: Path, tmp_path: Path, run_cli) -> None:
    a, b = solo_students(course)[:2]
    root = tmp_path / "nbgrader" / "submitted"
    for person, stamp in (
        (a, "2026-10-28 08:30:00.000000 UTC"),
        (b, "2026-10-28 09:30:00.000000 UTC"),
    ):
        folder = root / person.id / SHEET
        folder.mkdir(parents=True)
        (folder / "pca.ipynb").write_bytes(notebook(person.id))
        (folder / "timestamp.txt").write_text(stamp)
        other = root / person.id / "02-kde"
        other.mkdir()
        (other / "kde.ipynb").write_bytes(notebook("other sheet"))
    result = run_cli("collect", SHEET, tmp_path / "nbgrader", course=course)
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert (
        got[a.id]["received_at"] == "2026-10-28T08:30:00+00:00" and got[a.id]["late_seconds"] == 0
    )
    # due 10:00+01:00 = 09:00 UTC, grace 15 min: 09:30 UTC is 15 minutes late
    assert got[b.id]["late_seconds"] == 15 * 60
    assert "timestamp.txt" not in {p.name for p in (course / got[a.id]["path"]).iterdir()}
    assert rows(course, "02-kde") == []
    # the folder named `submitted` itself works too
    again = run_cli("collect", SHEET, root, course=course)
    assert again.exit_code == 0 and again.stdout.splitlines()[-1] == f"{SHEET}: 2 unchanged"


def test_no_time_falls_back_to_now_with_a_warning(course: Path, tmp_path: Path, run_cli) -> None:
    a = solo_students(course)[0]
    single = tmp_path / f"{a.id}.ipynb"
    single.write_bytes(notebook())
    result = run_cli("collect", SHEET, single, course=course)
    assert result.exit_code == 0
    assert "no time known" in result.stderr
    assert "time:now" in json.loads(rows(course)[0]["flags"])


def test_missing_source_and_bad_received_at(course: Path, tmp_path: Path, run_cli) -> None:
    result = run_cli("collect", SHEET, tmp_path / "nope.zip", course=course)
    assert result.exit_code == 1
    assert "no such file or folder" in result.stdout
    bad = run_cli("collect", SHEET, tmp_path, "--received-at", "yesterday", course=course)
    assert bad.exit_code == 1
    assert "--received-at 'yesterday' is not a time" in bad.stderr
    assert "Traceback" not in bad.output
    unknown_sheet = run_cli("collect", "99", tmp_path, course=course)
    assert unknown_sheet.exit_code == 1 and "no sheet '99'" in unknown_sheet.stderr
    assert len(students(course)) == 120

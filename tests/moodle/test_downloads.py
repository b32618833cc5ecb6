"""Moodle downloads built the way Moodle's downloader writes them collect with the right
owners and times: individual, team, default group, blind marking, online text, large scans."""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from pathlib import Path

from submission_helpers import SHEET, moodle_time, notebook, rows, solo_students, students, teams


def _origins(course: Path) -> dict[str, dict]:
    with sqlite3.connect(course / "gradebook.db") as conn:
        conn.row_factory = sqlite3.Row
        return {r["owner"]: dict(r) for r in conn.execute("select * from moodle_uploads")}


def _team_members(course: Path) -> tuple[str, list]:
    by_id = {p.id: p for p in students(course)}
    team_id, members = next((t, m) for t, m in teams(course).items() if len(m) >= 2)
    return team_id, [by_id[m] for m in members]


def test_individual_download_keeps_participant_id_and_folder(
    course: Path, tmp_path: Path, run_cli
) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    a, b = solo_students(course)[:2]
    zip_path = write_moodle_zip(
        tmp_path / "C1-Sheet 1-42.zip",
        [
            {
                "full_name": a.name,
                "participant_id": 4711,
                "files": {"pca.ipynb": notebook("a"), "scans/page 1.pdf": b"%PDF-1.4 a"},
                "mtime": moodle_time(2026, 10, 28, 9, 40),
            },
            {
                "full_name": b.name,
                "participant_id": 4712,
                "files": {},
                "onlinetext": "<p>the proof: see below</p>",
                "mtime": moodle_time(2026, 10, 28, 9, 50),
            },
        ],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert got[a.id]["received_at"] == "2026-10-28T08:40:00+00:00"
    assert got[b.id]["received_at"] == "2026-10-28T08:50:00+00:00"
    assert (course / got[a.id]["path"] / "scans" / "page 1.pdf").read_bytes() == b"%PDF-1.4 a"
    assert (course / got[b.id]["path"] / "onlinetext.html").read_text().startswith("<p>the proof")
    origins = _origins(course)
    assert origins[a.id]["participant_id"] == "4711"
    assert origins[a.id]["folder"] == f"{a.name}_4711_assignsubmission_file"
    assert origins[a.id]["kind"] == "participant"
    # an online-text-only submission lives in the onlinetext folder
    assert origins[b.id]["folder"] == f"{b.name}_4712_assignsubmission_onlinetext"
    manifest = json.loads((course / got[a.id]["path"] / "manifest.json").read_text())
    assert manifest["moodle"] == {
        "participant_id": "4711",
        "folder": f"{a.name}_4711_assignsubmission_file",
    }


def test_team_download_with_default_group(course: Path, tmp_path: Path, run_cli) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    team_id, members = _team_members(course)
    zip_path = write_moodle_zip(
        tmp_path / "teams.zip",
        [
            {
                "full_name": team_id,  # Moodle's group name
                "participant_id": 17,  # the group id
                "files": {"pca.ipynb": notebook("team")},
                "mtime": moodle_time(2026, 10, 28, 9, 30),
            },
            {
                "full_name": "Default group",
                "participant_id": None,
                "files": {"pca.ipynb": notebook("nobody's")},
                "mtime": moodle_time(2026, 10, 28, 9, 45),
            },
        ],
    )
    with zipfile.ZipFile(zip_path) as zf:
        assert "Default group_assignsubmission_file/pca.ipynb" in zf.namelist()
        assert f"{team_id}_17_assignsubmission_file/pca.ipynb" in zf.namelist()
    result = run_cli("collect", SHEET, zip_path, course=course)
    # the default group is shared by every student in no Moodle group: not guessed
    assert result.exit_code == 1, result.output
    assert "unresolved" in result.stdout
    assert "Moodle's default group ('Default group')" in result.stdout
    assert "--worksheet" in result.stdout
    got = {r["owner"]: r for r in rows(course)}
    assert set(got) == {team_id}
    assert got[team_id]["owner_kind"] == "team"
    assert _origins(course)[team_id]["kind"] == "group"
    assert _origins(course)[team_id]["participant_id"] == "17"
    unmatched = (course / "submissions" / SHEET / "unmatched.csv").read_text()
    assert "Default group_assignsubmission_file" in unmatched and "unresolved" in unmatched

    # a roster team named like Moodle's default group takes it
    solo = solo_students(course)[:2]
    added = run_cli(
        "roster", "teams", "add", "Default group", solo[0].id, solo[1].id, course=course
    )
    assert added.exit_code == 0, added.output
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert got["Default group"]["received_at"] == "2026-10-28T08:45:00+00:00"
    assert _origins(course)["Default group"]["kind"] == "default-group"
    assert _origins(course)["Default group"]["participant_id"] == ""


def test_blind_marking_is_unmatched_without_identities(
    course: Path, tmp_path: Path, run_cli
) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    zip_path = write_moodle_zip(
        tmp_path / "blind.zip",
        [
            {
                "full_name": "Participant",
                "participant_id": 9001,
                "files": {"pca.ipynb": notebook()},
            },
        ],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 1
    assert "Moodle blind marking hides the name" in result.stdout
    assert rows(course) == []


def test_a_500_mb_download_of_scans_collects(course: Path, tmp_path: Path, run_cli) -> None:
    """500 MB of incompressible scans, stored as Moodle stores them: more than the old
    200 MiB cap; the total is within what the number of submissions allows."""

    people = solo_students(course)
    chunk = 500 * 10**6 // len(people) + 1
    zip_path = tmp_path / "scans.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf:
        for i, p in enumerate(people):
            info = zipfile.ZipInfo(
                f"{p.name}_{5000 + i}_assignsubmission_file/scan.pdf", (2026, 10, 28, 9, 0, 0)
            )
            zf.writestr(info, b"%PDF" + os.urandom(chunk - 4))
            info = zipfile.ZipInfo(
                f"{p.name}_{5000 + i}_assignsubmission_file/pca.ipynb", (2026, 10, 28, 9, 0, 0)
            )
            zf.writestr(info, notebook(p.id))
    assert zip_path.stat().st_size > 500 * 10**6
    result = run_cli("collect", SHEET, zip_path, "--quiet", course=course)
    assert result.exit_code == 0, result.output[-2000:]
    assert "zip bomb" not in result.stdout
    assert f"{len(people)} stored" in result.stdout
    got = {r["owner"]: r for r in rows(course)}
    assert len(got) == len(people)
    some = got[people[-1].id]
    assert (course / some["path"] / "scan.pdf").stat().st_size == chunk


def test_zip_total_scales_with_the_submissions_it_holds(
    course: Path, tmp_path: Path, run_cli
) -> None:
    from submission_helpers import set_course_yml

    from sheetgrade.submissions.moodle import write_moodle_zip

    set_course_yml(course, "limits:\n  max_zip_per_submission: 1MiB\n")
    a, b, c = solo_students(course)[:3]
    scan = os.urandom(700 * 1024)
    fine = write_moodle_zip(
        tmp_path / "fine.zip",
        [
            {
                "full_name": p.name,
                "participant_id": i,
                "files": {"scan.pdf": b"%PDF" + scan + bytes([i]), "pca.ipynb": notebook(p.id)},
            }
            for i, p in enumerate((a, b))
        ],
        compression=zipfile.ZIP_STORED,
    )
    result = run_cli("collect", SHEET, fine, course=course)
    assert result.exit_code == 0, result.output  # 1.4 MB for 2 submissions: within 2 × 1 MiB
    bomb = write_moodle_zip(
        tmp_path / "bomb.zip",
        [
            {
                "full_name": c.name,
                "participant_id": 9,
                "files": {"a.pdf": scan, "b.pdf": scan[::-1], "pca.ipynb": notebook()},
            }
        ],
        compression=zipfile.ZIP_STORED,
    )
    result = run_cli("collect", SHEET, bomb, course=course)
    assert result.exit_code == 1
    assert (
        "more than 1 submission(s) × limits.max_zip_per_submission (1048576) = 1048576; "
        "refused as a possible zip bomb" in result.stdout
    )
    assert c.id not in {r["owner"] for r in rows(course)}


def test_team_download_before_moodle_4_1(course: Path, tmp_path: Path, run_cli) -> None:
    """Moodle 3.x/4.0: '<group>-<full name>_<participant id>_assignsubmission_file_/'."""
    from sheetgrade.submissions.moodle import write_moodle_zip

    team_id, members = _team_members(course)
    solo = solo_students(course)[0]
    zip_path = write_moodle_zip(
        tmp_path / "old.zip",
        [
            {
                "full_name": f"{team_id}-{members[0].name}",
                "participant_id": 4711,
                "files": {"pca.ipynb": notebook("team")},
                "mtime": moodle_time(2026, 10, 28, 9, 30),
            },
            {
                "full_name": f"Default group-{solo.name}",
                "participant_id": 4712,
                "files": {"pca.ipynb": notebook("solo")},
                "mtime": moodle_time(2026, 10, 28, 9, 31),
            },
        ],
        style="folders-legacy",
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert set(got) == {team_id, solo.id}
    assert got[team_id]["submitted_by"] == members[0].id
    origins = _origins(course)
    # the folder as the zip wrote it (trailing underscore), and the member's participant id
    assert origins[team_id]["folder"] == f"{team_id}-{members[0].name}_4711_assignsubmission_file_"
    assert origins[team_id]["participant_id"] == "4711"
    assert origins[solo.id]["kind"] == "participant"

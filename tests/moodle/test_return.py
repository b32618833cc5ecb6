"""The way back to Moodle: the grading worksheet round trip, and the feedback-files zip whose
folder names are the download's, one to one."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from submission_helpers import SHEET, moodle_time, notebook, solo_students, students, teams

sys.path.insert(0, str(Path(__file__).parent))
from moodle_helpers import Row, worksheet_csv  # noqa: E402


def _individual(course: Path, tmp_path: Path, style: str = "folders") -> tuple[list, Path, Path]:
    from sheetgrade.submissions.moodle import write_moodle_zip

    people = solo_students(course)[:4]
    zip_path = write_moodle_zip(
        tmp_path / "download.zip",
        [
            {
                "full_name": p.name,
                "participant_id": 700 + i,
                "files": {"pca.ipynb": notebook(p.id), "proof.pdf": b"%PDF " + p.id.encode()},
                "mtime": moodle_time(2026, 10, 28, 9, i),
            }
            for i, p in enumerate(people[:3])
        ],
        style=style,
    )
    sheet = worksheet_csv(
        tmp_path / "worksheet.csv",
        [
            Row(700 + i, p.name, p.email, moodle_time(2026, 10, 28, 9, i) if i < 3 else None)
            for i, p in enumerate(people)
        ],
    )
    return people, zip_path, sheet


def test_worksheet_round_trip(course: Path, tmp_path: Path, run_cli) -> None:
    from zoneinfo import ZoneInfo

    from sheetgrade.submissions.worksheet import read_worksheet

    people, zip_path, sheet = _individual(course, tmp_path)
    a, b, c, d = people
    assert run_cli("collect", SHEET, zip_path, "--worksheet", sheet, course=course).exit_code == 0
    for student, task, points in ((a, "2", "3,5"), (b, "2", "4"), (b, "3", "2"), (c, "2", "0")):
        result = run_cli("marks", "set", SHEET, student.id, task, points, course=course)
        assert result.exit_code == 0, result.output
    out = tmp_path / "upload.csv"
    result = run_cli("gradebook", "moodle-worksheet", SHEET, "-o", out, course=course)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: 3 grades, 1 rows left as downloaded" in result.stdout
    assert "missing, no grade" in result.stderr

    tz = ZoneInfo("Europe/Berlin")
    before, after = read_worksheet(sheet, tz), read_worksheet(out, tz)
    assert after.header == before.header
    assert [r.identifier for r in after.rows] == [r.identifier for r in before.rows]
    graded_col = before.columns["graded"]
    assert [r.cells[graded_col] for r in after.rows] == [r.cells[graded_col] for r in before.rows]
    grades = {r.full_name: (r.grade, r.feedback) for r in after.rows}
    # 14 points on the sheet, Maximum Grade 10.00
    assert grades[a.name] == (
        "2.50",
        "Linear dimension reduction (PCA): 3.5 of 14 points (marked by hand 3.5).",
    )
    assert grades[b.name] == (
        "4.29",
        "Linear dimension reduction (PCA): 6 of 14 points (marked by hand 6).",
    )
    assert grades[c.name][0] == "0.00"
    assert grades[d.name] == ("", "")  # no submission: as downloaded


def test_scale_graded_assignment_is_refused(course: Path, tmp_path: Path, run_cli) -> None:
    people, zip_path, sheet = _individual(course, tmp_path)
    text = sheet.read_text().replace("Maximum Grade", "Scale").replace("10.00", '"Fail\nPass"')
    sheet.write_text(text)
    result = run_cli("gradebook", "moodle-worksheet", SHEET, "--worksheet", sheet, course=course)
    assert result.exit_code == 1
    assert "graded with a scale (Fail, Pass), not points" in result.stderr


@pytest.mark.parametrize("style", ["folders", "folders-legacy"])
def test_feedback_zip_folders_match_the_download(
    course: Path, tmp_path: Path, run_cli, style: str
) -> None:
    from sheetgrade.submissions.moodle import parse_component

    people, zip_path, sheet = _individual(course, tmp_path, style)
    assert run_cli("collect", SHEET, zip_path, course=course).exit_code == 0
    result = run_cli("feedback", SHEET, "--format", "moodle", course=course)
    assert result.exit_code == 0, result.output
    target = course / "feedback" / SHEET / "moodle-feedback.zip"
    assert f"wrote {target}: 3 participant folders" in result.stdout
    with zipfile.ZipFile(zip_path) as zf:
        downloaded = {n.split("/")[0] for n in zf.namelist()}
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        page = zf.read(names[0]).decode()
    assert {n.split("/")[0] for n in names} == downloaded
    assert all(n.endswith("/feedback.html") for n in names)
    assert "<html" in page.lower()
    # what Moodle's importer reads from each folder name: the participant id, the plugin
    for name in names:
        parsed = parse_component(name.split("/")[0])
        assert parsed is not None and parsed.plugin == "file" and parsed.participant_id.isdigit()


def test_team_feedback_needs_the_worksheet(course: Path, tmp_path: Path, run_cli) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    by_id = {p.id: p for p in students(course)}
    team_id, member_ids = next((t, m) for t, m in teams(course).items() if len(m) >= 2)
    members = [by_id[m] for m in member_ids]
    zip_path = write_moodle_zip(
        tmp_path / "team.zip",
        [{"full_name": team_id, "participant_id": 55, "files": {"pca.ipynb": notebook()}}],
    )
    assert run_cli("collect", SHEET, zip_path, course=course).exit_code == 0
    result = run_cli("feedback", SHEET, "--format", "moodle", course=course)
    # the team folder holds the group id, which Moodle's import would take for a participant id
    assert result.exit_code == 1
    assert f"team {team_id}: no Moodle participant id for" in result.stderr
    sheet = worksheet_csv(
        tmp_path / "ws.csv",
        [
            Row(800 + i, m.name, m.email, moodle_time(2026, 10, 28, 9, 0), group=team_id)
            for i, m in enumerate(members)
        ],
        team=True,
    )
    assert run_cli("collect", SHEET, zip_path, "--worksheet", sheet, course=course).exit_code == 0
    result = run_cli("feedback", SHEET, "--format", "moodle", course=course)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(course / "feedback" / SHEET / "moodle-feedback.zip") as zf:
        folders = {n.split("/")[0] for n in zf.namelist()}
    assert folders == {f"{m.name}_{800 + i}_assignsubmission_file" for i, m in enumerate(members)}


def _roster_files(course: Path) -> tuple[dict, dict[str, list[str]]]:
    """Students (id -> Person) and teams (id -> member ids) from the course's roster files."""
    import csv

    from submission_helpers import Person

    with (course / "roster" / "students.csv").open(encoding="utf-8") as fh:
        people = {
            r["id"]: Person(
                r["id"], r["first_name"], r["last_name"], r["email"], r["matrikel"], r["group"]
            )
            for r in csv.DictReader(fh)
        }
    found: dict[str, list[str]] = {}
    with (course / "roster" / "teams.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            found.setdefault(r["team"], []).append(r["student"])
    return people, found


def test_team_round_trip_on_sqlite_and_postgresql(
    database: str, course: Path, tmp_path: Path, run_cli
) -> None:
    """Team download with the default group, worksheet, grades and feedback zip: the
    Moodle tables work the same on both databases."""
    from zoneinfo import ZoneInfo

    from sheetgrade.submissions.moodle import write_moodle_zip
    from sheetgrade.submissions.worksheet import read_worksheet

    by_id, roster_teams = _roster_files(course)  # the database may be PostgreSQL
    (t1, m1), (t2, m2) = [(t, m) for t, m in roster_teams.items() if len(m) >= 2][:2]
    zip_path = write_moodle_zip(
        tmp_path / "teams.zip",
        [
            {"full_name": t1, "participant_id": 31, "files": {"pca.ipynb": notebook("1")}},
            {
                "full_name": "Default group",
                "participant_id": None,
                "files": {"pca.ipynb": notebook("2")},
            },
        ],
    )
    ws_rows = [
        Row(900 + i, by_id[s].name, by_id[s].email, moodle_time(2026, 10, 28, 9, 5), group=group)
        for i, (s, group) in enumerate([(s, t1) for s in m1] + [(s, "Default group") for s in m2])
    ]
    sheet = worksheet_csv(tmp_path / "ws.csv", ws_rows, team=True)
    result = run_cli("collect", SHEET, zip_path, "--worksheet", sheet, course=course)
    assert result.exit_code == 0, result.output
    for team, points in ((t1, "4"), (t2, "2")):
        result = run_cli("marks", "set", SHEET, team, "2", points, "--team", course=course)
        assert result.exit_code == 0, result.output
    out = tmp_path / "back.csv"
    result = run_cli("gradebook", "moodle-worksheet", SHEET, "-o", out, course=course)
    assert result.exit_code == 0, result.output
    grades = {
        r.participant_id: r.grade for r in read_worksheet(out, ZoneInfo("Europe/Berlin")).rows
    }
    assert {grades[str(900 + i)] for i in range(len(m1))} == {"2.86"}  # 4 of 14 → 2.86 of 10
    assert {grades[str(900 + len(m1) + i)] for i in range(len(m2))} == {"1.43"}
    result = run_cli("feedback", SHEET, "--format", "moodle", course=course)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(course / "feedback" / SHEET / "moodle-feedback.zip") as zf:
        folders = {n.split("/")[0] for n in zf.namelist()}
    assert folders == {
        f"{by_id[s].name}_{r.participant_id}_assignsubmission_file"
        for r, s in zip(ws_rows, [*m1, *m2], strict=True)
    }

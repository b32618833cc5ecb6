"""collect --worksheet: Moodle's grading worksheet gives the submission times, names the
default group's members and the students behind blind marking."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from submission_helpers import SHEET, moodle_time, notebook, rows, solo_students, students, teams

sys.path.insert(0, str(Path(__file__).parent))
from moodle_helpers import Row, worksheet_csv  # noqa: E402


def _participants(course: Path) -> dict[str, dict]:
    with sqlite3.connect(course / "gradebook.db") as conn:
        conn.row_factory = sqlite3.Row
        return {
            r["participant_id"]: dict(r) for r in conn.execute("select * from moodle_participants")
        }


def test_worksheet_times_replace_zip_times(course: Path, tmp_path: Path, run_cli) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    a, b, c = solo_students(course)[:3]
    download = moodle_time(2026, 10, 30, 14, 0)  # every entry: the time of the download
    zip_path = write_moodle_zip(
        tmp_path / "m.zip",
        [
            {
                "full_name": p.name,
                "participant_id": 100 + i,
                "files": {"pca.ipynb": notebook(p.id)},
                "mtime": download,
            }
            for i, p in enumerate((a, b))
        ],
    )
    sheet = worksheet_csv(
        tmp_path / "Grades-C1-Sheet 1-42.csv",
        [
            Row(100, a.name, a.email, moodle_time(2026, 10, 28, 9, 41)),  # on time
            Row(101, b.name, b.email, moodle_time(2026, 10, 29, 13, 5)),  # a day late
            Row(102, "Somebody Else", "else@example.org", None, status="No submission"),
            Row(103, c.name, c.email, moodle_time(2026, 10, 28, 9, 0)),  # not in the download
        ],
    )
    result = run_cli("collect", SHEET, zip_path, "--worksheet", sheet, course=course)
    assert result.exit_code == 0, result.output
    assert "times are the grading worksheet's 'Last modified (submission)'" in result.stdout
    assert "probably the download time" not in result.stderr  # the worksheet knows better
    assert "'Somebody Else' (Participant 102) is not on the roster" in result.stderr
    assert (
        f"1 student(s) have a submission in Moodle that these sources do not hold ({c.name} ({c.id}))"
        in result.stderr
    )
    got = {r["owner"]: r for r in rows(course)}
    assert got[a.id]["received_at"] == "2026-10-28T08:41:00+00:00"
    assert got[a.id]["late_seconds"] == 0
    assert got[b.id]["received_at"] == "2026-10-29T12:05:00+00:00"
    assert got[b.id]["late_seconds"] > 24 * 3600
    assert "time:worksheet" in json.loads(got[b.id]["flags"])
    manifest = json.loads((course / got[b.id]["path"] / "manifest.json").read_text())
    assert manifest["time_origin"] == "worksheet (Last modified (submission))"
    participants = _participants(course)
    assert participants["100"]["student_id"] == a.id
    assert participants["102"]["student_id"] is None
    kept = course / "submissions" / SHEET / "moodle-worksheet.csv"
    assert kept.read_bytes() == sheet.read_bytes()


def test_worksheet_names_the_default_group_and_blind_participants(
    course: Path, tmp_path: Path, run_cli
) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    by_id = {p.id: p for p in students(course)}
    (t1, m1), (t2, m2) = [(t, m) for t, m in teams(course).items() if len(m) >= 2][:2]
    zip_path = write_moodle_zip(
        tmp_path / "teams.zip",
        [
            {"full_name": t1, "participant_id": 31, "files": {"pca.ipynb": notebook("t1")}},
            {
                "full_name": "Default group",
                "participant_id": None,
                "files": {"pca.ipynb": notebook("dg")},
            },
        ],
    )
    # in Moodle, the second roster team is in no group: the worksheet lists them in the default group
    ws_rows = [
        Row(200 + i, by_id[s].name, by_id[s].email, moodle_time(2026, 10, 28, 9, 5), group=t1)
        for i, s in enumerate(m1)
    ] + [
        Row(
            300 + i,
            by_id[s].name,
            by_id[s].email,
            moodle_time(2026, 10, 28, 9, 50),
            group="Default group",
        )
        for i, s in enumerate(m2)
    ]
    sheet = worksheet_csv(tmp_path / "ws.csv", ws_rows, team=True)
    result = run_cli("collect", SHEET, zip_path, "--worksheet", sheet, course=course)
    assert result.exit_code == 0, result.output
    got = {r["owner"]: r for r in rows(course)}
    assert set(got) == {t1, t2}
    assert got[t1]["received_at"] == "2026-10-28T08:05:00+00:00"
    assert got[t2]["received_at"] == "2026-10-28T08:50:00+00:00"

    # blind marking: the folder says "Participant_<id>"; a worksheet with identities names them
    a = solo_students(course)[0]
    blind = write_moodle_zip(
        tmp_path / "blind.zip",
        [
            {
                "full_name": "Participant",
                "participant_id": 9001,
                "files": {"pca.ipynb": notebook("b")},
            }
        ],
    )
    sheet = worksheet_csv(
        tmp_path / "blind.csv", [Row(9001, a.name, a.email, moodle_time(2026, 10, 28, 9, 59))]
    )
    result = run_cli("collect", "01", blind, "--worksheet", sheet, course=course)
    assert result.exit_code == 0, result.output
    assert {r["owner"]: r for r in rows(course)}[a.id]["received_at"] == "2026-10-28T08:59:00+00:00"


def test_german_worksheet_with_semicolons_and_cp1252(course: Path, tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    from sheetgrade.submissions.worksheet import read_worksheet

    a = solo_students(course)[0]
    path = worksheet_csv(
        tmp_path / "Bewertungen.csv",
        [
            Row(4711, "Jürgen Weiß", a.email, moodle_time(2026, 11, 3, 9, 5), "T01", grade="7,50"),
            Row(4712, "Zoë Ñúñez", "z@example.org", None, "Standard-Gruppe"),
        ],
        lang="de",
        max_grade="10,00",
        team=True,
        delimiter=";",
        encoding="cp1252",
    )
    sheet = read_worksheet(path, ZoneInfo("Europe/Berlin"))
    row, other = sheet.rows
    assert (row.participant_id, row.full_name, row.grade) == ("4711", "Jürgen Weiß", "7,50")
    assert row.submitted_at == moodle_time(2026, 11, 3, 9, 5)
    assert (row.group, row.in_default_group) == ("T01", False)
    assert (other.full_name, other.in_default_group, other.submitted_at) == (
        "Zoë Ñúñez",
        True,
        None,
    )
    assert (sheet.max_grade, sheet.grade_decimals, sheet.decimal_mark) == (10.0, 2, ",")


def test_bad_worksheets_say_where(course: Path, tmp_path: Path, run_cli) -> None:
    from sheetgrade.submissions.moodle import write_moodle_zip

    a = solo_students(course)[0]
    zip_path = write_moodle_zip(
        tmp_path / "m.zip",
        [{"full_name": a.name, "participant_id": 1, "files": {"pca.ipynb": notebook()}}],
    )
    other = tmp_path / "grades.csv"
    other.write_text("First name,Last name,Grade\nA,B,3\n")
    result = run_cli("collect", SHEET, zip_path, "--worksheet", other, course=course)
    assert result.exit_code == 1
    assert "grades.csv: not a Moodle grading worksheet: no 'Identifier' column" in result.stderr
    bad = worksheet_csv(tmp_path / "ws.csv", [Row(1, a.name, a.email, None)])
    bad.write_text(bad.read_text().replace(",-,", ",Someday at noon,", 1))
    result = run_cli("collect", SHEET, zip_path, "--worksheet", bad, course=course)
    assert result.exit_code == 1
    assert "line 2: Last modified (submission): 'Someday at noon' is not a time" in result.stderr
    assert rows(course) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday, 3 November 2026, 9:55 AM", (2026, 11, 3, 9, 55)),
        ("Tuesday, 3 November 2026, 12:05 PM", (2026, 11, 3, 12, 5)),
        ("Tuesday, 3 November 2026, 12:05 AM", (2026, 11, 3, 0, 5)),
        ("Dienstag, 3. November 2026, 21:55", (2026, 11, 3, 21, 55)),
        ("Mittwoch, 28. Oktober 2026, 09:41", (2026, 10, 28, 9, 41)),
    ],
)
def test_userdate_parses(text: str, expected: tuple[int, ...]) -> None:
    from zoneinfo import ZoneInfo

    from sheetgrade.submissions.worksheet import parse_userdate

    when = parse_userdate(text, ZoneInfo("Europe/Berlin"))
    assert (
        when is not None and (when.year, when.month, when.day, when.hour, when.minute) == expected
    )

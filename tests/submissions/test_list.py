"""``submissions list``: per student, submitted or missing, version, team, time, lateness, flags."""

from __future__ import annotations

from pathlib import Path

from submission_helpers import SHEET, notebook, solo_students, students


def test_list_table_csv_and_group(course: Path, tmp_path: Path, run_cli) -> None:
    a = solo_students(course)[0]
    single = tmp_path / f"{a.id}.ipynb"
    single.write_bytes(notebook())
    run_cli("collect", SHEET, single, "--received-at", "2026-10-28T10:45", course=course)
    table = run_cli("submissions", "list", "01", course=course)
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == (
        "student name group team status version received_at late_by flags".split()
    )
    assert lines[-1] == "1 of 120 submitted"
    row = next(ln for ln in lines if ln.startswith(a.id))
    assert "submitted" in row and "1/1" in row and "2026-10-28 10:45" in row and "30m" in row
    csv_out = run_cli(
        "submissions", "list", SHEET, "--format", "csv", "--group", a.group, course=course
    )
    body = csv_out.stdout.splitlines()
    assert body[0] == "student,name,group,team,status,version,received_at,late_by,flags"
    in_group = [p for p in students(course) if p.group == a.group]
    assert len(body) == 1 + len(in_group)
    assert f"{a.id},{a.name},{a.group},,submitted,1/1,2026-10-28 10:45,30m," in body
    missing = run_cli("submissions", "list", SHEET, "--missing", "--format", "csv", course=course)
    assert len(missing.stdout.splitlines()) == 120


def test_list_unknown_group(course: Path, run_cli) -> None:
    result = run_cli("submissions", "list", SHEET, "--group", "G9", course=course)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no group 'G9'")
    assert "Traceback" not in result.output


def test_identical_uploads_of_many_others_are_condensed() -> None:
    from sheetgrade.submissions.listing import _short_flags

    many = [f"same-as:s{i:03}" for i in range(5)]
    assert _short_flags(["late", *many]) == "late same-as:5-others"
    assert _short_flags(["same-as:s001"]) == "same-as:s001"

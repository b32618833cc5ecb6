"""`roster show`, `roster sync`, and the refusal to drop students with recorded work."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sheetgrade.course import store
from sheetgrade.course.course import Course

from .conftest import roster_of, snapshot


def test_show_group_by_name_as_csv(run_cli, example_course: Path) -> None:
    result = run_cli(
        "roster", "show", "--group", "Mo 14-16", "--format", "csv", course=example_course
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 20 and {r["group"] for r in rows} == {"G1"}
    assert list(rows[0]) == ["id", "last_name", "first_name", "matrikel", "email", "group", "team"]


def test_show_unknown_group(run_cli, example_course: Path) -> None:
    result = run_cli("roster", "show", "--group", "G11", course=example_course)
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: no group 'G11'; did you mean 'G1'? (groups: G1, G2, G3, G4, G5, G6)\n"
    )


def test_sync_after_hand_edit(run_cli, example_course: Path) -> None:
    path = example_course / "roster" / "students.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",G1\n", ",G2\n", 1), encoding="utf-8")
    result = run_cli("roster", "sync", course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "students: 0 added, 1 updated, 0 removed",
        "roster: 120 students, 6 groups, 6 tutors, 44 teams",
    ]
    again = run_cli("roster", "sync", course=example_course)
    assert again.stdout.splitlines()[0] == "no changes"


def _remove_line(course: Path, student_id: str) -> None:
    path = course / "roster" / "students.csv"
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith(f"{student_id},")
    ]
    path.write_text("".join(kept), encoding="utf-8")


def test_sync_refuses_to_remove_a_student_with_work(run_cli, example_course: Path) -> None:
    roster = roster_of(example_course)
    alone = [s.id for s in roster.sorted_students() if roster.team_of(s.id) is None]
    with_submission, with_mark, without = alone[:3]
    engine = Course.open(example_course).engine
    with store.transaction(engine) as conn:
        conn.execute(
            store.submissions.insert().values(
                sheet_id="01-pca",
                owner=with_submission,
                owner_kind="student",
                version=1,
                sha256="ab",
                path="submissions/x",
                received_at="2026-10-27T10:00:00+00:00",
                created_at="2026-10-27T10:00:00+00:00",
            )
        )
        conn.execute(
            store.marks.insert().values(
                sheet_id="01-pca",
                task_id="1",
                subject_kind="student",
                subject_id=with_mark,
                points=2.0,
                updated_at="2026-10-29T10:00:00+00:00",
            )
        )
    for sid in (with_submission, with_mark, without):
        _remove_line(example_course, sid)
    before = snapshot(example_course)
    result = run_cli("roster", "sync", course=example_course)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: refusing to remove 2 student(s) or team(s) with recorded work; nothing was changed\n"
        + "".join(
            f"  student {sid} already has {what}; keep them in roster/students.csv\n"
            for sid, what in sorted([(with_submission, "submissions"), (with_mark, "marks")])
        )
    )
    assert snapshot(example_course) == before
    assert without in roster_of(example_course).students


def test_sync_removes_a_student_without_work(run_cli, example_course: Path) -> None:
    roster = roster_of(example_course)
    alone = next(s.id for s in roster.sorted_students() if roster.team_of(s.id) is None)
    _remove_line(example_course, alone)
    result = run_cli("roster", "sync", course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "students: 0 added, 0 updated, 1 removed"
    assert alone not in roster_of(example_course).students

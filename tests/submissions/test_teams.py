"""Teams: one submission credits every member; two members submitting: the latest counts, with a warning."""

from __future__ import annotations

from pathlib import Path

from submission_helpers import SHEET, moodle_time, notebook, rows, students, teams

from sheetgrade.course.course import Course
from sheetgrade.submissions.moodle import write_moodle_zip
from sheetgrade.submissions.records import counting_submissions


def _team(course: Path) -> tuple[str, list]:
    team_id, member_ids = next((t, m) for t, m in teams(course).items() if len(m) >= 2)
    by_id = {p.id: p for p in students(course)}
    return team_id, [by_id[m] for m in member_ids]


def test_a_team_submits_once_and_every_member_is_credited(
    course: Path, tmp_path: Path, run_cli
) -> None:
    team_id, members = _team(course)
    zip_path = write_moodle_zip(
        tmp_path / "m.zip",
        [
            {
                "full_name": members[0].name,
                "participant_id": 1,
                "files": {"pca.ipynb": notebook()},
                "mtime": moodle_time(2026, 10, 28, 9, 0),
            }
        ],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert "note: 1 team uploads credited to every member (--verbose lists them)" in result.stdout
    result = run_cli("collect", SHEET, zip_path, "--verbose", course=course)
    assert result.exit_code == 0, result.output
    assert (
        f"team {team_id}: {members[0].name} ({members[0].id}) submitted for the team; credited "
        f"to every member" in result.stdout
    )
    [row] = rows(course)
    assert (row["owner"], row["owner_kind"], row["submitted_by"]) == (
        team_id,
        "team",
        members[0].id,
    )
    listing = run_cli("submissions", "list", SHEET, "--format", "csv", course=course)
    lines = {ln.split(",")[0]: ln for ln in listing.stdout.splitlines()[1:]}
    for m in members:
        assert f",{team_id},submitted,1/1," in lines[m.id]


def test_two_members_submit_latest_counts_with_a_warning(
    course: Path, tmp_path: Path, run_cli
) -> None:
    team_id, members = _team(course)
    first, second = members[0], members[1]
    zip_path = write_moodle_zip(
        tmp_path / "m.zip",
        [
            {
                "full_name": second.name,
                "participant_id": 2,
                "files": {"pca.ipynb": notebook("later")},
                "mtime": moodle_time(2026, 10, 28, 9, 30),
            },
            {
                "full_name": first.name,
                "participant_id": 1,
                "files": {"pca.ipynb": notebook("earlier")},
                "mtime": moodle_time(2026, 10, 28, 9, 0),
            },
        ],
    )
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert (
        f"team {team_id}: {first.name} ({first.id}) and {second.name} ({second.id}) both submitted; "
        f"the latest ({second.name} ({second.id}), received 2026-10-28 09:30"
    ) in result.stderr
    versions = rows(course)
    assert [(r["version"], r["submitted_by"]) for r in versions] == [(1, first.id), (2, second.id)]
    [counting] = counting_submissions(Course.open(course), SHEET)
    assert (counting.owner, counting.version) == (team_id, 2)
    assert "team-conflict" in counting.flags


def test_a_later_collect_by_another_member_is_a_new_version(
    course: Path, tmp_path: Path, run_cli
) -> None:
    team_id, members = _team(course)
    for member, minute in ((members[0], 0), (members[1], 20)):
        single = tmp_path / f"{member.id}.ipynb"
        single.write_bytes(notebook(member.id))
        result = run_cli(
            "collect", SHEET, single, "--received-at", f"2026-10-28T09:{minute:02d}", course=course
        )
        assert result.exit_code == 0
    assert f"submitted over the version of {members[0].name} ({members[0].id})" in result.stderr
    assert [(r["owner"], r["version"]) for r in rows(course)] == [(team_id, 1), (team_id, 2)]

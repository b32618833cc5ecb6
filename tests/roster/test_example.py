"""The example course's roster: 120 invented students, made by synthetic_roster()."""

from __future__ import annotations

from pathlib import Path

from sheetgrade.course.course import Course
from sheetgrade.examples.synthetic_roster import synthetic_roster
from sheetgrade.roster.api import check_roster_files, validate_roster_files
from sheetgrade.roster.files import render_files

REPO = Path(__file__).resolve().parents[2]


def test_init_example_loads_the_roster(run_cli, tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "c", "--example", "mlphys")
    assert result.exit_code == 0, result.output
    assert "120 students, 6 groups, 6 tutors, 44 teams" in result.stdout
    shown = run_cli("roster", "show", course=tmp_path / "c")
    assert shown.stdout.splitlines()[-1] == "120 students"


def test_example_files_are_the_synthetic_roster() -> None:
    texts = render_files(synthetic_roster(), with_groups=True)
    for name, text in texts.items():
        assert (REPO / "examples" / "mlphys" / "roster" / name).read_text(
            encoding="utf-8"
        ) == text, name


def test_synthetic_roster_is_deterministic_and_sensible() -> None:
    roster = synthetic_roster()
    assert roster == synthetic_roster()
    assert roster != synthetic_roster(seed=1)
    assert len(roster.students) == 120 and list(roster.students)[:2] == ["s001", "s002"]
    assert all(len(s.matrikel or "") == 7 for s in roster.students.values())
    assert all(
        (s.email or "").endswith("@stud.uni-heidelberg.de") for s in roster.students.values()
    )
    assert {len(roster.by_group(g)) for g in roster.groups} == {20}
    assert all(2 <= len(t.members) <= 3 for t in roster.teams.values())
    alone = [s for s in roster.students.values() if roster.team_of(s.id) is None]
    assert alone
    for team in roster.teams.values():
        assert len({roster.students[m].group for m in team.members}) == 1
    names = " ".join(f"{s.first_name} {s.last_name}" for s in roster.students.values())
    for letter in "äöüßéëç":
        assert letter in names.lower()


def test_example_roster_is_valid(example_dir: Path) -> None:
    course = Course.open(example_dir)
    assert validate_roster_files(course) == []
    assert check_roster_files(course).warnings == []


def test_validate_lists_every_problem(example_dir: Path) -> None:
    teams = example_dir / "roster" / "teams.csv"
    teams.write_text(teams.read_text(encoding="utf-8") + "T01,s999\nX:1,s001\n", encoding="utf-8")
    problems = validate_roster_files(Course.open(example_dir))
    assert problems == [
        "roster/teams.csv line 109: unknown student 's999'; did you mean 's099'?",
        "roster/teams.csv line 110: team name 'X:1' must not contain ':'",
    ]

"""`roster teams`: show, add, import; term-wide and per-sheet teams."""

from __future__ import annotations

from pathlib import Path

from .conftest import WriteCsv, roster_of, snapshot


def _alone(course: Path, group: str, n: int = 1) -> list[str]:
    roster = roster_of(course)
    return [s.id for s in roster.by_group(group) if roster.team_of(s.id) is None][:n]


def test_team_spanning_groups_is_a_warning(run_cli, example_course: Path) -> None:
    (a,), (b,) = _alone(example_course, "G1"), _alone(example_course, "G2")
    result = run_cli("roster", "teams", "add", "Z1", a, b, course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"warning: roster teams add: team Z1 spans tutorial groups G1 and G2 ({a} in G1, {b} in G2)\n"
    )
    assert result.stdout.splitlines()[:2] == [
        "teams: 1 added, 0 updated, 0 removed",
        "files updated: roster/teams.csv",
    ]
    assert roster_of(example_course).team_of(a).members == tuple(sorted([a, b]))  # type: ignore[union-attr]
    assert f"Z1,{a}\n" in (example_course / "roster" / "teams.csv").read_text(encoding="utf-8")


def test_teams_add_by_matriculation_number_extends_a_team(run_cli, example_course: Path) -> None:
    a, b = _alone(example_course, "G3", 2)
    matrikel = roster_of(example_course).students[b].matrikel
    assert run_cli("roster", "teams", "add", "Z2", a, course=example_course).exit_code == 0
    result = run_cli("roster", "teams", "add", "Z2", str(matrikel), course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert roster_of(example_course).teams["Z2"].members == tuple(sorted([a, b]))


def test_sheet_team_overrides_term_team(run_cli, example_course: Path) -> None:
    roster = roster_of(example_course)
    t01 = roster.teams["T01"].members
    other = _alone(example_course, roster.students[t01[0]].group or "G1")[0]
    result = run_cli(
        "roster", "teams", "add", "P", t01[0], other, "--sheet", "03", course=example_course
    )
    assert result.exit_code == 0, result.output
    roster = roster_of(example_course)
    assert roster.team_of(t01[0]).id == "T01"  # type: ignore[union-attr]
    assert roster.team_of(t01[0], "03-regression").id == "03-regression:P"  # type: ignore[union-attr]
    assert roster.team_of(t01[1], "03-regression").id == "T01"  # type: ignore[union-attr]
    shown = run_cli(
        "roster", "teams", "show", "--sheet", "03", "--format", "csv", course=example_course
    )
    assert shown.exit_code == 0
    rows = shown.stdout.splitlines()
    assert rows[0] == "team,sheet,group,members"
    assert any(r.startswith("P,03-regression,") for r in rows)
    t01_row = next(r for r in rows if r.startswith("T01,term,"))
    assert t01[0] not in t01_row and t01[1] in t01_row  # its member works in P for sheet 03
    csv_text = (example_course / "roster" / "teams.csv").read_text(encoding="utf-8")
    assert csv_text.startswith("team,student,sheet\n")
    assert f"P,{t01[0]},03-regression\n" in csv_text


def test_teams_import_replaces_only_the_same_scope(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    a, b = _alone(example_course, "G6", 2)
    sheet_file = write_csv(
        "sheet02.csv",
        f"Team;Matrikelnummer;Blatt\nQ;{roster_of(example_course).students[a].matrikel};02\nQ;{b};02\n",
    )
    result = run_cli("roster", "teams", "import", sheet_file, course=example_course)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "imported teams from sheet02.csv (2 rows): 1 added, 0 updated, 0 removed"
    )
    roster = roster_of(example_course)
    assert len(roster.teams_for(None)) == 44 and [t.id for t in roster.teams_for("02-kde")] == [
        "02-kde:Q"
    ]
    term_file = write_csv("term.csv", "team,student\nNEW,s001\n")
    result = run_cli("roster", "teams", "import", term_file, course=example_course)
    assert result.exit_code == 0, result.output
    roster = roster_of(example_course)
    assert [t.id for t in roster.teams_for(None)] == ["NEW"]
    assert [t.id for t in roster.teams_for("02-kde")] == ["02-kde:Q"]


def test_teams_show_table(run_cli, example_course: Path) -> None:
    result = run_cli("roster", "teams", "show", course=example_course)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["team", "sheet", "group", "members"]
    assert lines[-1] == "44 teams"


def test_teams_dry_run(run_cli, example_course: Path) -> None:
    (a,) = _alone(example_course, "G5")
    before = snapshot(example_course)
    result = run_cli("roster", "teams", "add", "Z3", a, "--dry-run", course=example_course)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "dry run: nothing was written"
    assert snapshot(example_course) == before

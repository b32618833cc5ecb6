"""Every roster error through the CLI: exit 1, the exact message, no traceback,
and the database and roster files left exactly as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import WriteCsv, roster_of, snapshot

CASES = {
    "duplicate matriculation number": (
        ["roster", "import"],
        "dup.csv",
        "Matrikelnummer;Vorname;Nachname;Gruppe\n3000001;Anna;Adler;G1\n3000002;Bea;Berg;G2\n3000001;Cem;Cakir;G2\n",
        "Error: dup.csv: 1 problem; nothing was imported\n"
        "  dup.csv line 4: matriculation number 3000001 appears twice (lines 2 and 4)\n",
    ),
    "duplicate id": (
        ["roster", "import"],
        "dupid.csv",
        "id,Vorname,Nachname,Matrikelnummer\ns200,Anna,Adler,3000001\ns200,Bea,Berg,3000002\n",
        "Error: dupid.csv: 1 problem; nothing was imported\n"
        "  dupid.csv line 3: id s200 appears twice (lines 2 and 3)\n",
    ),
    "matriculation number of an existing student": (
        ["roster", "import"],
        "clash.csv",
        "id,first_name,last_name,matrikel\ns300,Anna,Adler,{s001_matrikel}\n",
        "Error: clash.csv: 1 problem; nothing was imported\n"
        "  clash.csv line 2: matriculation number {s001_matrikel} appears twice "
        "(roster/students.csv line 2 and clash.csv line 2)\n",
    ),
    "unknown group of a student": (
        ["roster", "import"],
        "group.csv",
        "Matrikelnummer;Vorname;Nachname;Übungsgruppe\n3000001;Anna;Adler;Fr 8-10\n",
        "Error: group.csv: 1 problem; nothing was imported\n"
        "  group.csv line 2: unknown group 'Fr 8-10' (groups: G1, G2, G3, G4, G5, G6)\n",
    ),
    "unknown group of a tutor": (
        ["roster", "import", "--kind", "tutors"],
        "tutoren.csv",
        "Name;E-Mail;Gruppen\nIda Ernst;ida.ernst@uni-heidelberg.de;G7\n",
        "Error: tutoren.csv: 1 problem; nothing was imported\n"
        "  tutoren.csv line 2: unknown group 'G7' (groups in groups.csv: G1, G2, G3, G4, G5, G6)\n",
    ),
    "student in two teams": (
        ["roster", "teams", "import"],
        "teams.csv",
        "team,student\nA,s001\nA,s002\nB,s001\n",
        "Error: teams.csv: 1 problem; nothing was imported\n"
        "  teams.csv line 4: student s001 is already in team A (line 2); a student can be in one team only\n",
    ),
    "team over the size limit": (
        ["roster", "teams", "import"],
        "teams.csv",
        "team,student\nA,s001\nA,s002\nA,s003\nA,s004\n",
        "Error: teams.csv: 1 problem; nothing was imported\n"
        "  teams.csv line 5: team A has more than 3 members (teams.max_size in course.yml is 3)\n",
    ),
    "unknown student in a team": (
        ["roster", "teams", "import"],
        "teams.csv",
        "team,student\nA,s001\nA,s999\n",
        "Error: teams.csv: 1 problem; nothing was imported\n"
        "  teams.csv line 3: unknown student 's999'; did you mean 's099'?\n",
    ),
    "unknown sheet in a team": (
        ["roster", "teams", "import"],
        "teams.csv",
        "team,student,sheet\nA,s001,3-regresion\n",
        "Error: teams.csv: 1 problem; nothing was imported\n"
        "  teams.csv line 2: no sheet '3-regresion'; did you mean '03-regression'? "
        "(sheets in course.yml: 01-pca, 02-kde, 03-regression, 04-classification, "
        "05-model-selection, 06-logistic, 07-mlp, 08-cnn, 09-embeddings-vae, 10-gnn-attention, "
        "11-sampling, 12-flows-diffusion, 13-equivariant-kernels)\n",
    ),
    "missing column": (
        ["roster", "import"],
        "miss.csv",
        "Matrikel-Num,Vorname,Nachname\n3000001,Anna,Adler\n",
        "Error: miss.csv: no column for the id or matriculation number (columns: Matrikel-Num, Vorname, "
        "Nachname); did you mean 'Matrikel-Num'? map it with --map 'Matrikel-Num=matrikel'\n",
    ),
    "ambiguous columns": (
        ["roster", "import"],
        "moodle.csv",
        "Username,ID number,First name,Surname\nanna,3000001,Anna,Adler\n",
        "Error: moodle.csv: columns 'Username' and 'ID number' both look like the id; "
        "choose one with --map 'Username=id'\n",
    ),
    "unknown field in --map": (
        ["roster", "import", "--map", "Kennung=matrikl"],
        "map.csv",
        "Kennung,Vorname,Nachname\n3000001,Anna,Adler\n",
        "Error: --map Kennung=matrikl: students have no field 'matrikl'; did you mean 'matrikel'? "
        "(fields: id, matrikel, first_name, last_name, name, email, group, or ignore)\n",
    ),
    "row without id or matriculation number": (
        ["roster", "import"],
        "empty.csv",
        "Matrikelnummer;Vorname;Nachname\n;Anna;Adler\n",
        "Error: empty.csv: 1 problem; nothing was imported\n"
        "  empty.csv line 2: no id and no matriculation number; every student needs one\n",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error(case: str, run_cli, example_course: Path, write_csv: WriteCsv) -> None:
    command, name, text, expected = CASES[case]
    s001_matrikel = roster_of(example_course).students["s001"].matrikel
    path = write_csv(name, text.format(s001_matrikel=s001_matrikel))
    before = snapshot(example_course)
    result = run_cli(*command, path, course=example_course)
    assert result.exit_code == 1
    assert result.stderr == expected.format(s001_matrikel=s001_matrikel)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert snapshot(example_course) == before


def test_all_problems_are_reported_at_once(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    text = "team,student\nA,s001\nA,s002\nB,s001\nA,s999\nA,s003\nA,s004\n"
    before = snapshot(example_course)
    result = run_cli(
        "roster", "teams", "import", write_csv("teams.csv", text), course=example_course
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: teams.csv: 3 problems; nothing was imported",
        "  teams.csv line 4: student s001 is already in team A (line 2); a student can be in one team only",
        "  teams.csv line 5: unknown student 's999'; did you mean 's099'?",
        "  teams.csv line 7: team A has more than 3 members (teams.max_size in course.yml is 3)",
    ]
    assert snapshot(example_course) == before


def test_teams_add_errors(run_cli, example_course: Path) -> None:
    before = snapshot(example_course)
    result = run_cli("roster", "teams", "add", "T99", "s998", course=example_course)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: team T99: 1 problem; nothing was written\n"
        "  roster teams add: unknown student 's998'; did you mean 's099'?\n"
    )
    assert snapshot(example_course) == before


def test_missing_file(run_cli, example_course: Path, tmp_path: Path) -> None:
    result = run_cli("roster", "import", tmp_path / "nope.csv", course=example_course)
    assert result.exit_code == 1
    assert result.stderr == "Error: nope.csv: file not found\n"


def test_broken_canonical_file_is_reported_by_sync(run_cli, example_course: Path) -> None:
    path = example_course / "roster" / "students.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(
        lines[3].replace(lines[3].split(",")[0], "s121", 1)
    )  # copies s003's matriculation number
    path.write_text("".join(lines), encoding="utf-8")
    before = snapshot(example_course)
    result = run_cli("roster", "sync", course=example_course)
    assert result.exit_code == 1
    matrikel = lines[3].split(",")[4]
    assert result.stderr == (
        "Error: roster: 1 problem; nothing was written\n"
        f"  roster/students.csv line 122: matriculation number {matrikel} appears twice (lines 4 and 122)\n"
    )
    assert snapshot(example_course) == before


def test_replace_that_would_orphan_team_members(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    roster = roster_of(example_course)
    members = roster.teams["T01"].members
    keep = [s for s in roster.sorted_students() if s.id not in members]
    text = "id,first_name,last_name,matrikel,group\n" + "".join(
        f"{s.id},{s.first_name},{s.last_name},{s.matrikel},{s.group}\n" for s in keep
    )
    before = snapshot(example_course)
    result = run_cli(
        "roster", "import", write_csv("all.csv", text), "--replace", course=example_course
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: all.csv: {len(members)} problems; nothing was imported\n"
        + "".join(
            f"  roster/teams.csv line {i + 2}: student {m} is in team T01 but is not in all.csv and --replace "
            "removes them; take them out of the team first\n"
            for i, m in enumerate(members)
        )
    )
    assert snapshot(example_course) == before

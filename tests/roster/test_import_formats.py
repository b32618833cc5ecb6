"""`roster import` reads the CSV variants real courses export."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import WriteCsv, roster_of, snapshot

RunCli = object  # the run_cli fixture from tests/conftest.py

PEOPLE = [
    ("3900001", "Jürgen", "Weiß", "juergen.weiss@stud.uni-heidelberg.de", "G1"),
    ("3900002", "Zoë", "Çelik", "zoe.celik@stud.uni-heidelberg.de", "Mo 16-18"),
    ("3900003", "José", "Großmann", "jose.grossmann@stud.uni-heidelberg.de", "G3"),
]


def _text(header: list[str], delimiter: str) -> str:
    lines = [delimiter.join(header)] + [delimiter.join(p) for p in PEOPLE]
    return "\r\n".join(lines) + "\r\n"


ENGLISH = ["Matriculation number", "First name", "Last name", "Email address", "Group"]
GERMAN = ["Matrikelnummer", "Vorname", "Nachname", "E-Mail", "Übungsgruppe"]


@pytest.mark.parametrize(
    ("name", "header", "delimiter", "encoding"),
    [
        ("plain.csv", ENGLISH, ",", "utf-8"),
        ("bom.csv", ENGLISH, ",", "utf-8-sig"),
        ("excel.csv", GERMAN, ";", "cp1252"),
        ("heico.csv", GERMAN, ";", "utf-8-sig"),
        ("tabs.csv", GERMAN, "\t", "utf-8"),
    ],
)
def test_import_variants(
    run_cli,
    example_course: Path,
    write_csv: WriteCsv,
    name: str,
    header: list[str],
    delimiter: str,
    encoding: str,
) -> None:
    path = write_csv(name, _text(header, delimiter), encoding)
    result = run_cli("roster", "import", path, course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[:2] == [
        f"imported students from {name} (3 rows): 3 added, 0 updated, 0 removed",
        "files updated: roster/students.csv",
    ]
    roster = roster_of(example_course)
    assert len(roster.students) == 123
    zoe = roster.students["3900002"]  # no id column: the id is the matriculation number
    assert (zoe.first_name, zoe.last_name, zoe.group) == ("Zoë", "Çelik", "G2")  # group by name
    assert roster.find_student("juergen.weiss@stud.uni-heidelberg.de").last_name == "Weiß"  # type: ignore[union-attr]
    students_csv = (example_course / "roster" / "students.csv").read_text(encoding="utf-8")
    assert "3900002,Zoë,Çelik,zoe.celik@stud.uni-heidelberg.de,3900002,G2\n" in students_csv


def test_moodle_export_with_extra_columns(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    text = (
        "First name,Surname,ID number,Email address,Groups,Last access to course\n"
        "Ida,Voß,3900010,ida.voss@stud.uni-heidelberg.de,G4,2 days\n"
    )
    result = run_cli(
        "roster",
        "import",
        write_csv("moodle.csv", text),
        "--map",
        "ID number=matrikel",
        course=example_course,
    )
    assert result.exit_code == 0, result.output
    assert "ignored columns: Last access to course" in result.stdout.splitlines()
    student = roster_of(example_course).find_student("3900010")
    assert student is not None and (student.id, student.last_name, student.group) == (
        "3900010",
        "Voß",
        "G4",
    )


def test_map_names_an_unknown_column(run_cli, example_course: Path, write_csv: WriteCsv) -> None:
    text = "Studierendennummer;Vorname;Nachname\n3900020;Malte;Strauß\n"
    path = write_csv("odd.csv", text)
    result = run_cli("roster", "import", path, course=example_course)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: odd.csv: no column for the id or matriculation number "
        "(columns: Studierendennummer, Vorname, Nachname); did you mean 'Studierendennummer'? "
        "map it with --map 'Studierendennummer=matrikel'\n"
    )
    result = run_cli(
        "roster", "import", path, "--map", "Studierendennummer=matrikel", course=example_course
    )
    assert result.exit_code == 0, result.output
    assert roster_of(example_course).students["3900020"].last_name == "Strauß"


def test_update_matches_by_matriculation_number(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    s001 = roster_of(example_course).students["s001"]
    text = f"Matrikelnummer;Vorname;Nachname;E-Mail\n{s001.matrikel};{s001.first_name};{s001.last_name};new@x.de\n"
    result = run_cli("roster", "import", write_csv("update.csv", text), course=example_course)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "imported students from update.csv (1 row): 0 added, 1 updated, 0 removed"
    )
    after = roster_of(example_course).students["s001"]
    assert after.email == "new@x.de" and after.group == s001.group  # no group column: group kept


def test_full_name_column_is_split(run_cli, example_course: Path, write_csv: WriteCsv) -> None:
    text = 'Name,Matrikel\n"Gößler, Anna-Lena",3900030\nTomáš Novák,3900031\n'
    result = run_cli("roster", "import", write_csv("names.csv", text), course=example_course)
    assert result.exit_code == 0, result.output
    roster = roster_of(example_course)
    assert (roster.students["3900030"].first_name, roster.students["3900030"].last_name) == (
        "Anna-Lena",
        "Gößler",
    )
    assert (roster.students["3900031"].first_name, roster.students["3900031"].last_name) == (
        "Tomáš",
        "Novák",
    )


def test_dry_run_writes_nothing(run_cli, example_course: Path, write_csv: WriteCsv) -> None:
    before = snapshot(example_course)
    path = write_csv("new.csv", _text(GERMAN, ";"), "cp1252")
    result = run_cli("roster", "import", path, "--dry-run", course=example_course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "would import students from new.csv (3 rows): 3 added, 0 updated, 0 removed",
        "files to update: roster/students.csv",
        "roster: 123 students, 6 groups, 6 tutors, 44 teams",
        "dry run: nothing was written",
    ]
    assert snapshot(example_course) == before


def test_replace_removes_students_missing_from_the_file(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    roster = roster_of(example_course)
    keep = [s for s in roster.sorted_students() if roster.team_of(s.id) is None][:2]
    text = "id,first_name,last_name,matrikel\n" + "".join(
        f"{s.id},{s.first_name},{s.last_name},{s.matrikel}\n" for s in keep
    )
    (example_course / "roster" / "teams.csv").write_text("team,student\n", encoding="utf-8")
    result = run_cli(
        "roster", "import", write_csv("two.csv", text), "--replace", course=example_course
    )
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "imported students from two.csv (2 rows): 0 added, 0 updated, 118 removed"
    )
    assert sorted(roster_of(example_course).students) == sorted(s.id for s in keep)


def test_forced_encoding_that_does_not_fit(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    path = write_csv("utf8.csv", _text(GERMAN, ";"))
    result = run_cli("roster", "import", path, "--encoding", "ascii", course=example_course)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: utf8.csv line 1: not valid ascii (byte 0xc3); try --encoding utf-8 or --encoding cp1252\n"
    )


def test_bad_map_syntax_is_a_usage_error(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    path = write_csv("x.csv", _text(GERMAN, ";"))
    result = run_cli("roster", "import", path, "--map", "Matrikelnummer", course=example_course)
    assert result.exit_code == 2
    assert "'Matrikelnummer' is not COLUMN=FIELD" in result.stderr


def test_semicolons_with_commas_inside_names(
    run_cli, example_course: Path, write_csv: WriteCsv
) -> None:
    text = (
        "Name;Matrikelnummer;Gruppe\nMüller, Anna;3900040;G1\nWeiß, Jürgen Karl;3900041;Di 10-12\n"
    )
    result = run_cli(
        "roster", "import", write_csv("heico.csv", text, "cp1252"), course=example_course
    )
    assert result.exit_code == 0, result.output
    roster = roster_of(example_course)
    assert (roster.students["3900041"].first_name, roster.students["3900041"].last_name) == (
        "Jürgen Karl",
        "Weiß",
    )
    assert roster.students["3900041"].group == "G3"

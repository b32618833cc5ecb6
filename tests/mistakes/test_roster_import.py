"""Slip 4: roster imports with numbers, names and addresses that cannot be right."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run, dump, grades

HEADER = "id,first_name,last_name,email,matrikel,group\n"


def _course_digits(course: Path, digits: int) -> None:
    path = course / "course.yml"
    path.write_text(
        path.read_text(encoding="utf-8") + f"\nroster:\n  matrikel_digits: {digits}\n", "utf-8"
    )


def test_invalid_matrikel_name_and_email_are_refused(sg: Run, course: Path) -> None:
    _course_digits(course, 7)
    upload = course / "new.csv"
    upload.write_text(
        HEADER
        + "s901,Anna,Berg,anna.berg@stud.uni-heidelberg.de,12345,G1\n"
        + "s902,Ben,Kraus,ben.kraus@stud.uni-heidelberg.de,31x4159,G1\n"
        + "s903,,,carla@stud.uni-heidelberg.de,3141593,G1\n"
        + "s904,Dora,Lenz,dora.lenz(at)uni-heidelberg.de,3141594,G1\n",
        encoding="utf-8",
    )
    before = dump(course)
    result = sg("roster", "import", str(upload))
    assert result.exit_code == 1
    err = result.stderr
    assert "new.csv line 2: matriculation number '12345' is not valid (7 digits" in err
    assert "new.csv line 3: matriculation number '31x4159' is not valid" in err
    assert "new.csv line 4: student s903 has no name" in err
    assert "new.csv line 5: e-mail 'dora.lenz(at)uni-heidelberg.de' is not an e-mail" in err
    assert "nothing was imported" in err
    assert dump(course) == before


def test_changed_name_needs_update(sg: Run, course: Path) -> None:
    rows = (course / "roster" / "students.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    sid, old_first, old_last, matrikel = first[0], first[1], first[2], first[4]
    first[2] = old_last + "-Schmidt"
    upload = course / "renamed.csv"
    upload.write_text(header + "\n" + ",".join(first) + "\n", encoding="utf-8")
    before_dump, before_grades = dump(course), grades(course)
    change = f"{sid} ({matrikel}): {old_first} {old_last} → {old_first} {old_last}-Schmidt"

    dry = sg("roster", "import", str(upload), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"name changes: renamed.csv line 2: {change} (needs --update)" in dry.stdout

    refused = sg("roster", "import", str(upload))
    assert refused.exit_code == 1
    assert change in refused.stderr and "--update" in refused.stderr
    assert dump(course) == before_dump

    applied = sg("roster", "import", str(upload), "--update")
    assert applied.exit_code == 0, applied.output
    assert change in applied.stdout
    assert dump(course) != before_dump
    after = grades(course)
    assert after != before_grades  # the name column only (rows are sorted by name):
    renamed = after.replace(f"{old_last}-Schmidt", old_last)
    assert sorted(renamed.splitlines()) == sorted(before_grades.splitlines())

"""Slip 1: collecting another sheet's zip, and taking a collect back."""

from __future__ import annotations

from pathlib import Path

from .conftest import GRADE_TABLES, Run, dump, grades, totals

WRONG = "incoming/01-pca-moodle.zip"  # sheet 01's zip, given for sheet 02


def _summary(sg: Run) -> str:
    result = sg("gradebook", "summary")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_wrong_sheet_zip_is_refused_naming_the_likely_sheet(sg: Run, course: Path) -> None:
    before = dump(course)
    result = sg("collect", "02", WRONG)
    assert result.exit_code == 1
    refused = [line for line in result.stdout.splitlines() if line.startswith("refused    ")]
    assert len(refused) == 1, result.stdout
    assert "look like sheet 01-pca" in refused[0]
    assert "sheetgrade collect 01-pca" in refused[0] and "--force" in refused[0]
    assert dump(course) == before  # not one row written


def test_single_upload_of_another_sheet_is_flagged(sg: Run, course: Path) -> None:
    import zipfile

    src = course / WRONG
    one = course / "incoming" / "one.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(one, "w") as zout:
        first = next(n for n in zin.namelist() if n.endswith(".ipynb"))
        zout.writestr(first, zin.read(first))
    # a folder of uploads for 02 where one student handed in sheet 01's notebook
    result = sg("collect", "02", str(one), "--dry-run")
    # one upload of one: most of that source looks like 01, refused whole
    assert result.exit_code == 1 and "look like sheet 01-pca" in result.stdout


def test_forced_wrong_zip_then_undo_restores_the_exact_grades(sg: Run, course: Path) -> None:
    summary_before, grades_before = _summary(sg), grades(course)
    rows_before = dump(course, "submissions")

    forced = sg("collect", "02", WRONG, "--force")
    assert forced.exit_code == 0, forced.output
    assert "look like sheet 01-pca" in forced.stderr and "(--force)" in forced.stderr
    assert "recorded as collect #" in forced.stdout
    assert "looks-like:01-pca" in forced.stdout
    graded = sg("grade", "02", "--quiet")
    assert graded.exit_code in (0, 1), graded.output
    assert grades(course) != grades_before  # the slip did cost points

    undo = sg("submissions", "undo", "02")
    assert undo.exit_code == 0, undo.output
    assert "took back collect #" in undo.stdout and WRONG in undo.stdout
    assert "withdrawn" in undo.stdout and "now v1 counts" in undo.stdout

    assert _summary(sg) == summary_before
    assert grades(course) == grades_before
    after = dump(course, "submissions")
    assert set(rows_before) < set(after)  # nothing deleted: the slip's versions stay, withdrawn
    listing = sg("submissions", "list", "02")
    assert "looks-like" not in listing.stdout
    # the same slip again: nothing new counts, and the way back to the withdrawn version is named
    repeat = sg("collect", "02", WRONG, "--force")
    assert repeat.exit_code == 0 and "which was withdrawn" in repeat.stdout
    assert grades(course) == grades_before

    again = sg("submissions", "undo", "02")
    assert again.exit_code == 0  # the first collect of 02 can be undone too, then nothing
    nothing = sg("submissions", "undo", "02")
    assert nothing.exit_code == 1 and "no recorded collect of sheet 02-kde" in nothing.stderr


def test_history_says_which_version_counted_when_and_why(sg: Run, course: Path) -> None:
    assert sg("collect", "02", WRONG, "--force").exit_code == 0
    assert sg("submissions", "undo", "02").exit_code == 0
    listing = sg("submissions", "list", "02", "--format", "csv").stdout.splitlines()
    student = next(
        line.split(",")[0] for line in listing[1:] if ",submitted," in line and ",," in line
    )
    result = sg("submissions", "history", "02", student)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "collect #" in text and "--force" in text
    assert "withdrawn by undo #" in text
    lines = text.splitlines()[2:]
    assert lines[0].split()[-3:] == ["v1", "(newest", "version)"]  # the real upload counted
    assert "v2 (newest version)" in lines[1]  # then the slip
    assert lines[-1].endswith("v1 (newest version)")  # and after the undo, v1 again
    assert "+01:00" in text  # course time with its offset


def test_withdraw_and_restore_a_named_version(sg: Run, course: Path) -> None:
    before = grades(course)
    tables_before = dump(course, *GRADE_TABLES)
    student = next(s for s, total in totals(course, "02-kde").items() if total > 0)

    out = sg("submissions", "withdraw", "02", student, "1", "--reason", "plagiarism check")
    assert out.exit_code == 0, out.output
    assert "withdrawn" in out.stdout and "no version counts" in out.stdout
    assert grades(course) != before
    again = sg("submissions", "withdraw", "02", student, "1")
    assert again.exit_code == 1 and "already withdrawn" in again.stderr

    back = sg("submissions", "restore", "02", student)
    assert back.exit_code == 0, back.output
    assert "restored" in back.stdout and "now v1 counts" in back.stdout
    assert grades(course) == before
    assert dump(course, *GRADE_TABLES) == tables_before
    history = sg("submissions", "history", "02", student).stdout
    assert "plagiarism check" in history and "restored #" in history

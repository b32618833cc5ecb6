"""Slip 2 and 3: marks files that would lose or silently change marks."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .conftest import GRADE_TABLES, GROUP, Run, dump, grades

TASK = "2 (max 4)"


def _template(sg: Run, course: Path) -> Path:
    out = course / "tutor"
    result = sg("marks", "template", "02", "--group", GROUP, "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    return Path(result.stdout.split()[0])


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def _edit(path: Path, student: str, **cells: str) -> None:
    rows = _read(path)
    header = rows[1]
    for row in rows[2:]:
        if row[0] == "student" and row[1] == student:
            for column, value in cells.items():
                row[header.index(TASK if column == "task" else column)] = value
    _write(path, rows)


def _marked(path: Path) -> list[str]:
    """Students (alone, not in a team) with a mark for task 2 in the template."""
    rows = _read(path)
    col = rows[1].index(TASK)
    return [r[1] for r in rows[2:] if r[0] == "student" and r[4] == "" and r[col] != ""]


def test_comment_without_points_keeps_the_mark(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    student = _marked(path)[0]
    _edit(path, student, task="", comment="see the margin notes")
    before = grades(course)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert f"02-kde task 2 student {student}: " in result.stdout and "(comment)" in result.stdout
    assert grades(course) == before  # the comment landed, no point moved
    history = sg("marks", "history", student, "--sheet", "02").stdout
    assert "see the margin notes" in history


def test_blank_cell_never_clears_and_clear_token_does(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    keep, clear = _marked(path)[:2]
    _edit(path, keep, task="")
    _edit(path, clear, task="clear")
    before = grades(course)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert f"student {clear}: " in result.stdout and " → —" in result.stdout
    assert keep not in result.stdout
    assert result.stdout.strip().endswith("changed 1 marks (0 new)")
    after = grades(course)
    assert after != before
    changed = [a for a, b in zip(after.splitlines(), before.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0].startswith(clear + ",")


def test_marks_set_clear_is_explicit(sg: Run, course: Path) -> None:
    student = _marked(_template(sg, course))[0]
    before = dump(course, *GRADE_TABLES)
    missing = sg("marks", "set", "02", student, "2")
    assert missing.exit_code == 2 and "--clear" in missing.output
    assert dump(course, *GRADE_TABLES) == before
    cleared = sg("marks", "set", "02", student, "2", "--clear")
    assert cleared.exit_code == 0, cleared.output
    assert cleared.stdout.strip().endswith("→ —")


def test_file_missing_a_task_column_is_refused(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    rows = _read(path)
    col = rows[1].index(TASK)
    _write(path, [r[:col] + r[col + 1 :] for r in rows])
    before = dump(course)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 1
    assert "'2 (max 4)' is missing" in result.stderr and "nothing was imported" in result.stderr
    assert dump(course) == before


def test_extra_task_column_is_refused(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    rows = _read(path)
    rows[1].insert(7, "3 (max 2)")
    for row in rows[2:]:
        row.insert(7, "")
    _write(path, rows)
    before = dump(course)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 1 and "no manual task '3'" in result.stderr
    assert dump(course) == before


def test_stale_template_conflict_is_refused_unless_overwrite(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    changed, untouched = _marked(path)[:2]
    # after the template was made, someone changes two marks in the database
    assert sg("marks", "set", "02", changed, "2", "1").exit_code == 0
    assert sg("marks", "set", "02", untouched, "2", "0,5").exit_code == 0
    # the tutor's file changes one of them, and leaves the other as the template held it
    _edit(path, changed, task="3")
    before_dump, before_grades = dump(course), grades(course)

    refused = sg("marks", "import", str(path))
    assert refused.exit_code == 1
    assert "changed in the database after the file's template was made" in refused.stderr
    assert f"student {changed}, task 2): the file says 3" in refused.stderr
    assert "to 1 (by tester" in refused.stderr and "--overwrite" in refused.stderr
    assert untouched not in refused.stderr
    assert dump(course) == before_dump

    dry = sg("marks", "import", str(path), "--overwrite", "--dry-run")
    assert dry.exit_code == 0 and dump(course) == before_dump

    forced = sg("marks", "import", str(path), "--overwrite")
    assert forced.exit_code == 0, forced.output
    assert "overwritten (--overwrite)" in forced.stderr
    assert f"student {changed}: 1 → 3" in forced.stdout
    assert untouched not in forced.stdout  # the newer 0.5 is not reverted by the stale cell
    assert grades(course) != before_grades


def test_old_template_cells_never_revert_newer_marks(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    student = _marked(path)[0]
    assert sg("marks", "set", "02", student, "2", "0").exit_code == 0
    before = dump(course, *GRADE_TABLES)
    result = sg("marks", "import", str(path))  # the untouched file, imported late
    assert result.exit_code == 0, result.output
    assert "changed 0 marks" in result.stdout
    assert dump(course, *GRADE_TABLES) == before


def test_template_never_overwrites_a_filled_in_file(sg: Run, course: Path) -> None:
    filled = course / "marks" / "02-kde" / f"02-kde-{GROUP}.xlsx"  # filled by the fixture
    data = filled.read_bytes()
    result = sg("marks", "template", "02", "--group", GROUP)
    assert result.exit_code == 0, result.output
    new = Path(result.stdout.strip())
    assert new != filled and new.parent == filled.parent and new.name.startswith("02-kde-G1.new-")
    assert "differs from what sheetgrade wrote there" in result.stderr
    assert filled.read_bytes() == data
    # a template nobody touched is simply replaced
    again = sg("marks", "template", "02", "--group", GROUP, "--format", "csv")
    again2 = sg("marks", "template", "02", "--group", GROUP, "--format", "csv")
    assert again.stdout == again2.stdout and again2.stderr == ""


def test_autograded_column_edit_is_refused(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    student = _marked(path)[0]
    _edit(path, student, **{"autograded (max 10)": "99"})
    before = dump(course)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 1 and "(autograded): changed from" in result.stderr
    assert "cannot be edited here" in result.stderr
    assert dump(course) == before


def test_student_of_another_group_is_imported_with_a_note(sg: Run, course: Path) -> None:
    path = _template(sg, course)
    rows = _read(path)
    rows.append(["student", "s002", "", "", "", "", "2", ""])
    _write(path, rows)
    result = sg("marks", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "s002 is in group G2, not G1" in result.stderr
    assert "student s002: — → 2" in result.stdout

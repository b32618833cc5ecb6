"""Marks fill-in files: XLSX and CSV round trips through the CLI, and validation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheetgrade.gradebook.book import build_gradebook


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


def test_xlsx_round_trip(small, run_cli):
    result = run_cli("marks", "template", "01", "--group", "A", course=small.root)
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == small.root / "marks" / "01-pca" / "01-pca-A.xlsx"
    wb = load_workbook(path)
    ws = wb["marks"]
    assert [c.value for c in ws[1]][:3] == ["sheetgrade marks", "sheet", "01-pca"]
    header = [c.value for c in ws[2] if c.value is not None]  # row 1 is wider
    assert header == [
        "kind",
        "id",
        "matrikel",
        "name",
        "team",
        "autograded (max 6)",
        "2 (max 4)",
        "comment",
    ]
    ids = [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(3, ws.max_row + 1)]
    # the team first, its members right after it, then the student alone
    assert ids == [
        ("team", "t1"),
        ("student", "s1"),
        ("student", "s2"),
        ("student", "s3"),
        ("student", "s4"),
    ]
    assert (
        ws.protection.sheet
        and ws.cell(3, 6).protection.locked
        and not ws.cell(3, 7).protection.locked
    )
    assert ws.cell(3, 6).value == 4  # autograded points of the team, read-only context
    assert wb["sheetgrade"].sheet_state == "hidden"
    rows = {ws.cell(r, 2).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["t1"], 7).value = 3
    ws.cell(rows["t1"], 8).value = "good proof"
    ws.cell(rows["s2"], 7).value = "3,5"  # decimal comma; an override for one team member
    ws.cell(rows["s4"], 7).value = 4
    wb.save(path)

    result = run_cli("marks", "import", str(path), "--tutor", "anna", course=small.root)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 file, 5 rows: changed 3 marks (3 new)"

    book = build_gradebook(small.course)
    manual = book.per_sheet.xs("01-pca", level="sheet_id")["manual"]
    assert manual.to_dict() == {"s1": 3.0, "s2": 3.5, "s3": 3.0, "s4": 4.0, "s5": 0.0, "s6": 0.0}
    shown = run_cli("gradebook", "show", "--sheet", "01", "--group", "A", course=small.root)
    assert shown.exit_code == 0
    line = next(row for row in shown.stdout.splitlines() if row.startswith("s2 "))
    assert "3.5" in line and "7.5/10" in line

    again = run_cli(
        "marks", "import", str(path), course=small.root
    )  # importing twice changes nothing
    assert again.stdout.splitlines()[-1] == "1 file, 5 rows: changed 0 marks (0 new)"


def test_csv_round_trip_blank_is_not_marked(small, run_cli):
    result = run_cli("marks", "template", "02", "--format", "csv", course=small.root)
    assert result.exit_code == 0
    paths = [Path(p) for p in result.stdout.split()]
    assert [p.name for p in paths] == ["02-kde-A.csv", "02-kde-B.csv"]
    rows = _csv_rows(paths[1])
    assert rows[0][:3] == ["sheetgrade marks", "sheet", "02-kde"]
    assert rows[1][-2:] == ["2 (max 4)", "comment"]
    by_id = {r[1]: r for r in rows[2:]}
    by_id["s5"][6] = "2,5"
    by_id["s5"][7] = "Vorzeichenfehler"
    by_id["s6"][6] = ""  # blank: not marked
    _write_csv(paths[1], rows, delimiter=";")  # as a German Excel saves it
    result = run_cli("marks", "import", "02", str(paths[1]), course=small.root)
    assert result.exit_code == 0, result.output
    book = build_gradebook(small.course)
    tp = book.task_points.set_index(["student_id", "sheet_id", "task_id"])["points"]
    assert tp[("s5", "02-kde", "2")] == 2.5
    assert tp.isna()[("s6", "02-kde", "2")]  # not marked, not 0
    shown = run_cli("gradebook", "show", "--sheet", "02", course=small.root)
    s6 = next(r for r in shown.stdout.splitlines() if r.startswith("s6 "))
    assert "—" in s6


def _error_file(small, run_cli, tmp_path: Path) -> tuple[Path, list[list[str]]]:
    result = run_cli(
        "marks",
        "template",
        "01",
        "--group",
        "A",
        "--format",
        "csv",
        "-o",
        str(tmp_path),
        course=small.root,
    )
    path = Path(result.stdout.strip())
    return path, _csv_rows(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda rows: rows[3].__setitem__(1, "nobody"),
            "row 4, column 2: unknown student 'nobody'",
        ),
        (
            lambda rows: rows[2].__setitem__(6, "5"),
            "row 3, column 7 (task 2): 5 is above the maximum 4",
        ),
        (lambda rows: rows[2].__setitem__(6, "-1"), "row 3, column 7 (task 2): -1 is below 0"),
        (
            lambda rows: rows[2].__setitem__(6, "viel"),
            "row 3, column 7 (task 2): 'viel' is not a number",
        ),
        (
            lambda rows: rows.append(list(rows[5])),
            "row 8: duplicate row for student s3 (also 01-pca-A.csv row 6)",
        ),
        (
            lambda rows: rows[0].__setitem__(2, "03-regression"),
            "row 2, column 7: the header gives task 2 a maximum of 4, but on sheet 03-regression it is 2",
        ),
        (lambda rows: rows.__setitem__(0, ["kind", "id"]), "row 1: not a sheetgrade marks file"),
    ],
)
def test_each_error_leaves_the_database_byte_identical(small, run_cli, tmp_path, edit, message):
    small.mark("01-pca", "2", "s4", 1.0, comment="earlier")
    path, rows = _error_file(small, run_cli, tmp_path)
    rows[3][6] = "2"  # one valid change in the same file: it must not land either
    edit(rows)
    _write_csv(path, rows)
    before = small.dump()
    result = run_cli("marks", "import", str(path), course=small.root)
    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert small.dump() == before


def test_wrong_sheet_is_refused(small, run_cli, tmp_path):
    path, rows = _error_file(small, run_cli, tmp_path)
    before = small.dump()
    result = run_cli("marks", "import", "--sheet", "03", str(path), course=small.root)
    assert result.exit_code == 1
    assert "this file is for sheet 01-pca, not 03-regression" in result.stderr
    assert small.dump() == before


def test_dry_run_changes_nothing(small, run_cli, tmp_path):
    path, rows = _error_file(small, run_cli, tmp_path)
    rows[2][6] = "4"
    _write_csv(path, rows)
    before = small.dump()
    result = run_cli("marks", "import", "--dry-run", str(path), course=small.root)
    assert result.exit_code == 0, result.output
    assert "01-pca task 2 team t1: — → 4" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 file, 5 rows: would change 1 marks (1 new)"
    assert small.dump() == before


def test_errors_from_several_files_are_all_reported(small, run_cli, tmp_path):
    path, rows = _error_file(small, run_cli, tmp_path)
    rows[2][6] = "x"
    rows[4][6] = "9"
    _write_csv(path, rows)
    other = tmp_path / "other.csv"
    other.write_text("hello\n", encoding="utf-8")
    result = run_cli(
        "marks", "import", str(path), str(other), str(tmp_path / "missing.xlsx"), course=small.root
    )
    assert result.exit_code == 1
    assert "marks import: 4 problems; nothing was imported" in result.stderr
    assert "missing.xlsx: no such file" in result.stderr

"""`sheetgrade validate` on the example course: config, roster and notebooks at once."""

from __future__ import annotations

from pathlib import Path

EXAMPLE_SHEETS = Path(__file__).resolve().parents[1] / "examples" / "mlphys" / "sheets"


def test_example_course_is_valid(run_cli, example_course):
    result = run_cli("validate", course=example_course)
    assert result.exit_code == 0, result.output
    sheets = sum(1 for d in EXAMPLE_SHEETS.iterdir() if (d / "sheet.yml").is_file())
    assert (
        result.stdout == f"{example_course}: course.yml, {sheets} sheets and the roster are valid\n"
    )


def test_problems_from_every_part_are_reported_together(run_cli, example_course):
    (example_course / "course.yml").write_text(
        (example_course / "course.yml")
        .read_text()
        .replace("share: 0.5", "share: 0.5\n  min_atempted: 3")
    )
    with (example_course / "roster" / "students.csv").open("a", encoding="utf-8") as f:
        f.write("s999,Max,Muster,max@example.org,3999999,G9\n")
    notebook = example_course / "sheets" / "01-pca" / "pca.ipynb"
    notebook.write_text(notebook.read_text().replace("# END SOLUTION", "# END SOLUTIO", 1))
    result = run_cli("validate", course=example_course)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "min_atempted: unknown key; did you mean 'min_attempted'?" in result.stderr

    (example_course / "course.yml").write_text(
        (example_course / "course.yml").read_text().replace("\n  min_atempted: 3", "")
    )
    result = run_cli("validate", course=example_course)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 2 problems found:"
    assert (
        "  roster/students.csv line 122: unknown group 'G9' (groups: G1, G2, G3, G4, G5, G6)"
        in lines
    )
    assert any(
        "pca.ipynb cell" in line and "BEGIN SOLUTION is never closed" in line for line in lines
    )

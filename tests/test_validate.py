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


def test_every_named_notebook_and_the_header_must_exist(run_cli, example_course):
    sheet_yml = example_course / "sheets" / "01-pca" / "sheet.yml"
    sheet_yml.write_text(
        sheet_yml.read_text().replace(
            "notebook: pca.ipynb", "notebooks: [pca.ipynb, extra.ipynb]\nheader: header.ipynb"
        )
    )
    result = run_cli("validate", course=example_course)
    assert result.exit_code == 1
    folder = example_course / "sheets" / "01-pca"
    assert result.stderr.splitlines() == [
        "Error: 2 problems found:",
        f"  sheets/01-pca/sheet.yml: extra.ipynb is named but {folder / 'extra.ipynb'} does not exist",
        f"  sheets/01-pca/sheet.yml: header.ipynb is named but {folder / 'header.ipynb'} does not exist",
    ]


def test_checks_from_higher_packages_run_in_order_and_skip_broken_sheets(example_course):
    """The driver in ``course`` runs what the caller passes in: course checks after the
    sheet folders, sheet checks only on sheets whose folder is sound."""
    from sheetgrade.course.errors import SheetgradeError
    from sheetgrade.course.validate import CourseCheck, validate_course

    (example_course / "sheets" / "02-kde" / "sheet.yml").unlink()
    seen: list[str] = []

    def sheet_check(sheet):
        seen.append(sheet.id)
        if sheet.id == "03-regression":
            raise SheetgradeError("bad", ["03 problem one", "03 problem two"])

    report = validate_course(
        example_course,
        course_checks=[CourseCheck("the widgets", lambda course: ["widget problem"])],
        sheet_checks=[sheet_check],
    )
    assert not report.ok
    assert report.problems[1:] == ["widget problem", "03 problem one", "03 problem two"]
    assert report.problems[0].startswith("sheets/02-kde")
    assert "02-kde" not in seen and "01-pca" in seen and "13-equivariant-kernels" in seen
    assert report.error().splitlines()[0] == "4 problems found:"

    (example_course / "sheets" / "02-kde").rename(example_course / "kde-elsewhere")
    report = validate_course(
        example_course, course_checks=[CourseCheck("the widgets", lambda course: [])]
    )
    assert report.problems[0].startswith("sheets/02-kde: folder missing")

"""`sheetgrade init`: empty courses and the bundled example."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from sheetgrade.course import store
from sheetgrade.course.course import Course

EXAMPLE_SHEETS = Path(__file__).resolve().parents[1] / "examples" / "mlphys" / "sheets"


def test_init_empty_course_validates(run_cli, tmp_path):
    result = run_cli("init", str(tmp_path / "new"), "--name", "Statistical Physics")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"created course in {tmp_path / 'new'} (0 sheets)\n"
    course = Course.open(tmp_path / "new")
    assert course.config.course == "Statistical Physics"
    assert run_cli("validate", course=tmp_path / "new").exit_code == 0


def test_init_refuses_an_existing_course(run_cli, tmp_path):
    assert run_cli("init", str(tmp_path / "c")).exit_code == 0
    result = run_cli("init", str(tmp_path / "c"))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {tmp_path / 'c' / 'course.yml'} already exists; init never overwrites a course\n"
    )


def test_init_refuses_a_non_empty_directory(run_cli, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("mine")
    result = run_cli("init", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "is not empty" in result.stderr
    assert (tmp_path / "d" / "notes.txt").read_text() == "mine"


def test_init_example_fills_the_database(example_course):
    course = Course.open(example_course)
    with course.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(store.sheets)).scalar() == len(
            [d for d in (EXAMPLE_SHEETS).iterdir() if (d / "sheet.yml").is_file()]
        )
        assert conn.execute(select(func.count()).select_from(store.students)).scalar() == 120
        assert conn.execute(select(func.count()).select_from(store.groups)).scalar() == 6
        manual = conn.execute(
            select(func.count()).select_from(store.tasks).where(store.tasks.c.kind == "manual")
        )
        assert manual.scalar() >= 3

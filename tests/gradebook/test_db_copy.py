"""``sheetgrade db copy``: a course's SQLite gradebook into PostgreSQL and back, losslessly."""

from __future__ import annotations

import pytest

from sheetgrade.course import store
from sheetgrade.course.course import Course
from sheetgrade.course.dbcopy import dump_tables

from .conftest import Builder


def _fill(b: Builder, run_cli) -> None:
    """Marks with comments and their audit trail, a presentation, an excuse."""
    for args in (
        ("01", "s1", "2", "3", "--team", "-m", "Schön: ∑ correct"),
        ("01", "s2", "2", "2,5", "-m", "override"),
        ("02", "s5", "2", "4"),
        ("02", "s5", "2", "-"),
    ):
        assert run_cli("marks", "set", *args, "--tutor", "anna", course=b.root).exit_code == 0
    assert run_cli("marks", "present", "01", "s4", "--task", "2", course=b.root).exit_code == 0
    b.insert(store.excused, [{"student_id": "s6", "sheet_id": "02-kde", "reason": "Attest"}])


def test_round_trip_sqlite_postgresql_sqlite_keeps_every_row(
    small: Builder, run_cli, postgres_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv("SHEETGRADE_DATABASE", raising=False)
    _fill(small, run_cli)
    before = dump_tables(small.course.engine)
    assert all(before[t] for t in ("students", "submissions", "test_results", "mark_audit"))

    r = run_cli("db", "copy", "--to", postgres_database, course=small.root)
    assert r.exit_code == 0, r.output
    assert "every table matches" in r.stdout and "set `database:" in r.stderr
    monkeypatch.setenv("SHEETGRADE_DATABASE", postgres_database)
    on_postgres = Course.open(small.root)
    assert on_postgres.engine.dialect.name == "postgresql"
    assert dump_tables(on_postgres.engine) == before

    # the copy is a working gradebook: new rows get fresh ids after the copied ones
    r = run_cli("marks", "set", "03", "s4", "2", "1", "--tutor", "ben", course=small.root)
    assert r.exit_code == 0, r.output
    ids = [row[0] for row in dump_tables(on_postgres.engine)["mark_audit"]]
    assert ids == list(range(1, len(before["mark_audit"]) + 2))
    after_edit = dump_tables(on_postgres.engine)

    back = tmp_path / "back.db"
    r = run_cli("db", "copy", "--to", f"sqlite:///{back}", course=small.root)
    assert r.exit_code == 0, r.output
    assert dump_tables(store.open_store(f"sqlite:///{back}", tmp_path)) == after_edit
    on_postgres.engine.dispose()


def test_copy_into_a_gradebook_that_holds_data_is_refused(
    small: Builder, run_cli, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHEETGRADE_DATABASE", raising=False)
    other = tmp_path / "other.db"
    assert run_cli("db", "copy", "--to", f"sqlite:///{other}", course=small.root).exit_code == 0
    target = store.open_store(f"sqlite:///{other}", tmp_path)
    first = dump_tables(target)
    r = run_cli("db", "copy", "--to", f"sqlite:///{other}", course=small.root)
    assert r.exit_code == 1
    assert (
        "already holds a gradebook (" in r.stderr and "copy into a new, empty database" in r.stderr
    )
    assert dump_tables(target) == first
    r = run_cli("db", "status", course=small.root)
    assert r.exit_code == 0 and f"schema version: {store.SCHEMA_VERSION}" in r.stdout
    assert "  students: 6" in r.stdout


def test_copy_to_an_unusable_url_says_what_is_wrong(small: Builder, run_cli) -> None:
    r = run_cli("db", "copy", "--to", "postgresql://nobody:secret@127.0.0.1:1/x", course=small.root)
    assert r.exit_code == 1
    assert "cannot open the database at postgresql+psycopg://nobody:***@127.0.0.1:1/x" in r.stderr
    assert "secret" not in r.stderr

"""Helpers for the roster tests: CSV files in real encodings and DB snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.course.course import Course
from sheetgrade.roster.api import load_roster
from sheetgrade.roster.model import Roster

WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Write ``text`` to ``tmp_path/name`` in ``encoding`` (``utf-8-sig`` adds a BOM)."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / "imports" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode(encoding))
        return path

    return write


def roster_of(course_dir: Path) -> Roster:
    """The roster in the course's database."""
    return load_roster(Course.open(course_dir).engine)


def snapshot(course_dir: Path) -> tuple[object, ...]:
    """Everything a roster change could touch: the roster tables and the files."""
    engine = Course.open(course_dir).engine
    with engine.connect() as conn:
        tables = tuple(
            sorted(tuple(map(str, row)) for row in conn.execute(select(table)))
            for table in (
                store.students,
                store.groups,
                store.tutors,
                store.teams,
                store.team_members,
            )
        )
    files = tuple(
        (p.name, p.read_bytes())
        for p in sorted((course_dir / "roster").iterdir())
        if p.suffix == ".csv"
    )
    return tables + files

"""Helpers for the submissions tests: notebooks, zips built byte by byte, DB rows."""

from __future__ import annotations

import json
import sqlite3
import stat
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

SHEET = (
    "01-pca"  # due 2026-10-28T10:00+01:00, grace 15m, notebook pca.ipynb, has pen-and-paper tasks
)


def notebook(text: str = "x = 1") -> bytes:
    """A small valid nbformat-4 notebook whose code cell holds ``text``."""
    node = {
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": text,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(node).encode()


def write_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    """A zip with exactly these members (names are not sanitised: for unsafe zips)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def symlink_info(name: str) -> zipfile.ZipInfo:
    """A zip member that unpacks as a symlink (Unix mode in external_attr)."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@dataclass(frozen=True)
class Person:
    id: str
    first_name: str
    last_name: str
    email: str
    matrikel: str
    group: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def students(course: Path) -> list[Person]:
    """The course's students, from the database."""
    with sqlite3.connect(course / "gradebook.db") as conn:
        rows = conn.execute(
            "select id, first_name, last_name, email, matrikel, group_id from students order by id"
        ).fetchall()
    return [Person(*r) for r in rows]


def teams(course: Path) -> dict[str, list[str]]:
    """Team id -> member ids (term teams)."""
    out: dict[str, list[str]] = {}
    with sqlite3.connect(course / "gradebook.db") as conn:
        for team, student in conn.execute(
            "select team_id, student_id from team_members order by 1, 2"
        ):
            out.setdefault(team, []).append(student)
    return out


def solo_students(course: Path) -> list[Person]:
    """Students in no team."""
    in_team = {s for members in teams(course).values() for s in members}
    return [p for p in students(course) if p.id not in in_team]


def rows(course: Path, sheet: str = SHEET) -> list[dict[str, Any]]:
    """The submissions rows of a sheet."""
    with sqlite3.connect(course / "gradebook.db") as conn:
        conn.row_factory = sqlite3.Row
        found = conn.execute(
            "select * from submissions where sheet_id = ? order by owner, version", (sheet,)
        )
        return [dict(r) for r in found]


def snapshot(course: Path) -> dict[str, bytes]:
    """Every file of the course (the database checkpointed first), by relative path."""
    with sqlite3.connect(course / "gradebook.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        p.relative_to(course).as_posix(): p.read_bytes()
        for p in sorted(course.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def set_course_yml(course: Path, extra: str) -> None:
    """Append YAML to course.yml (e.g. limits or extensions)."""
    with (course / "course.yml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + extra)


def moodle_time(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))


# ------------------------------------------------------- a sheet of two notebooks

PS1 = "14-ps1"
PS1_YML = """\
title: Problem set 1
notebooks: [problem1.ipynb, problem2.ipynb]
tasks:
  - {id: "1", title: Problem 1, points: 3, kind: auto}
  - {id: "2", title: Problem 2, points: 2, kind: auto}
"""


def add_ps1(course: Path) -> None:
    """A sheet with two graded notebooks, added to the example course."""
    yml = course / "course.yml"
    yml.write_text(
        yml.read_text().replace(
            "sheets:\n", f"sheets:\n  - id: {PS1}\n    due: 2026-11-05T10:00+01:00\n", 1
        )
    )
    (course / "sheets" / PS1).mkdir()
    (course / "sheets" / PS1 / "sheet.yml").write_text(PS1_YML)


def nb(*markdown: str, code: str = "x = 1") -> bytes:
    """A real nbformat notebook: the markdown cells a sheet fixes, one code cell."""
    import nbformat

    node = nbformat.v4.new_notebook()
    node.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    node.cells.append(nbformat.v4.new_code_cell(code))
    for i, cell in enumerate(node.cells):
        cell["id"] = f"c{i}"
    return nbformat.writes(node).encode()

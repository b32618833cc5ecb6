"""The example course, graded once per session, copied for each slip.

``graded`` builds it once: ``init --example mlphys``; build sheets 01 and 02;
Moodle zips for one tutorial group (``incoming/01-pca-moodle.zip`` and
``incoming/02-kde-moodle.zip``); collect each into its sheet; grade 02; the
group's marks file for 02 filled in and imported. ``course`` copies that
directory for one test, so each test costs a copy, not a grading run.

``dump`` and ``grades`` are what the tests compare before and after a slip.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sheetgrade.cli.main import cli

SHEETS = ("01-pca", "02-kde")
GROUP = "G1"  # the tutorial group whose students hand in

Run = Callable[..., Result]


def _invoke(root: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--course", str(root), *map(str, args)], input=input, catch_exceptions=False
    )


def _must(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sheetgrade.course.course import Course
    from sheetgrade.examples.synth import notebook_bytes, plan, received_at, sheet_key, write_marks
    from sheetgrade.roster.api import load_roster
    from sheetgrade.submissions.moodle import write_moodle_zip

    root = tmp_path_factory.mktemp("mistakes") / "course"
    _must(CliRunner().invoke(cli, ["init", str(root), "--example", "mlphys"]))
    for sheet in SHEETS:
        _must(_invoke(root, "sheet", "build", sheet))
    course = Course.open(root)
    roster = load_roster(course.engine)
    group = {s.id for s in roster.students.values() if s.group_id == GROUP}
    assert group, f"no students in group {GROUP}"
    keys = [sheet_key(course, s) for s in SHEETS]
    intents = [
        i
        for i in plan(roster, keys)
        if set(i.members) <= group and i.kind not in ("attack", "missing")
    ]
    participant = {sid: 80000 + n for n, sid in enumerate(sorted(roster.students))}
    (root / "incoming").mkdir()
    for key in keys:
        entries = [
            {
                "full_name": roster.students[i.uploader].name,
                "participant_id": participant[i.uploader],
                "files": {key.notebook_name: notebook_bytes(key, i)},
                "mtime": received_at(key, i),
            }
            for i in intents
            if i.sheet_id == key.sheet_id
        ]
        write_moodle_zip(root / "incoming" / f"{key.sheet_id}-moodle.zip", entries)
        zip_path = root / "incoming" / f"{key.sheet_id}-moodle.zip"
        _must(_invoke(root, "collect", key.sheet_id, str(zip_path), "-q"))
    _must(_invoke(root, "grade", "02-kde", "--quiet"))
    [path] = [
        Path(p)
        for p in _must(_invoke(root, "marks", "template", "02", "--group", GROUP)).stdout.split()
    ]
    write_marks(path, [i for i in intents if i.sheet_id == "02-kde"])
    _must(_invoke(root, "marks", "import", str(path), "--tutor", "fixture"))
    course.engine.dispose()
    with sqlite3.connect(root / "gradebook.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root


@pytest.fixture
def course(graded: Path, tmp_path: Path) -> Path:
    """A fresh copy of the graded example course for one test."""
    target = tmp_path / "course"
    shutil.copytree(graded, target, symlinks=True)
    return target


@pytest.fixture
def sg(course: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``sg("marks", "set", ...)`` runs sheetgrade on the copied course, from inside it."""
    monkeypatch.delenv("SHEETGRADE_COURSE", raising=False)
    monkeypatch.chdir(course)
    monkeypatch.setenv("SHEETGRADE_TUTOR", "tester")

    def run(*args: str, input: str | None = None) -> Result:
        return _invoke(course, *args, input=input)

    return run


def dump(root: Path, *tables: str) -> list[str]:
    """The database as SQL text (``sqlite3 .dump``), optionally only some tables."""
    conn = sqlite3.connect(root / "gradebook.db")
    try:
        lines = list(conn.iterdump())
    finally:
        conn.close()
    if not tables:
        return lines
    return [line for line in lines if any(line.startswith(f'INSERT INTO "{t}"') for t in tables)]


GRADE_TABLES = ("submissions", "withdrawn_submissions", "results", "marks")


def grades(root: Path) -> str:
    """Every student's points per sheet, as ``gradebook export --format csv`` writes them."""
    result = _invoke(root, "gradebook", "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def totals(root: Path, sheet: str) -> dict[str, float]:
    """Each student's total on one sheet, from the gradebook export."""
    import csv
    import io

    rows = csv.DictReader(io.StringIO(grades(root)))
    return {r["student"]: float(r[f"{sheet} total"]) for r in rows}

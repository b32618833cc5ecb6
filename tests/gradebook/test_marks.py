"""Single marks, team overrides, the audit trail, presentations, and concurrent imports
and edits, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from sheetgrade.course import store
from sheetgrade.gradebook.book import build_gradebook

from .conftest import Builder

pytestmark = pytest.mark.usefixtures("database")


def test_set_team_override_and_history(small, run_cli, monkeypatch):
    monkeypatch.setenv("SHEETGRADE_TUTOR", "ben")
    r = run_cli("marks", "set", "01", "s1", "2", "3", "--team", "-m", "good", course=small.root)
    assert r.exit_code == 0 and r.stdout.strip() == "01-pca task 2 team t1: — → 3"
    r = run_cli("marks", "set", "01", "s2", "2", "2,5", "--tutor", "anna", course=small.root)
    assert r.stdout.strip() == "01-pca task 2 student s2: — → 2.5"
    manual = build_gradebook(small.course).per_sheet.xs("01-pca", level="sheet_id")["manual"]
    assert (manual["s1"], manual["s2"], manual["s3"]) == (3.0, 2.5, 3.0)
    r = run_cli("marks", "set", "01", "s2", "2", "-", course=small.root)  # clear the override
    assert r.stdout.strip() == "01-pca task 2 student s2: 2.5 → —"
    manual = build_gradebook(small.course).per_sheet.xs("01-pca", level="sheet_id")["manual"]
    assert manual["s2"] == 3.0  # back to the team's mark
    r = run_cli("marks", "history", "s2", course=small.root)
    lines = r.stdout.splitlines()
    assert len(lines) == 2 + 3
    assert " ben " in lines[2] and "team t1" in lines[2] and "good" in lines[2]
    assert " anna " in lines[3] and "2.5" in lines[3]
    assert r.exit_code == 0
    with small.course.engine.connect() as conn:
        audit = conn.execute(store.mark_audit.select().order_by(store.mark_audit.c.id)).all()
    assert [(a.old_points, a.new_points, a.tutor) for a in audit] == [
        (None, 3.0, "ben"),
        (None, 2.5, "anna"),
        (2.5, None, "ben"),
    ]


def test_set_errors_are_clear(small, run_cli):
    r = run_cli("marks", "set", "01", "s1", "1a", "1", course=small.root)
    assert r.exit_code == 1 and "task 1a of sheet 01-pca is autograded" in r.stderr
    r = run_cli("marks", "set", "01", "s1", "2", "7", course=small.root)
    assert r.exit_code == 1 and "allowed are 0 to 4" in r.stderr
    r = run_cli("marks", "set", "01", "s99", "2", "1", course=small.root)
    assert r.exit_code == 1 and "no student 's99' on the roster" in r.stderr
    r = run_cli("marks", "set", "01", "s4", "2", "1", "--team", course=small.root)
    assert r.exit_code == 1 and "is in no team" in r.stderr
    r = run_cli("marks", "set", "01", "s1", "2", "abc", course=small.root)
    assert r.exit_code == 2 and "'abc' is not a number" in r.stderr
    r = run_cli("marks", "set", "09", "s1", "2", "1", course=small.root)
    assert r.exit_code == 1 and "no sheet '09'" in r.stderr


def test_presentations(small, run_cli):
    r = run_cli("marks", "present", "01", "1004", "--task", "2", course=small.root)
    assert r.exit_code == 0 and r.stdout.strip() == "recorded; 1 presentation so far"
    r = run_cli("marks", "present", "02", "s4", course=small.root)
    assert r.stdout.strip() == "recorded; 2 presentations so far"
    assert build_gradebook(small.course).overall.at["s4", "presentations"] == 2


def test_two_processes_import_at_once_and_no_mark_is_lost(builder: Builder, run_cli, tmp_path):
    b = builder.write()
    for g in ("A", "B"):
        b.group(g, f"Gruppe {g}", f"{g}@uni.example", f"Tutor {g}")
        for i in range(60):
            b.student(f"{g}{i:03d}", "Vor", f"Name{i:03d}", f"{g}{i:03d}9", g)
    files = []
    for g in ("A", "B"):
        r = run_cli("marks", "template", "03", "--group", g, course=b.root)
        path = Path(r.stdout.strip())
        wb = load_workbook(path)
        ws = wb["marks"]
        for row in range(3, ws.max_row + 1):
            ws.cell(row, 7).value = 1.5
            ws.cell(row, 8).value = 2
            ws.cell(row, 9).value = f"marked by {g}"
        wb.save(path)
        files.append(path)
    b.course.engine.dispose()
    env = {**os.environ, "SHEETGRADE_COURSE": str(b.root)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-P",
                "-m",
                "sheetgrade.cli",
                "marks",
                "import",
                str(f),
                "--tutor",
                f"tutor-{i}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, f in enumerate(files)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.splitlines()[-1] == "1 file, 60 rows: changed 120 marks (120 new)"
    with b.course.engine.connect() as conn:
        marks = conn.execute(store.marks.select()).all()
        audit = conn.execute(store.mark_audit.select()).all()
    assert len(marks) == 240 and len(audit) == 240
    assert {m.tutor for m in marks} == {"tutor-0", "tutor-1"}
    manual = build_gradebook(b.course).per_sheet.xs("03-regression", level="sheet_id")["manual"]
    assert (manual == 3.5).all()


def test_two_processes_set_the_same_mark_one_wins_and_both_are_audited(
    small: Builder, run_together
) -> None:
    """Both processes are held at the marks table until both are under way, so that
    they overlap for certain; each must still see the other's committed mark."""
    engine = small.course.engine
    env = {"SHEETGRADE_COURSE": str(small.root)}

    def hold_marks_until_both_wait() -> None:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE marks IN SHARE ROW EXCLUSIVE MODE"))
                waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
                deadline = time.monotonic() + 20
                while conn.execute(text(waiting)).scalar() < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert conn.execute(text(waiting)).scalar() == 2
            else:
                conn.execute(text("SELECT count(*) FROM marks"))  # holds BEGIN IMMEDIATE
                time.sleep(1.5)
            conn.commit()

    done = run_together(
        [
            ["marks", "set", "02", "s6", "2", "1", "--tutor", "anna", "-m", "by anna"],
            ["marks", "set", "02", "s6", "2", "3.5", "--tutor", "ben", "-m", "by ben"],
        ],
        preload=("sheetgrade.cli.marks", "sheetgrade.gradebook.marks"),
        env=env,
        meanwhile=hold_marks_until_both_wait,
    )
    for p in done:
        assert p.returncode == 0, p.stderr
    with engine.connect() as conn:
        marks = conn.execute(store.marks.select().where(store.marks.c.subject_id == "s6")).all()
        audit = conn.execute(store.mark_audit.select().order_by(store.mark_audit.c.id)).all()
    assert len(marks) == 1 and len(audit) == 2
    first, second = audit
    # the second writer saw the first one's mark: a chain, not two edits of "nothing"
    assert (first.old_points, second.old_points) == (None, first.new_points)
    assert {first.tutor, second.tutor} == {"anna", "ben"}
    winner = marks[0]
    assert (winner.points, winner.tutor) == (second.new_points, second.tutor)
    assert winner.comment == f"by {second.tutor}"

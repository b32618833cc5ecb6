"""Gradebook and admission exports: csv, xlsx, json, campus, moodle."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from sheetgrade.course import store


def _with_ghost(small):
    """Points for someone not on the roster: they must never appear in an export."""
    small.submit("01-pca", "ghost", [("1a-pub", "1a", 2, 2, False)])
    small.mark("01-pca", "2", "ghost", 4)
    return small


def test_campus_export(small, run_cli, tmp_path):
    _with_ghost(small)
    small.mark("01-pca", "2", "t1", 4, kind="team")
    out = tmp_path / "campus.csv"
    r = run_cli("admission", "export", "--format", "campus", "-o", str(out), course=small.root)
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "Matrikelnummer;Nachname;Vorname;Punkte;Prozent;Status"
    assert "1006;Müller;Jürgen;0,00;0,00;nicht bestanden" in lines
    row = next(line for line in lines if line.startswith("1004;"))
    assert row == "1004;Meitner;Lise;5,00;16,67;nicht bestanden"
    assert "ghost" not in text
    assert len([line for line in lines if line]) == 1 + 6


def test_moodle_export(small, run_cli):
    _with_ghost(small)
    r = run_cli("admission", "export", "--format", "moodle", course=small.root)
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == [
        "First name",
        "Last name",
        "ID number",
        "Email address",
        "Exercise sheets",
        "Feedback: Exercise sheets",
    ]
    assert len(rows) == 7
    assert rows[1][:5] == [
        "Paul",
        "Dirac",
        "1005",
        "s5@uni.example",
        "4.50",
    ]  # 6 points, 25 % late penalty
    assert all("ghost" not in ",".join(r) for r in rows)


def test_admission_csv_and_xlsx(small, run_cli, tmp_path):
    r = run_cli("admission", "export", course=small.root)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["student"] for x in rows] == ["s5", "s1", "s4", "s6", "s2", "s3"]  # by last name
    assert rows[0]["explanation"].startswith("cannot reach admission")
    out = tmp_path / "admission.xlsx"
    r = run_cli("admission", "export", "--format", "xlsx", "-o", str(out), course=small.root)
    assert r.exit_code == 0
    ws = load_workbook(out)["admission"]
    assert [c.value for c in ws[1]][:3] == ["student", "matrikel", "last_name"]
    assert ws.max_row == 7


def test_gradebook_exports(small, run_cli, tmp_path):
    _with_ghost(small)
    r = run_cli("gradebook", "export", course=small.root)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    s5 = next(x for x in rows if x["student"] == "s5")
    assert (s5["01-pca auto"], s5["01-pca penalty"], s5["01-pca total"], s5["01-pca status"]) == (
        "6.0",
        "1.5",
        "4.5",
        "late",
    )
    assert s5["02-kde status"] == "missing"
    assert "ghost" not in r.stdout
    r = run_cli("gradebook", "export", "--format", "json", course=small.root)
    data = json.loads(r.stdout)
    assert [s["id"] for s in data["students"]] == ["s5", "s1", "s4", "s6", "s2", "s3"]
    s1 = data["students"][1]
    assert s1["sheets"][0] == {
        "sheet_id": "01-pca",
        "auto": 4.0,
        "manual": 0.0,
        "penalty": 0.0,
        "total": 4.0,
        "max": 10.0,
        "status": "ok",
        "late_seconds": 0.0,
    }
    out = tmp_path / "gb.xlsx"
    assert (
        run_cli(
            "gradebook", "export", "--format", "xlsx", "-o", str(out), course=small.root
        ).exit_code
        == 0
    )
    assert load_workbook(out).sheetnames == ["gradebook", "admission"]


def test_campus_needs_matriculation_numbers(small, run_cli):
    with store.transaction(small.course.engine) as conn:
        conn.execute(
            store.students.update().where(store.students.c.id == "s6").values(matrikel=None)
        )
    r = run_cli("admission", "export", "--format", "campus", course=small.root)
    assert r.exit_code == 1
    assert "1 students have no matriculation number (s6)" in r.stderr


def test_show_commands(small, run_cli):
    r = run_cli("gradebook", "show", course=small.root)
    assert r.exit_code == 0
    header, _, *rows = r.stdout.splitlines()
    assert header.split()[:6] == ["student", "name", "group", "01", "02", "03"]
    s5 = next(x for x in rows if x.startswith("s5 "))
    assert "4.5 (late)" in s5 and "missing" in s5
    r = run_cli("gradebook", "show", "--group", "nope", course=small.root)
    assert r.exit_code == 1 and "no tutorial group 'nope'" in r.stderr
    r = run_cli("admission", "show", "--group", "B", course=small.root)
    assert r.stdout.splitlines()[-1] == "0 admitted, 0 not yet, 2 cannot reach"

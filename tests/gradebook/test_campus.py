"""The campus export as a template declared in course.yml: exact columns, cp1252 and UTF-8,
a preview, and validation errors with file and line."""

from __future__ import annotations

from sheetgrade.course import store

TEMPLATE = """
exports:
  campus:
    columns:
      - {{header: Matrikelnummer, value: matrikel}}
      - {{header: Name, value: name}}
      - {{header: Ergebnis, value: status}}
      - {{header: Punkte, value: points, digits: 1}}
      - {{header: Prüfungsnummer, value: constant, text: "PNR 4711"}}
    delimiter: ","
    decimal_mark: "."
    encoding: {encoding}
    passed: BE
    failed: NB
"""


def _declare(small, encoding: str) -> None:
    with (small.root / "course.yml").open("a", encoding="utf-8") as fh:
        fh.write(TEMPLATE.format(encoding=encoding))


def test_custom_template_in_cp1252(small, run_cli, tmp_path):
    _declare(small, "cp1252")
    out = tmp_path / "campus.csv"
    r = run_cli("admission", "export", "--format", "campus", "-o", str(out), course=small.root)
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert b'1006,"M\xfcller, J\xfcrgen",NB,0.0,PNR 4711\r\n' in raw  # cp1252 bytes
    lines = raw.decode("cp1252").split("\r\n")
    assert lines[0] == "Matrikelnummer,Name,Ergebnis,Punkte,Prüfungsnummer"
    assert '1004,"Meitner, Lise",NB,5.0,PNR 4711' in lines
    assert len([line for line in lines if line]) == 1 + 6
    assert all(len(line.split(",")) == 6 for line in lines[1:] if line)  # 5 columns, quoted name


def test_custom_template_in_utf8(small, run_cli, tmp_path):
    _declare(small, "utf-8")
    out = tmp_path / "campus.csv"
    r = run_cli("admission", "export", "--format", "campus", "-o", str(out), course=small.root)
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert '1006,"Müller, Jürgen",NB,0.0,PNR 4711\r\n'.encode() in raw
    assert raw.decode("utf-8").split("\r\n")[0] == (
        "Matrikelnummer,Name,Ergebnis,Punkte,Prüfungsnummer"
    )
    # stdout carries the same bytes
    r = run_cli("admission", "export", "--format", "campus", course=small.root)
    assert r.stdout_bytes == raw


def test_preview_prints_first_rows_and_writes_nothing(small, run_cli):
    _declare(small, "cp1252")
    before = sorted(p.name for p in small.root.rglob("*"))
    r = run_cli(
        "admission", "export", "--format", "campus", "--preview", "--rows", "2", course=small.root
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "Matrikelnummer,Name,Ergebnis,Punkte,Prüfungsnummer"
    assert len(r.stdout.splitlines()) == 3
    assert "delimiter ',', decimal mark '.', encoding cp1252, 'BE'/'NB'" in r.stderr
    assert "… 4 more rows" in r.stderr
    assert sorted(p.name for p in small.root.rglob("*")) == before


def test_default_layout_is_the_sheetgrade_preset(small, run_cli):
    r = run_cli("admission", "export", "--format", "campus", "--preview", course=small.root)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "Matrikelnummer;Nachname;Vorname;Punkte;Prozent;Status"
    assert "preset sheetgrade" in r.stderr and "encoding utf-8-sig" in r.stderr


def test_a_name_cp1252_cannot_hold_is_named(small, run_cli, tmp_path):
    _declare(small, "cp1252")
    with store.transaction(small.course.engine) as conn:
        conn.execute(
            store.students.update().where(store.students.c.id == "s6").values(last_name="Wałęsa")
        )
    out = tmp_path / "campus.csv"
    r = run_cli("admission", "export", "--format", "campus", "-o", str(out), course=small.root)
    assert r.exit_code == 1
    assert "the encoding cp1252 cannot write 1 cell(s); nothing was written" in r.stderr
    assert "student s6: Name 'Wałęsa, Jürgen' has 'łę'" in r.stderr
    assert not out.exists()


def test_template_errors_point_at_file_and_line(small, run_cli):
    with (small.root / "course.yml").open("a", encoding="utf-8") as fh:
        start = len((small.root / "course.yml").read_text().splitlines())
        fh.write(
            "\nexports:\n  campus:\n    encoding: klingon\n    columns:\n"
            "      - {header: Matrikel, value: matrikl}\n"
            "      - {header: Punkte, value: points, digits: -1}\n"
        )
    r = run_cli("admission", "export", "--format", "campus", course=small.root)
    assert r.exit_code == 1
    assert (
        f'course.yml:{start + 6}: exports.campus.columns[0].value: "matrikl" is not one of'
        in r.stderr
    )
    assert "did you mean 'matrikel'?" in r.stderr
    assert (
        f"course.yml:{start + 5}: exports.campus.columns[1].digits: -1 is not between" in r.stderr
    )
    assert f'course.yml:{start + 4}: exports.campus.encoding: "klingon" is not a known' in r.stderr

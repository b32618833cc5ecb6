"""`sheetgrade demo` end to end: the gradebook it produces matches what the
synthetic data means, computed independently from the generator's intents."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetgrade.course.course import Course
from sheetgrade.examples.synth import ATTACKS, earned_auto, expected_points, plan, sheet_key
from sheetgrade.gradebook.book import build_gradebook
from sheetgrade.gradebook.late import penalty_fraction
from sheetgrade.roster.api import load_roster


@pytest.fixture(scope="module")
def demo_course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    root = tmp_path_factory.mktemp("demo") / "course"
    result = CliRunner().invoke(cli, ["demo", str(root), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root, result.stdout


@pytest.fixture(scope="module")
def intents(demo_course):
    course = Course.open(demo_course[0])
    keys = [sheet_key(course, s) for s in course.sheet_ids]
    return course, keys, plan(load_roster(course.engine), keys)


def test_demo_prints_admission_counts_and_outputs(demo_course):
    root, stdout = demo_course
    assert "admitted" in stdout
    for label in ("campus export", "report", "feedback"):
        assert label in stdout
    assert (root / "reports" / "index.html").is_file()
    # correct notebooks are byte-identical: graded once, the result shared
    assert "identical to one graded now (same result)" in stdout
    assert (root / "exports" / "admission-campus.csv").is_file()


def test_mix_of_submissions(intents):
    _, _, planned = intents
    kinds = {i.kind for i in planned}
    assert kinds == {"correct", "partial", "blank", "broken", "attack", "missing"}
    assert any(i.late for i in planned)
    assert sorted(i.attack for i in planned if i.attack) == sorted(ATTACKS)


def test_every_submission_scores_what_it_earned(intents):
    course, keys, planned = intents
    book = build_gradebook(course)
    by_sheet = {k.sheet_id: k for k in keys}
    wrong = []
    for intent in planned:
        if intent.kind == "missing":
            continue
        for member in intent.members:
            got = float(book.per_sheet.loc[(member, intent.sheet_id), "auto"])
            want = earned_auto(by_sheet[intent.sheet_id], intent)
            if abs(got - want) > 1e-9:
                wrong.append(
                    (intent.sheet_id, intent.owner, member, intent.kind, intent.attack, want, got)
                )
    assert wrong == []


def test_attacks_earn_nothing(intents):
    course, _, planned = intents
    book = build_gradebook(course)
    attacks = [i for i in planned if i.kind == "attack"]
    assert attacks
    for intent in attacks:
        for member in intent.members:
            assert float(book.per_sheet.loc[(member, intent.sheet_id), "auto"]) == 0.0


def test_admission_counts_match_the_intents(intents, demo_course):
    course, keys, planned = intents
    policy = course.config.late
    totals = expected_points(keys, planned, lambda seconds: penalty_fraction(seconds, policy))
    maximum = sum(course.sheet(s).max_points for s in course.sheet_ids)
    expected_admitted = sum(
        1
        for sid in load_roster(course.engine).students
        if totals.get(sid, 0.0) >= course.config.admission.share * maximum - 1e-9
    )
    book = build_gradebook(course)
    assert int((book.overall.status == "admitted").sum()) == expected_admitted
    for sid, points in book.overall.points.items():
        assert points == pytest.approx(totals.get(sid, 0.0), abs=1e-3), sid
    assert f"{expected_admitted} admitted" in demo_course[1]


def test_rerun_redoes_nothing(demo_course):
    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    root, _ = demo_course
    before = (root / "gradebook.db").stat().st_size
    result = CliRunner().invoke(cli, ["demo", str(root), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "reusing" in result.stdout
    sheets = len(Course.open(root).sheet_ids)
    assert sheets >= 12
    assert result.stdout.count(": 0 graded;") == sheets
    assert result.stdout.count("changed 0 marks (0 new)") == sheets
    assert result.stdout.count(" unchanged\n") == sheets
    assert (root / "gradebook.db").stat().st_size >= before


def test_second_run_rebuilds_and_rereleases_nothing(demo_course):
    import sqlite3

    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    root, _ = demo_course

    def sheet_rows() -> list[tuple[str, str, str, str]]:
        with sqlite3.connect(root / "gradebook.db") as conn:
            return conn.execute(
                "SELECT id, built_at, released_at, release_hash FROM sheets ORDER BY id"
            ).fetchall()

    before = sheet_rows()
    result = CliRunner().invoke(cli, ["demo", str(root), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("the build is current; not rebuilt") == len(before)
    assert result.stdout.count("unchanged since its release at") == len(before)
    assert sheet_rows() == before


def test_report_shows_every_sheet_across_the_term(intents, demo_course):
    from sheetgrade.gradebook.admission import fmt_points

    course, keys, planned = intents
    page = (demo_course[0] / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Sheets across the term" in page
    by_sheet = {k.sheet_id: k for k in keys}
    for sheet_id in course.sheet_ids:
        handed = [
            earned_auto(by_sheet[sheet_id], i)
            for i in planned
            if i.sheet_id == sheet_id and i.kind != "missing"
            for _ in i.members
        ]
        notebook_mean = fmt_points(sum(handed) / len(handed))
        row = page.split(f"<tr><td>{sheet_id}</td>", 1)[1].split("</tr>", 1)[0]
        assert f'<td class="num">{len(handed)}</td>' in row, row
        assert f'<td class="num">{notebook_mean}</td>' in row, (sheet_id, notebook_mean, row)

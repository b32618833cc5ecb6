"""Admission hand-checked on a small roster that covers every rule and edge.

Sheets (conftest): 01-pca 10 points (auto 1a 2 + 1b 4, manual 2: 4), 02-kde 10
(auto 1a 6, manual 2: 4), both block A; 03-regression 10 (auto 1a 6, manual
2: 2 and 3: 2), block B. All sheets: 30 points; 50 % is 15.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sheetgrade.course import store
from sheetgrade.gradebook.book import build_gradebook

from .conftest import PAST, Builder

RULES = """\
  share: 0.5
  blocks: [{block: A, share: 0.5}]
  min_attempted: 2
  attempted_share: 0.3
  min_presentations: 1
  carried_over: ["1005"]
  excused: [{student: "1004", sheet: 03-regression, reason: doctor's note}]"""

MID_TERM = datetime(2026, 11, 8, tzinfo=UTC)  # 01 and 02 are due, 03 is still to come


def _roster(b: Builder) -> Builder:
    b.group("A", "Gruppe A", "anna@uni.example", "Anna Tutor")
    for i, (first, last) in enumerate(
        [
            ("Ada", "Exact"),
            ("Bo", "Team"),
            ("Cy", "Override"),
            ("Di", "Excused"),
            ("Ed", "Carried"),
            ("Fa", "Block"),
            ("Gu", "Noshow"),
            ("Ha", "Zero"),
        ],
        start=1,
    ):
        b.student(f"s{i}", first, last, f"100{i}", "A")
    b.team("t1", ["s2", "s3"])
    full01 = [("1a", "1a", 2, 2, False), ("1b", "1b", 4, 4, True)]
    # s1: exactly 50 %: 01 full (6 auto + 4 manual) + 02 auto 5 of 6 = 15 of 30
    b.submit("01-pca", "s1", full01)
    b.mark("01-pca", "2", "s1", 4)
    b.submit("02-kde", "s1", [("1a", "1a", 5, 6, False)])
    # team t1 (s2, s3): 01 auto 6; team mark 1 for task 2; s3 has an override of 4
    b.submit("01-pca", "t1", full01, kind="team")
    b.mark("01-pca", "2", "t1", 1, kind="team")
    b.mark("01-pca", "2", "s3", 4)
    # s4: 01 full = 10 points, sheet 03 excused (course.yml, by matriculation number)
    b.submit("01-pca", "s4", full01)
    b.mark("01-pca", "2", "s4", 4)
    # s5: nothing, but admission carried over
    # s6: 02 auto 6, 03 full 10 = 16 (53.3 %), but block A only 6 of 20
    b.submit("02-kde", "s6", [("1a", "1a", 6, 6, False)])
    b.submit("03-regression", "s6", [("1a", "1a", 6, 6, False)])
    b.mark("03-regression", "2", "s6", 2)
    b.mark("03-regression", "3", "s6", 2)
    # s7: everything, but no presentation
    b.submit("01-pca", "s7", full01)
    b.submit("02-kde", "s7", [("1a", "1a", 6, 6, False)])
    b.submit("03-regression", "s7", [("1a", "1a", 6, 6, False)])
    for sheet, task, pts in [
        ("01-pca", "2", 4),
        ("02-kde", "2", 4),
        ("03-regression", "2", 2),
        ("03-regression", "3", 2),
    ]:
        b.mark(sheet, task, "s7", pts)
    b.insert(
        store.presentations,
        [
            {
                "student_id": s,
                "sheet_id": "01-pca",
                "task_id": None,
                "tutor": "anna",
                "at": "x",
                "note": "",
            }
            for s in ("s1", "s2", "s3", "s4", "s6")
        ],
    )
    return b


@pytest.fixture
def ruled(builder: Builder) -> Builder:
    return _roster(builder.write(admission=RULES))


def test_every_rule_after_the_last_deadline(ruled):
    book = build_gradebook(ruled.course, now=PAST)
    o = book.overall
    assert o["points"].to_dict() == {
        "s1": 15,
        "s2": 7,
        "s3": 10,
        "s4": 10,
        "s5": 0,
        "s6": 16,
        "s7": 30,
        "s8": 0,
    }
    assert o.at["s4", "max"] == 20  # the excused sheet left the denominator
    assert o["explanation"].to_dict() == {
        "s1": "admitted: 50 % ≥ 50 %, 2 sheets attempted ≥ 2, 1 presentations ≥ 1",
        "s2": "cannot reach admission: 23.3 % < 50 %; block A: 35 % < 50 % and at most 0 points to come; "
        "1 of 2 sheets attempted and too few sheets to come",
        # s3's own mark (4) overrides the team's (1): block A 10 of 20 is exactly 50 %
        "s3": "cannot reach admission: 33.3 % < 50 %; 1 of 2 sheets attempted and too few sheets to come",
        "s4": "admitted: 50 % ≥ 50 %, 2 sheets attempted ≥ 2, 1 presentations ≥ 1",
        "s5": "admitted: carried over from an earlier term",
        "s6": "cannot reach admission: block A: 30 % < 50 % and at most 0 points to come",
        "s7": "cannot reach admission: needs 1 more presentation at the board",
        "s8": "cannot reach admission: 0 % < 50 %; block A: 0 % < 50 % and at most 0 points to come; "
        "0 of 2 sheets attempted and too few sheets to come; needs 1 more presentation at the board",
    }
    assert o["status"].to_dict() == {
        "s1": "admitted",
        "s2": "cannot_reach",
        "s3": "cannot_reach",
        "s4": "admitted",
        "s5": "admitted",
        "s6": "cannot_reach",
        "s7": "cannot_reach",
        "s8": "cannot_reach",
    }


def test_team_marks_reach_members_unless_overridden(ruled):
    book = build_gradebook(ruled.course, now=PAST)
    manual = book.per_sheet.xs("01-pca", level="sheet_id")["manual"]
    assert manual["s2"] == 1 and manual["s3"] == 4
    auto = book.per_sheet.xs("01-pca", level="sheet_id")["auto"]
    assert auto["s2"] == auto["s3"] == 6  # the team submission credits both


def test_excused_table_counts_like_course_yml(ruled):
    ruled.insert(store.excused, [{"student_id": "s6", "sheet_id": "02-kde", "reason": "ill"}])
    book = build_gradebook(ruled.course, now=PAST)
    assert book.overall.at["s6", "max"] == 20
    assert book.per_sheet.at[("s6", "02-kde"), "status"] == "excused"
    # the excused sheet leaves the denominators (all: 20, block A: 10); points earned on it still count
    assert (
        book.overall.at["s6", "explanation"]
        == "admitted: 80 % ≥ 50 %, 2 sheets attempted ≥ 2, 1 presentations ≥ 1"
    )


def test_not_yet_while_sheets_remain(builder):
    b = _roster(builder.write(admission="  share: 0.5\n  min_presentations: 1"))
    o = build_gradebook(b.course, now=MID_TERM).overall
    assert (
        o.at["s2", "explanation"]
        == "not yet: needs 8 more points from sheet 03 (10 still available)"
    )
    assert o.at["s2", "status"] == "not_yet"
    assert o.at["s7", "explanation"] == "not yet: needs 1 more presentation at the board"
    assert o.at["s6", "explanation"] == "admitted: 53.3 % ≥ 50 %, 1 presentations ≥ 1"
    # s6 handed in sheet 03 early and has all its points: nothing more to gain there
    assert o.at["s6", "available"] == 0
    assert o.at["s8", "explanation"] == (
        "cannot reach admission: 0 % now, at most 33.3 % reachable < 50 %; needs 1 more presentation at the board"
    )


def test_sheet_ranges_in_explanations():
    from sheetgrade.gradebook.admission import fmt_points, sheet_range

    assert sheet_range(["09", "10", "11", "12"]) == "sheets 09–12"
    assert sheet_range(["09", "11"]) == "sheets 09, 11"
    assert sheet_range(["12"]) == "sheet 12"
    assert fmt_points(14.5) == "14.5" and fmt_points(48.0) == "48"


def test_late_policy(builder):
    from datetime import timedelta

    from sheetgrade.course.config import LatePolicy
    from sheetgrade.gradebook.late import penalty_fraction

    per_day = LatePolicy(kind="per_day", per_day=0.25, grace=timedelta(minutes=15), max_days=3)
    assert penalty_fraction(0, per_day) == 0
    assert penalty_fraction(10 * 60, per_day) == 0  # within grace
    assert penalty_fraction(20 * 60, per_day) == 0.25  # first started day after grace
    assert penalty_fraction(86400 + 15 * 60 + 1, per_day) == 0.5
    assert penalty_fraction(3 * 86400 + 3600, per_day) == 1.0  # past max_days
    assert penalty_fraction(3600, LatePolicy(kind="zero")) == 1.0
    assert penalty_fraction(3600, LatePolicy(kind="none")) == 0.0
    b = builder.write(late="  kind: per_day\n  per_day: 0.25\n  grace: 15m")
    b.group("A", "A", "a@x", "A")
    b.student("s1", "A", "B", "1", "A")
    b.submit(
        "01-pca", "s1", [("1a", "1a", 2, 2, False), ("1b", "1b", 4, 4, True)], late_seconds=2 * 3600
    )
    b.mark("01-pca", "2", "s1", 2)
    row = build_gradebook(b.course, now=PAST).per_sheet.loc[("s1", "01-pca")]
    assert (row["raw"], row["penalty"], row["total"], row["status"]) == (8.0, 2.0, 6.0, "late")

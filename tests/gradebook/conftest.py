"""Fixtures of the gradebook tests: a small course built straight into the store.

``builder`` writes course.yml and sheet.yml files and inserts roster rows,
submissions and grading results directly (the way ``collect`` and ``grade``
would), so these tests do not depend on the other parts of the pipeline.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sheetgrade.course import store
from sheetgrade.course.course import Course
from sheetgrade.course.sync import sync_sheets

SHEET_YML = {
    "01-pca": """\
title: PCA
notebook: pca.ipynb
tasks:
  - {id: 1a, title: Centre, points: 2, kind: auto}
  - {id: 1b, title: SVD, points: 4, kind: auto}
  - {id: "2", title: Proof, points: 4, kind: manual}
""",
    "02-kde": """\
title: KDE
notebook: kde.ipynb
tasks:
  - {id: 1a, title: Kernel, points: 6, kind: auto}
  - {id: "2", title: Bias, points: 4, kind: manual}
""",
    "03-regression": """\
title: Regression
notebook: regression.ipynb
tasks:
  - {id: 1a, title: OLS, points: 6, kind: auto}
  - {id: "2", title: MAP, points: 2, kind: manual}
  - {id: "3", title: Lasso, points: 2, kind: manual}
""",
}

COURSE_YML = """\
course: Test course
term: WS 2026/27
sheets:
  - {{id: 01-pca, due: "2026-10-28T10:00+01:00", block: A}}
  - {{id: 02-kde, due: "2026-11-04T10:00+01:00", block: A}}
  - {{id: 03-regression, due: "2026-11-11T10:00+01:00", block: B}}
admission:
{admission}
late:
{late}
"""

PAST = datetime(2027, 3, 1, tzinfo=UTC)  # after every deadline


class Builder:
    """Build a course directory and fill its store."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._sha = itertools.count(1)
        self._course: Course | None = None

    def write(
        self,
        *,
        admission: str = "  share: 0.5",
        late: str = "  kind: none",
        course_yml: str | None = None,
        sheets: dict[str, str] | None = None,
    ) -> Builder:
        self.root.mkdir(parents=True, exist_ok=True)
        text = course_yml or COURSE_YML.format(admission=admission, late=late)
        (self.root / "course.yml").write_text(text, encoding="utf-8")
        for sheet_id, yml in (sheets or SHEET_YML).items():
            (self.root / "sheets" / sheet_id).mkdir(parents=True, exist_ok=True)
            (self.root / "sheets" / sheet_id / "sheet.yml").write_text(yml, encoding="utf-8")
        self._course = None
        sync_sheets(self.course)
        with store.transaction(self.course.engine) as conn:
            for sheet in self.course.sheets():
                conn.execute(
                    store.sheets.update()
                    .where(store.sheets.c.id == sheet.id)
                    .values(build_hash=f"build-{sheet.id}")
                )
        return self

    @property
    def course(self) -> Course:
        if self._course is None:
            self._course = Course.open(self.root)
        return self._course

    def insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        with store.transaction(self.course.engine) as conn:
            conn.execute(table.insert(), rows)

    def group(self, gid: str, name: str, tutor: str, tutor_name: str) -> Builder:
        self.insert(store.tutors, [{"email": tutor, "name": tutor_name}])
        self.insert(store.groups, [{"id": gid, "name": name, "tutor_email": tutor}])
        return self

    def student(self, sid: str, first: str, last: str, matrikel: str, group: str) -> Builder:
        self.insert(
            store.students,
            [
                {
                    "id": sid,
                    "first_name": first,
                    "last_name": last,
                    "matrikel": matrikel,
                    "email": f"{sid}@uni.example",
                    "group_id": group,
                }
            ],
        )
        return self

    def team(self, tid: str, members: list[str], sheet: str | None = None) -> Builder:
        self.insert(store.teams, [{"id": tid, "sheet_id": sheet, "name": tid}])
        self.insert(store.team_members, [{"team_id": tid, "student_id": m} for m in members])
        return self

    def submit(
        self,
        sheet: str,
        owner: str,
        tests: list[tuple[str, str, float, float, bool]],
        *,
        kind: str = "student",
        late_seconds: float = 0.0,
        version: int = 1,
        messages: dict[str, str] | None = None,
    ) -> str:
        """One graded submission; ``tests`` = (test_id, task, points, max, hidden)."""
        sha = f"sha{next(self._sha):04d}"
        now = "2026-11-01T10:00:00+00:00"
        self.insert(
            store.submissions,
            [
                {
                    "sheet_id": sheet,
                    "owner": owner,
                    "owner_kind": kind,
                    "submitted_by": None,
                    "version": version,
                    "sha256": sha,
                    "path": f"submissions/{sheet}/{owner}/v{version}",
                    "notebook": None,
                    "received_at": f"2026-11-01T10:00:{version:02d}+00:00",
                    "late_seconds": late_seconds,
                    "source": "test",
                    "flags": "[]",
                    "created_at": now,
                }
            ],
        )
        build = f"build-{sheet}"
        self.insert(
            store.results,
            [
                {
                    "build_hash": build,
                    "submission_sha": sha,
                    "sheet_id": sheet,
                    "status": "graded",
                    "points": sum(t[2] for t in tests),
                    "max_points": sum(t[3] for t in tests),
                    "message": "",
                    "layers": "{}",
                    "stdout": "",
                    "flags": "[]",
                    "duration": 0.1,
                    "graded_at": now,
                }
            ],
        )
        if tests:
            self.insert(
                store.test_results,
                [
                    {
                        "build_hash": build,
                        "submission_sha": sha,
                        "test_id": tid,
                        "task_id": task,
                        "points": pts,
                        "max_points": mx,
                        "passed": pts >= mx,
                        "message": (messages or {}).get(tid, ""),
                        "kind": "native",
                        "level": "tamper-proof",
                        "hidden": hidden,
                        "duration": 0.01,
                    }
                    for tid, task, pts, mx, hidden in tests
                ],
            )
        return sha

    def mark(
        self,
        sheet: str,
        task: str,
        subject: str,
        points: float | None,
        kind: str = "student",
        comment: str = "",
    ) -> None:
        self.insert(
            store.marks,
            [
                {
                    "sheet_id": sheet,
                    "task_id": task,
                    "subject_kind": kind,
                    "subject_id": subject,
                    "points": points,
                    "comment": comment,
                    "tutor": "t",
                    "updated_at": "x",
                }
            ],
        )

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table (for before/after comparisons), on either database."""
        from sheetgrade.course.dbcopy import dump_tables

        return dump_tables(self.course.engine)


@pytest.fixture
def builder(tmp_path: Path) -> Builder:
    return Builder(tmp_path / "course")


@pytest.fixture
def small(builder: Builder) -> Builder:
    """Two groups, six students, a term team of three (t1: s1, s2, s3); sheet 01 graded,
    s5's submission an hour late (25 % off per started day)."""
    b = builder.write(late="  kind: per_day\n  per_day: 0.25")
    b.group("A", "Gruppe A", "anna@uni.example", "Anna Tutor")
    b.group("B", "Gruppe B", "ben@uni.example", "Ben Tutor")
    for sid, first, last, mat, grp in [
        ("s1", "Ada", "Lovelace", "1001", "A"),
        ("s2", "Emmy", "Noether", "1002", "A"),
        ("s3", "Max", "Planck", "1003", "A"),
        ("s4", "Lise", "Meitner", "1004", "A"),
        ("s5", "Paul", "Dirac", "1005", "B"),
        ("s6", "Jürgen", "Müller", "1006", "B"),
    ]:
        b.student(sid, first, last, mat, grp)
    b.team("t1", ["s1", "s2", "s3"])
    b.submit(
        "01-pca", "t1", [("1a-pub", "1a", 2, 2, False), ("1b-hid", "1b", 2, 4, True)], kind="team"
    )
    b.submit("01-pca", "s4", [("1a-pub", "1a", 1, 2, False), ("1b-hid", "1b", 4, 4, True)])
    b.submit(
        "01-pca",
        "s5",
        [("1a-pub", "1a", 2, 2, False), ("1b-hid", "1b", 4, 4, True)],
        late_seconds=3600,
    )
    return b

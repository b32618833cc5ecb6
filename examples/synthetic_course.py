"""A synthetic course of any size: for the gradebook benchmark, the report test and demos.

It writes course.yml and sheet.yml files and fills the store the way the roster
import, ``collect`` and ``grade`` would (students, groups, teams, submissions,
results, test results, marks), reproducibly from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course import store

if TYPE_CHECKING:
    from numpy.random import Generator
    from sqlalchemy.engine import Engine

FIRST = [
    "Ada",
    "Emmy",
    "Max",
    "Lise",
    "Paul",
    "Marie",
    "Werner",
    "Hedwig",
    "Erwin",
    "Käthe",
    "Niels",
    "Clara",
]
LAST = [
    "Lovelace",
    "Noether",
    "Planck",
    "Meitner",
    "Dirac",
    "Curie",
    "Heisenberg",
    "Kohn",
    "Schrödinger",
    "Bohr",
    "Immerwahr",
    "Born",
    "Franck",
    "Laue",
    "Hahn",
    "Weyl",
]


@dataclass
class _Term:
    """The shape of the synthetic term: its sheets, their tasks and dates."""

    ids: list[str]  # sheet ids
    past: int  # how many sheets are already due
    first_due: datetime
    now: datetime
    tasks: int
    auto_n: int  # the first auto_n tasks of each sheet are autograded

    @property
    def points(self) -> list[int]:
        return [2 + t % 3 for t in range(self.tasks)]


@dataclass
class _People:
    """Rows for the roster tables, and which team each member is in."""

    groups: list[dict[str, object]]
    tutors: list[dict[str, object]]
    students: list[dict[str, object]]
    teams: list[dict[str, object]] = field(default_factory=list)
    members: list[dict[str, object]] = field(default_factory=list)
    team_of: dict[str, str] = field(default_factory=dict)


@dataclass
class _Work:
    """Rows for the submission, result, test result and mark tables."""

    submissions: list[dict[str, object]] = field(default_factory=list)
    results: list[dict[str, object]] = field(default_factory=list)
    tests: list[dict[str, object]] = field(default_factory=list)
    marks: list[dict[str, object]] = field(default_factory=list)


def make_synthetic_course(
    root: Path,
    *,
    students: int = 120,
    sheets: int = 12,
    tasks: int = 8,
    manual_tasks: int = 2,
    groups: int | None = None,
    due_weeks_before_now: int | None = None,
    seed: int = 7,
    share: float = 0.5,
) -> Path:
    """Create a course directory at ``root`` with a filled store; return ``root``.

    Args:
        students: number of students (about half of them in teams of two or three).
        sheets: number of weekly sheets; ``due_weeks_before_now`` of them are already
            due (default: all but the last quarter).
        tasks: tasks per sheet, ``manual_tasks`` of them pen-and-paper.
        groups: tutorial groups (default: one per 20 students).
    """
    import numpy as np

    from sheetgrade.course.course import Course
    from sheetgrade.course.sync import sync_sheets

    rng = np.random.default_rng(seed)
    groups = groups or max(1, students // 20)
    past = sheets - max(1, sheets // 4) if due_weeks_before_now is None else due_weeks_before_now
    now = datetime.now(UTC).replace(microsecond=0)
    first_due = now - timedelta(weeks=past) + timedelta(hours=1)
    ids = [f"{i + 1:02d}-sheet" for i in range(sheets)]
    term = _Term(ids, past, first_due, now, tasks, tasks - manual_tasks)
    _write_files(root, term, share)
    course = Course.open(root)
    sync_sheets(course)
    people = _people(students, groups)
    owners = sorted({people.team_of.get(str(s["id"]), str(s["id"])) for s in people.students})
    ability = {o: rng.beta(5, 3) for o in owners}
    work = _Work()
    for k, sid in enumerate(ids[: max(past, 0)]):
        for owner in owners:
            if rng.random() > 0.9:
                continue  # missing
            _submission(work, term, k, sid, owner, float(ability[owner]), rng)
    _fill_store(course.engine, term, people, work)
    course.engine.dispose()
    return root


def _write_files(root: Path, term: _Term, share: float) -> None:
    """course.yml and one sheet.yml per sheet."""
    root.mkdir(parents=True, exist_ok=True)
    sheets = len(term.ids)
    lines = ["course: Synthetic course", "term: WS 2026/27", "sheets:"]
    for i, sid in enumerate(term.ids):
        due = (term.first_due + timedelta(weeks=i)).isoformat()
        lines.append(f'  - {{id: {sid}, due: "{due}", block: {"A" if i < sheets / 2 else "B"}}}')
    lines += [
        "admission:",
        f"  share: {share}",
        "late:",
        "  kind: per_day",
        "  per_day: 0.25",
        "  max_days: 3",
        "teams:",
        "  max_size: 3",
    ]
    (root / "course.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for sid in term.ids:
        folder = root / "sheets" / sid
        folder.mkdir(parents=True, exist_ok=True)
        body = [f"title: Sheet {sid[:2]}", "notebook: sheet.ipynb", "tasks:"]
        for t in range(term.tasks):
            kind = "auto" if t < term.auto_n else "manual"
            body.append(
                f'  - {{id: "{t + 1}", title: Task {t + 1}, points: {2 + t % 3}, kind: {kind}}}'
            )
        (folder / "sheet.yml").write_text("\n".join(body) + "\n", encoding="utf-8")


def _people(students: int, groups: int) -> _People:
    """Groups with a tutor each, the students, and teams of two or three among the
    first half of them."""
    people = _People(
        groups=[
            {
                "id": f"G{g + 1}",
                "name": f"Gruppe {g + 1}",
                "tutor_email": f"tutor{g + 1}@uni.example",
            }
            for g in range(groups)
        ],
        tutors=[
            {"email": f"tutor{g + 1}@uni.example", "name": f"Tutor {LAST[g % len(LAST)]}"}
            for g in range(groups)
        ],
        students=[
            {
                "id": f"s{i + 1:04d}",
                "first_name": FIRST[i % len(FIRST)],
                "last_name": f"{LAST[(i * 7) % len(LAST)]}{'' if i < len(LAST) else i}",
                "email": f"s{i + 1:04d}@uni.example",
                "matrikel": str(3_000_000 + i),
                "group_id": f"G{i * groups // students + 1}",
            }
            for i in range(students)
        ],
    )
    i = 0
    while i < students // 2:
        size = 2 + (i // 2) % 2
        members = [str(people.students[j]["id"]) for j in range(i, min(i + size, students // 2))]
        if len(members) >= 2:
            tid = f"team{len(people.teams) + 1:03d}"
            people.teams.append({"id": tid, "sheet_id": None, "name": tid})
            people.members += [{"team_id": tid, "student_id": m} for m in members]
            for m in members:
                people.team_of[m] = tid
        i += size
    return people


def _submission(
    work: _Work, term: _Term, k: int, sid: str, owner: str, ability: float, rng: Generator
) -> None:
    """One owner's submission of sheet ``sid`` (the ``k``-th): its result, test
    results and marks, drawn from ``rng`` in a fixed order."""
    import numpy as np

    points, now = term.points, term.now
    owner_kind = "team" if owner.startswith("team") else "student"
    sha = f"{sid}-{owner}"
    late = float(rng.choice([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3600.0, 90000.0]))
    work.submissions.append(
        {
            "sheet_id": sid,
            "owner": owner,
            "owner_kind": owner_kind,
            "submitted_by": None,
            "version": 1,
            "sha256": sha,
            "path": f"submissions/{sid}/{owner}/v1",
            "notebook": "sheet.ipynb",
            "received_at": (term.first_due + timedelta(weeks=k)).isoformat(),
            "late_seconds": late,
            "source": "synthetic",
            "flags": "[]",
            "created_at": now.isoformat(),
        }
    )
    total = _tests(work, term, sid, sha, ability, rng)
    work.results.append(
        {
            "build_hash": f"build-{sid}",
            "submission_sha": sha,
            "sheet_id": sid,
            "status": "graded",
            "points": total,
            "max_points": sum(points[: term.auto_n]),
            "message": "",
            "layers": "{}",
            "stdout": "",
            "flags": "[]",
            "duration": 0.2,
            "graded_at": now.isoformat(),
        }
    )
    for t in range(term.auto_n, term.tasks):
        mark = round(float(np.clip(rng.normal(ability, 0.2), 0, 1)) * points[t] * 2) / 2
        work.marks.append(
            {
                "sheet_id": sid,
                "task_id": str(t + 1),
                "subject_kind": owner_kind,
                "subject_id": owner,
                "points": mark,
                "comment": "",
                "tutor": "synthetic",
                "updated_at": now.isoformat(),
            }
        )


def _tests(work: _Work, term: _Term, sid: str, sha: str, ability: float, rng: Generator) -> float:
    """A public and a hidden test per autograded task, each passed with probability
    ``ability``; return the points they give."""
    total = 0.0
    for t in range(term.auto_n):
        for half, hidden in ((0, False), (1, True)):
            mx = term.points[t] / 2
            got = mx if rng.random() < ability else 0.0
            total += got
            work.tests.append(
                {
                    "build_hash": f"build-{sid}",
                    "submission_sha": sha,
                    "test_id": f"{t + 1}-{half}",
                    "task_id": str(t + 1),
                    "points": got,
                    "max_points": mx,
                    "passed": got >= mx,
                    "message": "" if hidden else ("ok" if got >= mx else "values differ"),
                    "kind": "native",
                    "level": "tamper-proof",
                    "hidden": hidden,
                    "duration": 0.01,
                }
            )
    return total


def _fill_store(engine: Engine, term: _Term, people: _People, work: _Work) -> None:
    """Everything in one transaction, as the roster import, collect and grade would
    have written it; every third student has presented once."""
    with store.transaction(engine) as conn:
        conn.execute(store.tutors.insert(), people.tutors)
        conn.execute(store.groups.insert(), people.groups)
        conn.execute(store.students.insert(), people.students)
        if people.teams:
            conn.execute(store.teams.insert(), people.teams)
            conn.execute(store.team_members.insert(), people.members)
        conn.execute(store.sheets.update().values(build_hash=store.sheets.c.id))
        for sid in term.ids:
            conn.execute(
                store.sheets.update()
                .where(store.sheets.c.id == sid)
                .values(build_hash=f"build-{sid}")
            )
        for table, rows in (
            (store.submissions, work.submissions),
            (store.results, work.results),
            (store.test_results, work.tests),
            (store.marks, work.marks),
        ):
            if rows:
                conn.execute(table.insert(), rows)
        shows = [
            {
                "student_id": s["id"],
                "sheet_id": term.ids[0],
                "task_id": None,
                "tutor": "synthetic",
                "at": term.now.isoformat(),
                "note": "",
            }
            for s in people.students[::3]
        ]
        if shows:
            conn.execute(store.presentations.insert(), shows)

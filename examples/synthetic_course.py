"""A synthetic course of any size: for the gradebook benchmark, the report test and demos.

It writes course.yml and sheet.yml files and fills the store the way the roster
import, ``collect`` and ``grade`` would (students, groups, teams, submissions,
results, test results, marks), reproducibly from a seed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sheetgrade.course import store

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
    root.mkdir(parents=True, exist_ok=True)
    ids = [f"{i + 1:02d}-sheet" for i in range(sheets)]
    lines = ["course: Synthetic course", "term: WS 2026/27", "sheets:"]
    for i, sid in enumerate(ids):
        due = (first_due + timedelta(weeks=i)).isoformat()
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
    auto_n = tasks - manual_tasks
    for sid in ids:
        folder = root / "sheets" / sid
        folder.mkdir(parents=True, exist_ok=True)
        body = [f"title: Sheet {sid[:2]}", "notebook: sheet.ipynb", "tasks:"]
        for t in range(tasks):
            kind = "auto" if t < auto_n else "manual"
            body.append(
                f'  - {{id: "{t + 1}", title: Task {t + 1}, points: {2 + t % 3}, kind: {kind}}}'
            )
        (folder / "sheet.yml").write_text("\n".join(body) + "\n", encoding="utf-8")
    course = Course.open(root)
    sync_sheets(course)
    points = [2 + t % 3 for t in range(tasks)]

    group_rows = [
        {"id": f"G{g + 1}", "name": f"Gruppe {g + 1}", "tutor_email": f"tutor{g + 1}@uni.example"}
        for g in range(groups)
    ]
    tutor_rows = [
        {"email": f"tutor{g + 1}@uni.example", "name": f"Tutor {LAST[g % len(LAST)]}"}
        for g in range(groups)
    ]
    student_rows = []
    for i in range(students):
        student_rows.append(
            {
                "id": f"s{i + 1:04d}",
                "first_name": FIRST[i % len(FIRST)],
                "last_name": f"{LAST[(i * 7) % len(LAST)]}{'' if i < len(LAST) else i}",
                "email": f"s{i + 1:04d}@uni.example",
                "matrikel": str(3_000_000 + i),
                "group_id": f"G{i * groups // students + 1}",
            }
        )
    team_rows: list[dict[str, object]] = []
    member_rows: list[dict[str, object]] = []
    team_of: dict[str, str] = {}
    i = 0
    while i < students // 2:
        size = 2 + (i // 2) % 2
        members = [student_rows[j]["id"] for j in range(i, min(i + size, students // 2))]
        if len(members) >= 2:
            tid = f"team{len(team_rows) + 1:03d}"
            team_rows.append({"id": tid, "sheet_id": None, "name": tid})
            member_rows += [{"team_id": tid, "student_id": m} for m in members]
            for m in members:
                team_of[m] = tid
        i += size
    owners = sorted({team_of.get(s["id"], s["id"]) for s in student_rows})
    ability = {o: rng.beta(5, 3) for o in owners}

    sub_rows, result_rows, test_rows, mark_rows = [], [], [], []
    for k, sid in enumerate(ids):
        if k >= past:
            continue
        build = f"build-{sid}"
        for owner in owners:
            if rng.random() > 0.9:
                continue  # missing
            sha = f"{sid}-{owner}"
            late = float(rng.choice([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3600.0, 90000.0]))
            sub_rows.append(
                {
                    "sheet_id": sid,
                    "owner": owner,
                    "owner_kind": "team" if owner.startswith("team") else "student",
                    "submitted_by": None,
                    "version": 1,
                    "sha256": sha,
                    "path": f"submissions/{sid}/{owner}/v1",
                    "notebook": "sheet.ipynb",
                    "received_at": (first_due + timedelta(weeks=k)).isoformat(),
                    "late_seconds": late,
                    "source": "synthetic",
                    "flags": "[]",
                    "created_at": now.isoformat(),
                }
            )
            total = 0.0
            for t in range(auto_n):
                for half, hidden in ((0, False), (1, True)):
                    mx = points[t] / 2
                    got = mx if rng.random() < ability[owner] else 0.0
                    total += got
                    test_rows.append(
                        {
                            "build_hash": build,
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
            result_rows.append(
                {
                    "build_hash": build,
                    "submission_sha": sha,
                    "sheet_id": sid,
                    "status": "graded",
                    "points": total,
                    "max_points": sum(points[:auto_n]),
                    "message": "",
                    "layers": "{}",
                    "stdout": "",
                    "flags": "[]",
                    "duration": 0.2,
                    "graded_at": now.isoformat(),
                }
            )
            for t in range(auto_n, tasks):
                mark = (
                    round(float(np.clip(rng.normal(ability[owner], 0.2), 0, 1)) * points[t] * 2) / 2
                )
                mark_rows.append(
                    {
                        "sheet_id": sid,
                        "task_id": str(t + 1),
                        "subject_kind": "team" if owner.startswith("team") else "student",
                        "subject_id": owner,
                        "points": mark,
                        "comment": "",
                        "tutor": "synthetic",
                        "updated_at": now.isoformat(),
                    }
                )
    with store.transaction(course.engine) as conn:
        conn.execute(store.tutors.insert(), tutor_rows)
        conn.execute(store.groups.insert(), group_rows)
        conn.execute(store.students.insert(), student_rows)
        if team_rows:
            conn.execute(store.teams.insert(), team_rows)
            conn.execute(store.team_members.insert(), member_rows)
        conn.execute(store.sheets.update().values(build_hash=store.sheets.c.id))
        for sid in ids:
            conn.execute(
                store.sheets.update()
                .where(store.sheets.c.id == sid)
                .values(build_hash=f"build-{sid}")
            )
        for table, rows in (
            (store.submissions, sub_rows),
            (store.results, result_rows),
            (store.test_results, test_rows),
            (store.marks, mark_rows),
        ):
            if rows:
                conn.execute(table.insert(), rows)
        shows = [
            {
                "student_id": s["id"],
                "sheet_id": ids[0],
                "task_id": None,
                "tutor": "synthetic",
                "at": now.isoformat(),
                "note": "",
            }
            for s in student_rows[::3]
        ]
        if shows:
            conn.execute(store.presentations.insert(), shows)
    course.engine.dispose()
    return root

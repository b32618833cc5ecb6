"""The gradebook: every student's points per sheet and overall, as pandas frames,
built from the store's rows (:mod:`.stored`) in vectorised steps:

- autograded points: ``test_results`` of each sheet's *current* build for the
  submission version that counts (late policy ``counting``); a team submission
  credits every member;
- manual points: ``marks``; a student's own mark overrides the team's;
- late penalty: a share of the sheet's points, from ``late_seconds`` and the
  late policy;
- total and maximum per sheet (bonus and excused sheets add no maximum);
- overall points, percentage and admission (see :mod:`.admission`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sheetgrade.gradebook.errors import GradebookError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sheetgrade.course.course import Course

SHEET_COLUMNS = (
    "auto manual raw penalty total max possible submitted marked missing late_seconds excused "
    "remaining status sha256"
).split()


@dataclass
class Gradebook:
    """Everything the reports, exports and feedback need, as frames.

    Attributes:
        students: index ``student_id``; first_name, last_name, email, matrikel,
            group_id, group, tutor_email, tutor.
        sheets: index ``sheet_id`` in course order; title, due, block, bonus,
            possible (all task points), max (0 for bonus), remaining (not yet due), label.
        tasks: columns sheet_id, task_id, title, kind, points, position.
        task_points: one row per student × task: student_id, sheet_id, task_id,
            kind, points (NaN: manual task not marked), max.
        per_sheet: index (student_id, sheet_id); columns :data:`SHEET_COLUMNS`
            (``sha256``: the counting submission that credits the student, or None).
        overall: index ``student_id``; points, max, percent, presentations,
            attempted, status (admitted | not_yet | cannot_reach), explanation,
            needed, available.
        now: the moment "remaining sheets" was judged at.
    """

    students: pd.DataFrame
    sheets: pd.DataFrame
    tasks: pd.DataFrame
    task_points: pd.DataFrame
    per_sheet: pd.DataFrame
    overall: pd.DataFrame
    now: datetime
    share: float

    def wide(self, value: str = "total") -> pd.DataFrame:
        """``per_sheet[value]`` as a student × sheet table in course order."""
        table = self.per_sheet[value].unstack("sheet_id")
        return table.reindex(index=self.students.index, columns=self.sheets.index)

    def select(self, *, group: str | None = None) -> Gradebook:
        """The same gradebook restricted to one tutorial group (id or name)."""
        if group is None:
            return self
        groups = self.students[["group_id", "group"]].drop_duplicates()
        match = groups[
            (groups.group_id.astype(str).str.lower() == group.lower())
            | (groups.group.astype(str).str.lower() == group.lower())
        ]
        if match.empty:
            known = ", ".join(sorted(str(g) for g in groups.group_id.dropna().unique())) or "none"
            raise GradebookError(f"no tutorial group '{group}' (groups: {known})")
        ids = self.students.index[self.students.group_id == match.group_id.iloc[0]]
        return Gradebook(
            students=self.students.loc[ids],
            sheets=self.sheets,
            tasks=self.tasks,
            task_points=self.task_points[self.task_points.student_id.isin(ids)],
            per_sheet=self.per_sheet.loc[self.per_sheet.index.get_level_values(0).isin(ids)],
            overall=self.overall.loc[ids],
            now=self.now,
            share=self.share,
        )


def _sheet_frames(
    course: Course, now: datetime, stored: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sheets from course.yml; tasks from the store's mirror of sheet.yml (``sheet sync``),
    or from the sheet.yml files for sheets the store does not know yet."""
    import pandas as pd

    sheet_rows, task_rows = [], []
    known = dict(tuple(stored.groupby("sheet_id", sort=False))) if not stored.empty else {}
    for position, entry in enumerate(course.config.sheets):
        if entry.id in known:
            frame = known[entry.id].sort_values("position")
            tasks = [(r.task_id, r.title, r.kind, float(r.points)) for r in frame.itertuples()]
            title = str(frame["sheet_title"].iloc[0])
        else:
            sheet = course.sheet(entry.id)
            tasks = [(t.id, t.title, t.kind, float(t.points)) for t in sheet.config.tasks]
            title = sheet.title
        possible = float(sum(t[3] for t in tasks))
        due = entry.due if entry.due.tzinfo else entry.due.replace(tzinfo=UTC)
        sheet_rows.append(
            {
                "sheet_id": entry.id,
                "title": title,
                "due": due,
                "block": entry.block,
                "bonus": bool(entry.bonus),
                "possible": possible,
                "max": 0.0 if entry.bonus else possible,
                "remaining": due > now,
                "label": entry.id.split("-", 1)[0],
                "position": position,
            }
        )
        for i, (task_id, task_title, kind, points) in enumerate(tasks):
            task_rows.append(
                {
                    "sheet_id": entry.id,
                    "task_id": task_id,
                    "title": task_title,
                    "kind": kind,
                    "points": points,
                    "position": i,
                }
            )
    sheets = pd.DataFrame(
        sheet_rows,
        columns=[
            "sheet_id",
            "title",
            "due",
            "block",
            "bonus",
            "possible",
            "max",
            "remaining",
            "label",
            "position",
        ],
    ).set_index("sheet_id")
    tasks_frame = pd.DataFrame(
        task_rows, columns=["sheet_id", "task_id", "title", "kind", "points", "position"]
    )
    return sheets, tasks_frame


def _counting(subs: pd.DataFrame, counting: str) -> pd.DataFrame:
    """The counting version per (sheet, owner): newest on time if the rule says so, else newest."""
    subs = subs.sort_values(["sheet_id", "owner", "version"])
    newest = subs.groupby(["sheet_id", "owner"], sort=False).tail(1)
    if counting != "latest_on_time":
        return newest
    on_time = subs[subs.late_seconds <= 0].groupby(["sheet_id", "owner"], sort=False).tail(1)
    rest = newest.set_index(["sheet_id", "owner"]).index.difference(
        on_time.set_index(["sheet_id", "owner"]).index
    )
    late_only = newest.set_index(["sheet_id", "owner"]).loc[rest].reset_index()
    import pandas as pd

    return pd.concat([on_time, late_only], ignore_index=True)


def build_gradebook(course: Course, *, now: datetime | None = None) -> Gradebook:
    """Compute the whole gradebook from the store and the course settings.

    Args:
        course: the opened course.
        now: when to judge which sheets are still to come (default: now).
    """
    from sheetgrade.gradebook.admission import evaluate
    from sheetgrade.gradebook.stored import read_stored

    now = now or datetime.now(UTC)
    with course.engine.connect() as conn:
        stored = read_stored(conn)
    sheets, tasks = _sheet_frames(course, now, stored.tasks)
    students = _student_frame(stored.students)
    subs = stored.submissions[stored.submissions.sheet_id.isin(sheets.index)]
    credit = _credit(_counting(subs, course.config.late.counting), stored.members, students.index)
    points = _points(students.index, tasks, credit, stored.auto, stored.marks, stored.members)
    task_points = _task_points(students.index, tasks, points)
    per_sheet = _per_sheet(course, students, sheets, tasks, points, credit, stored.excused)
    shows = stored.presentations.set_index("student_id")["n"]
    overall = evaluate(
        course.config.admission,
        students=students,
        sheets=sheets,
        per_sheet=per_sheet,
        presentations=shows.reindex(students.index, fill_value=0).astype(int),
    )
    return Gradebook(
        students=students,
        sheets=sheets,
        tasks=tasks,
        task_points=task_points,
        per_sheet=per_sheet,
        overall=overall,
        now=now,
        share=course.config.admission.share,
    )


def _student_frame(stored: pd.DataFrame) -> pd.DataFrame:
    """Students by last name, first name, id; ``group`` falls back to the group id."""
    students = stored.sort_values(["last_name", "first_name", "student_id"]).set_index("student_id")
    for column in ("group_id", "group", "tutor_email", "tutor", "email", "matrikel"):
        students[column] = students[column].astype(object)
    students["group"] = students["group"].where(students["group"].notna(), students["group_id"])
    return students


def _credit(chosen: pd.DataFrame, members: pd.DataFrame, student_ids: pd.Index) -> pd.DataFrame:
    """Whom each counting submission credits: its student, or every member of its team
    (the latest submission wins where a student is credited twice for a sheet)."""
    import pandas as pd

    own = chosen[chosen.owner_kind == "student"].rename(columns={"owner": "student_id"})
    team_subs = chosen[chosen.owner_kind == "team"].merge(
        members[["team_id", "student_id"]], left_on="owner", right_on="team_id"
    )
    columns = ["sheet_id", "student_id", "sha256", "received_at", "late_seconds"]
    credit = pd.concat([own[columns], team_subs[columns]], ignore_index=True)
    credit = credit[credit.student_id.isin(student_ids)]
    return credit.sort_values("received_at").groupby(["sheet_id", "student_id"], sort=False).tail(1)


def _points(
    student_ids: pd.Index,
    tasks: pd.DataFrame,
    credit: pd.DataFrame,
    auto: pd.DataFrame,
    marks: pd.DataFrame,
    members: pd.DataFrame,
) -> np.ndarray:
    """A student × task matrix of points, filled by integer positions (no multi-key merges):
    autograded tasks from the credited submission, manual tasks from the marks (a
    student's own mark overrides the team's); NaN where a manual task is not marked."""
    import numpy as np
    import pandas as pd

    task_index = pd.MultiIndex.from_arrays([tasks["sheet_id"], tasks["task_id"]])
    is_auto_task = tasks["kind"].eq("auto").to_numpy()
    points = np.full((len(student_ids), len(tasks)), np.nan)
    points[:, is_auto_task] = 0.0

    def fill(frame: pd.DataFrame, only: np.ndarray) -> None:
        """Each row's points at (its student, its task), for the tasks ``only`` allows."""
        _scatter(
            points,
            student_ids.get_indexer(frame["student_id"]),
            task_index.get_indexer(
                pd.MultiIndex.from_arrays([frame["sheet_id"], frame["task_id"]])
            ),
            frame["points"].to_numpy(dtype=float),
            only=only,
        )

    fill(credit.merge(auto, on=["sheet_id", "sha256"]), is_auto_task)
    team_marks = marks[marks.subject_kind == "team"].merge(
        members[["team_id", "student_id"]], left_on="subject_id", right_on="team_id"
    )
    own_marks = marks[marks.subject_kind == "student"].rename(columns={"subject_id": "student_id"})
    for frame in (team_marks, own_marks):  # own marks last: they override the team's
        fill(frame, ~is_auto_task)
    capped: np.ndarray = np.minimum(points, tasks["points"].to_numpy(dtype=float))
    return capped


def _task_points(student_ids: pd.Index, tasks: pd.DataFrame, points: np.ndarray) -> pd.DataFrame:
    """The matrix as one row per student × task."""
    import numpy as np
    import pandas as pd

    n_students, n_tasks = len(student_ids), len(tasks)
    return pd.DataFrame(
        {
            "student_id": np.repeat(student_ids.to_numpy(), n_tasks),
            "sheet_id": np.tile(tasks["sheet_id"].to_numpy(), n_students),
            "task_id": np.tile(tasks["task_id"].to_numpy(), n_students),
            "kind": np.tile(tasks["kind"].to_numpy(), n_students),
            "max": np.tile(tasks["points"].to_numpy(dtype=float), n_students),
            "points": points.ravel(),
        }
    )


def _per_sheet(
    course: Course,
    students: pd.DataFrame,
    sheets: pd.DataFrame,
    tasks: pd.DataFrame,
    points: np.ndarray,
    credit: pd.DataFrame,
    excused: pd.DataFrame,
) -> pd.DataFrame:
    """Per student × sheet: sums over each sheet's task columns, lateness and its
    penalty, the maximum (none for bonus and excused sheets) and the status."""
    import numpy as np
    import pandas as pd

    from sheetgrade.gradebook.late import penalty_fractions

    student_ids, sheet_ids = students.index, list(sheets.index)
    is_auto_task = tasks["kind"].eq("auto").to_numpy()
    onehot = np.zeros((len(tasks), len(sheet_ids)))
    onehot[np.arange(len(tasks)), pd.Index(sheet_ids).get_indexer(tasks["sheet_id"])] = 1.0
    filled = np.nan_to_num(points)
    auto_sum = (filled * is_auto_task) @ onehot
    manual_sum = (filled * ~is_auto_task) @ onehot
    marked_any = ((~np.isnan(points)) & ~is_auto_task).astype(float) @ onehot > 0
    full = pd.MultiIndex.from_product([student_ids, sheet_ids], names=["student_id", "sheet_id"])
    per_sheet = pd.DataFrame(
        {"auto": auto_sum.ravel(), "manual": manual_sum.ravel(), "marked": marked_any.ravel()},
        index=full,
    )
    per_sheet["marked"] = per_sheet["marked"].astype(bool)
    by_student_sheet = credit.set_index(["student_id", "sheet_id"])
    per_sheet["late_seconds"] = by_student_sheet["late_seconds"].reindex(full).to_numpy(dtype=float)
    per_sheet["sha256"] = by_student_sheet["sha256"].reindex(full).to_numpy(dtype=object)
    per_sheet["submitted"] = ~np.isnan(per_sheet["late_seconds"].to_numpy())
    per_sheet["raw"] = per_sheet["auto"] + per_sheet["manual"]
    fraction = penalty_fractions(per_sheet["late_seconds"], course.config.late)
    per_sheet["penalty"] = (per_sheet["raw"] * fraction).round(4)
    per_sheet["total"] = per_sheet["raw"] - per_sheet["penalty"]
    sheet_of = per_sheet.index.get_level_values("sheet_id")
    for column in ("possible", "remaining", "max"):
        per_sheet[column] = sheets[column].reindex(sheet_of).to_numpy()
    per_sheet["excused"] = _excused(course, students, excused, full)
    per_sheet.loc[per_sheet["excused"], "max"] = 0.0
    per_sheet["missing"] = ~per_sheet["submitted"] & ~per_sheet["marked"] & ~per_sheet["remaining"]
    per_sheet["status"] = np.select(
        [
            per_sheet["excused"],
            per_sheet["missing"],
            per_sheet["remaining"] & ~per_sheet["submitted"],
            per_sheet["penalty"] > 0,
        ],
        ["excused", "missing", "not due", "late"],
        default="ok",
    )
    return per_sheet[SHEET_COLUMNS]


def _scatter(
    matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, *, only: np.ndarray
) -> None:
    """``matrix[rows, cols] = values`` where both are known and ``only[cols]`` holds; NaN values are skipped."""
    import numpy as np

    keep = (rows >= 0) & (cols >= 0) & ~np.isnan(values)
    keep[keep] = only[cols[keep]]
    matrix[rows[keep], cols[keep]] = values[keep]


def _excused(
    course: Course, students: pd.DataFrame, excused_db: pd.DataFrame, index: pd.MultiIndex
) -> np.ndarray:
    """A boolean per (student, sheet): excused in course.yml or in the excused table."""
    import numpy as np

    by_matrikel = {str(m): s for s, m in students["matrikel"].items() if m is not None and m == m}
    pairs = {(r.student_id, r.sheet_id) for r in excused_db.itertuples()}
    for excuse in course.config.admission.excused:
        student = (
            excuse.student
            if excuse.student in students.index
            else by_matrikel.get(str(excuse.student))
        )
        if student is not None:
            pairs.add((student, excuse.sheet))
    if not pairs:
        return np.zeros(len(index), dtype=bool)
    return np.fromiter(((s, sh) in pairs for s, sh in index), dtype=bool, count=len(index))

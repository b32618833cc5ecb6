"""What the gradebook reads from the store: one query per table, each as a frame.

The queries are SQLAlchemy statements on the store's tables. On SQLite they
run through the driver's cursor (several times faster than pandas' reader for
the big ones); elsewhere through :func:`pandas.read_sql_query`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sheetgrade.course import store

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection


@dataclass
class Stored:
    """The store's rows the gradebook is computed from.

    Attributes:
        tasks: sheet_id, task_id, title, kind, points, position, sheet_title.
        students: student_id, first_name, last_name, email, matrikel, group_id,
            group (the group's name), tutor_email, tutor (the tutor's name).
        members: team_id, student_id, team_sheet (None: a term-wide team).
        submissions: the versions not withdrawn: sheet_id, owner, owner_kind,
            version, sha256, received_at, late_seconds.
        auto: autograded points of a submission on its sheet's current build:
            sheet_id, sha256, task_id, points.
        marks: the manual marks given: sheet_id, task_id, subject_kind, subject_id, points.
        presentations: student_id, n.
        excused: student_id, sheet_id.
    """

    tasks: pd.DataFrame
    students: pd.DataFrame
    members: pd.DataFrame
    submissions: pd.DataFrame
    auto: pd.DataFrame
    marks: pd.DataFrame
    presentations: pd.DataFrame
    excused: pd.DataFrame


def read_stored(conn: Connection) -> Stored:
    """Read everything :class:`Stored` holds through one connection."""
    queries = {**_course_queries(), **_work_queries()}
    return Stored(**{name: _frame(conn, query) for name, query in queries.items()})


def _course_queries() -> dict[str, Select[Any]]:
    """Tasks, students (with their group and tutor) and team members."""
    t, sh, s, g, tu = store.tasks, store.sheets, store.students, store.groups, store.tutors
    m, tm = store.team_members, store.teams
    return {
        "tasks": select(
            t.c.sheet_id,
            t.c.id.label("task_id"),
            t.c.title,
            t.c.kind,
            t.c.points,
            t.c.position,
            sh.c.title.label("sheet_title"),
        ).join_from(t, sh, sh.c.id == t.c.sheet_id),
        "students": select(
            s.c.id.label("student_id"),
            s.c.first_name,
            s.c.last_name,
            s.c.email,
            s.c.matrikel,
            s.c.group_id,
            g.c.name.label("group"),
            g.c.tutor_email,
            tu.c.name.label("tutor"),
        )
        .select_from(s)
        .outerjoin(g, g.c.id == s.c.group_id)
        .outerjoin(tu, tu.c.email == g.c.tutor_email),
        "members": select(m.c.team_id, m.c.student_id, tm.c.sheet_id.label("team_sheet")).join_from(
            m, tm, tm.c.id == m.c.team_id
        ),
    }


def _work_queries() -> dict[str, Select[Any]]:
    """Submissions, autograded points, marks, presentations and excused sheets."""
    sh, sub, r, mk = store.sheets, store.submissions, store.test_results, store.marks
    withdrawn = select(store.withdrawn_submissions.c.submission_id)
    return {
        "submissions": select(
            sub.c.sheet_id,
            sub.c.owner,
            sub.c.owner_kind,
            sub.c.version,
            sub.c.sha256,
            sub.c.received_at,
            sub.c.late_seconds,
        ).where(sub.c.id.not_in(withdrawn)),
        "auto": select(
            sh.c.id.label("sheet_id"),
            r.c.submission_sha.label("sha256"),
            r.c.task_id,
            func.sum(r.c.points).label("points"),
        )
        .join_from(r, sh, sh.c.build_hash == r.c.build_hash)
        .group_by(sh.c.id, r.c.submission_sha, r.c.task_id),
        "marks": select(
            mk.c.sheet_id, mk.c.task_id, mk.c.subject_kind, mk.c.subject_id, mk.c.points
        ).where(mk.c.points.is_not(None)),
        "presentations": select(store.presentations.c.student_id, func.count().label("n")).group_by(
            store.presentations.c.student_id
        ),
        "excused": select(store.excused.c.student_id, store.excused.c.sheet_id),
    }


def _frame(conn: Connection, query: Select[Any]) -> pd.DataFrame:
    import pandas as pd

    if conn.dialect.name == "sqlite":
        compiled = query.compile(dialect=conn.dialect)
        assert not compiled.params, "these queries take no parameters"
        cursor = conn.connection.driver_connection.execute(str(compiled))  # type: ignore[union-attr]
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
    return pd.read_sql_query(query, conn)

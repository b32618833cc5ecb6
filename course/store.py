"""The store: one database per course, reached through SQLAlchemy Core: its tables
and their versions.

SQLite by default, PostgreSQL for a shared gradebook; how each is reached and
how write transactions serialise is :mod:`sheetgrade.course.engine`'s (its
``transaction``, ``database_url`` and friends are re-exported here).

The schema is versioned. ``UPGRADES`` lists, per version, the tables it adds;
``open_store`` brings any older database up to ``SCHEMA_VERSION`` in one
transaction. Add new steps at the end; never edit a released one. Both databases
run the same steps: keep them to SQLAlchemy Core, no dialect-specific SQL.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from sheetgrade.course.engine import ENV_VAR as ENV_VAR
from sheetgrade.course.engine import create_store_engine as create_store_engine
from sheetgrade.course.engine import database_url as database_url
from sheetgrade.course.engine import display_url as display_url
from sheetgrade.course.engine import is_postgres as is_postgres
from sheetgrade.course.engine import transaction as transaction
from sheetgrade.course.errors import StoreError

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, nullable=False),
)

# --- version 1: roster and sheets -------------------------------------------

groups = Table(
    "groups",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False, default=""),
    Column("tutor_email", String, nullable=True),
)

tutors = Table(
    "tutors",
    metadata,
    Column("email", String, primary_key=True),
    Column("name", String, nullable=False),
)

students = Table(
    "students",
    metadata,
    Column("id", String, primary_key=True),
    Column("first_name", String, nullable=False, default=""),
    Column("last_name", String, nullable=False, default=""),
    Column("email", String, nullable=True),
    Column("matrikel", String, nullable=True, unique=True),
    Column("group_id", String, ForeignKey("groups.id"), nullable=True),
)

teams = Table(
    "teams",
    metadata,
    Column("id", String, primary_key=True),
    # NULL: the team holds for the whole term; else only for this sheet
    Column("sheet_id", String, nullable=True),
    Column("name", String, nullable=False, default=""),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", String, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("student_id", String, ForeignKey("students.id"), primary_key=True),
)

sheets = Table(
    "sheets",
    metadata,
    Column("id", String, primary_key=True),
    Column("title", String, nullable=False),
    Column("due", String, nullable=False),  # ISO 8601 with offset
    Column("max_points", Float, nullable=False),
    Column("build_hash", String, nullable=True),
    Column("built_at", String, nullable=True),
    Column("released_at", String, nullable=True),
    Column("release_hash", String, nullable=True),
)

tasks = Table(
    "tasks",
    metadata,
    Column("sheet_id", String, ForeignKey("sheets.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String, primary_key=True),
    Column("title", String, nullable=False, default=""),
    Column("points", Float, nullable=False),
    Column("kind", String, nullable=False),  # auto | manual
    Column("position", Integer, nullable=False, default=0),
)

# --- version 2: submissions and grading results -----------------------------

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sheet_id", String, nullable=False),
    Column("owner", String, nullable=False),  # student id or team id
    Column("owner_kind", String, nullable=False),  # student | team
    Column("submitted_by", String, nullable=True),  # student id of the uploader
    Column("version", Integer, nullable=False),
    Column("sha256", String, nullable=False),  # of the version's manifest
    Column("path", String, nullable=False),  # relative to the course root
    Column("notebook", String, nullable=True),  # main notebook, relative to path
    Column("received_at", String, nullable=False),  # ISO 8601 UTC
    Column("late_seconds", Float, nullable=False, default=0.0),
    Column("source", String, nullable=False, default=""),
    Column("flags", Text, nullable=False, default="[]"),  # JSON list of strings
    Column("created_at", String, nullable=False),
    UniqueConstraint("sheet_id", "owner", "version"),
    UniqueConstraint("sheet_id", "owner", "sha256"),
)

results = Table(
    "results",
    metadata,
    Column("build_hash", String, primary_key=True),
    Column("submission_sha", String, primary_key=True),
    Column("sheet_id", String, nullable=False),
    Column("status", String, nullable=False),  # graded | timeout | memory | crashed | invalid
    Column("points", Float, nullable=False, default=0.0),
    Column("max_points", Float, nullable=False, default=0.0),
    Column("message", Text, nullable=False, default=""),
    Column("layers", Text, nullable=False, default="{}"),  # JSON: confinement layers active
    Column("stdout", Text, nullable=False, default=""),
    Column("flags", Text, nullable=False, default="[]"),  # JSON list, e.g. tampering detected
    Column("duration", Float, nullable=False, default=0.0),
    Column("graded_at", String, nullable=False),
)

test_results = Table(
    "test_results",
    metadata,
    Column("build_hash", String, primary_key=True),
    Column("submission_sha", String, primary_key=True),
    Column("test_id", String, primary_key=True),
    Column("task_id", String, nullable=False),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("kind", String, nullable=False),  # native | ok | assert
    Column("level", String, nullable=False),  # tamper-proof | output-compared | compat
    Column("hidden", Boolean, nullable=False, default=False),
    Column("duration", Float, nullable=False, default=0.0),
)

# --- version 3: manual marks, audit trail, presentations, excuses -----------

marks = Table(
    "marks",
    metadata,
    Column("sheet_id", String, primary_key=True),
    Column("task_id", String, primary_key=True),
    Column("subject_kind", String, primary_key=True),  # student | team
    Column("subject_id", String, primary_key=True),
    Column("points", Float, nullable=True),  # NULL: not marked
    Column("comment", Text, nullable=False, default=""),
    Column("tutor", String, nullable=False, default=""),
    Column("updated_at", String, nullable=False),
)

mark_audit = Table(
    "mark_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sheet_id", String, nullable=False),
    Column("task_id", String, nullable=False),
    Column("subject_kind", String, nullable=False),
    Column("subject_id", String, nullable=False),
    Column("old_points", Float, nullable=True),
    Column("new_points", Float, nullable=True),
    Column("old_comment", Text, nullable=True),
    Column("new_comment", Text, nullable=True),
    Column("tutor", String, nullable=False),
    Column("at", String, nullable=False),
    Column("source", String, nullable=False, default=""),  # e.g. the imported file
)

presentations = Table(
    "presentations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", String, ForeignKey("students.id"), nullable=False),
    Column("sheet_id", String, nullable=False),
    Column("task_id", String, nullable=True),
    Column("tutor", String, nullable=False, default=""),
    Column("at", String, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

excused = Table(
    "excused",
    metadata,
    Column("student_id", String, ForeignKey("students.id"), primary_key=True),
    Column("sheet_id", String, primary_key=True),
    Column("reason", Text, nullable=False, default=""),
)

# --- Moodle: where each submission sat in a download, and the worksheet's participants

moodle_uploads = Table(
    "moodle_uploads",
    metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("sheet_id", String, nullable=False),
    Column("owner", String, nullable=False),
    # participant id; the group id in team mode; "" for team mode's default group
    Column("participant_id", String, nullable=False, default=""),
    Column("folder", String, nullable=False),  # e.g. "Anna Berg_4711_assignsubmission_file"
    Column("kind", String, nullable=False),  # participant | group | default-group | blind
)

moodle_participants = Table(
    "moodle_participants",
    metadata,
    Column("sheet_id", String, primary_key=True),
    Column("participant_id", String, primary_key=True),  # from the worksheet's "Identifier"
    Column("student_id", String, nullable=True),  # NULL: not on the roster
    Column("full_name", String, nullable=False, default=""),
    Column("email", String, nullable=False, default=""),
    Column("moodle_group", String, nullable=False, default=""),  # team mode's "Group" column
    Column("submitted_at", String, nullable=True),  # ISO 8601 UTC, "Last modified (submission)"
)

# --- version 5: recorded collects, withdrawn versions, marks templates --------

operations = Table(
    "operations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sheet_id", String, nullable=False),
    Column("kind", String, nullable=False),  # collect | undo | withdraw | restore
    Column("at", String, nullable=False),  # ISO 8601 UTC
    Column("actor", String, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),  # JSON: sources, --force, reason
    Column("undone_by", Integer, nullable=True),  # the undo operation that took it back
)

submission_events = Table(
    "submission_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("action", String, nullable=False),  # added | withdrawn | restored
)

# the versions that do not count (taken back); a row leaves when the version is restored
withdrawn_submissions = Table(
    "withdrawn_submissions",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id"), primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False),
)

marks_templates = Table(
    "marks_templates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String, nullable=False, unique=True),  # written into the file's first row
    Column("sheet_id", String, nullable=False),
    Column("group_id", String, nullable=True),
    Column("path", Text, nullable=False),  # absolute path written
    Column("made_at", String, nullable=False),  # ISO 8601 UTC
    Column("sha256", String, nullable=False),  # of the bytes written
    Column("held", Text, nullable=False, default="{}"),  # JSON: the marks the file was made with
)

UPGRADES: list[list[Table]] = [
    [groups, tutors, students, teams, team_members, sheets, tasks],  # 1
    [submissions, results, test_results],  # 2
    [marks, mark_audit, presentations, excused],  # 3
    [moodle_uploads, moodle_participants],  # 4
    [operations, submission_events, withdrawn_submissions, marks_templates],  # 5
]
SCHEMA_VERSION = len(UPGRADES)


def current_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 when empty)."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    row = conn.execute(select(schema_version.c.version)).first()
    return int(row[0]) if row else 0


def upgrade(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to ``target`` in one transaction; return the old version."""
    with transaction(engine) as conn:
        old = current_version(conn)
        if old > SCHEMA_VERSION:
            raise StoreError(
                f"the database has schema version {old}, newer than this sheetgrade "
                f"understands ({SCHEMA_VERSION}); upgrade sheetgrade"
            )
        if old >= target:
            return old
        if old == 0:
            metadata.create_all(conn, tables=[schema_version])
        for version in range(old + 1, target + 1):
            metadata.create_all(conn, tables=UPGRADES[version - 1])
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=target))
    return old


def open_store(url: str, root: Path) -> Engine:
    """Open the course database and upgrade it to the current schema."""
    engine = create_store_engine(url, root)
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot open the database at {display_url(engine)}: "
            f"{exc.__class__.__name__}: {_first_line(exc)}"
        ) from None
    return engine


def _first_line(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else ""

"""The store: one database per course, reached through SQLAlchemy Core.

SQLite (``gradebook.db`` in the course directory) is the default: WAL mode,
foreign keys on, and every transaction ``BEGIN IMMEDIATE`` so that two tutors'
imports serialise instead of failing half-way.

PostgreSQL (``database.url: postgresql://…`` or ``$SHEETGRADE_DATABASE``, driver
from the ``postgres`` extra) is the shared gradebook of several tutors on several
machines. Write transactions serialise the same way: each takes one
transaction-scoped advisory lock first, so a read-modify-write (a mark and its
audit row) sees every write committed before it, as on SQLite.

The schema is versioned. ``UPGRADES`` lists, per version, the tables it adds;
``open_store`` brings any older database up to ``SCHEMA_VERSION`` in one
transaction. Add new steps at the end; never edit a released one. Both databases
run the same steps: keep them to SQLAlchemy Core, no dialect-specific SQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

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


ENV_VAR = "SHEETGRADE_DATABASE"

# Advisory lock keys on PostgreSQL: (namespace, key) pairs of int4.
LOCK_NAMESPACE_WRITE = 0x53470001  # every write transaction, key 0
LOCK_NAMESPACE_SHEET = 0x53470002  # one sheet's grade/collect run, key from the sheet id


def database_url(configured: str) -> str:
    """``$SHEETGRADE_DATABASE`` when set, else ``database.url`` from course.yml."""
    return os.environ.get(ENV_VAR) or configured


def is_postgres(engine: Engine) -> bool:
    """Whether ``engine`` talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


def _normalise_url(url: str, root: Path) -> str:
    """Relative SQLite paths under ``root``; ``postgresql://`` through psycopg 3."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = Path(url[len(prefix) :])
        if not path.is_absolute():
            path = root / path
        return prefix + str(path)
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def display_url(engine_or_url: Engine | str) -> str:
    """A URL to show to users: the password hidden."""
    from sqlalchemy.engine import make_url

    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.render_as_string(hide_password=True)


def _enable_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" hook emit BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # wait for a busy lock as long as SQLite's busy_timeout, then fail clearly
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SET lock_timeout = '30s'")
        dbapi_conn.autocommit = autocommit


def create_store_engine(url: str, root: Path) -> Engine:
    """An engine for ``url`` (relative SQLite paths under ``root``), not yet upgraded."""
    url = _normalise_url(url, root)
    try:
        engine = create_engine(url, pool_pre_ping=url.startswith("postgresql"))
    except ImportError as exc:
        hint = (
            "; install the driver with `pip install 'sheetgrade[postgres]'`"
            if url.startswith("postgresql")
            else ""
        )
        raise StoreError(f"database.url {display_url(url)!r} cannot be used: {exc}{hint}") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"database.url {url!r} cannot be used: {exc}") from None
    if engine.dialect.name == "sqlite":
        _enable_sqlite_pragmas(engine)
    elif is_postgres(engine):
        _postgres_settings(engine)
    return engine


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


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: everything in it lands, or nothing does.

    Write transactions run one at a time, on SQLite (``BEGIN IMMEDIATE``) and on
    PostgreSQL (a transaction-scoped advisory lock) alike.
    """
    with engine.begin() as conn:
        if is_postgres(engine):
            conn.execute(
                text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), 0)"),
                {"ns": LOCK_NAMESPACE_WRITE},
            )
        yield conn

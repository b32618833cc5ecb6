"""The engine behind the store: database URLs, each dialect's settings, and write
transactions that run one at a time.

SQLite (``gradebook.db`` in the course directory) is the default: WAL mode,
foreign keys on, and every transaction ``BEGIN IMMEDIATE`` so that two tutors'
imports serialise instead of failing half-way.

PostgreSQL (``database.url: postgresql://…`` or ``$SHEETGRADE_DATABASE``, driver
from the ``postgres`` extra) is the shared gradebook of several tutors on several
machines. Write transactions serialise the same way: each takes one
transaction-scoped advisory lock first, so a read-modify-write (a mark and its
audit row) sees every write committed before it, as on SQLite.

:mod:`sheetgrade.course.store` (the tables and their upgrades) re-exports what
callers use, so ``store.transaction`` is the one name to know.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from sheetgrade.course.errors import StoreError

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

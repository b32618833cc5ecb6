"""The sheet lock: one ``grade`` or ``collect`` run per sheet at a time.

On PostgreSQL the lock is a session-level advisory lock on its own connection,
so it holds across every machine that shares the gradebook, and the server drops
it when the process dies. On SQLite (one machine) it is an ``flock`` on
``submissions/<sheet>/.lock``, likewise released by the kernel on exit. Either way
the holder is named in the error: command, host, process id and start time.
"""

from __future__ import annotations

import contextlib
import os
import socket
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sheetgrade.course.errors import SheetBusy

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from sheetgrade.course.course import Course

LOCK_FILE = ".lock"


def _holder(command: str, sheet_id: str) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"sheetgrade {command} {sheet_id} on {socket.gethostname()} pid {os.getpid()} since {started}"


def _busy(sheet_id: str, holder: str | None, where: str) -> SheetBusy:
    who = f"`{holder}`" if holder else "another sheetgrade run (grade or collect)"
    return SheetBusy(
        f"sheet {sheet_id} is busy: {who} holds its lock ({where}); "
        f"wait for it to finish, then run the command again"
    )


@contextlib.contextmanager
def sheet_lock(course: Course, sheet_id: str, command: str) -> Iterator[None]:
    """Hold the lock of ``sheet_id`` while ``command`` runs; raise SheetBusy if held."""
    from sheetgrade.course.engine import is_postgres

    if is_postgres(course.engine):
        with _advisory_lock(course, sheet_id, command):
            yield
    else:
        with _file_lock(course, sheet_id, command):
            yield


def sheet_key(sheet_id: str) -> int:
    """The advisory lock key of a sheet (a non-negative int4)."""
    return zlib.crc32(sheet_id.encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def _advisory_lock(course: Course, sheet_id: str, command: str) -> Iterator[None]:
    from sqlalchemy import text

    from sheetgrade.course.engine import LOCK_NAMESPACE_SHEET

    holder = _holder(command, sheet_id)
    key = {"ns": LOCK_NAMESPACE_SHEET, "key": sheet_key(sheet_id)}
    conn = course.engine.connect()
    try:
        conn.execute(text("SELECT set_config('application_name', :name, false)"), {"name": holder})
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(CAST(:ns AS integer), CAST(:key AS integer))"), key
        ).scalar()
        if not got:
            other = _advisory_holder(conn, key["ns"], key["key"])
            conn.rollback()
            raise _busy(sheet_id, other, "a PostgreSQL advisory lock")
        conn.commit()  # the session lock outlives the transaction; stay out of one
        try:
            yield
        finally:
            conn.execute(
                text("SELECT pg_advisory_unlock(CAST(:ns AS integer), CAST(:key AS integer))"), key
            )
            conn.commit()
    finally:
        conn.close()


def _advisory_holder(conn: Connection, namespace: int, key: int) -> str | None:
    from sqlalchemy import text

    row = conn.execute(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :ns "
            "AND l.objid::bigint = :key AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"ns": namespace, "key": key},
    ).first()
    name = row[0] if row else None
    return name if name and name.startswith("sheetgrade ") else None


@contextlib.contextmanager
def _file_lock(course: Course, sheet_id: str, command: str) -> Iterator[None]:
    folder = course.submissions_dir / sheet_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
            raise _busy(
                sheet_id, other if other.startswith("sheetgrade ") else None, f"lock file {path}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, _holder(command, sheet_id).encode() + b"\n", 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)

"""Copying a course's gradebook to another database: ``sheetgrade db copy``.

The typical move is a course that started on SQLite going to PostgreSQL, where
several tutors share it. The copy is all or nothing: every table is written in
one transaction of the target, then both databases are dumped table by table
and compared *before* the target commits; any difference rolls the copy back.
The source is never changed. Student files stay where they are (their paths in
the store are relative to the course directory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, func, select, text
from sqlalchemy.engine import Connection, Engine

from sheetgrade.course import store
from sheetgrade.course.errors import StoreError

TableDump = dict[str, list[tuple[Any, ...]]]
_CHUNK = 2000


@dataclass
class CopyReport:
    """What ``copy_store`` wrote."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _tables() -> list[Table]:
    """Every table, parents before children (foreign keys hold while inserting)."""
    return [t for t in store.metadata.sorted_tables if t.name in _known()]


def _known() -> set[str]:
    names = {store.schema_version.name}
    for step in store.UPGRADES:
        names.update(t.name for t in step)
    return names


def _ordered(table: Table) -> Any:
    keys = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*keys)


def dump_tables(conn: Connection | Engine) -> TableDump:
    """Every row of every table, ordered by primary key, as plain tuples."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return dump_tables(c)
    return {t.name: [tuple(row) for row in conn.execute(_ordered(t))] for t in _tables()}


def differences(before: TableDump, after: TableDump) -> list[str]:
    """One line per table whose rows differ, naming the first differing row."""
    lines = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name, []), after.get(name, [])
        if a == b:
            continue
        first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        if first is None:
            lines.append(f"{name}: {len(a)} rows in the source, {len(b)} in the copy")
        else:
            lines.append(f"{name}: row {first + 1} differs: {a[first]!r} became {b[first]!r}")
    return lines


def copy_store(source: Engine, target_url: str, root: Path) -> CopyReport:
    """Copy every row of ``source`` into the empty database at ``target_url``.

    The target gets the current schema first (the same upgrade steps as any
    store). Raises StoreError when the target already holds data, or when the
    dumps of source and copy differ (then nothing is committed).
    """
    target = store.open_store(target_url, root)
    report = CopyReport(source=store.display_url(source), target=store.display_url(target))
    if target.url == source.url:
        raise StoreError(f"{report.target} is the course's own database; copy to another one")
    try:
        with source.connect() as src, store.transaction(target) as dst:
            if store.current_version(src) != store.SCHEMA_VERSION:
                raise StoreError(f"{report.source} is not at schema {store.SCHEMA_VERSION}")
            busy = {
                t.name: n
                for t in _tables()
                if t is not store.schema_version
                and (n := dst.execute(select(func.count()).select_from(t)).scalar_one())
            }
            if busy:
                listed = ", ".join(f"{n} rows in {name}" for name, n in sorted(busy.items()))
                raise StoreError(
                    f"{report.target} already holds a gradebook ({listed}); "
                    f"copy into a new, empty database"
                )
            for table in _tables():
                if table is store.schema_version:
                    continue
                rows = [dict(r._mapping) for r in src.execute(_ordered(table))]
                for start in range(0, len(rows), _CHUNK):
                    dst.execute(table.insert(), rows[start : start + _CHUNK])
                report.rows[table.name] = len(rows)
            if store.is_postgres(target):
                _reset_sequences(dst)
            problems = differences(dump_tables(src), dump_tables(dst))
            if problems:
                raise StoreError(
                    f"the copy in {report.target} differs from {report.source}; "
                    f"nothing was committed",
                    problems,
                )
    finally:
        target.dispose()
    return report


def _reset_sequences(conn: Connection) -> None:
    """Move each serial column's sequence past the copied ids."""
    for table in _tables():
        keys = list(table.primary_key.columns)
        for column in keys:
            serial = column.autoincrement is True or (
                column.autoincrement == "auto"
                and len(keys) == 1
                and isinstance(column.type, Integer)
                and not column.foreign_keys
            )
            if serial:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                        f"FROM {table.name}"
                    )
                )

"""What each marks template held when sheetgrade wrote it: the base of a three-way merge.

``marks template`` records every file it writes: a token (also written into
the file's first row), when, the bytes' sha256 and the marks and comments the
file was made with. ``marks import`` uses the record as the merge base:

- a cell that still holds what the template held is not the tutor's change,
  so it never reverts a mark changed in the database since;
- a cell the tutor changed is applied when the database still holds the
  template's value, and is a *conflict* when the database changed too (to
  something else): the import is refused, listing the conflicts, unless
  ``--overwrite``;
- ``marks template`` itself never replaces a file whose bytes differ from
  what sheetgrade last wrote there (a tutor's unimported work): it writes
  beside it and says so.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from sheetgrade.course import store

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from sheetgrade.course.course import Course

#: held values: "<kind>:<id>" -> {"<task>": points or None, "comment": "..."}
Held = dict[str, dict[str, Any]]


def subject_key(kind: str, subject: str) -> str:
    return f"{kind}:{subject}"


def new_token() -> str:
    return secrets.token_hex(6)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_path(course: Course, path: Path) -> str:
    """The path as recorded: relative to the course when inside it (the course may move)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(course.root.resolve()).as_posix()
    except ValueError:
        return str(resolved)


@dataclass(frozen=True)
class TemplateRecord:
    token: str
    sheet_id: str
    group_id: str | None
    path: str
    made_at: str
    sha256: str
    held: Held


def _record(row: Any) -> TemplateRecord:
    return TemplateRecord(
        row.token,
        row.sheet_id,
        row.group_id,
        row.path,
        row.made_at,
        row.sha256,
        json.loads(row.held or "{}"),
    )


def record_template(
    conn: Connection,
    *,
    course: Course,
    token: str,
    sheet_id: str,
    group_id: str | None,
    path: Path,
    made_at: str,
    held: Held,
) -> None:
    """Remember a template just written (its bytes are read back for the hash)."""
    conn.execute(
        store.marks_templates.insert().values(
            token=token,
            sheet_id=sheet_id,
            group_id=group_id,
            path=stored_path(course, path),
            made_at=made_at,
            sha256=sha256_file(path),
            held=json.dumps(held, sort_keys=True),
        )
    )


def find_template(engine: Engine, token: str) -> TemplateRecord | None:
    t = store.marks_templates
    with engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.token == token)).first()
    return _record(row) if row is not None else None


def last_written(engine: Engine, course: Course, path: Path) -> TemplateRecord | None:
    """The last template sheetgrade wrote at ``path``, if any."""
    t = store.marks_templates
    with engine.connect() as conn:
        row = conn.execute(
            select(t).where(t.c.path == stored_path(course, path)).order_by(t.c.id.desc()).limit(1)
        ).first()
    return _record(row) if row is not None else None


def untouched(course: Course, path: Path) -> bool:
    """True when ``path`` is missing or holds exactly what sheetgrade last wrote there."""
    if not path.exists():
        return True
    record = last_written(course.engine, course, path)
    return record is not None and record.sha256 == sha256_file(path)

"""Mirror the sheets of course.yml and their sheet.yml into the store."""

from __future__ import annotations

from sqlalchemy import select

from sheetgrade.course import store
from sheetgrade.course.course import Course


def sync_sheets(course: Course) -> int:
    """Write every sheet and task of the course into the database, in one
    transaction; build and release columns are kept. Returns the number of sheets."""
    loaded = course.sheets()  # validates every sheet.yml before anything is written
    with store.transaction(course.engine) as conn:
        existing = {row.id for row in conn.execute(select(store.sheets.c.id))}
        for sheet in loaded:
            values = {
                "title": sheet.title,
                "due": sheet.entry.due.isoformat(),
                "max_points": 0.0 if sheet.entry.bonus else sheet.max_points,
            }
            if sheet.id in existing:
                conn.execute(
                    store.sheets.update().where(store.sheets.c.id == sheet.id).values(**values)
                )
            else:
                conn.execute(store.sheets.insert().values(id=sheet.id, **values))
            conn.execute(store.tasks.delete().where(store.tasks.c.sheet_id == sheet.id))
            rows = [
                {
                    "sheet_id": sheet.id,
                    "id": t.id,
                    "title": t.title,
                    "points": t.points,
                    "kind": t.kind,
                    "position": i,
                }
                for i, t in enumerate(sheet.config.tasks)
            ]
            if rows:
                conn.execute(store.tasks.insert(), rows)
    return len(loaded)

"""Times shown to users: in the course's timezone, always with the offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


def course_time(course: Course, when: datetime | str | None) -> str:
    """``2026-11-03 09:55+01:00`` for a stored time (ISO text or datetime; naive is UTC);
    "" for None."""
    if when is None or when == "":
        return ""
    if isinstance(when, str):
        text = when
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return text
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(ZoneInfo(course.config.timezone))
    except (KeyError, ValueError):
        pass
    return when.isoformat(sep=" ", timespec="minutes")

"""Shared pieces of the command modules: the course state and output helpers."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


@dataclass
class State:
    """Per-invocation state: the ``--course`` option and the opened course."""

    course_path: str | None = None
    _course: Course | None = field(default=None, repr=False)

    def course(self) -> Course:
        """Open the course once (discovery, validation of course.yml)."""
        if self._course is None:
            from sheetgrade.course.course import Course

            self._course = Course.open(self.course_path)
        return self._course


pass_state = click.make_pass_decorator(State, ensure=True)


class Duration(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A duration as course.yml writes it (``90s``, ``2m``, ``1.5h``), converted to seconds."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, int | float):
            return float(value)
        from sheetgrade.course import schema

        try:
            return schema.parse_duration(value).total_seconds()
        except schema.InvalidValue as exc:
            self.fail(str(exc), param, ctx)


class Size(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A size as course.yml writes it (``512MiB``, ``2GB``, bytes), converted to bytes."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        from sheetgrade.course import schema

        try:
            return schema.parse_size(value)
        except schema.InvalidValue as exc:
            self.fail(str(exc), param, ctx)


DURATION = Duration()
SIZE = Size()


def warn(message: str) -> None:
    """A warning on stderr, never on stdout (stdout is for results)."""
    click.secho(f"warning: {message}", fg="yellow", err=True)


def progress_enabled(quiet: bool) -> bool:
    """Progress shows on stderr only when it is a terminal and not silenced."""
    return not quiet and sys.stderr.isatty()


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """A plain aligned text table (no heavy imports)."""
    if not rows:
        return ""
    columns = columns or list(rows[0])
    cells = [[str(r.get(c, "") if r.get(c) is not None else "") for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)

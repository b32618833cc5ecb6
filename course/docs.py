"""Generate the course.yml / sheet.yml reference from the declarations.

Run ``python -m sheetgrade.course.docs > docs/course-yml.md`` and
``python -m sheetgrade.course.docs --readme README.md``; a test checks that
both are current and mention every setting.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import MISSING
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from sheetgrade.course.config import CourseConfig, SheetConfig
from sheetgrade.course.schema import type_hints

HEADER = """\
# course.yml and sheet.yml reference

Generated from the declarations in `course/config.py` (and `course/export_config.py`) by
`python -m sheetgrade.course.docs`; do not edit by hand.

Durations are written `90` (seconds), `15m`, `2h` or `1d`; sizes `512MiB` or
`2GiB`; timestamps as ISO 8601 with an offset, such as `2026-11-03T10:00+01:00`.
`sheetgrade validate` checks a course against this reference and reports every
problem at once.
"""


# ------------------------------------------------------------------ the settings


def _type_name(tp: Any, kind: str | None) -> str:
    if kind:
        return {
            "datetime": "ISO 8601 timestamp with timezone",
            "duration": "duration (90, 15m, 2h, 1d)",
            "size": "size (512MiB, 2GiB)",
            "share": "number between 0 and 1",
            "positive": "number ≥ 1",
        }.get(kind, kind)
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _type_name(args[0], kind) + " or null"
    if origin is Literal:
        return " \\| ".join(f"`{c}`" for c in get_args(tp))
    if origin is list:
        (item,) = get_args(tp)
        return (
            f"list of {_type_name(item, None) if not dataclasses.is_dataclass(item) else 'entries'}"
        )
    if origin is dict:
        return "mapping"
    if dataclasses.is_dataclass(tp):
        return "section"
    return {
        str: "text",
        int: "whole number",
        float: "number",
        bool: "true/false",
        Path: "path",
    }.get(tp, str(tp))


def iter_settings(tp: Any, prefix: str = "") -> typing.Iterator[tuple[str, str, str, str]]:
    """Yield (key path, type, default, help) for every setting under ``tp``."""
    hints = type_hints(tp)
    for f in dataclasses.fields(tp):
        key = f"{prefix}{f.name}"
        hint = hints[f.name]
        kind = f.metadata.get("kind")
        if f.default is not MISSING:
            default = _show_default(f.default, kind)
        elif f.default_factory is not MISSING:
            default = _show_default(f.default_factory(), kind)
        else:
            default = "required"
        yield key, _type_name(hint, kind), default, f.metadata.get("help", "")
        inner = hint
        if get_origin(inner) in (typing.Union, types.UnionType):
            inner = [a for a in get_args(inner) if a is not type(None)][0]
        if get_origin(inner) is list and dataclasses.is_dataclass(get_args(inner)[0]):
            yield from iter_settings(get_args(inner)[0], f"{key}[].")
        elif dataclasses.is_dataclass(inner):
            yield from iter_settings(inner, f"{key}.")


def format_size(n: int) -> str:
    """``2147483648`` → ``2GiB``; sizes that aren't whole units stay in bytes."""
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return f"{n} B"


def _show_default(value: Any, kind: str | None = None) -> str:
    if kind == "size":
        return format_size(value)
    if value == "":
        return "empty"
    if dataclasses.is_dataclass(value):
        return "see below"
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())} s"
    if value is None:
        return "none"
    if value == [] or value == {}:
        return "empty"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _table(title: str, intro: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = [
        f"## {title}",
        "",
        intro,
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for key, kind, default, help_text in rows:
        meaning = help_text.replace("|", "\\|")
        lines.append(f"| `{key}` | {kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- BEGIN course-yml -->"
README_END = "<!-- END course-yml -->"


def course_table() -> str:
    """The course.yml table alone, as embedded in the README."""
    return _table(
        "course.yml", "The course directory's settings file.", list(iter_settings(CourseConfig))
    )


def with_readme_reference(readme: str) -> str:
    """``readme`` with the block between the course-yml markers regenerated."""
    start, end = readme.index(README_BEGIN) + len(README_BEGIN), readme.index(README_END)
    table = course_table().split("\n", 4)[4]  # drop the heading and intro
    return f"{readme[:start]}\n{table}{readme[end:]}"


def reference() -> str:
    """The Markdown reference of every setting."""
    course = course_table()
    sheet = _table(
        "sheet.yml", "One per sheet, in `sheets/<id>/sheet.yml`.", list(iter_settings(SheetConfig))
    )
    return f"{HEADER}\n{course}\n{sheet}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if sys.argv[1:2] == ["--readme"]:
        readme = Path(sys.argv[2])
        readme.write_text(
            with_readme_reference(readme.read_text(encoding="utf-8")), encoding="utf-8"
        )
    else:
        print(reference(), end="")

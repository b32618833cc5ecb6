"""Generate the course.yml / sheet.yml reference from the declarations.

Run ``python -m sheetgrade.course.docs > docs/course-yml.md``; a test checks
that the committed file is current and mentions every setting.
"""

from __future__ import annotations

from sheetgrade.course.config import CourseConfig, SheetConfig
from sheetgrade.course.schema import iter_settings

HEADER = """\
# course.yml and sheet.yml reference

Generated from the declarations in `course/config.py` by
`python -m sheetgrade.course.docs`; do not edit by hand.

Durations are written `90` (seconds), `15m`, `2h` or `1d`; sizes `512MiB` or
`2GiB`; timestamps as ISO 8601 with an offset, such as `2026-11-03T10:00+01:00`.
`sheetgrade validate` checks a course against this reference and reports every
problem at once.
"""


def _table(title: str, intro: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = [f"## {title}", "", intro, "", "| key | type | default | meaning |", "|---|---|---|---|"]
    for key, kind, default, help_text in rows:
        meaning = help_text.replace("|", "\\|")
        lines.append(f"| `{key}` | {kind} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def reference() -> str:
    """The Markdown reference of every setting."""
    course = _table("course.yml", "The course directory's settings file.", list(iter_settings(CourseConfig)))
    sheet = _table("sheet.yml", "One per sheet, in `sheets/<id>/sheet.yml`.", list(iter_settings(SheetConfig)))
    return f"{HEADER}\n{course}\n{sheet}"


if __name__ == "__main__":
    print(reference(), end="")

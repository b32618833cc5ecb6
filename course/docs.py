"""Generate the course.yml / sheet.yml reference from the declarations.

Run ``python -m sheetgrade.course.docs > docs/course-yml.md`` and
``python -m sheetgrade.course.docs --readme README.md``; a test checks that
both are current and mention every setting.
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

"""The generated course.yml reference is current and documents every setting."""

from __future__ import annotations

from pathlib import Path

from sheetgrade.course.config import CourseConfig, SheetConfig
from sheetgrade.course.docs import iter_settings, reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "course-yml.md"


def test_reference_is_current():
    assert DOC.read_text(encoding="utf-8") == reference(), (
        "docs/course-yml.md is stale: run `python -m sheetgrade.course.docs > docs/course-yml.md`"
    )


def test_every_setting_is_documented_with_help():
    text = DOC.read_text(encoding="utf-8")
    for config in (CourseConfig, SheetConfig):
        for key, _kind, _default, help_text in iter_settings(config):
            assert f"| `{key}` |" in text
            assert help_text, f"{key} has no help text"


def test_readme_embeds_the_current_course_reference():
    from sheetgrade.course.docs import with_readme_reference

    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert readme == with_readme_reference(readme), (
        "README.md's course.yml reference is stale: run `python -m sheetgrade.course.docs --readme README.md`"
    )

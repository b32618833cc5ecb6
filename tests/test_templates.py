"""The one template environment: a course's templates/ folder overrides the
built-in templates, which stay reachable as `default:<name>`."""

from __future__ import annotations

import jinja2
import pytest

from sheetgrade.templates import environment


def test_builtin_templates_load():
    env = environment()
    for name in ("release_index.html.j2", "feedback.html.j2", "feedback.md.j2", "report.html.j2"):
        assert env.get_template(name) is not None


def test_missing_variables_are_errors():
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ nothing.here }}").render()


def test_course_override_wins_and_can_extend_the_default(tmp_path):
    (tmp_path / "release_index.html.j2").write_text(
        "<p>Our course</p>{% include 'default:release_index.html.j2' ignore missing %}"
    )
    env = environment(tmp_path)
    source, _, _ = env.loader.get_source(env, "release_index.html.j2")
    assert source.startswith("<p>Our course</p>")
    builtin, _, _ = env.loader.get_source(env, "default:release_index.html.j2")
    assert "<p>Our course</p>" not in builtin


def test_release_index_uses_the_course_override(run_cli, example_course):
    (example_course / "templates").mkdir()
    (example_course / "templates" / "release_index.html.j2").write_text(
        "<h1>{{ course }}</h1>{% for s in sheets %}<p>{{ s.id }}</p>{% endfor %}\n"
    )
    assert run_cli("sheet", "build", "01", course=example_course).exit_code == 0
    result = run_cli("sheet", "release", "01", course=example_course)
    assert result.exit_code == 0, result.output
    assert (example_course / "release" / "index.html").read_text().startswith("<h1>")

"""course.yml and sheet.yml validation through `sheetgrade validate`: every
error class, exact messages, exit code 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

VALID = """\
course: Machine Learning and Physics
term: WS 2026/27
sheets:
  - id: 01-pca
    due: 2026-10-28T10:00+01:00
"""


def write_course(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "course.yml").write_text(text, encoding="utf-8")
    sheet = root / "sheets" / "01-pca"
    sheet.mkdir(parents=True, exist_ok=True)
    (sheet / "sheet.yml").write_text("title: PCA\ntasks:\n  - {id: '1', points: 2, kind: manual}\n")
    return root


def errors_of(run_cli, root: Path) -> list[str]:
    result = run_cli("validate", course=root)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ")
    return [line.strip() for line in lines[1:]]


def test_valid_course_passes(run_cli, tmp_path):
    root = write_course(tmp_path / "c", VALID)
    result = run_cli("validate", course=root)
    assert result.exit_code == 0, result.output
    assert "are valid" in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '    due: "2026-13-01"',
            'course.yml:5: sheets[0].due: "2026-13-01" is not a date (expected ISO 8601 such as 2026-11-03T10:00+01:00)',
        ),
        (
            "    due: 2026-10-28T10:00",
            'course.yml:5: sheets[0].due: "2026-10-28T10:00" has no timezone (expected ISO 8601 such as 2026-11-03T10:00+01:00)',
        ),
    ],
)
def test_bad_dates(run_cli, tmp_path, line, message):
    root = write_course(tmp_path / "c", VALID.replace("    due: 2026-10-28T10:00+01:00", line))
    assert errors_of(run_cli, root) == [message]


def test_every_error_is_reported_at_once(run_cli, tmp_path):
    text = (
        VALID
        + """\
  - id: 02-kde
    due: 2026-13-01
    blok: A
admision:
  share: 0.5
late:
  kind: perday
  grace: soon
grading:
  memory: lots
  workers: two
teams:
  max_size: 0
"""
    )
    root = write_course(tmp_path / "c", text)
    assert errors_of(run_cli, root) == [
        'course.yml:7: sheets[1].due: "2026-13-01" is not a date (expected ISO 8601 such as 2026-11-03T10:00+01:00)',
        "course.yml:8: sheets[1].blok: unknown key; did you mean 'block'?",
        "course.yml:9: admision: unknown key; did you mean 'admission'?",
        "course.yml:12: late.kind: \"perday\" is not one of none, zero, per_day; did you mean 'per_day'?",
        'course.yml:13: late.grace: "soon" is not a duration (expected seconds or 15m, 2h, 1d)',
        'course.yml:15: grading.memory: "lots" is not a size (expected bytes or 512MiB, 2GiB)',
        'course.yml:16: grading.workers: "two" is not a whole number',
        'course.yml:18: teams.max_size: "0" must be at least 1',
    ]


def test_required_keys_and_wrong_shapes(run_cli, tmp_path):
    root = write_course(tmp_path / "c", "term: WS\nsheets: 01-pca\nadmission: [1]\n")
    assert errors_of(run_cli, root) == [
        'course.yml:2: sheets: "01-pca" is not a list',
        "course.yml:3: admission: a list is not a mapping (expected keys such as share, blocks, min_attempted)",
        "course.yml:1: course: is required (for example course: Machine Learning and Physics)",
    ]


def test_share_out_of_range_and_duplicate_sheet(run_cli, tmp_path):
    text = VALID + "  - id: 01-pca\n    due: 2026-11-04T10:00+01:00\nadmission:\n  share: 50\n"
    root = write_course(tmp_path / "c", text)
    assert errors_of(run_cli, root) == [
        'course.yml:9: admission.share: "50" is not a share between 0 and 1 (write 0.5 for 50 %)',
        'course.yml:3: sheets: sheet id "01-pca" appears 2 times',
    ]


def test_block_rule_needs_a_block(run_cli, tmp_path):
    root = write_course(
        tmp_path / "c", VALID + "admission:\n  blocks:\n    - {block: B, share: 0.4}\n"
    )
    assert errors_of(run_cli, root) == [
        'course.yml:1: admission.blocks[0].block: no sheet is in block "B"',
    ]


def test_invalid_yaml_names_the_line(run_cli, tmp_path):
    root = write_course(tmp_path / "c", VALID + "late: {kind: none\n")
    result = run_cli("validate", course=root)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: course.yml:7: not valid YAML: ")
    assert "Traceback" not in result.output


def test_sheet_yml_problems(run_cli, tmp_path):
    root = write_course(tmp_path / "c", VALID)
    (root / "sheets" / "01-pca" / "sheet.yml").write_text(
        "title: PCA\nnotebook: pca.ipynb\ntasks:\n  - {id: 1a, points: two}\n  - {id: 1a, points: 2, kind: auto, titel: x}\n"
    )
    assert errors_of(run_cli, root) == [
        'sheets/01-pca/sheet.yml:4: tasks[0].points: "two" is not a number',
        "sheets/01-pca/sheet.yml:5: tasks[1].titel: unknown key; did you mean 'title'?",
    ]


def test_missing_sheet_folder_and_notebook(run_cli, tmp_path):
    root = write_course(tmp_path / "c", VALID + "  - id: 02-kde\n    due: 2026-11-04T10:00+01:00\n")
    (root / "sheets" / "01-pca" / "sheet.yml").write_text(
        "title: PCA\nnotebook: pca.ipynb\ntasks:\n  - {id: 1a, points: 2}\n"
    )
    errors = errors_of(run_cli, root)
    assert errors == [
        f"sheets/01-pca/sheet.yml: pca.ipynb is named but {root / 'sheets/01-pca/pca.ipynb'} does not exist",
        "sheets/02-kde: folder missing; create it with a sheet.yml for sheet 02-kde of course.yml",
    ]


def test_discovery_walks_up_from_cwd(run_cli, tmp_path, monkeypatch):
    root = write_course(tmp_path / "c", VALID)
    deep = root / "sheets" / "01-pca"
    monkeypatch.chdir(deep)
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(str(root))


def test_environment_variable_and_option(run_cli, tmp_path, monkeypatch):
    root = write_course(tmp_path / "c", VALID)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHEETGRADE_COURSE", str(root))
    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    assert CliRunner().invoke(cli, ["validate"]).exit_code == 0
    result = run_cli("validate", course=root / "course.yml")
    assert result.exit_code == 0, result.output


def test_no_course_found(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no course.yml in {tmp_path.resolve()} or any parent directory; "
        "run `sheetgrade init` or pass --course PATH\n"
    )


def test_course_option_pointing_nowhere(run_cli, tmp_path):
    result = run_cli("validate", course=tmp_path / "nope")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: --course {tmp_path / 'nope'}: no course.yml there; run `sheetgrade init {tmp_path / 'nope'}`\n"
    )


def test_unknown_sheet_suggests_near_miss(tmp_path):
    from sheetgrade.course.course import Course
    from sheetgrade.course.errors import ConfigError

    course = Course.open(write_course(tmp_path / "c", VALID))
    assert course.resolve_sheet_id("1") == "01-pca"
    assert course.resolve_sheet_id("01") == "01-pca"
    with pytest.raises(ConfigError, match=r"no sheet '01-pac'; did you mean '01-pca'\?"):
        course.resolve_sheet_id("01-pac")

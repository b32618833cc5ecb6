"""nbgrader's own folders: ``submitted/<student>/<assignment>/`` and the
exchange's ``inbound/<student>+<assignment>+<timestamp>+<random>/``, with
``timestamp.txt`` as nbgrader writes it (``%Y-%m-%d %H:%M:%S.%f %Z``)."""

from __future__ import annotations

import json
from pathlib import Path

from submission_helpers import PS1, add_ps1, nb, rows, solo_students


def submitted(root: Path, student: str, assignment: str, stamp: str) -> Path:
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    (folder / "problem1.ipynb").write_bytes(nb("P1", code=f"who = {student!r}"))
    (folder / "problem2.ipynb").write_bytes(nb("P2"))
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "submission_secret.txt").write_text("9f" * 64)
    return folder


def test_submitted_tree_of_a_multi_notebook_assignment(
    course: Path, tmp_path: Path, run_cli
) -> None:
    add_ps1(course)
    a, b = (p.id for p in solo_students(course)[:2])
    submitted(tmp_path, a, "ps1", "2026-11-04 08:12:33.123456 UTC")
    submitted(tmp_path, b, "ps1", "2026-11-05 10:30:00.000000 CET")  # 30 minutes late
    submitted(tmp_path, "zz999", "ps1", "2026-11-04 08:00:00.000000 UTC")
    (tmp_path / "submitted" / "README.txt").write_text("not a submission")

    result = run_cli("collect", PS1, tmp_path / "submitted", course=course)
    assert result.exit_code == 1, result.output
    assert "2 stored, 1 unmatched" in result.stdout
    assert (
        "unmatched  " in result.stdout
        and "submitted: zz999/ps1: 'zz999' matches no student" in (result.stdout)
    )
    assert "README.txt: not in nbgrader's layout <student>/<assignment>/<files>" in result.stdout
    by_owner = {r["owner"]: r for r in rows(course, PS1)}
    assert by_owner[a]["received_at"] == "2026-11-04T08:12:33.123456+00:00"
    assert by_owner[a]["late_seconds"] == 0
    assert by_owner[b]["received_at"] == "2026-11-05T09:30:00+00:00"
    assert by_owner[b]["late_seconds"] > 0
    stored = sorted(p.name for p in (course / by_owner[a]["path"]).iterdir())
    assert stored == ["manifest.json", "problem1.ipynb", "problem2.ipynb"]  # no secret, no stamp
    manifest = json.loads((course / by_owner[a]["path"] / "manifest.json").read_text())
    assert manifest["time_origin"] == "timestamp.txt"


def test_assignment_named_or_refused(course: Path, tmp_path: Path, run_cli) -> None:
    add_ps1(course)
    a = solo_students(course)[0].id
    submitted(tmp_path, a, "Problem Set 1", "2026-11-04 08:12:33.123456 UTC")

    refused = run_cli("collect", PS1, tmp_path / "submitted", course=course)
    assert refused.exit_code == 1, refused.output
    assert "assignment(s) 'Problem Set 1' and none for sheet 14-ps1" in refused.stdout
    assert "--assignment Problem Set 1" in refused.stdout
    assert rows(course, PS1) == []

    named = run_cli(
        "collect", PS1, tmp_path, "--assignment", "Problem Set 1", course=course
    )  # the nbgrader course folder that holds submitted/
    assert named.exit_code == 0, named.output
    assert "1 stored" in named.stdout


def test_inbound_exchange_every_submission_a_version(course: Path, tmp_path: Path, run_cli) -> None:
    add_ps1(course)
    a = solo_students(course)[0].id
    inbound = tmp_path / "exchange" / "ml-physics" / "inbound"
    for stamp, rand, code in (
        ("2026-11-04 08:00:00.000000 UTC", "AbC", "x = 1"),
        ("2026-11-05 11:00:00.000000 UTC", "dEf", "x = 2"),
    ):
        folder = inbound / f"{a}+ps1+{stamp}+{rand}"
        folder.mkdir(parents=True)
        (folder / "problem1.ipynb").write_bytes(nb("P1", code=code))
        (folder / "problem2.ipynb").write_bytes(nb("P2"))
        (folder / "timestamp.txt").write_text(stamp)
        (folder / "submission_secret.txt").write_text("00")
    other = inbound / f"{a}+ps2+2026-11-04 08:00:00.000000 UTC+xyz"
    other.mkdir()
    (other / "problem1.ipynb").write_bytes(nb("other"))

    result = run_cli("collect", PS1, inbound, course=course)
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.stdout
    assert "1 file(s) of other assignments ('ps2') skipped" in result.stdout
    versions = rows(course, PS1)
    assert [(r["version"], r["late_seconds"] > 0) for r in versions] == [(1, False), (2, True)]
    assert versions[0]["received_at"] == "2026-11-04T08:00:00+00:00"


def test_assignment_without_an_nbgrader_tree_is_warned(
    course: Path, tmp_path: Path, run_cli
) -> None:
    a = solo_students(course)[0].id
    (tmp_path / "uploads" / a).mkdir(parents=True)
    (tmp_path / "uploads" / a / "pca.ipynb").write_bytes(nb("PCA"))
    result = run_cli(
        "collect", "01", tmp_path / "uploads", "--assignment", "ps1",
        "--received-at", "2026-10-27T12:00", course=course,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "--assignment ps1: no nbgrader submissions of it in the sources" in result.stderr

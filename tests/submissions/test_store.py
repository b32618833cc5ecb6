"""The version store: immutable versions, idempotent re-collect, dry run, crash safety."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from submission_helpers import SHEET, moodle_time, notebook, rows, snapshot, solo_students, students

from sheetgrade.submissions.moodle import write_moodle_zip


def _verify(course: Path) -> None:
    """Every row has its folder and manifest, every folder has a row, and no leftovers."""
    got = rows(course)
    assert len({(r["owner"], r["version"]) for r in got}) == len(got)
    assert len({(r["owner"], r["sha256"]) for r in got}) == len(got)
    paths = {r["path"] for r in got}
    sheet_dir = course / "submissions" / SHEET
    on_disk = {p.relative_to(course).as_posix() for p in sheet_dir.glob("*/*") if p.is_dir()}
    assert on_disk == paths
    assert not list((sheet_dir / ".tmp").iterdir()) if (sheet_dir / ".tmp").exists() else True
    for r in got:
        manifest = json.loads((course / r["path"] / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["sha256"] == r["sha256"] and manifest["version"] == r["version"]
        for name, meta in manifest["files"].items():
            assert (
                hashlib.sha256((course / r["path"] / name).read_bytes()).hexdigest()
                == meta["sha256"]
            )


def _moodle(course: Path, tmp_path: Path, n: int = 120, text: str = "") -> Path:
    entries = [
        {
            "full_name": p.name,
            "participant_id": i,
            "files": {"pca.ipynb": notebook(p.id + text)},
            "mtime": moodle_time(2026, 10, 28, 8, i % 60),
        }
        for i, p in enumerate(students(course)[:n])
    ]
    return write_moodle_zip(tmp_path / f"moodle{text}.zip", entries)


def test_identical_bytes_again_are_a_no_op(course: Path, tmp_path: Path, run_cli) -> None:
    zip_path = _moodle(course, tmp_path, 10)
    assert run_cli("collect", SHEET, zip_path, course=course).exit_code == 0
    before = snapshot(course)
    again = run_cli("collect", SHEET, zip_path, course=course)
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == f"{SHEET}: 10 unchanged"
    after = snapshot(course)
    assert {k: v for k, v in after.items() if "gradebook.db" not in k} == {
        k: v for k, v in before.items() if "gradebook.db" not in k
    }
    assert len(rows(course)) == 10
    _verify(course)


def test_a_new_version_keeps_the_old_one(course: Path, tmp_path: Path, run_cli) -> None:
    a = solo_students(course)[0]
    single = tmp_path / f"{a.id}.ipynb"
    single.write_bytes(notebook("first"))
    run_cli("collect", SHEET, single, "--received-at", "2026-10-28T09:00", course=course)
    v1 = rows(course)[0]
    stored = course / v1["path"] / f"{a.id}.ipynb"
    v1_bytes = stored.read_bytes()
    single.write_bytes(notebook("second"))
    result = run_cli("collect", SHEET, single, "--received-at", "2026-10-28T09:30", course=course)
    assert result.exit_code == 0
    got = rows(course)
    assert [r["version"] for r in got] == [1, 2]
    assert stored.read_bytes() == v1_bytes
    assert stored.stat().st_mode & 0o222 == 0, "stored files are read-only"
    _verify(course)


def test_dry_run_changes_nothing(course: Path, tmp_path: Path, run_cli) -> None:
    first = _moodle(course, tmp_path, 5)
    assert run_cli("collect", SHEET, first, course=course).exit_code == 0
    before = snapshot(course)
    zip_path = _moodle(course, tmp_path, 20, text="v2")
    result = run_cli("collect", SHEET, zip_path, "--dry-run", course=course)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{SHEET}: 20 stored (dry run: nothing was changed)"
    assert snapshot(course) == before


def _killed_run(course: Path, zip_path: Path, stall_in: str, after: int) -> None:
    """Run `collect` in a subprocess that stops at a chosen point, then SIGKILL it there."""
    script = f"""
import os, sys, time
import sheetgrade.submissions.storage as st
target = {stall_in!r}
original = getattr(st.SheetStore, "write_version") if target == "write_version" else st._write_file
calls = [0]
def stall():
    sys.stdout.write("STALLED\\n"); sys.stdout.flush()
    time.sleep(3600)
if target == "write_version":
    def patched(self, *a, **k):
        if calls[0] == {after}:
            stall()
        calls[0] += 1
        return original(self, *a, **k)
    st.SheetStore.write_version = patched
else:
    def patched(target_path, data):
        if calls[0] == {after}:
            stall()
        calls[0] += 1
        return original(target_path, data)
    st._write_file = patched
from sheetgrade.cli.main import cli
cli(["--course", {str(course)!r}, "collect", {SHEET!r}, {str(zip_path)!r}, "-q"])
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "STALLED\n", proc.stderr.read() if proc.stderr else line
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_after_some_versions_then_rerun(course: Path, tmp_path: Path, run_cli) -> None:
    zip_path = _moodle(course, tmp_path)
    _killed_run(course, zip_path, "write_version", after=30)
    assert rows(course) == []  # the rows come in one transaction, after every file
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert "30 complete version(s) without database rows; adopted" in result.stderr
    assert result.stdout.splitlines()[-1] == f"{SHEET}: 90 stored, 30 unchanged"
    assert len(rows(course)) == 120
    _verify(course)
    again = run_cli("collect", SHEET, zip_path, course=course)
    assert again.stdout.splitlines()[-1] == f"{SHEET}: 120 unchanged"


def test_sigkill_while_writing_a_version_then_rerun(course: Path, tmp_path: Path, run_cli) -> None:
    zip_path = _moodle(course, tmp_path)
    _killed_run(course, zip_path, "_write_file", after=45)  # in the middle of a temp folder
    assert (course / "submissions" / SHEET / ".tmp").is_dir()
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0, result.output
    assert "left 1 temp folder(s) and 0 incomplete version(s); removed" in result.stderr
    assert len(rows(course)) == 120
    _verify(course)


def test_a_folder_without_a_valid_manifest_is_removed_not_adopted(
    course: Path, tmp_path: Path, run_cli
) -> None:
    zip_path = _moodle(course, tmp_path, 3)
    _killed_run(course, zip_path, "write_version", after=2)
    orphan = next((course / "submissions" / SHEET).glob("*/1"))
    os.chmod(orphan / "pca.ipynb", 0o644)
    (orphan / "pca.ipynb").write_bytes(b"tampered")
    result = run_cli("collect", SHEET, zip_path, course=course)
    assert result.exit_code == 0
    assert "1 incomplete version(s); removed" in result.stderr
    assert "1 complete version(s) without database rows; adopted" in result.stderr
    assert len(rows(course)) == 3
    _verify(course)


def test_a_second_collect_of_the_same_sheet_waits_its_turn(
    course: Path, tmp_path: Path, run_cli
) -> None:
    import fcntl

    a = solo_students(course)[0]
    single = tmp_path / f"{a.id}.ipynb"
    single.write_bytes(notebook())
    sheet_dir = course / "submissions" / SHEET
    sheet_dir.mkdir(parents=True)
    with (sheet_dir / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_cli("collect", SHEET, single, course=course)
    assert result.exit_code == 1
    assert (
        f"sheet {SHEET} is busy: another sheetgrade run (grade or collect) holds" in result.stderr
    )
    assert rows(course) == []

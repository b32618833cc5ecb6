"""Folders the NOTO plugin (Moodle and JupyterHub) copies submissions into:
``<name>_course<c>_student<u>_submission<s>_<First>_<Last>/`` with the
student's files and ``gradebook/<name>_user<u>_grading.csv``, and the older
``<name>_student<u>/``. Matched by the gradebook's e-mail, else by name;
unmatched folders reported by name, exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from submission_helpers import SHEET, notebook, rows, solo_students, write_zip

HEADER = (
    '"Identifier","Full name","Email address","Status","Grade","Maximum Grade",'
    '"Grade can be changed","Last modified (submission)","Last modified (grade)",'
    '"Feedback comments"'
)


def gradebook(folder: Path, user: int, name: str, email: str, when: str) -> None:
    book = folder / "gradebook"
    book.mkdir(parents=True)
    (book / f"pca_user{user}_grading.csv").write_text(
        f'{HEADER}\n"Participant 36767{user}","{name}","{email}","submitted",,6,Yes,'
        f'"{when}","-","-"'
    )


def test_noto_folders(course: Path, tmp_path: Path, run_cli) -> None:
    a, b, c = solo_students(course)[:3]
    root = tmp_path / "moodlesubmissions"
    first = root / f"pca_course15917_student9_submission583892_{a.first_name}_{a.last_name}"
    (first / "pca").mkdir(parents=True)
    (first / "pca" / "pca.ipynb").write_bytes(notebook("a = 1"))
    gradebook(first, 9, a.name, a.email, "27/10/2026 15:01:23")
    second = root / f"pca_course15917_student12_submission583900_{b.first_name}_{b.last_name}"
    second.mkdir()
    (second / "pca.ipynb").write_bytes(notebook("b = 1"))  # no gradebook: matched by name
    old = root / "pca_student31"
    old.mkdir()
    (old / "pca.ipynb").write_bytes(notebook("c = 1"))
    gradebook(old, 31, "Someone Else", c.email, "28/10/2026 10:45:00")
    d = solo_students(course)[3]
    (root / d.id).mkdir()  # renamed by hand to the student's id
    (root / d.id / "pca.ipynb").write_bytes(notebook("f = 1"))
    bare = root / "pca_student40"  # the older layout without its gradebook: no name at all
    bare.mkdir()
    (bare / "pca.ipynb").write_bytes(notebook("e = 1"))
    stranger = root / "pca_course15917_student77_submission583999_Nobody_Here"
    stranger.mkdir()
    (stranger / "pca.ipynb").write_bytes(notebook("d = 1"))

    result = run_cli("collect", SHEET, root, "--received-at", "2026-10-27T20:00", course=course)
    assert result.exit_code == 1, result.output
    assert "4 stored, 2 unmatched" in result.stdout
    assert "pca_student40/: the folder names only Moodle's user id (40)" in result.stdout
    assert f"unmatched  {root}: {stranger.name}/: 'Nobody Here' matches no student" in result.stdout
    by_owner = {r["owner"]: r for r in rows(course)}
    assert set(by_owner) == {a.id, b.id, c.id, d.id}
    assert by_owner[a.id]["received_at"] == "2026-10-27T14:01:23+00:00"  # Berlin, CET
    assert by_owner[a.id]["late_seconds"] == 0
    assert by_owner[c.id]["received_at"] == "2026-10-28T09:45:00+00:00"
    assert by_owner[c.id]["late_seconds"] == 30 * 60  # due 10:00 CET, 15 minutes' grace
    assert by_owner[b.id]["received_at"] == "2026-10-27T19:00:00+00:00"  # --received-at
    for owner in (a.id, c.id):
        version = course / by_owner[owner]["path"]
        assert sorted(p.name for p in version.iterdir()) == ["manifest.json", "pca.ipynb"]
        manifest = json.loads((version / "manifest.json").read_text())
        assert manifest["time_origin"] == "NOTO gradebook (Last modified (submission))"

    # the same folders zipped with their wrapping folder: the same uploads, nothing new
    archive = shutil.make_archive(str(tmp_path / "noto"), "zip", tmp_path, root.name)
    again = run_cli("collect", SHEET, archive, "--received-at", "2026-10-27T20:00", course=course)
    assert again.exit_code == 1, again.output
    assert "01-pca: 4 unchanged, 2 unmatched" in again.stdout


def test_moodle_download_of_a_noto_assignment(course: Path, tmp_path: Path, run_cli) -> None:
    a = solo_students(course)[0]
    inner = write_zip(tmp_path / "inner.zip", [("pca/pca.ipynb", notebook("a = 2"))])
    download = write_zip(
        tmp_path / "download.zip",
        [(f"{a.name}_4711_assignsubmission_noto/pca_user9.zip", inner.read_bytes())],
    )
    result = run_cli("collect", SHEET, download, "--received-at", "2026-10-27T20:00", course=course)
    assert result.exit_code == 0, result.output
    assert "1 stored" in result.stdout
    (row,) = rows(course)
    assert row["owner"] == a.id and row["notebook"] == "pca.ipynb"
    assert (course / row["path"] / "pca.ipynb").read_bytes() == notebook("a = 2")

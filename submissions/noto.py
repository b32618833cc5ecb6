"""Submission folders copied out of Moodle by the NOTO plugin (EPFL's Moodle
assignment plugins for JupyterHub, ``assignsubmission_noto`` and
``assignfeedback_noto``, used with otter-grader and nbgrader).

A teacher's "copy submissions to my workspace" unpacks each student's
submission into one folder per student (``assignfeedback_noto``
``locallib.php``, ``view_batch_upload_noto``; ``assignsubmission_noto``
``viewsubmissions.php``)::

    <name>_course<course>_student<user>_submission<submission>_<First>_<Last>/
        <the student's files, often in a folder named after the assignment>
        gradebook/<name>_user<user>_grading.csv

and older versions of the plugin wrote ``<name>_student<user>/``. ``<name>``
is the assignment's NOTO name (default ``course<course>_assignment<id>``),
``<user>`` Moodle's user id, ``<First>_<Last>`` the student's first and last
name. The ``gradebook`` folder holds a one-row grading worksheet
(``assignsubmission_noto`` ``locallib.php``, ``get_grades_csv``) with the
student's e-mail address, full name and "Last modified (submission)" as
``dd/mm/YYYY HH:MM:SS`` (the Moodle server's time, read in the course timezone).

The student is matched by the worksheet's e-mail address, else by the full
name (the worksheet's, else the folder's). Other folders beside them (one
renamed by hand to the student's id) are matched by their name. Moodle's user id is not a roster
key and is never used to match. The ``gradebook`` folder is the plugin's, not
the student's work, and is left out.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from sheetgrade.submissions.archive import Entry
from sheetgrade.submissions.uploads import Context, Scan, Upload

GRADEBOOK = "gradebook"
ORIGIN = "NOTO gradebook (Last modified (submission))"
_FOLDER = re.compile(
    r"^(?P<name>.+?)_course(?P<course>\d+)_student(?P<user>\d+)"
    r"_submission(?P<submission>\d+)_(?P<person>.+)$"
)
_OLD_FOLDER = re.compile(r"^(?P<name>.+)_student(?P<user>\d+)$")


@dataclass(frozen=True)
class NotoFolder:
    """What a NOTO folder name says."""

    name: str  # the assignment's NOTO name
    user_id: str  # Moodle's user id
    person: str  # "First Last" ("" in the older layout)


def parse_folder(folder: str) -> NotoFolder | None:
    """The parts of a NOTO folder name, or None."""
    m = _FOLDER.match(folder)
    if m is not None:
        return NotoFolder(m["name"], m["user"], m["person"].replace("_", " "))
    m = _OLD_FOLDER.match(folder)
    return NotoFolder(m["name"], m["user"], "") if m is not None else None


def looks_like_noto(tops: set[str]) -> bool:
    """Most top-level folders (at least half) are named as the NOTO plugin names them."""
    named = sum(parse_folder(t) is not None for t in tops)
    return named > 0 and named * 2 >= len(tops)


@dataclass(frozen=True)
class _Gradebook:
    email: str = ""
    full_name: str = ""
    submitted: datetime | None = None


def _read_gradebook(entries: list[Entry], source: str, ctx: Context, scan: Scan) -> _Gradebook:
    from sheetgrade.submissions.worksheet import COLUMNS

    sheet = next((e for e in entries if e.path.endswith("_grading.csv")), None)
    if sheet is None:
        return _Gradebook()
    try:
        rows = list(csv.reader(io.StringIO(sheet.read().decode("utf-8-sig", "replace"))))
    except (OSError, ValueError, csv.Error) as exc:
        scan.warnings.append(f"{source}/{GRADEBOOK}/{sheet.path}: cannot be read ({exc})")
        return _Gradebook()
    if len(rows) < 2:
        return _Gradebook()
    row = dict(zip([h.strip() for h in rows[0]], [c.strip() for c in rows[1]], strict=False))

    def cell(key: str) -> str:
        return next((row[h] for h in COLUMNS[key] if row.get(h) not in (None, "", "-")), "")

    when: datetime | None = None
    if cell("submitted"):
        try:
            stamp = datetime.strptime(cell("submitted"), "%d/%m/%Y %H:%M:%S")
            when = stamp.replace(tzinfo=ctx.tz)
        except ValueError:
            scan.warnings.append(
                f"{source}/{GRADEBOOK}/{sheet.path}: {cell('submitted')!r} is not a time "
                f"(expected dd/mm/YYYY HH:MM:SS); the time falls back to --received-at"
            )
    return _Gradebook(cell("email"), cell("full_name"), when)


def split_noto(entries: list[Entry], label: str, ctx: Context, scan: Scan) -> None:
    """One upload per NOTO folder, matched by the gradebook's e-mail or the name."""
    folders: dict[str, list[Entry]] = {}
    for e in entries:
        top, sep, rest = e.path.partition("/")
        if sep:
            folders.setdefault(top, []).append(Entry(rest, e.size, e.mtime, e.read))
    for top, files in sorted(folders.items()):
        parsed = parse_folder(top)
        source = f"{label}: {top}/"
        if parsed is None:  # a folder renamed by hand, e.g. to the student's id
            scan.uploads.append(Upload(source, top, "folder", files))
            continue
        inside = GRADEBOOK + "/"
        book = _read_gradebook(
            [
                Entry(e.path[len(inside) :], e.size, e.mtime, e.read)
                for e in files
                if e.path.startswith(inside)
            ],
            source,
            ctx,
            scan,
        )
        files = [e for e in files if not e.path.startswith(inside)]
        labels = [n for n in (book.email, book.full_name, parsed.person) if n] or [top]
        if labels == [top]:
            scan.notes.append(
                f"{source}: the folder names only Moodle's user id ({parsed.user_id}) and holds no "
                f"{GRADEBOOK}/ worksheet; rename it to the student's id to collect it"
            )
        scan.uploads.append(
            Upload(
                source,
                labels[0],
                "noto",
                files,
                book.submitted,
                ORIGIN if book.submitted else "",
                also=tuple(labels[1:]),
            )
        )

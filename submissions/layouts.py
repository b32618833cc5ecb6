"""Recognising what a SOURCE is and splitting it into uploads, one per uploader.

Kinds of source (checked in this order):

- an nbgrader tree: ``submitted/<student>/<sheet>/…`` (a folder named
  ``submitted``, or a folder or zip holding one), times from ``timestamp.txt``;
- a Moodle "Download all submissions" zip, or the folder it unpacks to
  (see :mod:`sheetgrade.submissions.moodle`), times from the zip entries;
- a student's own zip (its name matches a student), or a single file;
- a folder (or zip) of per-student subfolders, each named by id, matriculation
  number, e-mail or name, with an optional ``timestamp.txt``; files at its top
  level are matched by their name (a flat folder: ``s001.ipynb``, ``3141592.pdf``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from sheetgrade.course.config import Limits
from sheetgrade.submissions.archive import Entry, Refusal, scan_folder, scan_zip
from sheetgrade.submissions.moodle import (
    SUBMISSION_PLUGINS,
    MoodleFolder,
    looks_like_moodle,
    parse_component,
)
from sheetgrade.submissions.timing import parse_time

TIMESTAMP = "timestamp.txt"


@dataclass
class Upload:
    """The files one person (or team) handed in through one source."""

    source: str  # where it came from, for the report
    label: str  # what is matched against the roster
    layout: str  # moodle | nbgrader | folder | file | zip
    entries: list[Entry]
    received_at: datetime | None = None
    time_origin: str = ""  # "zip entry time" | "timestamp.txt" | ""
    group: int = 0  # index of the SOURCE argument
    by_team: bool = False  # the label may be a team name (Moodle team mode)
    blind: bool = False  # Moodle blind marking: the label hides the name
    moodle: MoodleOrigin | None = None  # where it sat in a Moodle download


@dataclass(frozen=True)
class MoodleOrigin:
    """What a Moodle download says about one submission, kept with it for the way back."""

    participant_id: str  # participant id, group id (team mode), "" for the default group
    folder: str  # the folder the download held it in, e.g. "Anna Berg_4711_assignsubmission_file"
    default_group: bool = False


@dataclass
class Scan:
    """What one SOURCE held."""

    uploads: list[Upload] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What the layouts need to know about the course."""

    sheet_id: str
    resolve_sheet: Callable[[str], str | None]
    is_student: Callable[[str], bool]
    limits: Limits
    tz: tzinfo


def scan_source(path: Path, label: str, ctx: Context, group: int) -> Scan:
    """Read one SOURCE argument (file or folder) into uploads."""
    scan = Scan()
    if path.is_symlink():
        scan.refusals.append(
            Refusal(label, "", "is a symlink (refused: links can point outside the store)")
        )
        return scan
    if not path.exists():
        scan.refusals.append(Refusal(label, "", "no such file or folder"))
        return scan
    if path.is_dir():
        entries, refusals = scan_folder(path, label, ctx.limits)
        scan.refusals += refusals
        _split(entries, label, ctx, scan, nbgrader_root=path.name == "submitted")
    elif path.suffix.lower() == ".zip":
        entries, refusals = scan_zip(path, label, ctx.limits, ctx.tz)
        scan.refusals += refusals
        paths = [e.path for e in entries]
        if not entries:
            pass
        elif looks_like_moodle(paths) or any(p.startswith("submitted/") for p in paths):
            _split(entries, label, ctx, scan)
        elif ctx.is_student(path.stem):
            scan.uploads.append(Upload(label, path.stem, "zip", _strip_common(entries)))
        else:
            _split(entries, label, ctx, scan)
    else:
        try:
            size = path.stat().st_size
        except OSError as exc:
            scan.refusals.append(Refusal(label, "", f"cannot be read ({exc.strerror})"))
            return scan
        if size > ctx.limits.max_file:
            scan.refusals.append(
                Refusal(
                    label, "", f"{size} bytes, larger than limits.max_file ({ctx.limits.max_file})"
                )
            )
            return scan
        data = path.read_bytes()
        scan.uploads.append(
            Upload(label, path.stem, "file", [Entry(path.name, size, None, lambda: data)])
        )
    for upload in scan.uploads:
        upload.group = group
    return scan


def _strip_common(entries: list[Entry]) -> list[Entry]:
    """Drop one folder level that every entry shares (``sheet03/pca.ipynb`` → ``pca.ipynb``)."""
    while entries and all("/" in e.path for e in entries):
        tops = {e.path.split("/", 1)[0] for e in entries}
        if len(tops) != 1:
            break
        entries = [Entry(e.path.split("/", 1)[1], e.size, e.mtime, e.read) for e in entries]
    return entries


def _timestamp(
    entries: list[Entry], prefix: str, ctx: Context, source: str, scan: Scan
) -> tuple[list[Entry], datetime | None]:
    """Take ``prefix/timestamp.txt`` out of the entries and parse it."""
    name = f"{prefix}/{TIMESTAMP}" if prefix else TIMESTAMP
    rest = [e for e in entries if e.path != name]
    stamp = next((e for e in entries if e.path == name), None)
    if stamp is None:
        return rest, None
    text = stamp.read().decode("utf-8", "replace").strip()
    try:
        return rest, parse_time(text, ctx.tz)
    except ValueError:
        scan.warnings.append(
            f"{source}/{name}: {text[:60]!r} is not a time; the time falls back to --received-at"
        )
        return rest, None


def _split(
    entries: list[Entry], label: str, ctx: Context, scan: Scan, *, nbgrader_root: bool = False
) -> None:
    paths = [e.path for e in entries]
    if nbgrader_root or any(p.startswith("submitted/") for p in paths):
        _split_nbgrader(entries, label, ctx, scan, "" if nbgrader_root else "submitted/")
    elif looks_like_moodle(paths):
        _split_moodle(entries, label, scan)
    else:
        _split_folders(entries, label, ctx, scan)


def _split_nbgrader(entries: list[Entry], label: str, ctx: Context, scan: Scan, root: str) -> None:
    by_student: dict[tuple[str, str], list[Entry]] = {}
    other_sheets = 0
    others: set[str] = set()
    for e in entries:
        if not e.path.startswith(root):
            continue
        parts = e.path[len(root) :].split("/", 2)
        if len(parts) < 3:
            continue
        student, assignment, rest = parts
        if assignment != ctx.sheet_id and ctx.resolve_sheet(assignment) != ctx.sheet_id:
            other_sheets += 1
            others.add(assignment)
            continue
        by_student.setdefault((student, assignment), []).append(
            Entry(rest, e.size, e.mtime, e.read)
        )
    if other_sheets and not by_student:
        # nothing of this sheet: say what the tree holds instead of collecting nothing quietly
        names = ", ".join(f"'{n}'" for n in sorted(others)[:5])
        scan.refusals.append(
            Refusal(
                label,
                f"{root}<student>/<assignment>/",
                f"nbgrader tree with assignment(s) {names} and none for sheet {ctx.sheet_id}; "
                "collect it for the sheet of that name, or name the sheet after the assignment",
            )
        )
    elif other_sheets:
        scan.notes.append(f"{label}: {other_sheets} file(s) of other sheets skipped")
    for (student, assignment), files in sorted(by_student.items()):
        source = f"{label}: {root}{student}/{assignment}"
        files, when = _timestamp(files, "", ctx, source, scan)
        scan.uploads.append(
            Upload(source, student, "nbgrader", files, when, TIMESTAMP if when else "")
        )


def _split_moodle(entries: list[Entry], label: str, scan: Scan) -> None:
    """One upload per Moodle prefix: the ``file`` and ``onlinetext`` folders of one
    participant (or team) go together."""
    files: dict[str, list[Entry]] = {}
    parsed_of: dict[str, list[MoodleFolder]] = {}
    as_written: dict[tuple[str, str], str] = {}  # (prefix, plugin) -> the folder name in the zip
    for e in entries:
        top, _, rest = e.path.partition("/")
        if top == "__MACOSX":
            continue
        parsed = parse_component(top)
        if parsed is None:
            scan.refusals.append(
                Refusal(
                    label,
                    e.path,
                    "not in the layout of a Moodle download "
                    "(expected 'Full Name_<id>_assignsubmission_file/…')",
                )
            )
            continue
        if parsed.area != "submission":
            continue
        if parsed.plugin not in SUBMISSION_PLUGINS:
            scan.notes.append(f"{label}: {e.path}: Moodle {parsed.plugin} is not collected")
            continue
        inner = rest if rest else parsed.rest
        if not inner:
            continue
        files.setdefault(parsed.prefix, []).append(Entry(inner, e.size, e.mtime, e.read))
        parsed_of.setdefault(parsed.prefix, []).append(parsed)
        # Moodle 3.x writes "…_file_/"; the flat layout has no folder: the 4.1 name then
        as_written.setdefault((parsed.prefix, parsed.plugin), top if rest else parsed.folder)
    for prefix, upload_files in sorted(files.items()):
        folders = parsed_of[prefix]
        main = next((f for f in folders if f.plugin == "file"), folders[0])
        folder = as_written[(prefix, main.plugin)]
        times = [e.mtime for e in upload_files if e.mtime is not None]
        scan.uploads.append(
            Upload(
                f"{label}: {folder}",
                main.full_name,
                "moodle",
                upload_files,
                max(times) if times else None,
                "zip entry time" if times else "",
                by_team=True,
                blind=main.blind and not main.default_group,
                moodle=MoodleOrigin(main.participant_id, folder, main.default_group),
            )
        )


def _split_folders(entries: list[Entry], label: str, ctx: Context, scan: Scan) -> None:
    folders: dict[str, list[Entry]] = {}
    for e in entries:
        top, sep, rest = e.path.partition("/")
        if top == "__MACOSX" or (not sep and top in (".DS_Store", "Thumbs.db", "desktop.ini")):
            continue
        if sep:
            folders.setdefault(top, []).append(Entry(rest, e.size, e.mtime, e.read))
        else:
            stem = PurePosixPath(top).stem
            scan.uploads.append(Upload(f"{label}: {top}", stem, "file", [e]))
    for name, files in sorted(folders.items()):
        source = f"{label}: {name}/"
        files, when = _timestamp(files, "", ctx, source, scan)
        scan.uploads.append(Upload(source, name, "folder", files, when, TIMESTAMP if when else ""))

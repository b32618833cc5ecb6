"""Recognising what a SOURCE is and splitting it into uploads, one per uploader.

Kinds of source (checked in this order):

- an nbgrader tree: ``submitted/<student>/<assignment>/…`` or the exchange's
  ``inbound/<student>+<assignment>+<timestamp>/…`` (a folder of that name, or a
  folder or zip holding one; see :mod:`sheetgrade.submissions.nbgrader_tree`),
  times from ``timestamp.txt``;
- a Moodle "Download all submissions" zip, or the folder it unpacks to
  (see :mod:`sheetgrade.submissions.moodle`), times from the zip entries;
- the folders the NOTO plugin (Moodle and JupyterHub) copies submissions into,
  ``<name>_course<c>_student<u>_submission<s>_<First>_<Last>/``
  (see :mod:`sheetgrade.submissions.noto`);
- a student's own zip (its name matches a student), or a single file;
- a folder (or zip) of per-student subfolders, each named by id, matriculation
  number, e-mail or name, with an optional ``timestamp.txt``; files at its top
  level are matched by their name (a flat folder: ``s001.ipynb``, ``3141592.pdf``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from sheetgrade.submissions.archive import Entry, Refusal, scan_folder, scan_zip
from sheetgrade.submissions.moodle import (
    SUBMISSION_PLUGINS,
    MoodleFolder,
    looks_like_moodle,
    parse_component,
)
from sheetgrade.submissions.nbgrader_tree import is_inbound_name, split_inbound, split_submitted
from sheetgrade.submissions.noto import looks_like_noto, split_noto
from sheetgrade.submissions.uploads import (
    TIMESTAMP,
    Context,
    MoodleOrigin,
    Scan,
    Upload,
    take_timestamp,
)

__all__ = ["Context", "MoodleOrigin", "Scan", "Upload", "scan_source"]


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
        _split(entries, label, ctx, scan, root=path.name)
    elif path.suffix.lower() == ".zip":
        entries, refusals = scan_zip(path, label, ctx.limits, ctx.tz)
        scan.refusals += refusals
        paths = [e.path for e in entries]
        if not entries:
            pass
        elif looks_like_moodle(paths) or any(
            p.startswith(("submitted/", "inbound/")) for p in paths
        ):
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


def _split(entries: list[Entry], label: str, ctx: Context, scan: Scan, *, root: str = "") -> None:
    paths = [e.path for e in entries]
    tops = {p.partition("/")[0] for p in paths if "/" in p and not p.startswith("__MACOSX/")}
    inner = _unwrapped(entries, tops)
    if root == "" and inner is not None:
        _split(inner, label, ctx, scan)  # a zip of the folder that holds the layout
    elif root == "submitted" or any(p.startswith("submitted/") for p in paths):
        split_submitted(entries, label, ctx, scan, "" if root == "submitted" else "submitted/")
    elif root == "inbound" or any(p.startswith("inbound/") for p in paths):
        split_inbound(entries, label, ctx, scan, "" if root == "inbound" else "inbound/")
    elif tops and all(is_inbound_name(t) for t in tops):
        split_inbound(entries, label, ctx, scan, "")
    elif looks_like_moodle(paths):
        _split_moodle(entries, label, scan)
    elif looks_like_noto(tops):
        split_noto(entries, label, ctx, scan)
    else:
        _split_folders(entries, label, ctx, scan)


def _unwrapped(entries: list[Entry], tops: set[str]) -> list[Entry] | None:
    """The entries below a single wrapping folder when that folder holds an nbgrader or NOTO
    layout (``course/submitted/…``, ``moodlesubmissions/<NOTO folders>``), else None."""
    if len(tops) != 1 or tops & {"submitted", "inbound"}:
        return None
    prefix = next(iter(tops)) + "/"
    inner = [
        Entry(e.path[len(prefix) :], e.size, e.mtime, e.read)
        for e in entries
        if e.path.startswith(prefix)
    ]
    if len(inner) != len([e for e in entries if not e.path.startswith("__MACOSX/")]):
        return None  # files beside the folder: not a wrapper
    below = {e.path.partition("/")[0] for e in inner if "/" in e.path}
    known = bool(below & {"submitted", "inbound"}) or looks_like_noto(below)
    return inner if known or (below and all(is_inbound_name(t) for t in below)) else None


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
        files, when = take_timestamp(files, "", ctx, source, scan)
        scan.uploads.append(Upload(source, name, "folder", files, when, TIMESTAMP if when else ""))

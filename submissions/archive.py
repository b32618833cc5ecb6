"""Reading uploads safely: zip archives and folders become lists of entries.

Every check that keeps the store safe happens here, before a byte is written:

- zip entries with absolute paths or ``..`` components (path traversal);
- symlinks, in zips (Unix mode in ``external_attr``) and in folders;
- zip bombs: the compression ratio of each entry (``limits.max_zip_ratio``,
  judged for entries above 1 MiB, since a small file of blanks compresses well
  for honest reasons); the declared total uncompressed size of one zip, which
  may be ``limits.max_zip_per_submission`` for each submission it holds (each
  top-level folder; each participant of a Moodle download) and never more than
  ``limits.max_zip_total``; and the bytes actually inflated, in case the
  headers lie;
- files larger than ``limits.max_file``.

A real download of scanned write-ups (500 MB for a hundred students) stays
well inside these limits; a zip whose total is out of proportion to the
submissions it holds is refused whole. Members of a zip on disk are inflated
only when read, one at a time, so refused or unmatched uploads cost nothing.

An unsafe entry is refused with a reason; the other entries still count.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath

from sheetgrade.course.config import Limits

RATIO_FLOOR = 1024**2  # entries smaller than this are not judged by their ratio


@dataclass
class Entry:
    """One file of an upload; ``path`` is relative and safe (posix separators)."""

    path: str
    size: int
    mtime: datetime | None
    read: Callable[[], bytes]


@dataclass
class Refusal:
    """Something that was not collected, and why."""

    source: str
    path: str
    reason: str
    owner: str | None = None


def safe_relpath(name: str) -> str | None:
    """The normalised relative path of an archive member, or None when it is unsafe
    (absolute, a drive letter, ``..``, control characters)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or any(ord(c) < 32 for p in parts for c in p):
        return None
    return "/".join(parts)


def _unsafe_reason(name: str) -> str:
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return "absolute path in the archive (refused: it would write outside the store)"
    if ".." in norm.split("/"):
        return "path traversal ('..') in the archive (refused: it would write outside the store)"
    return "control characters in the file name"


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member name, repairing UTF-8 names stored without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _member_mtime(info: zipfile.ZipInfo, tz: tzinfo) -> datetime | None:
    """UTC time from the extended-timestamp field (0x5455) if present, else the
    DOS date-time, which has no zone and is read in the course timezone."""
    extra = info.extra
    i = 0
    while i + 4 <= len(extra):
        header_id, length = struct.unpack("<HH", extra[i : i + 4])
        body = extra[i + 4 : i + 4 + length]
        if header_id == 0x5455 and len(body) >= 5 and body[0] & 1:
            return datetime.fromtimestamp(struct.unpack("<i", body[1:5])[0], UTC)
        i += 4 + length
    try:
        return datetime(*info.date_time, tzinfo=tz)
    except ValueError:
        return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


class _Budget:
    def __init__(self, total: int) -> None:
        self.left = total


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, budget: _Budget) -> bytes:
    """Read one member, never inflating more than ``limit`` bytes or the zip's budget."""
    cap = min(limit, budget.left)
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError(
            f"inflates to more than {cap} bytes although it declares {info.file_size} (refused as a zip bomb)"
        )
    budget.left -= len(data)
    return data


def submissions_in(names: list[str]) -> int:
    """How many submissions a zip's member names hold: its top-level folders, with
    Moodle's flat names (``Name_id_assignsubmission_file_f.pdf``) counted per participant."""
    from sheetgrade.submissions.moodle import parse_component

    tops: set[str] = set()
    for name in names:
        top, sep, _ = name.replace("\\", "/").lstrip("/").partition("/")
        if top == "__MACOSX":
            continue
        if not sep:
            parsed = parse_component(top)
            top = f"{parsed.full_name}_{parsed.participant_id}" if parsed else ""
        tops.add(top)
    return max(1, len(tops))


def zip_allowance(limits: Limits, submissions: int) -> int:
    """The largest total uncompressed size allowed for a zip of ``submissions`` submissions."""
    return min(limits.max_zip_total, max(1, submissions) * limits.max_zip_per_submission)


def scan_zip(
    data: bytes | Path, label: str, limits: Limits, tz: tzinfo
) -> tuple[list[Entry], list[Refusal]]:
    """Open a zip and return its safe entries and refusals.

    ``label`` names the zip in messages. A zip that cannot be read, or whose
    declared total size exceeds its allowance (:func:`zip_allowance`), is
    refused whole. Entries of a zip given as bytes are read at once; entries of
    a zip on disk are inflated when read, within the same limits.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError) as exc:
        return [], [Refusal(label, "", f"not a readable zip file ({exc})")]
    entries: list[Entry] = []
    refusals: list[Refusal] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in infos)
        count = submissions_in([_member_name(i) for i in infos]) if isinstance(data, Path) else 1
        allowance = zip_allowance(limits, count)
        if total > allowance:
            return [], [_too_large(label, total, allowance, count, limits)]
        budget = _Budget(allowance)
        for info in infos:
            name = _member_name(info)
            rel = safe_relpath(name)
            if rel is None:
                refusals.append(Refusal(label, name, _unsafe_reason(name)))
                continue
            refusal = _member_refusal(label, rel, info, limits)
            if refusal is not None:
                refusals.append(refusal)
                continue
            if isinstance(data, Path):
                entries.append(
                    Entry(
                        rel,
                        info.file_size,
                        _member_mtime(info, tz),
                        _zip_reader(data, info, limits.max_file, budget),
                    )
                )
                continue
            try:
                content = _inflate(zf, info, limits.max_file, budget)
            except _EXTRACT_ERRORS as exc:
                refusals.append(Refusal(label, rel, f"cannot be extracted: {exc}"))
                continue
            entries.append(Entry(rel, len(content), _member_mtime(info, tz), _const(content)))
    return entries, refusals


def _too_large(label: str, total: int, allowance: int, count: int, limits: Limits) -> Refusal:
    """The whole zip refused: it declares more than its allowance."""
    if allowance == limits.max_zip_total:
        why = f"limits.max_zip_total ({limits.max_zip_total})"
    else:
        why = (
            f"{count} submission(s) × limits.max_zip_per_submission "
            f"({limits.max_zip_per_submission}) = {allowance}"
        )
    return Refusal(
        label,
        "",
        f"declares {total} bytes uncompressed, more than {why}; refused as a possible zip bomb",
    )


def _member_refusal(label: str, rel: str, info: zipfile.ZipInfo, limits: Limits) -> Refusal | None:
    """Why one member (at the safe path ``rel``) is refused: a link, too large, a bomb."""
    if _is_symlink(info):
        return Refusal(
            label, rel, "symlink in the archive (refused: links can point outside the store)"
        )
    if info.file_size > limits.max_file:
        return Refusal(
            label,
            rel,
            f"{info.file_size} bytes, larger than limits.max_file ({limits.max_file})",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
        return Refusal(
            label,
            rel,
            f"compression ratio {ratio:.0f}:1 exceeds limits.max_zip_ratio "
            f"({limits.max_zip_ratio:g}); refused as a possible zip bomb",
        )
    return None


_EXTRACT_ERRORS = (
    ValueError,
    zipfile.BadZipFile,
    OSError,
    NotImplementedError,
    RuntimeError,
    EOFError,
)


def _zip_reader(
    path: Path, info: zipfile.ZipInfo, limit: int, budget: _Budget
) -> Callable[[], bytes]:
    """Inflate one member of the zip at ``path`` when called (errors become ValueError)."""

    def read() -> bytes:
        try:
            with zipfile.ZipFile(path) as zf:
                return _inflate(zf, info, limit, budget)
        except _EXTRACT_ERRORS as exc:
            raise ValueError(f"cannot be extracted: {exc}") from None

    return read


def scan_folder(root: Path, label: str, limits: Limits) -> tuple[list[Entry], list[Refusal]]:
    """Walk a folder without following symlinks; refuse links, special and oversized files."""
    entries: list[Entry] = []
    refusals: list[Refusal] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                rel = (here / name).relative_to(root).as_posix()
                refusals.append(
                    Refusal(
                        label,
                        rel,
                        "symlink to a folder (refused: links can point outside the store)",
                    )
                )
        dirnames[:] = sorted(d for d in dirnames if not (here / d).is_symlink())
        for name in sorted(filenames):
            path = here / name
            rel = PurePosixPath(path.relative_to(root).as_posix()).as_posix()
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                refusals.append(
                    Refusal(label, rel, "symlink (refused: links can point outside the store)")
                )
            elif not stat.S_ISREG(st.st_mode):
                refusals.append(Refusal(label, rel, "not a regular file"))
            elif st.st_size > limits.max_file:
                refusals.append(
                    Refusal(
                        label,
                        rel,
                        f"{st.st_size} bytes, larger than limits.max_file ({limits.max_file})",
                    )
                )
            else:
                entries.append(Entry(rel, st.st_size, None, _reader(path, limits.max_file)))
    return entries, refusals


def _const(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _reader(path: Path, limit: int) -> Callable[[], bytes]:
    def read() -> bytes:
        # O_NOFOLLOW: a file swapped for a link after the walk is not followed
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"larger than limits.max_file ({limit})")
        return data

    return read

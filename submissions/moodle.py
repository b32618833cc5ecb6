"""Moodle's "Download all submissions" zip: reading its layout, and writing one.

What Moodle writes (``mod/assign``, the submission downloader): one folder per
participant, named ``<full name>_<participant id>_assignsubmission_<plugin>``
with the files below it, ``file`` for uploads and ``onlinetext`` for the online
text (``onlinetext.html``). Moodle 3.x adds a trailing ``_`` to the folder
name; with "download as folders" off, the files sit in the zip root as
``<full name>_<id>_assignsubmission_file_<file name>``. Underscores in the name
become spaces. The participant id is Moodle's own number, neither the student
id nor the matriculation number, so a folder is matched by the full name. In
team mode the folder is ``<team name>_<group id>_assignsubmission_file``; with
blind marking the name is ``Participant``, which cannot be matched.

The folder names carry no time. The zip entries carry a date-time without a
timezone (read in the course timezone); Moodle writes either the file's time
or, in some versions, the time of the download. The intake uses the entry
times and says so, and warns when all entries carry the same time.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

_COMPONENT = re.compile(
    r"^(?P<name>[^_]+)_(?P<pid>\d+)_assign(?P<area>submission|feedback)_(?P<plugin>[a-z0-9]+)(?:_(?P<rest>.*))?$"
)
BLIND_NAMES = {"participant", "teilnehmer/in", "teilnehmerin", "teilnehmer", "teilnehmer in"}


@dataclass(frozen=True)
class MoodleFolder:
    """The parsed top-level name of one participant's files in a Moodle zip."""

    full_name: str
    participant_id: str
    area: str  # submission | feedback
    plugin: str  # file | onlinetext | ...
    rest: str  # for the flat layout: the file name; else ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.full_name, self.participant_id, self.plugin)

    @property
    def blind(self) -> bool:
        return self.full_name.strip().casefold() in BLIND_NAMES


def parse_component(component: str) -> MoodleFolder | None:
    """Parse ``Anna Berg_1234_assignsubmission_file_`` (or a flat file name); None if not Moodle's."""
    m = _COMPONENT.match(component)
    if not m:
        return None
    return MoodleFolder(m["name"], m["pid"], m["area"], m["plugin"], m["rest"] or "")


def looks_like_moodle(paths: Iterable[str]) -> bool:
    """True when the top-level names of ``paths`` follow Moodle's layout."""
    tops = {p.split("/", 1)[0] for p in paths if not p.startswith("__MACOSX")}
    return bool(tops) and sum(parse_component(t) is not None for t in tops) * 2 >= len(tops)


# ------------------------------------------------------------------- writing


@dataclass
class MoodleSubmission:
    """One participant's files for :func:`write_moodle_zip`."""

    full_name: str
    participant_id: int | str
    files: dict[str, bytes] = field(default_factory=dict)
    mtime: datetime | None = None
    onlinetext: str | None = None


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _clean(name: str) -> str:
    """Roughly Moodle's ``clean_filename``: drop characters not allowed in file names."""
    return _UNSAFE.sub("", name)


def write_moodle_zip(
    path: str | Path,
    entries: Iterable[MoodleSubmission | Mapping[str, Any]],
    *,
    style: str = "folders",
    timezone: str = "Europe/Berlin",
) -> Path:
    """Write a zip laid out like Moodle's "Download all submissions".

    Args:
        path: The zip to write.
        entries: One per participant: a :class:`MoodleSubmission`, or a mapping with
            ``full_name``, ``participant_id``, ``files`` (name → bytes; ``/`` makes
            subfolders) and optional ``mtime`` (datetime; aware ones are written in
            ``timezone``, as Moodle writes local time) and ``onlinetext`` (HTML).
        style: ``folders`` (Moodle 4: ``Name_id_assignsubmission_file/f``),
            ``folders-legacy`` (Moodle 3: ``…_file_/f``) or ``flat``
            (``Name_id_assignsubmission_file_f`` in the zip root).
        timezone: Zone of the server that "wrote" the zip.

    Returns:
        The path written.

    Example:
        >>> write_moodle_zip("moodle.zip", [{"full_name": "Anna Berg", "participant_id": 4711,
        ...                                  "files": {"pca.ipynb": b"{}"}}])  # doctest: +SKIP
    """
    if style not in ("folders", "folders-legacy", "flat"):
        raise ValueError(f"style must be folders, folders-legacy or flat, not {style!r}")
    tz = ZoneInfo(timezone)
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for raw in entries:
            sub = raw if isinstance(raw, MoodleSubmission) else MoodleSubmission(**dict(raw))
            prefix = _clean(sub.full_name.replace("_", " ")) + f"_{sub.participant_id}"
            stamp = sub.mtime or datetime.now(tz)
            if stamp.tzinfo is not None:
                stamp = stamp.astimezone(tz)
            date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
            items = [("file", name, data) for name, data in sub.files.items()]
            if sub.onlinetext is not None:
                items.append(("onlinetext", "onlinetext.html", sub.onlinetext.encode()))
            for plugin, name, data in items:
                folder = f"{prefix}_assignsubmission_{plugin}"
                if style == "flat":
                    member = f"{folder}_{name}"
                elif style == "folders-legacy":
                    member = f"{folder}_/{name}"
                else:
                    member = f"{folder}/{name}"
                info = zipfile.ZipInfo(member, date_time=date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
    return path

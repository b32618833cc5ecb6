"""Moodle's "Download all submissions" zip: reading its layout, and writing one.

What Moodle writes (``mod/assign/classes/downloader.php`` since Moodle 4.1,
``assign::download_submissions`` in ``mod/assign/locallib.php`` before): one
folder per submission, named ``<prefix>_assignsubmission_<plugin>`` with the
plugin's files below it (``file`` for uploads, keeping their subfolders;
``onlinetext`` for the online text, ``onlinetext.html`` and its images; the
NOTO plugin's ``noto``, one ``<name>_user<user id>.zip`` of the student's
JupyterHub folder, opened like any zip in an upload). The
prefix is

- individual submissions: ``<full name>_<participant id>``, the full name with
  ``_`` turned into spaces and cleaned like a file name;
- blind marking ("anonymous submissions"): ``Participant_<participant id>``;
- team submissions: ``<group name>_<group id>``; the students in no group share
  one submission whose prefix is just ``Default group`` (the localised
  ``defaultteam`` string), without any id. Before 4.1 the prefix was
  ``<group name>-<full name>_<participant id>`` (one folder per group, named after
  the member it was downloaded for) and ``Default group-<full name>_<participant id>``.

Moodle 3.x adds a trailing ``_`` to the folder name; with "download as
folders" off, the files sit in the zip root as ``<prefix>_assignsubmission_file_<file name>``.
The participant id is Moodle's per-assignment number (``assign_user_mapping``),
neither the student id nor the matriculation number; it is what Moodle's
feedback-zip import matches folders back with, so it is kept with each
submission. A folder is matched to the roster by the full name or group name.

The folder names carry no time. The zip entries carry a date-time without a
timezone (read in the course timezone); Moodle writes either the file's time
or, in some versions, the time of the download. The intake uses the entry
times and says so, and warns when all entries carry the same time; the
grading worksheet (:mod:`sheetgrade.submissions.worksheet`) has the true
submission times.
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
# the default group of team mode: no id after the name
_NO_ID = re.compile(
    r"^(?P<name>[^_]+)_assign(?P<area>submission|feedback)_(?P<plugin>[a-z0-9]+)(?:_(?P<rest>.*))?$"
)
BLIND_NAMES = {"participant", "teilnehmer/in", "teilnehmerin", "teilnehmer", "teilnehmer in"}
DEFAULT_GROUP = "Default group"  # mod_assign's 'defaultteam' string (English)
SUBMISSION_PLUGINS = ("file", "onlinetext", "noto")  # noto: one zip of the JupyterHub folder


@dataclass(frozen=True)
class MoodleFolder:
    """The parsed top-level name of one submission's files in a Moodle zip."""

    full_name: str  # a person's full name, a group name, "Participant", or "Default group"
    participant_id: str  # participant id, or group id in team mode; "" for the default group
    area: str  # submission | feedback
    plugin: str  # file | onlinetext | ...
    rest: str  # for the flat layout: the file name; else ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.full_name, self.participant_id, self.plugin)

    @property
    def prefix(self) -> str:
        """``Anna Berg_4711`` (or ``Default group``): what the plugin folders share."""
        return f"{self.full_name}_{self.participant_id}" if self.participant_id else self.full_name

    @property
    def folder(self) -> str:
        """The folder name as Moodle 4 writes it, ``Anna Berg_4711_assignsubmission_file``."""
        return f"{self.prefix}_assign{self.area}_{self.plugin}"

    @property
    def blind(self) -> bool:
        """Anonymous submissions: ``Participant`` (before 4.1 in team mode ``<group>-Participant``)."""
        return self.full_name.rsplit("-", 1)[-1].strip().casefold() in BLIND_NAMES

    @property
    def default_group(self) -> bool:
        """Team mode's shared submission of every student in no group."""
        return not self.participant_id


def parse_component(component: str) -> MoodleFolder | None:
    """Parse ``Anna Berg_1234_assignsubmission_file_`` (or a flat file name, or
    ``Default group_assignsubmission_file``); None if not Moodle's."""
    m = _COMPONENT.match(component)
    if m:
        return MoodleFolder(m["name"], m["pid"], m["area"], m["plugin"], m["rest"] or "")
    m = _NO_ID.match(component)
    if m:
        return MoodleFolder(m["name"], "", m["area"], m["plugin"], m["rest"] or "")
    return None


def looks_like_moodle(paths: Iterable[str]) -> bool:
    """True when the top-level names of ``paths`` follow Moodle's layout."""
    tops = {p.split("/", 1)[0] for p in paths if not p.startswith("__MACOSX")}
    return bool(tops) and sum(parse_component(t) is not None for t in tops) * 2 >= len(tops)


# ------------------------------------------------------------------- writing


@dataclass
class MoodleSubmission:
    """One participant's (or team's) files for :func:`write_moodle_zip`.

    ``full_name`` and ``participant_id``: a student's name and participant id; in
    team mode the group name and group id; ``Participant`` for blind marking; the
    default group has no id (``None`` or ``""``).
    """

    full_name: str
    participant_id: int | str | None
    files: dict[str, bytes] = field(default_factory=dict)
    mtime: datetime | None = None
    onlinetext: str | None = None


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _clean(name: str) -> str:
    """Roughly Moodle's ``clean_filename``: drop characters not allowed in file names."""
    return _UNSAFE.sub("", name)


def moodle_prefix(name: str, participant_id: int | str | None) -> str:
    """The prefix Moodle's downloader gives a submission: ``Anna Berg_4711``, or for
    the default group of team mode just ``Default group``."""
    cleaned = _clean(name.replace("_", " "))
    return f"{cleaned}_{participant_id}" if participant_id not in (None, "") else cleaned


def write_moodle_zip(
    path: str | Path,
    entries: Iterable[MoodleSubmission | Mapping[str, Any]],
    *,
    style: str = "folders",
    timezone: str = "Europe/Berlin",
    compression: int = zipfile.ZIP_DEFLATED,
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
        compression: ``zipfile.ZIP_DEFLATED`` or ``zipfile.ZIP_STORED`` (scans
            hardly compress; stored members keep a large test zip fast).

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
    with zipfile.ZipFile(path, "w", compression) as zf:
        for raw in entries:
            sub = raw if isinstance(raw, MoodleSubmission) else MoodleSubmission(**dict(raw))
            prefix = moodle_prefix(sub.full_name, sub.participant_id)
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
                info.compress_type = compression
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
    return path

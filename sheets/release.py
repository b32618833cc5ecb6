"""``sheet release``, ``sheet list`` and ``sheet show``: the zip for students,
the HTML index of released sheets, and what the course's sheets look like."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sheetgrade.course.course import Course, Sheet
from sheetgrade.sheets.build import built_hash, require_current_build, sheet_build_dir
from sheetgrade.sheets.errors import SheetError

INDEX_FILE = "index.html"
WHEEL_GLOB = "sheetgrade-*.whl"
INDEX_TEMPLATE = "release_index.html.j2"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class ReleaseResult:
    """What a release wrote."""

    sheet_id: str
    zip_path: Path
    index_path: Path
    zip_sha256: str
    wheel_path: Path | None = None
    unchanged: bool = False  # the same files as the last release: nothing rewritten
    previous_at: str | None = None  # when it was last released (course time), if ever
    changes: list[str] = field(default_factory=list)  # "changed: pca.ipynb", ...


@dataclass
class SheetStatus:
    """One row of ``sheet list``."""

    id: str
    title: str
    due: str
    points: float
    built: str  # yes | stale | no | error
    released: bool
    release_state: str = ""  # no | yes | yes (stale: rebuilt since)
    details: dict[str, Any] = field(default_factory=dict)


def _zip_bytes(source: Path, prefix: str) -> bytes:
    """A deterministic zip of ``source`` under ``prefix/``: sorted entries, fixed dates and modes."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(
                f"{prefix}/{path.relative_to(source).as_posix()}", date_time=ZIP_DATE
            )
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _zip(source: Path, target: Path, prefix: str) -> str:
    """Write the deterministic zip of ``source`` to ``target``; return its sha256."""
    data = _zip_bytes(source, prefix)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".zip.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return hashlib.sha256(data).hexdigest()


def _zip_changes(old: Path, new: bytes) -> list[str]:
    """What differs between a released zip and a new one, file by file."""
    import io

    def entries(archive: zipfile.ZipFile) -> dict[str, int]:
        return {i.filename.split("/", 1)[-1]: i.CRC for i in archive.infolist()}

    try:
        with zipfile.ZipFile(old) as a:
            before = entries(a)
    except (OSError, zipfile.BadZipFile):
        return ["the last release's zip is missing or unreadable"]
    with zipfile.ZipFile(io.BytesIO(new)) as b:
        after = entries(b)
    out = []
    for label, names in (
        ("changed", [n for n in after if n in before and after[n] != before[n]]),
        ("added", [n for n in after if n not in before]),
        ("removed", [n for n in before if n not in after]),
    ):
        if names:
            out.append(f"{label}: {', '.join(sorted(names))}")
    return out


def local_time(course: Course, iso: str | None) -> str | None:
    """A stored UTC time in the course's timezone, with its offset; None for None."""
    from sheetgrade.course.timefmt import course_time

    return course_time(course, iso) if iso else None


def _release_state(course: Course, sheet: Sheet, row: Any) -> str:
    if row is None or not row.released_at:
        return "no"
    student = sheet_build_dir(course, sheet.id) / "student"
    if not student.is_dir() or not row.release_hash:
        return "yes"
    now = hashlib.sha256(_zip_bytes(student, sheet.id)).hexdigest()
    return "yes" if now == row.release_hash else "yes (stale: rebuilt since)"


def _released_rows(course: Course) -> dict[str, Any]:
    from sqlalchemy import select

    from sheetgrade.course import store

    with course.engine.connect() as conn:
        return {row.id: row for row in conn.execute(select(store.sheets))}


def _fmt_due(course: Course, due: datetime) -> str:
    try:
        local = due.astimezone(ZoneInfo(course.config.timezone))
    except (KeyError, ValueError):
        local = due
    return local.strftime("%a %d %b %Y, %H:%M")


def _sheet_context(course: Course, sheet: Sheet) -> dict[str, Any]:
    tasks = sheet.config.tasks
    return {
        "id": sheet.id,
        "title": sheet.title,
        "due": _fmt_due(course, sheet.entry.due),
        "due_iso": sheet.entry.due.isoformat(),
        "points": sheet.max_points,
        "auto_points": sum(t.points for t in tasks if t.kind == "auto"),
        "bonus": sheet.entry.bonus,
        "auto_tasks": [
            {"id": t.id, "title": t.title, "points": t.points} for t in tasks if t.kind == "auto"
        ],
        "manual_tasks": [
            {"id": t.id, "title": t.title, "points": t.points} for t in tasks if t.kind == "manual"
        ],
        "zip": f"{sheet.id}.zip",
        # what students pass to `sheetgrade check`: the notebook, or the folder of several
        "notebook": Path(sheet.config.notebook).name
        if sheet.config.notebook
        else ("." if sheet.config.notebooks else None),
        "topic": sheet.config.topic,
        "lectures": _fmt_lectures(sheet.config.lectures),
    }


def _fmt_lectures(numbers: list[int]) -> str:
    """``[10, 11, 12]`` → ``"Lectures 10–12"``, ``[2, 14]`` → ``"Lectures 2, 14"``."""
    if not numbers:
        return ""
    ordered = sorted(set(numbers))
    if len(ordered) == 1:
        return f"Lecture {ordered[0]}"
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"Lectures {ordered[0]}–{ordered[-1]}"
    return "Lectures " + ", ".join(map(str, ordered))


def grading_version() -> str:
    """The version of the installed sheetgrade, the one that grades this course
    (read from the distribution, so this package needs no import of the facade)."""
    from importlib.metadata import version

    return version("sheetgrade")


def _install_context(course: Course) -> dict[str, Any]:
    """How students install the sheetgrade that grades them: the wheel in the
    release folder if there is one, else the same version from the package index."""
    __version__ = grading_version()

    wheels = sorted(course.release_dir.glob(WHEEL_GLOB)) if course.release_dir.is_dir() else []
    if wheels:
        return {
            "wheel": wheels[-1].name,
            "command": f"python -m pip install {wheels[-1].name}",
            "version": __version__,
        }
    return {
        "wheel": None,
        "command": f'python -m pip install "sheetgrade=={__version__}"',
        "version": __version__,
    }


def add_wheel(course: Course, wheel: Path) -> Path:
    """Copy the pinned sheetgrade ``wheel`` into the release folder (replacing an older one).

    Raises:
        SheetError: not a sheetgrade wheel, unreadable, or of another version
            than the sheetgrade that grades this course.
    """
    __version__ = grading_version()

    parts = wheel.name.split("-")
    if wheel.suffix != ".whl" or len(parts) < 5 or parts[0] != "sheetgrade":
        raise SheetError(
            f"{wheel}: not a sheetgrade wheel (expected sheetgrade-<version>-py3-none-any.whl); "
            f"build one with `python -m pip wheel --no-deps -w dist <sheetgrade source>`"
        )
    if not wheel.is_file():
        raise SheetError(f"{wheel}: no such file")
    try:
        with zipfile.ZipFile(wheel) as archive:
            bad = archive.testzip()
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise SheetError(f"{wheel}: not a readable wheel ({exc})") from None
    if bad is not None or not any(n.endswith(".dist-info/METADATA") for n in names):
        raise SheetError(f"{wheel}: a damaged wheel ({bad or 'no METADATA'}); build it again")
    if parts[1] != __version__:
        raise SheetError(
            f"{wheel.name} is sheetgrade {parts[1]}, but this course is graded with sheetgrade "
            f"{__version__}; release the wheel of the version that grades, so that students "
            f"check with it"
        )
    course.release_dir.mkdir(parents=True, exist_ok=True)
    target = course.release_dir / wheel.name
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(wheel.read_bytes())
    tmp.replace(target)
    for old in course.release_dir.glob(WHEEL_GLOB):
        if old != target:
            old.unlink()
    return target


def write_index(course: Course) -> Path:
    """Render ``release/index.html`` listing every released sheet, in course order."""
    from sheetgrade.templates import environment

    rows = _released_rows(course)
    released = [
        s
        for s in course.sheets()
        if rows.get(s.id) is not None
        and rows[s.id].released_at
        and (course.release_dir / f"{s.id}.zip").is_file()
    ]
    html = (
        environment(course.templates_dir)
        .get_template(INDEX_TEMPLATE)
        .render(
            course=course.config.course,
            term=course.config.term,
            timezone=course.config.timezone,
            sheets=[_sheet_context(course, s) for s in released],
            install=_install_context(course),
        )
    )
    path = course.release_dir / INDEX_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8", newline="\n")
    return path


def release_sheet(course: Course, sheet_id: str, *, wheel: Path | None = None) -> ReleaseResult:
    """Zip the sheet's current student build into ``release/<sheet>.zip`` and update the index.

    Args:
        course: the course.
        sheet_id: the sheet (or an unambiguous prefix).
        wheel: a sheetgrade wheel to publish beside the sheets, so that students
            install exactly the version that grades them (see :func:`add_wheel`).

    Raises:
        BuildMissing: there is no build, or the source changed since it.
        SheetError: ``wheel`` is not a sheetgrade wheel of this version.
    """
    from sheetgrade.course import store
    from sheetgrade.course.sync import sync_sheets

    sheet = course.sheet(course.resolve_sheet_id(sheet_id))
    build_hash = require_current_build(course, sheet.id)
    wheel_path = add_wheel(course, wheel) if wheel is not None else None
    target = course.release_dir / f"{sheet.id}.zip"
    data = _zip_bytes(sheet_build_dir(course, sheet.id) / "student", sheet.id)
    digest = hashlib.sha256(data).hexdigest()
    row = _released_rows(course).get(sheet.id)
    previous = local_time(course, row.released_at) if row is not None else None
    if (
        row is not None
        and row.released_at
        and row.release_hash == digest
        and target.is_file()
        and hashlib.sha256(target.read_bytes()).hexdigest() == digest
        and wheel is None
    ):
        return ReleaseResult(
            sheet_id=sheet.id,
            zip_path=target,
            index_path=course.release_dir / INDEX_FILE,
            zip_sha256=digest,
            unchanged=True,
            previous_at=previous,
        )
    changes = _zip_changes(target, data) if previous and target.is_file() else []
    digest = _zip(sheet_build_dir(course, sheet.id) / "student", target, sheet.id)
    sync_sheets(course)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    with store.transaction(course.engine) as conn:
        conn.execute(
            store.sheets.update()
            .where(store.sheets.c.id == sheet.id)
            .values(released_at=now, release_hash=digest, build_hash=build_hash)
        )
    index = write_index(course)
    return ReleaseResult(
        sheet_id=sheet.id,
        zip_path=course.release_dir / f"{sheet.id}.zip",
        index_path=index,
        zip_sha256=digest,
        wheel_path=wheel_path,
        previous_at=previous,
        changes=changes,
    )


def _build_state(course: Course, sheet: Sheet) -> str:
    from sheetgrade.sheets.build import current_hash

    if not sheet.notebook_paths:
        return "-"
    built = built_hash(course, sheet.id)
    if built is None:
        return "no"
    try:
        return "yes" if current_hash(course, sheet.id) == built else "stale"
    except SheetError:
        return "error"


def list_sheets(course: Course) -> list[SheetStatus]:
    """Every sheet of the course with its build and release state."""
    rows = _released_rows(course)
    return [
        SheetStatus(
            id=s.id,
            title=s.title,
            due=_fmt_due(course, s.entry.due),
            points=s.max_points,
            built=_build_state(course, s),
            released=bool(rows.get(s.id) is not None and rows[s.id].released_at),
            release_state=_release_state(course, s, rows.get(s.id)),
        )
        for s in course.sheets()
    ]


def show_sheet(course: Course, sheet_id: str) -> dict[str, Any]:
    """Details of one sheet: tasks, build state and the tests of its build."""
    import json

    from sheetgrade.sheets.model import BUNDLE_FILE

    sheet = course.sheet(course.resolve_sheet_id(sheet_id))
    info = _sheet_context(course, sheet)
    info["notebook"] = sheet.config.notebook or ", ".join(sheet.config.notebooks) or None
    info["data"] = list(sheet.config.data)
    info["built"] = _build_state(course, sheet)
    row = _released_rows(course).get(sheet.id)
    info["built_at"] = local_time(course, row.built_at) if row is not None else None
    info["released_at"] = local_time(course, row.released_at) if row is not None else None
    info["release_state"] = _release_state(course, sheet, row)
    bundle_path = sheet_build_dir(course, sheet.id) / "autograder" / BUNDLE_FILE
    tests: dict[str, dict[str, int]] = {}
    if bundle_path.is_file():
        bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
        info["format"] = bundle["format"]
        info["build_hash"] = bundle["build_hash"]
        for t in bundle["tests"]:
            entry = tests.setdefault(t["task"], {"public": 0, "hidden": 0})
            entry["hidden" if t["hidden"] else "public"] += 1
    info["tests"] = tests
    return info

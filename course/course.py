"""A course directory: discovery, paths, settings and the sheets in it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sheetgrade.course.config import CourseConfig, SheetConfig, SheetEntry
from sheetgrade.course.errors import ConfigError, CourseNotFound
from sheetgrade.course.schema import load_yaml_file
from sheetgrade.course.suggest import did_you_mean

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

COURSE_FILE = "course.yml"
SHEET_FILE = "sheet.yml"
ENV_VAR = "SHEETGRADE_COURSE"


def find_course_root(
    start: Path | None = None, explicit: str | os.PathLike[str] | None = None
) -> Path:
    """Find the course directory like git finds a repository.

    ``explicit`` (``--course``) wins, then ``$SHEETGRADE_COURSE``, then the first
    of ``start`` (default: cwd) and its parents that holds a course.yml.
    """
    for source, value in (("--course", explicit), (ENV_VAR, os.environ.get(ENV_VAR))):
        if value:
            path = Path(value).expanduser().resolve()
            if path.is_file() and path.name == COURSE_FILE:
                path = path.parent
            if not (path / COURSE_FILE).is_file():
                raise CourseNotFound(
                    f"{source} {value}: no {COURSE_FILE} there; run `sheetgrade init {value}`"
                )
            return path
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / COURSE_FILE).is_file():
            return directory
    raise CourseNotFound(
        f"no {COURSE_FILE} in {start} or any parent directory; run `sheetgrade init` "
        f"or pass --course PATH"
    )


@dataclass
class Sheet:
    """A sheet as the course sees it: its entry in course.yml plus its sheet.yml."""

    entry: SheetEntry
    config: SheetConfig
    path: Path

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def max_points(self) -> float:
        return self.config.max_points

    @property
    def notebook_path(self) -> Path | None:
        return self.path / self.config.notebook if self.config.notebook else None

    @property
    def notebook_paths(self) -> list[Path]:
        """Every graded source notebook of the sheet, in order (one for most sheets)."""
        return [self.path / name for name in self.config.notebook_names]


@dataclass
class Course:
    """An opened course directory. Cheap to create; loads lazily."""

    root: Path
    config: CourseConfig
    _sheets: dict[str, Sheet] = field(default_factory=dict, repr=False)

    @classmethod
    def open(
        cls, explicit: str | os.PathLike[str] | None = None, start: Path | None = None
    ) -> Course:
        """Discover and load the course; raise ConfigError with every problem."""
        root = find_course_root(start, explicit)
        config = load_yaml_file(CourseConfig, root / COURSE_FILE, label=COURSE_FILE)
        return cls(root=root, config=config)

    # ---------------------------------------------------------------- paths
    @property
    def sheets_dir(self) -> Path:
        return self.root / "sheets"

    @property
    def roster_dir(self) -> Path:
        return self.root / "roster"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def submissions_dir(self) -> Path:
        return self.root / "submissions"

    @property
    def marks_dir(self) -> Path:
        return self.root / "marks"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def templates_dir(self) -> Path:
        """Course-local template overrides (searched before the built-in templates)."""
        return self.root / "templates"

    # --------------------------------------------------------------- sheets
    @property
    def sheet_ids(self) -> list[str]:
        return [s.id for s in self.config.sheets]

    def resolve_sheet_id(self, name: str) -> str:
        """Accept ``03-ridge``, ``03`` or ``3``; raise ConfigError with a near miss."""
        ids = self.sheet_ids
        if name in ids:
            return name
        prefix = [
            i
            for i in ids
            if i.split("-", 1)[0] == name or i.split("-", 1)[0].lstrip("0") == name.lstrip("0")
        ]
        if len(prefix) == 1 and name.lstrip("0") != "":
            return prefix[0]
        known = ", ".join(ids) or "none"
        raise ConfigError(
            f"no sheet '{name}'{did_you_mean(name, ids)} (sheets in course.yml: {known})"
        )

    def sheet(self, name: str) -> Sheet:
        """Load one sheet (entry in course.yml + sheet.yml), by id or number."""
        sheet_id = self.resolve_sheet_id(name)
        if sheet_id not in self._sheets:
            entry = self.config.sheet(sheet_id)
            assert entry is not None
            path = self.sheets_dir / sheet_id
            label = f"sheets/{sheet_id}/{SHEET_FILE}"
            if not (path / SHEET_FILE).is_file():
                raise ConfigError(
                    f"{label}: file not found; every sheet in course.yml needs a folder with a {SHEET_FILE}"
                )
            config = load_yaml_file(SheetConfig, path / SHEET_FILE, label=label)
            self._sheets[sheet_id] = Sheet(entry=entry, config=config, path=path)
        return self._sheets[sheet_id]

    def sheets(self) -> list[Sheet]:
        """All sheets in course order."""
        return [self.sheet(i) for i in self.sheet_ids]

    # ---------------------------------------------------------------- store
    @cached_property
    def engine(self) -> Engine:
        """The database engine, schema created or upgraded to the current version."""
        from sheetgrade.course.store import database_url, open_store

        return open_store(database_url(self.config.database.url), self.root)

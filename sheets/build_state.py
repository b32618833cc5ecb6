"""What a build is made of, and whether the build on disk is current.

The build hash is a sha256 over the normalised inputs (sheet.yml settings, the
parsed notebooks, the header's cells, the data files' bytes). A sheet of one
notebook hashes exactly as it always did.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any

from sheetgrade.course.course import Course, Sheet
from sheetgrade.sheets.errors import BuildMissing, SheetError
from sheetgrade.sheets.model import BUNDLE_FILE, PUBLIC_TESTS_FILE
from sheetgrade.sheets.parts import NotebookSource, hash_part, header_cells, parse_sources

#: Bumped when the layout of a build changes, so old builds count as stale.
BUILD_VERSION = "1"


def sheet_build_dir(course: Course, sheet_id: str) -> Path:
    """``build/<sheet>/``."""
    return course.build_dir / sheet_id


def load_sheet(course: Course, sheet_id: str) -> Sheet:
    """The sheet for ``01-pca``, ``01`` or ``1``; it must have a notebook."""
    sheet = course.sheet(course.resolve_sheet_id(sheet_id))
    if not sheet.notebook_paths:
        raise SheetError(
            f"sheets/{sheet.id}/sheet.yml has no `notebook:`; a sheet without a notebook has "
            "nothing to build (its tasks are all pen-and-paper)"
        )
    return sheet


def parse_sheet(sheet: Sheet) -> list[NotebookSource]:
    """Read and parse the sheet's graded notebooks (no code runs); see :mod:`.parts`."""
    return parse_sources(sheet)


def data_files(sheet: Sheet) -> list[tuple[str, Path]]:
    files = []
    for rel in sheet.config.data:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts:
            raise SheetError(
                f"sheets/{sheet.id}/sheet.yml: data file '{rel}' must be inside the sheet folder"
            )
        path = sheet.path / pure
        if not path.is_file():
            raise SheetError(
                f"sheets/{sheet.id}/sheet.yml: data file '{rel}' not found in {sheet.path}"
            )
        files.append((pure.as_posix(), path))
    return sorted(files)


def compute_hash(
    sheet: Sheet, sources: list[NotebookSource], header: list[Any] | None = None
) -> str:
    """sha256 over the normalised inputs of a build (for one notebook, as it always was)."""
    payload: dict[str, Any] = {"version": BUILD_VERSION, "sheet": sheet.id}
    if sheet.config.notebooks:
        payload["notebooks"] = [hash_part(source) for source in sources]
    else:
        payload.update(hash_part(sources[0]))
    payload["config"] = asdict(sheet.config)
    payload["data"] = [
        [rel, hashlib.sha256(path.read_bytes()).hexdigest()] for rel, path in data_files(sheet)
    ]
    if header:
        payload["header"] = header
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_hash(course: Course, sheet_id: str) -> str:
    """The hash a build of the sheet's current source would have."""
    sheet = load_sheet(course, sheet_id)
    return compute_hash(sheet, parse_sheet(sheet), header_cells(sheet))


def built_hash(course: Course, sheet_id: str) -> str | None:
    """The hash of the build on disk, or None when there is no complete build."""
    folder = sheet_build_dir(course, sheet_id)
    bundle = folder / "autograder" / BUNDLE_FILE
    public = folder / "student" / PUBLIC_TESTS_FILE
    if not (bundle.is_file() and public.is_file()):
        return None
    try:
        return str(json.loads(bundle.read_text(encoding="utf-8"))["build_hash"])
    except (ValueError, KeyError):
        return None


def require_current_build(course: Course, sheet_id: str) -> str:
    """The build hash, when a complete build of the current source exists.

    Raises:
        BuildMissing: no build, or the source changed since the build.
    """
    built = built_hash(course, sheet_id)
    if built is None:
        raise BuildMissing(
            f"sheet {sheet_id} has not been built; run `sheetgrade sheet build {sheet_id}`"
        )
    now = current_hash(course, sheet_id)
    if now != built:
        raise BuildMissing(
            f"the build of sheet {sheet_id} is stale: its source changed since the build "
            f"(build {built[:12]}, source now {now[:12]}); run `sheetgrade sheet build {sheet_id}`"
        )
    return built

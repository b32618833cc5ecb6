"""The version store on disk: ``submissions/<sheet>/<owner>/<n>/`` plus ``manifest.json``.

Crash safety. A version is written into ``submissions/<sheet>/.tmp/…``, every
file and folder fsynced, then renamed into place in one step; the database rows
are committed only after every rename. A process killed at any point leaves
either a temp folder (always incomplete: removed on the next run) or a version
folder without a row. The next run, holding the sheet lock
(:mod:`sheetgrade.course.locks`), *adopts* such a folder when its manifest is
complete and every file matches its sha256, and removes it otherwise; so
re-running the same ``collect`` completes without duplicates. Versions are never changed or deleted once they have a row.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetgrade.submissions.contents import MANIFEST, content_hash
from sheetgrade.submissions.errors import SubmissionError

TMP = ".tmp"
_SAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def owner_dirname(owner: str) -> str:
    """A folder name for an owner id that cannot escape the sheet folder."""
    name = _SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), owner)
    return "%2E" + name[1:] if name.startswith(".") else name


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_file(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(target, 0o444)


def _remove(path: Path) -> None:
    """Remove a leftover folder (its files are read-only, its folders are not)."""
    shutil.rmtree(path)


@dataclass
class Recovery:
    """What a run found left over from an interrupted one."""

    removed_temp: list[str] = field(default_factory=list)
    adopted: list[dict[str, Any]] = field(default_factory=list)  # rows to insert
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # rows whose folder is gone

    @property
    def anything(self) -> bool:
        return bool(self.removed_temp or self.adopted or self.removed or self.missing)


class SheetStore:
    """The versions of one sheet on disk."""

    def __init__(self, course_root: Path, submissions_dir: Path, sheet_id: str) -> None:
        self.root = course_root
        self.dir = submissions_dir / sheet_id

    def relpath(self, owner: str, version: int) -> str:
        """The version folder relative to the course root (the ``path`` column)."""
        return (self.dir / owner_dirname(owner) / str(version)).relative_to(self.root).as_posix()

    # ------------------------------------------------------------------ write
    def write_version(
        self, owner: str, version: int, files: dict[str, bytes], manifest: dict[str, Any]
    ) -> str:
        """Write one version (files + manifest) and rename it into place; return its relpath."""
        tmp_root = self.dir / TMP
        tmp_root.mkdir(parents=True, exist_ok=True)
        tmp = tmp_root / f"{owner_dirname(owner)}-{version}-{secrets.token_hex(4)}"
        tmp.mkdir()
        base = tmp.resolve()
        folders = {tmp}
        for rel, data in sorted(files.items()):
            target = tmp / rel
            if not target.resolve().is_relative_to(base) or rel == MANIFEST:
                raise SubmissionError(f"refusing to write {rel!r} outside its version folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.update(p for p in target.parents if p.is_relative_to(tmp))
            _write_file(target, data)
        _write_file(
            tmp / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        )
        for folder in sorted(folders, key=lambda p: -len(p.parts)):
            _fsync_dir(folder)
        final = self.dir / owner_dirname(owner) / str(version)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            raise SubmissionError(
                f"{final} already exists; run `sheetgrade collect` again to recover"
            )
        os.rename(tmp, final)
        _fsync_dir(final.parent)
        _fsync_dir(tmp_root)
        return self.relpath(owner, version)

    # ---------------------------------------------------------------- recover
    def recover(
        self, known_paths: set[str], known_shas: set[tuple[str, str]], *, dry_run: bool = False
    ) -> Recovery:
        """Find leftovers of an interrupted run; unless ``dry_run``, remove temp folders
        and orphaned version folders that cannot be adopted.

        ``known_paths`` are the ``path`` values of the sheet's rows; ``known_shas`` the
        (owner, sha256) pairs. Adoptable folders come back as rows in ``adopted``.
        """
        rec = Recovery()
        if not self.dir.is_dir():
            return rec
        tmp_root = self.dir / TMP
        if tmp_root.is_dir():
            for leftover in sorted(tmp_root.iterdir()):
                rec.removed_temp.append(leftover.name)
                if not dry_run:
                    _remove(leftover)
        on_disk: set[str] = set()
        for owner_dir in sorted(
            p for p in self.dir.iterdir() if p.is_dir() and not p.name.startswith(".")
        ):
            for vdir in sorted(
                (p for p in owner_dir.iterdir() if p.is_dir() and p.name.isdigit()),
                key=lambda p: int(p.name),
            ):
                rel = vdir.relative_to(self.root).as_posix()
                on_disk.add(rel)
                if rel in known_paths:
                    continue
                row = self._adoptable(vdir, owner_dir.name, rel, known_shas)
                if row is not None:
                    rec.adopted.append(row)
                    known_shas.add((row["owner"], row["sha256"]))
                else:
                    rec.removed.append(rel)
                    if not dry_run:
                        _remove(vdir)
        rec.missing = sorted(known_paths - on_disk)
        return rec

    def _adoptable(
        self, vdir: Path, dirname: str, rel: str, known_shas: set[tuple[str, str]]
    ) -> dict[str, Any] | None:
        try:
            manifest = json.loads((vdir / MANIFEST).read_text(encoding="utf-8"))
            owner = manifest["owner"]
            listed = manifest["files"]
            if owner_dirname(owner) != dirname or str(manifest["version"]) != vdir.name:
                return None
            files = {
                p.relative_to(vdir).as_posix()
                for p in vdir.rglob("*")
                if p.is_file() and p.name != MANIFEST
            }
            if files != set(listed):
                return None
            digests: dict[str, bytes] = {}
            for path, meta in listed.items():
                data = (vdir / path).read_bytes()
                if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                    return None
                digests[path] = data
            if (
                content_hash(digests) != manifest["sha256"]
                or (owner, manifest["sha256"]) in known_shas
            ):
                return None
            return {
                "sheet_id": manifest["sheet"],
                "owner": owner,
                "owner_kind": manifest["owner_kind"],
                "submitted_by": manifest.get("submitted_by"),
                "version": int(manifest["version"]),
                "sha256": manifest["sha256"],
                "path": rel,
                "notebook": manifest.get("notebook"),
                "received_at": manifest["received_at"],
                "late_seconds": float(manifest["late_seconds"]),
                "source": manifest.get("source", ""),
                "flags": json.dumps(manifest.get("flags", [])),
                "created_at": manifest["created_at"],
            }
        except (OSError, ValueError, KeyError, TypeError):
            return None

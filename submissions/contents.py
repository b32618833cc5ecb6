"""What is kept of an upload: the files a sheet accepts, the main notebook, flags.

Rules (documented for tutors in ``sheetgrade collect --help``):

- notebooks (``.ipynb``) are always accepted; a sheet with pen-and-paper tasks
  (``kind: manual``) also accepts scans and write-ups: ``.pdf``, ``.png``,
  ``.jpg``, ``.jpeg``, ``.txt``, ``.md``; the data files a sheet ships
  (``data:`` in sheet.yml) are accepted by name, and so is the text typed into
  Moodle's online-text field (``onlinetext.html``). Anything else is refused;
- a zip inside an upload (a student zipping their folder) is opened once, with
  the same safety checks; a zip inside that is refused;
- OS clutter (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, ``.ipynb_checkpoints/``)
  is dropped silently;
- the same bytes uploaded twice under two names keep the first and refuse the
  duplicate;
- a corrupt notebook (not JSON, or not nbformat) is kept and flagged
  ``corrupt-notebook``;
- the main notebook is the one named like the sheet's notebook, else the only
  notebook (flag ``notebook-renamed``, except for files named after their owner,
  ``s001.ipynb``); several candidates: ``several-notebooks``; none: ``no-notebook``;
- a sheet with several graded notebooks (``notebooks:`` in sheet.yml, e.g.
  nbgrader's ps1 with ``problem1.ipynb`` and ``problem2.ipynb``): each is found
  by its file name (case aside, in any folder of the upload) and kept at the top
  of the version under the sheet's name for it; the main notebook is the first
  one present; each one missing is flagged ``notebook-missing:<name>`` (the
  others are still collected); none present: ``no-notebook``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import PurePosixPath

from sheetgrade.course.config import Limits
from sheetgrade.submissions.archive import Entry, Refusal, scan_zip

MANIFEST = "manifest.json"
JUNK_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}
JUNK_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
PAPER_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".txt", ".md"}
ONLINE_TEXT = "onlinetext.html"  # what Moodle's online-text plugin puts in a download


@dataclass(frozen=True)
class SheetRules:
    """What a sheet accepts."""

    notebooks: tuple[str, ...]  # the graded notebooks' file names, in the sheet's order
    paper: bool  # has pen-and-paper tasks
    data_files: frozenset[str] = frozenset()

    @property
    def notebook(self) -> str | None:
        """The expected notebook's file name (the first one of several)."""
        return self.notebooks[0] if self.notebooks else None

    def accepts(self, path: str) -> bool:
        p = PurePosixPath(path)
        suffix = p.suffix.lower()
        return (
            suffix == ".ipynb"
            or (self.paper and suffix in PAPER_SUFFIXES)
            or p.name in self.data_files
            or path == ONLINE_TEXT
        )

    def describe(self) -> str:
        kinds = ["notebooks (.ipynb)"]
        if self.paper:
            kinds.append("pen-and-paper write-ups (" + ", ".join(sorted(PAPER_SUFFIXES)) + ")")
        return " and ".join(kinds)


@dataclass
class Contents:
    """The files kept from one upload."""

    files: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the file
    notebook: str | None = None
    graded: list[str] = field(default_factory=list)  # the sheet's notebooks found, in its order
    flags: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # shown in the report, do not fail the batch

    @property
    def sha256(self) -> str:
        return content_hash(self.files, self.digests)

    def digest(self, path: str) -> str:
        """sha256 of one file (computed once)."""
        if path not in self.digests:
            self.digests[path] = hashlib.sha256(self.files[path]).hexdigest()
        return self.digests[path]


def content_hash(files: dict[str, bytes], digests: dict[str, str] | None = None) -> str:
    """sha256 of the canonical file list: one ``<sha256>  <path>`` line per file, sorted by path.

    ``digests`` holds file hashes already known (path -> sha256), so large scans are hashed once.
    """
    known = digests or {}
    lines = "".join(
        f"{known.get(path) or hashlib.sha256(data).hexdigest()}  {path}\n"
        for path, data in sorted(files.items())
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def _is_junk(path: str) -> bool:
    parts = path.split("/")
    return (
        any(p in JUNK_DIRS for p in parts[:-1])
        or parts[-1] in JUNK_FILES
        or parts[-1].startswith("~$")
    )


def _strip_common(files: dict[str, bytes]) -> dict[str, bytes]:
    while files and all("/" in p for p in files):
        tops = {p.split("/", 1)[0] for p in files}
        if len(tops) != 1:
            break
        files = {p.split("/", 1)[1]: d for p, d in files.items()}
    return files


def read_contents(
    entries: list[Entry],
    source: str,
    rules: SheetRules,
    limits: Limits,
    tz: tzinfo,
    *,
    named_by_owner: bool = False,
) -> Contents:
    """Read and filter an upload's entries (see the module docstring for the rules).

    ``named_by_owner``: the files are named after their owner (``s001.ipynb`` in a
    flat folder), so a notebook not named like the sheet's is not flagged.
    """
    out = Contents()
    raw: list[tuple[str, bytes]] = []
    for e in entries:
        if _is_junk(e.path):
            continue
        try:
            data = e.read()
        except (OSError, ValueError) as exc:
            reason = str(exc) if str(exc).startswith("cannot be") else f"cannot be read: {exc}"
            out.refusals.append(Refusal(source, e.path, reason))
            continue
        if e.path.lower().endswith(".zip"):
            inner, refused = scan_zip(data, f"{source}/{e.path}", limits, tz)
            out.refusals += refused
            for i in inner:
                if _is_junk(i.path):
                    continue
                if i.path.lower().endswith(".zip"):
                    out.refusals.append(
                        Refusal(
                            f"{source}/{e.path}", i.path, "a zip inside a zip inside the upload"
                        )
                    )
                    continue
                raw.append((i.path, i.read()))
        else:
            raw.append((e.path, data))
    files = _strip_common(dict(raw))
    seen: dict[str, str] = {}
    expected = {n.casefold() for n in rules.notebooks}
    # a file named like one of the sheet's notebooks wins a duplicate; then by path
    for path in sorted(files, key=lambda p: (PurePosixPath(p).name.casefold() not in expected, p)):
        data = files[path]
        if not rules.accepts(path):
            out.refusals.append(
                Refusal(source, path, f"not accepted for this sheet (it takes {rules.describe()})")
            )
            continue
        if path == MANIFEST:
            out.refusals.append(
                Refusal(source, path, f"'{MANIFEST}' is reserved for the store's manifest")
            )
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            out.refusals.append(
                Refusal(source, path, f"duplicate upload: the same bytes as {seen[digest]}")
            )
            continue
        seen[digest] = path
        out.files[path] = data
        out.digests[path] = digest
    if len(rules.notebooks) > 1:
        _graded_notebooks(out, rules)
    else:
        out.notebook = _main_notebook(out, rules)
        out.graded = [out.notebook] if out.notebook and rules.notebook else []
    if named_by_owner and "notebook-renamed" in out.flags:
        out.flags.remove("notebook-renamed")
    for path in sorted(p for p in out.files if p.lower().endswith(".ipynb")):
        problem = notebook_problem(out.files[path])
        if problem:
            if "corrupt-notebook" not in out.flags:
                out.flags.append("corrupt-notebook")
            out.problems.append(f"{path}: corrupt notebook, kept and flagged ({problem})")
    return out


def _main_notebook(out: Contents, rules: SheetRules) -> str | None:
    notebooks = sorted(p for p in out.files if p.lower().endswith(".ipynb"))
    if rules.notebook:
        named = [
            p for p in notebooks if PurePosixPath(p).name.casefold() == rules.notebook.casefold()
        ]
        if named:
            return min(named, key=lambda p: (p.count("/"), p))
    if len(notebooks) == 1:
        if rules.notebook:
            out.flags.append("notebook-renamed")
        return notebooks[0]
    if len(notebooks) > 1:
        out.flags.append("several-notebooks")
        return None
    if rules.notebook:
        out.flags.append("no-notebook")
    return None


def _graded_notebooks(out: Contents, rules: SheetRules) -> None:
    """Several graded notebooks: each found by name, moved to the top under the sheet's name."""
    notebooks = sorted(p for p in out.files if p.lower().endswith(".ipynb"))
    missing: list[str] = []
    for name in rules.notebooks:
        named = [p for p in notebooks if PurePosixPath(p).name.casefold() == name.casefold()]
        if not named:
            missing.append(name)
            continue
        found = min(named, key=lambda p: (p.count("/"), p != name, p))
        if found != name:  # in a folder, or named in another case
            out.files[name] = out.files.pop(found)
            out.digests[name] = out.digests.pop(found)
        out.graded.append(name)
    if not notebooks:
        out.flags.append("no-notebook")
        return
    out.notebook = out.graded[0] if out.graded else None
    out.flags += [f"notebook-missing:{name}" for name in missing]
    others = sorted(p for p in out.files if p.lower().endswith(".ipynb") and p not in out.graded)
    if missing and others:
        out.problems.append(
            f"no {', '.join(missing)}; the upload holds {', '.join(others)} "
            f"(renamed?): kept, not graded"
        )


def notebook_problem(data: bytes) -> str | None:
    """Why these bytes are not a valid notebook, or None."""
    try:
        node = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not valid JSON: {exc}"
    if not isinstance(node, dict) or "cells" not in node or "nbformat" not in node:
        return "JSON, but not a notebook (no 'cells' or 'nbformat')"
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. MissingIDFieldWarning for old notebooks
            nbformat.validate(nbformat.from_dict(node))
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        return f"not valid nbformat: {first[:160]}"
    return None

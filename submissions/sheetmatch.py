"""Which sheet an upload belongs to: catching another sheet's zip given to ``collect``.

Each built sheet leaves a student notebook in ``build/<sheet>/student/``. Its
fingerprint is what students do not edit: the text of its markdown cells, the
cells the build adds (ids ``sg-…``, and cells marked with ``sheetgrade``
metadata). An upload's notebook is compared with every built sheet's
fingerprint; when another sheet's matches clearly better than the one being
collected, or the notebook carries another sheet's file name, the upload looks
like that sheet's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetgrade.course.course import Course
    from sheetgrade.submissions.outcomes import CollectReport, Item

STRONG = 0.5  # share of a sheet's fingerprint an upload of that sheet keeps
MARGIN = 0.25  # how much better another sheet must match


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def fingerprint(data: bytes) -> frozenset[str]:
    """The markers of a notebook that students leave alone (empty when not a notebook)."""
    try:
        node = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return frozenset()
    cells = node.get("cells") if isinstance(node, dict) else None
    if not isinstance(cells, list):
        return frozenset()
    marks: set[str] = set()
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        ident = cell.get("id")
        if isinstance(ident, str) and ident.startswith("sg-"):
            marks.add(f"id:{ident}")
        text = " ".join(_source(cell).split())
        meta = cell.get("metadata")
        built = isinstance(meta, dict) and "sheetgrade" in meta
        if text and (cell.get("cell_type") == "markdown" or built):
            marks.add("text:" + hashlib.sha256(text.encode()).hexdigest()[:16])
    return frozenset(marks)


@dataclass(frozen=True)
class SheetPrint:
    sheet_id: str
    notebooks: tuple[str, ...]  # the graded notebooks' file names, casefolded
    marks: tuple[frozenset[str], ...]  # one fingerprint per built student notebook

    def score(self, uploaded: list[frozenset[str]]) -> float:
        """The best share of one of this sheet's fingerprints that one uploaded notebook keeps."""
        return max(
            (len(u & m) / len(m) for u in uploaded for m in self.marks if m),
            default=0.0,
        )


@dataclass(frozen=True)
class Guess:
    """An upload that looks like another sheet's, and why."""

    sheet_id: str
    reason: str


class SheetMatcher:
    """Fingerprints of every sheet of the course, to tell whose an upload is."""

    def __init__(self, prints: list[SheetPrint]) -> None:
        self.prints = prints

    @classmethod
    def load(cls, course: Course) -> SheetMatcher:
        prints = []
        for sheet in course.sheets():
            names = [PurePosixPath(n).name for n in sheet.config.notebook_names]
            student = course.build_dir / sheet.id / "student"
            built = [student / n for n in names if (student / n).is_file()]
            if not built and student.is_dir():
                found = sorted(student.glob("*.ipynb"))
                built = found if len(found) == 1 else []
            prints.append(
                SheetPrint(
                    sheet.id,
                    tuple(n.casefold() for n in names),
                    tuple(fingerprint(path.read_bytes()) for path in built),
                )
            )
        return cls(prints)

    def guess(self, sheet_id: str, files: dict[str, bytes], graded: list[str]) -> Guess | None:
        """The other sheet these files look like, or None when they fit ``sheet_id``
        (or nothing can be told). ``graded``: the upload's notebooks named like the
        sheet's; when there are none, every notebook of the upload is looked at."""
        candidates = [p for p in graded if p in files] or sorted(
            p for p in files if p.lower().endswith(".ipynb")
        )
        mine = next((p for p in self.prints if p.sheet_id == sheet_id), None)
        if not candidates or mine is None:
            return None
        uploaded = [fingerprint(files[p]) for p in candidates]
        scores = {p.sheet_id: p.score(uploaded) for p in self.prints if any(p.marks)}
        own = scores.get(sheet_id, 0.0)
        others = [p for p in self.prints if p.sheet_id != sheet_id]
        best = max(others, key=lambda p: scores.get(p.sheet_id, 0.0), default=None)
        if best is not None and any(mine.marks) and any(best.marks):
            score = scores[best.sheet_id]
            if score >= STRONG and score >= own + MARGIN:
                return Guess(
                    best.sheet_id,
                    f"its notebook has {score:.0%} of sheet {best.sheet_id}'s fixed cells "
                    f"and {own:.0%} of {sheet_id}'s",
                )
        names = {PurePosixPath(p).name.casefold(): PurePosixPath(p).name for p in candidates}
        if mine.notebooks and not names.keys() & set(mine.notebooks) and own < STRONG:
            for other in others:
                shared = sorted(names.keys() & set(other.notebooks))
                if shared:
                    return Guess(
                        other.sheet_id,
                        f"its notebook is named {names[shared[0]]}, "
                        f"the notebook of sheet {other.sheet_id}",
                    )
        return None


def describe_source(source: str, guesses: list[Guess], total: int) -> tuple[str, str] | None:
    """(likely sheet, one line) when most of a source's ``total`` uploads look like
    one other sheet's; None otherwise."""
    if not guesses or total == 0:
        return None
    counts: dict[str, int] = {}
    for g in guesses:
        counts[g.sheet_id] = counts.get(g.sheet_id, 0) + 1
    likely, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 2 <= total:
        return None
    return likely, f"{n} of {total} uploads look like sheet {likely} ({guesses[0].reason})"


def check_sources(
    course: Course, sheet_id: str, items: list[Item], report: CollectReport
) -> list[Item]:
    """Refuse a source whose uploads mostly look like another sheet's (unless forced);
    flag single uploads that do."""
    matcher = SheetMatcher.load(course)
    by_source: dict[int, list[tuple[Item, Any]]] = {}
    for item in items:
        assert item.contents is not None
        guess = matcher.guess(sheet_id, item.contents.files, item.contents.graded)
        if guess is not None:
            item.flags.append(f"looks-like:{guess.sheet_id}")
        by_source.setdefault(item.upload.group, []).append((item, guess))
    kept: list[Item] = []
    expected = [Path(n).name for n in course.sheet(sheet_id).config.notebook_names]
    for group, pairs in by_source.items():
        source = report.sources[group] if group < len(report.sources) else pairs[0][0].upload.source
        many = Path(source).is_dir() or Path(source).suffix.lower() == ".zip"
        if (
            expected
            and many
            and not any(
                p.lower().endswith(".ipynb")
                for item, _ in pairs
                for p in (item.contents.files if item.contents else {})
            )
        ):
            # a download of scans for the pen-and-paper part is fine; say so all the same
            report.warnings.append(
                f"{source}: no notebook (.ipynb) in any of its {len(pairs)} upload(s), though "
                f"sheet {sheet_id} expects {' and '.join(expected)}; collected the write-ups only. "
                f"If that was not meant: `sheetgrade submissions undo {sheet_id}`"
            )
        guesses = [g for _, g in pairs if g is not None]
        verdict = describe_source(source, guesses, len(pairs))
        if verdict is not None:
            likely, line = verdict
            if not report.force:
                report.refused_sources.append(
                    f"{source}: {line}; nothing from it was collected for {sheet_id}. "
                    f"If it is sheet {likely}'s: `sheetgrade collect {likely} {source}`; "
                    f"to collect it for {sheet_id} anyway: --force"
                )
                continue
            report.warnings.append(f"{source}: {line}; collected for {sheet_id} (--force)")
        else:
            for item, guess in pairs:
                if guess is not None:
                    report.warnings.append(
                        f"{item.upload.source}: looks like sheet {guess.sheet_id} "
                        f"({guess.reason}); collected, flagged looks-like:{guess.sheet_id}"
                    )
        kept += [item for item, _ in pairs]
    return kept

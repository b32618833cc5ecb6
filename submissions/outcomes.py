"""What ``collect`` reports: one outcome per upload, the run's report, and the
``unmatched.csv``/``refused.csv`` files it leaves in the sheet's submissions folder."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sheetgrade.submissions.archive import Refusal
from sheetgrade.submissions.contents import Contents
from sheetgrade.submissions.layouts import Upload
from sheetgrade.submissions.matching import Match
from sheetgrade.submissions.storage import Recovery

UNMATCHED_CSV = "unmatched.csv"
REFUSED_CSV = "refused.csv"
FAILED = ("duplicate", "unmatched", "ambiguous", "unresolved", "refused")


@dataclass
class Outcome:
    """What happened to one upload."""

    source: str
    status: str  # stored | unchanged | duplicate | unmatched | ambiguous | unresolved | refused
    owner: str | None = None
    owner_kind: str | None = None
    submitted_by: str | None = None
    version: int | None = None
    files: list[str] = field(default_factory=list)
    notebook: str | None = None
    received_at: datetime | None = None
    time_origin: str = ""
    late_seconds: float = 0.0
    flags: list[str] = field(default_factory=list)
    message: str = ""
    candidates: list[str] = field(default_factory=list)


@dataclass
class CollectReport:
    """The result of one ``collect`` run."""

    sheet_id: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)  # single files refused
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    team_uploads: list[str] = field(default_factory=list)  # one member uploaded for the whole team
    recovery: Recovery = field(default_factory=Recovery)
    report_files: list[Path] = field(default_factory=list)
    # whole sources refused: empty, no notebook, or another sheet's
    refused_sources: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    force: bool = False
    operation_id: int | None = None  # the recorded collect (None: nothing stored)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> bool:
        """True when anything was refused or could not be matched."""
        return (
            bool(self.refusals)
            or bool(self.refused_sources)
            or any(o.status in FAILED for o in self.outcomes)
        )


@dataclass
class Item:
    """One upload on its way through collect: matched, read, owned, timed."""

    upload: Upload
    order: int
    match: Match
    contents: Contents | None = None
    owner: str | None = None
    owner_kind: str = "student"
    submitted_by: str | None = None
    members: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    time_origin: str = ""
    late: float = 0.0
    flags: list[str] = field(default_factory=list)
    unresolved: str = ""  # why a Moodle default group could not be credited


def unmatched_outcome(item: Item) -> Outcome:
    up, match = item.upload, item.match
    if item.unresolved:
        return Outcome(
            up.source, "unresolved", message=item.unresolved, candidates=match.candidates
        )
    if up.blind:
        msg = (
            f"Moodle blind marking hides the name ({up.label!r}); reveal identities in Moodle and "
            f"download again"
        )
    elif match.kind == "ambiguous":
        msg = f"{up.label!r} could be any of: {', '.join(match.candidates)}; not guessed"
    else:
        near = (
            f"; near miss: {', '.join(match.candidates)} (not matched: names must match exactly)"
            if match.candidates
            else ""
        )
        msg = f"{up.label!r} matches no student by id, matriculation number, e-mail or name{near}"
    return Outcome(
        up.source,
        "ambiguous" if match.kind == "ambiguous" else "unmatched",
        message=msg,
        candidates=match.candidates,
    )


def write_reports(folder: Path, report: CollectReport, when: datetime) -> list[Path]:
    """unmatched.csv (this run's, replaced each run) and refused.csv (every run's,
    appended with the collect's time) in the sheet's submissions folder."""
    unmatched = [o for o in report.outcomes if o.status in ("unmatched", "ambiguous", "unresolved")]
    refused = [(s.split(": ", 1)[0], "", s.split(": ", 1)[-1]) for s in report.refused_sources]
    refused += [
        (o.source, "", o.message) for o in report.outcomes if o.status in ("refused", "duplicate")
    ]
    refused += [(r.source, r.path, r.reason) for r in report.refusals]
    stamp = when.isoformat(timespec="seconds")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["source", "problem", "message", "candidates"])
    writer.writerows([o.source, o.status, o.message, "; ".join(o.candidates)] for o in unmatched)
    target = folder / UNMATCHED_CSV
    tmp = folder / f".{UNMATCHED_CSV}.tmp"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, target)
    written = [target]
    history = folder / REFUSED_CSV
    header = ["collected_at", "source", "file", "reason"]
    old = history.read_text(encoding="utf-8") if history.is_file() else ""
    rows = list(csv.reader(io.StringIO(old)))
    if rows and rows[0] != header:  # written before refused.csv kept its history
        rows = [header] + [["", *r] for r in rows[1:]]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(rows or [header])
    writer.writerows([stamp, *r] for r in refused)
    tmp = folder / f".{REFUSED_CSV}.tmp"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, history)
    written.append(history)
    return written

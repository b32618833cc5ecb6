"""``submissions list``: per student, what counts for one sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.matching import Matcher
from sheetgrade.submissions.records import SubmissionRecord, all_versions, counting_submissions
from sheetgrade.submissions.timing import course_tz, human_delay

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


LIST_COLUMNS = (
    "student",
    "name",
    "group",
    "team",
    "status",
    "version",
    "received_at",
    "late_by",
    "flags",
)  # the columns of ``submissions list``, in order (``as_row``'s keys)


@dataclass(frozen=True)
class StudentStatus:
    """One student's line in ``submissions list``."""

    student: str
    name: str
    group: str
    team: str
    status: str  # submitted | missing
    version: int | None
    versions: int
    received_at: str
    late_by: str
    flags: str

    def as_row(self) -> dict[str, str]:
        return {
            "student": self.student,
            "name": self.name,
            "group": self.group,
            "team": self.team,
            "status": self.status,
            "version": "" if self.version is None else f"{self.version}/{self.versions}",
            "received_at": self.received_at,
            "late_by": self.late_by,
            "flags": self.flags,
        }


def submission_status(
    course: Course, sheet: str, *, group: str | None = None
) -> list[StudentStatus]:
    """Every student (of ``group``, if given) with the version that counts for ``sheet``.

    A student in a team sees the team's submission; a student who submitted alone
    before joining a team still sees their own when the team has none.

    Raises:
        SubmissionError: unknown group.
    """
    sheet_id = course.sheet(sheet).id
    people = Matcher.load(course.engine)
    students = sorted(people.students.values(), key=lambda s: s.id)
    if group is not None:
        groups = sorted({s.group_id for s in students if s.group_id})
        if group not in groups:
            from sheetgrade.course.suggest import did_you_mean

            raise SubmissionError(
                f"no group '{group}'{did_you_mean(group, groups)} "
                f"(groups: {', '.join(groups) or 'none'})"
            )
        students = [s for s in students if s.group_id == group]
    counting: dict[str, SubmissionRecord] = {
        r.owner: r for r in counting_submissions(course, sheet_id)
    }
    totals: dict[str, int] = {}
    for record in all_versions(course, sheet_id):
        totals[record.owner] = totals.get(record.owner, 0) + 1
    tz = course_tz(course)
    out = []
    for s in students:
        team = people.roster.team_of(s.id, sheet_id)
        counted = (counting.get(team.id) if team else None) or counting.get(s.id)
        out.append(
            StudentStatus(
                student=s.id,
                name=s.name,
                group=s.group_id or "",
                team=team.id if team else "",
                status="submitted" if counted else "missing",
                version=counted.version if counted else None,
                versions=totals.get(counted.owner, 0) if counted else 0,
                received_at=counted.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if counted
                else "",
                late_by=human_delay(counted.late_seconds) if counted else "",
                flags=_short_flags(counted.flags) if counted else "",
            )
        )
    return out


def _short_flags(flags: list[str]) -> str:
    """Flags for a table: identical uploads of many others condensed to a count."""
    same = [f for f in flags if f.startswith("same-as:")]
    rest = [f for f in flags if not f.startswith("same-as:")]
    if len(same) > 3:
        rest.append(f"same-as:{len(same)}-others")
    else:
        rest += same
    return " ".join(rest)

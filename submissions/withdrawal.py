"""``submissions withdraw`` and ``restore``: take one version back, or make a
withdrawn one count again. Nothing is deleted; each is a recorded operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sheetgrade.course import store
from sheetgrade.course.locks import sheet_lock
from sheetgrade.submissions.errors import SubmissionError
from sheetgrade.submissions.matching import Matcher
from sheetgrade.submissions.operations import (
    OperationReport,
    change_versions,
    counting_version,
    sheet_rows,
    withdrawn_ids,
)

if TYPE_CHECKING:
    from sheetgrade.course.course import Course


def owners_of(course: Course, sheet_id: str, who: str) -> list[str]:
    """The owners ``who`` names on this sheet: a team id, or a student and their team."""
    people = Matcher.load(course.engine)
    if who in people.teams:
        return [who]
    student = people.find_student(who)
    if student is None:
        from sheetgrade.course.suggest import did_you_mean

        raise SubmissionError(
            f"no student or team '{who}'{did_you_mean(who, [*people.students, *people.teams])}"
        )
    owners = [student.id]
    for team in people.teams.values():
        if student.id in team.members and team.sheet_id in (None, sheet_id):
            owners.append(team.id)
    return owners


def _pick(
    rows: list[dict[str, Any]], owners: list[str], who: str, version: int | None, sheet_id: str
) -> dict[str, Any] | None:
    mine = [r for r in rows if r["owner"] in owners]
    if not mine:
        raise SubmissionError(f"{who} has no submission for sheet {sheet_id}")
    if version is None:
        return None
    found = [r for r in mine if r["version"] == version]
    if not found:
        listed = ", ".join(f"{r['owner']} v{r['version']}" for r in mine)
        raise SubmissionError(
            f"{who} has no version {version} of sheet {sheet_id} (versions: {listed})"
        )
    if len(found) > 1:
        raise SubmissionError(
            f"{who} has version {version} both alone and in a team; name the team id instead"
        )
    return found[0]


def withdraw(
    course: Course,
    sheet: str,
    who: str,
    *,
    version: int | None = None,
    reason: str = "",
    dry_run: bool = False,
) -> OperationReport:
    """Take one version back (default: the one that counts now); nothing is deleted."""

    def default(
        mine: list[dict[str, Any]], gone: set[int], sheet_id: str, owners: list[str]
    ) -> dict[str, Any]:
        live = [r for r in mine if r["id"] not in gone]
        counted = [
            c
            for owner in owners
            if (
                c := counting_version(
                    [r for r in live if r["owner"] == owner], course.config.late.counting
                )[0]
            )
        ]
        if not counted:
            raise SubmissionError(
                f"no version of {who} counts for sheet {sheet_id}; nothing to withdraw"
            )
        return max(counted, key=lambda r: r["received_at"])

    def refuse(row: dict[str, Any], gone: set[int], sheet_id: str) -> str | None:
        if row["id"] not in gone:
            return None
        return (
            f"{row['owner']} v{row['version']} of sheet {sheet_id} is already withdrawn; "
            f"`sheetgrade submissions restore {sheet_id} {who} {row['version']}` brings it back"
        )

    return _one_version(
        course, sheet, who, version, "withdraw", default, refuse, {"reason": reason}, dry_run
    )


def restore(
    course: Course,
    sheet: str,
    who: str,
    *,
    version: int | None = None,
    dry_run: bool = False,
) -> OperationReport:
    """Make a withdrawn version count again (default: the last one withdrawn)."""

    def default(
        mine: list[dict[str, Any]], gone: set[int], sheet_id: str, owners: list[str]
    ) -> dict[str, Any]:
        taken = [r for r in mine if r["id"] in gone]
        if not taken:
            raise SubmissionError(
                f"no version of {who} is withdrawn on sheet {sheet_id}; nothing to restore"
            )
        return max(taken, key=lambda r: (r["received_at"], r["version"]))

    def refuse(row: dict[str, Any], gone: set[int], sheet_id: str) -> str | None:
        if row["id"] in gone:
            return None
        return (
            f"{row['owner']} v{row['version']} of sheet {sheet_id} is not withdrawn; "
            f"nothing to restore"
        )

    return _one_version(course, sheet, who, version, "restore", default, refuse, {}, dry_run)


_Chooser = Callable[[list[dict[str, Any]], set[int], str, list[str]], dict[str, Any]]
_Refuser = Callable[[dict[str, Any], set[int], str], "str | None"]


def _one_version(
    course: Course,
    sheet: str,
    who: str,
    version: int | None,
    kind: str,
    default: _Chooser,
    refuse: _Refuser,
    detail: dict[str, Any],
    dry_run: bool,
) -> OperationReport:
    """Withdraw or restore one version of ``who``: the one named, else ``default``'s
    choice; ``refuse`` says why the chosen version cannot be changed."""
    sheet_id = course.sheet(sheet).id
    owners = owners_of(course, sheet_id, who)
    with sheet_lock(course, sheet_id, f"submissions {kind}"):
        with store.transaction(course.engine) as conn:
            rows = sheet_rows(conn, sheet_id)
            gone = withdrawn_ids(conn, sheet_id)
            row = _pick(rows, owners, who, version, sheet_id)
            if row is None:
                row = default([r for r in rows if r["owner"] in owners], gone, sheet_id, owners)
            problem = refuse(row, gone, sheet_id)
            if problem:
                raise SubmissionError(problem)
            return change_versions(
                conn,
                course,
                sheet_id=sheet_id,
                kind=kind,
                ids=[row["id"]],
                action="withdrawn" if kind == "withdraw" else "restored",
                detail={**detail, "who": who},
                dry_run=dry_run,
            )

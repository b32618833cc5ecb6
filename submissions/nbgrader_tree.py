"""nbgrader's folders of submissions, as nbgrader itself writes them.

- ``submitted/<student>/<assignment>/…``: what ``nbgrader collect`` (or
  ``zip_collect``) leaves in the course directory, one folder per student and
  assignment (nbgrader's ``CourseDirectory.directory_structure``,
  ``{nbgrader_step}/{student_id}/{assignment_id}``);
- ``inbound/<student>+<assignment>+<timestamp>[+<random>]/…``: the exchange
  folder students submit into (``ExchangeSubmit.init_dest``); every submission
  a student made is there, so each becomes a version (the late policy picks the
  one that counts), where ``nbgrader collect`` keeps only the newest.

Each submission's time is its ``timestamp.txt`` (written by ``ExchangeSubmit``
in the format ``%Y-%m-%d %H:%M:%S.%f %Z``, in nbgrader's ``Exchange.timezone``,
UTC by default), else the timestamp in the inbound folder name.
``submission_secret.txt`` is nbgrader's bookkeeping and is left out.

An assignment belongs to the sheet when its name is the sheet's id, its
number, or its id without the number (``ps1`` for ``14-ps1``), or when it is
named with ``collect --assignment``. The student folder is matched through the
roster like any other label.
"""

from __future__ import annotations

import re

from sheetgrade.submissions.archive import Entry, Refusal
from sheetgrade.submissions.uploads import TIMESTAMP, Context, Scan, Upload, take_timestamp

SECRET = "submission_secret.txt"  # nbgrader's ExchangeSubmit writes it beside timestamp.txt
_NUMBER = re.compile(r"^\d+[-_ ]*")


def is_inbound_name(name: str) -> bool:
    """``student+assignment+timestamp[+random]``: a folder of nbgrader's inbound exchange."""
    return name.count("+") >= 2 and not name.startswith("+")


def belongs(assignment: str, ctx: Context) -> bool:
    """Whether an nbgrader assignment name means the sheet being collected."""
    if ctx.assignment is not None:
        return assignment == ctx.assignment
    if assignment == ctx.sheet_id or ctx.resolve_sheet(assignment) == ctx.sheet_id:
        return True
    bare = _NUMBER.sub("", ctx.sheet_id)
    return bool(bare) and assignment.casefold() == bare.casefold()


def _skipped(label: str, others: dict[str, int], matched: bool, ctx: Context, scan: Scan) -> None:
    if not others:
        return
    names = ", ".join(f"'{n}'" for n in sorted(others)[:5])
    if matched:
        scan.notes.append(
            f"{label}: {sum(others.values())} file(s) of other assignments ({names}) skipped"
        )
        return
    # nothing of this sheet: say what the tree holds instead of collecting nothing quietly
    scan.refusals.append(
        Refusal(
            label,
            "",
            f"nbgrader submissions of assignment(s) {names} and none for sheet {ctx.sheet_id}; "
            f"collect them for the sheet they belong to, or name the assignment: "
            f"--assignment {sorted(others)[0]}",
        )
    )


def split_submitted(entries: list[Entry], label: str, ctx: Context, scan: Scan, root: str) -> None:
    """``root<student>/<assignment>/…`` into one upload per student."""
    by_student: dict[tuple[str, str], list[Entry]] = {}
    others: dict[str, int] = {}
    for e in entries:
        if not e.path.startswith(root):
            continue  # an nbgrader course folder: source/, release/, autograded/ are not uploads
        parts = e.path[len(root) :].split("/", 2)
        if len(parts) < 3:
            scan.refusals.append(
                Refusal(
                    label,
                    e.path,
                    f"not in nbgrader's layout {root}<student>/<assignment>/<files>; not collected",
                )
            )
            continue
        student, assignment, rest = parts
        if not belongs(assignment, ctx):
            others[assignment] = others.get(assignment, 0) + 1
            continue
        if rest != SECRET:
            by_student.setdefault((student, assignment), []).append(
                Entry(rest, e.size, e.mtime, e.read)
            )
    _skipped(label, others, bool(by_student), ctx, scan)
    for (student, assignment), files in sorted(by_student.items()):
        source = f"{label}: {root}{student}/{assignment}"
        files, when = take_timestamp(files, "", ctx, source, scan)
        scan.uploads.append(
            Upload(source, student, "nbgrader", files, when, TIMESTAMP if when else "")
        )


def split_inbound(entries: list[Entry], label: str, ctx: Context, scan: Scan, root: str) -> None:
    """``root<student>+<assignment>+<timestamp>[+<random>]/…``: one upload per submission."""
    from sheetgrade.submissions.timing import parse_time

    folders: dict[str, list[Entry]] = {}
    others: dict[str, int] = {}
    for e in entries:
        if not e.path.startswith(root):
            continue
        top, sep, rest = e.path[len(root) :].partition("/")
        if not sep or not is_inbound_name(top):
            scan.refusals.append(
                Refusal(
                    label,
                    e.path,
                    "not in nbgrader's inbound layout "
                    "<student>+<assignment>+<timestamp>/<files>; not collected",
                )
            )
            continue
        # split as nbgrader's ExchangeCollect._path_to_record does: student, assignment, time
        assignment = top.rsplit("+", 3)[1]
        if not belongs(assignment, ctx):
            others[assignment] = others.get(assignment, 0) + 1
        elif rest != SECRET:
            folders.setdefault(top, []).append(Entry(rest, e.size, e.mtime, e.read))
    _skipped(label, others, bool(folders), ctx, scan)
    for top, files in sorted(folders.items()):
        student, _, stamp = top.rsplit("+", 3)[:3]
        source = f"{label}: {root}{top}"
        files, when = take_timestamp(files, "", ctx, source, scan)
        origin = TIMESTAMP
        if when is None:
            try:
                when, origin = parse_time(stamp, ctx.tz), "inbound folder name"
            except ValueError:
                origin = ""
        scan.uploads.append(Upload(source, student, "inbound", files, when, origin))

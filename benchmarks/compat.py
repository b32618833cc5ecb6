"""The differential suite: the same sheets graded by their own tool and by
sheetgrade, compared per question (otter) and per grade cell (nbgrader).

    make compat                  # needs benchmarks/.venv-competitors (setup.sh)
    make compat RECORD=1         # also rewrite tests/compat/recorded.json
    COMPETITOR_VENV=/path/to/venv make compat     # another competitors' venv

Sheets: the ones in ``compat_sheets.py`` (written for this suite, each a
pattern of real course sheets) and nbgrader's own ``ps1`` read at run time
from the installed nbgrader package (``ps1.py``); ``--notebook PATH --tool
otter|nbgrader`` adds a course's own notebook (graded solved and unanswered).
For each sheet it reports whether sheetgrade built it unchanged, whether the
solution scores the build's full points, and how many questions agree with
the original tool; a difference docs/authoring.md documents
(``CompatSheet.documented``) is listed apart. Exit status 1 when a sheet does
not build or an undocumented difference remains.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import compat_sheets as cs
import competitors
import nbformat
import tools

NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "compat"
c.Execute.timeout = 60
"""


def otter_scores(sheet: cs.CompatSheet, work: Path) -> dict[str, dict[str, float]]:
    """``otter assign`` the source, then ``otter.api.grade_submission`` each upload."""
    src = work / "src"
    cs.write_sources(sheet, src)
    competitors.run(["otter", "assign", sheet.notebook, str(work / "dist")], cwd=src)
    archives = sorted((work / "dist" / "autograder").glob("*.zip"))
    if not archives:
        raise RuntimeError(
            "otter assign wrote no autograder zip (see the notebook's ASSIGNMENT CONFIG)"
        )
    archive = archives[0]
    uploads = cs.write_uploads(sheet, work / "uploads")
    out = work / "otter.json"
    competitors.helper(
        "otter_grade.py", str(archive), str(out), *map(str, uploads.values()), cwd=work
    )
    raw = json.loads(out.read_text(encoding="utf-8"))["scores"]
    labels = sheet.students()
    return {
        labels[student]: {q: round(float(p), 6) for q, p in sorted(scores.items())}
        for student, scores in raw.items()
    }


def nbgrader_scores(sheet: cs.CompatSheet, work: Path) -> dict[str, dict[str, float]]:
    """``nbgrader generate_assignment`` and ``autograde`` in a course directory."""
    name = sheet.name
    (work / "nbgrader_config.py").parent.mkdir(parents=True, exist_ok=True)
    (work / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    cs.write_sources(sheet, work / "source" / name)
    # ``### AUTOTEST`` needs the templates; nbgrader's user guide ships its defaults
    import ps1

    shutil.copyfile(ps1.source_folder().parents[1] / "autotests.yml", work / "autotests.yml")
    competitors.run(["nbgrader", "generate_assignment", name, "--force"], cwd=work)
    for index, student in enumerate(sheet.students()):
        target = work / "submitted" / student / name / sheet.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(sheet.submission(index), str(target))
    competitors.run(["nbgrader", "autograde", name, "--force"], cwd=work)
    done = competitors.helper("nbgrader_scores.py", name, cwd=work)
    labels = sheet.students()
    return {
        labels[student]: {cell: round(float(p or 0.0), 6) for cell, p in sorted(grades.items())}
        for student, grades in json.loads(done.stdout).items()
    }


def compare(
    theirs: dict[str, dict[str, float]],
    ours: dict[str, dict[str, float]],
    documented: dict[str, dict[str, float]] | None = None,
) -> tuple[list[str], list[str]]:
    """(differences, documented differences): every question where the two differ
    (a question only one tool has counts as 0 there); a difference is documented
    when sheetgrade gives exactly the points ``documented`` names."""
    out, known = [], []
    for label in sorted(set(theirs) | set(ours)):
        a, b = theirs.get(label, {}), ours.get(label, {})
        for question in sorted(set(a) | set(b)):
            x, y = a.get(question, 0.0), b.get(question, 0.0)
            if abs(x - y) > 1e-6:
                line = f"{label} {question}: original {x:g}, sheetgrade {y:g}"
                expected = (documented or {}).get(label, {}).get(question)
                if expected is not None and abs(expected - y) < 1e-6:
                    known.append(line)
                else:
                    out.append(line)
    return out, known


def _questions(scores: dict[str, dict[str, float]]) -> int:
    return sum(len(per) for per in scores.values())


def run_sheet(sheet: cs.CompatSheet, root: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"sheet": sheet.name, "tool": sheet.tool, "pattern": sheet.pattern}
    grade = otter_scores if sheet.tool == "otter" else nbgrader_scores
    theirs = grade(sheet, root / sheet.name / sheet.tool)
    row["original"] = theirs
    try:
        ours = cs.sheetgrade_scores(sheet, root / sheet.name / "sheetgrade", tools.sheetgrade())
        row["builds"] = True
    except RuntimeError as exc:
        row.update(builds=False, error=str(exc)[-1500:], sheetgrade={}, differences=[])
        return row
    row["sheetgrade"] = ours
    row["differences"], row["documented"] = compare(theirs, ours, sheet.documented)
    row["why"] = sheet.why
    full = cs.max_scores(sheet, root / sheet.name / "sheetgrade")
    solved = ours.get("solved", {})
    row["solution_full"] = all(abs(solved.get(q, 0.0) - p) < 1e-6 for q, p in full.items())
    return row


def run_ps1(root: Path, n: int) -> dict[str, Any]:
    import ps1

    batch = ps1.write(root / "ps1", n)
    nbg = ps1.NbgraderPs1(batch, root / "ps1-nbgrader-run")
    nbg()
    ours_run = ps1.SheetgradePs1(batch, root / "ps1-sheetgrade-run", jobs=None)
    ours_run()
    theirs, ours = nbg.scores(), ours_run.scores()
    kinds = {ps1.student_name(i): ps1.pattern_for(i).kind for i in range(n)}
    theirs = {kinds[s]: v for s, v in theirs.items()}
    ours = {kinds[s]: v for s, v in ours.items()}
    return {
        "sheet": "ps1 (nbgrader user guide: problem1 + problem2 + header, one sheet)",
        "tool": "nbgrader",
        "pattern": "nbgrader's own example, read from the installed package",
        "builds": True,
        "original": theirs,
        "sheetgrade": ours,
        "differences": compare(theirs, ours)[0],
        "solution_full": ours.get("correct") == theirs.get("correct"),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="rewrite tests/compat/recorded.json")
    parser.add_argument("--only", help="run this sheet only (a compat_sheets name, or ps1)")
    parser.add_argument("--ps1", type=int, default=10, help="ps1 submissions (0: skip ps1)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--notebook",
        type=Path,
        action="append",
        default=[],
        help="also try a course's own notebook (kept outside the repository); "
        "the files beside it are its data; repeat for several",
    )
    parser.add_argument("--tool", choices=["otter", "nbgrader"], help="the --notebook's markup")
    return parser.parse_args()


def _run_notebook(path: Path, tool: str, name: str, root: Path) -> dict[str, Any]:
    """A row for a course's own notebook (``--notebook``)."""
    sheet = cs.sheet_from_file(path.resolve(), tool, name)
    print(f"... {sheet.name}: {path}", file=sys.stderr, flush=True)
    try:
        row = run_sheet(sheet, root)
    except RuntimeError as exc:  # the original tool failed on it
        row = {
            "tool": sheet.tool,
            "builds": False,
            "error": f"the original tool failed: {str(exc)[-800:]}",
            "original": {},
            "differences": [],
        }
    row["sheet"] = f"{sheet.name} ({path.name})"[:38]
    return row


def _run_all(args: argparse.Namespace, root: Path) -> list[dict[str, Any]]:
    rows = []
    for sheet in cs.SHEETS:
        if args.only and args.only != sheet.name:
            continue
        print(f"... {sheet.name}", file=sys.stderr, flush=True)
        rows.append(run_sheet(sheet, root))
    for index, path in enumerate(args.notebook):
        rows.append(_run_notebook(path, args.tool or "otter", f"real-{index + 1}", root))
    if args.ps1 and args.only in (None, "ps1"):
        print("... ps1", file=sys.stderr, flush=True)
        rows.append(run_ps1(root, args.ps1))
    return rows


def _report(rows: list[dict[str, Any]]) -> bool:
    """Print the table; True when any sheet did not build or any question differs."""
    print(f"{'sheet':38} {'tool':9} {'builds':7} {'solution':9} agreement")
    failed = False
    for row in rows:
        total = _questions(row["original"])
        known = row.get("documented", [])
        agree = total - len(row["differences"]) - len(known) if row["builds"] else 0
        full = "full" if row.get("solution_full") else "NOT FULL"
        print(
            f"{row['sheet']:38} {row['tool']:9} {'yes' if row['builds'] else 'NO':7} "
            f"{full:9} {agree}/{total} questions"
            + (f", {len(known)} documented difference(s)" if known else "")
        )
        for line in known:
            print(f"    documented: {line} ({row.get('why', '')})")
        for line in row["differences"]:
            print(f"    {line}")
        if not row["builds"]:
            print("    " + row.get("error", "").replace("\n", "\n    "))
        failed |= bool(row["differences"]) or not row["builds"]
    return failed


def _record(rows: list[dict[str, Any]], versions: dict[str, Any]) -> None:
    """Write the original tools' scores; sheets not run this time (``--only``) keep
    their recorded scores when the tools' versions are the same."""
    names = {s.name for s in cs.SHEETS}
    own = {r["sheet"]: r for r in rows if r["sheet"] in names}
    tools_now = versions.get("competitors venv", {})
    sheets = {}
    if cs.RECORDED.exists():
        before = cs.recorded()
        if before.get("versions") == tools_now:
            sheets = {k: v for k, v in before["sheets"].items() if k in names}
    sheets.update({name: {"tool": r["tool"], "scores": r["original"]} for name, r in own.items()})
    data = {
        "note": "scores of the original tools on benchmarks/compat_sheets.py, by `make compat RECORD=1`",
        "versions": tools_now,
        "sheets": dict(sorted(sheets.items())),
    }
    cs.RECORDED.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(own)} sheets in {cs.RECORDED} ({len(sheets)} in all)")


def main() -> int:
    args = _arguments()
    if not (competitors.available("otter") and competitors.available("nbgrader")):
        print(
            "the competitors' venv is missing: run `bash benchmarks/setup.sh` first",
            file=sys.stderr,
        )
        return 2
    versions = tools.versions()
    root = Path(tempfile.mkdtemp(prefix="sheetgrade-compat-"))
    try:
        rows = _run_all(args, root)
    finally:
        if args.keep:
            print(f"work folder: {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"versions: {json.dumps(versions, sort_keys=True)}")
    failed = _report(rows)
    if args.record:
        _record(rows, versions)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The sheets of the differential suite (``make compat``), written for it: each
reproduces a pattern found in real otter-grader and nbgrader course sheets.

A sheet is its source notebook in the other tool's markup, its data files, a
``sheet.yml`` for sheetgrade, and submissions: the solved notebook (the source
with the markup taken out, as a student who answered everything would hand
in) with edits applied. Both tools grade the same bytes.

:func:`sheetgrade_scores` grades a sheet with sheetgrade through its CLI; it
is shared by ``benchmarks/compat.py`` and ``tests/compat/test_recorded.py``,
which checks sheetgrade against the scores the original tools gave
(``tests/compat/recorded.json``) without the competitors.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

HERE = Path(__file__).resolve().parent
RECORDED = HERE.parent / "tests" / "compat" / "recorded.json"


def _code(source: str, outputs: list[Any] | None = None, **meta: Any) -> Any:
    cell = nbformat.v4.new_code_cell(source, metadata=dict(meta))
    cell.outputs = outputs or []
    return cell


def _t(source: str, output: str) -> Any:
    """A test cell with its stored output, as otter-assign reads expected values."""
    result = nbformat.v4.new_output(
        "execute_result", data={"text/plain": output}, execution_count=1
    )
    return _code(source, [result])


def _md(source: str) -> Any:
    return nbformat.v4.new_markdown_cell(source)


def _raw(source: str) -> Any:
    return nbformat.v4.new_raw_cell(source)


def _notebook(cells: list[Any]) -> Any:
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        }
    )
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell{index}"
    return nb


def _config(name: str, files: list[str] = ()) -> Any:  # type: ignore[assignment]
    text = (
        f"# ASSIGNMENT CONFIG\nname: {name}\nrun_tests: false\nsolutions_pdf: false\n"
        "export_cell: false\ncheck_all_cell: false\ngenerate:\n  pdf: false\ntests:\n  files: true\n"
    )
    if files:
        text += "files:\n" + "".join(f"  - {f}\n" for f in files)
    return _raw(text)


def _question(name: str, config: str, solution: str, tests: list[Any]) -> list[Any]:
    cells = [_raw(f"# BEGIN QUESTION\nname: {name}\n{config}".rstrip()), _raw("# BEGIN SOLUTION")]
    cells += [_code(solution), _raw("# END SOLUTION"), _raw("# BEGIN TESTS")]
    cells += [t if not isinstance(t, str) else _code(t) for t in tests]
    return cells + [_raw("# END TESTS"), _raw("# END QUESTION")]


@dataclass
class CompatSheet:
    """One sheet of the suite."""

    name: str
    tool: str  # otter | nbgrader
    notebook: str
    sheet_yml: str
    source: Callable[[], Any]
    data: dict[str, str] = field(default_factory=dict)
    # (label, edits): edits map text in code cells to its replacement ("" blanks
    # the cell that starts with the text); None is the solved notebook as is
    submissions: list[tuple[str, dict[str, str] | None]] = field(default_factory=list)
    pattern: str = ""

    def students(self) -> dict[str, str]:
        """student id -> submission label."""
        return {f"s{i + 1:03d}": label for i, (label, _) in enumerate(self.submissions)}

    def solved(self) -> Any:
        return (
            otter_solved(self.source()) if self.tool == "otter" else nbgrader_solved(self.source())
        )

    def submission(self, index: int) -> Any:
        nb = self.solved()
        edits = self.submissions[index][1] or {}
        for old, new in edits.items():
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                if new == "" and cell.source.startswith(old):
                    cell.source = ""
                elif new != "":
                    cell.source = cell.source.replace(old, new)
        return nb


_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END) (SOLUTION|PROMPT)\b.*$")


def otter_solved(source: Any) -> Any:
    """The solved notebook of an otter-assign source: raw markup cells, test
    cells and prompt regions out, ``# SOLUTION`` markers off their lines."""
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    cells, in_tests = [], False
    for cell in nb.cells:
        text = cell.source.strip()
        if cell.cell_type == "raw":
            name = re.search(r"^name:\s*(\S+)", text, re.MULTILINE)
            if text.startswith("# ASSIGNMENT CONFIG") and name:
                # otter-assign's student notebook carries it; otter checks it when grading
                nb.metadata["otter"] = {"assignment_name": name.group(1)}
            if re.match(r"#\s+BEGIN TESTS", text, re.IGNORECASE):
                in_tests = True
            elif re.match(r"#\s+END TESTS", text, re.IGNORECASE):
                in_tests = False
            continue
        if in_tests:
            continue
        if cell.cell_type == "code":
            lines, prompt = [], False
            for line in cell.source.split("\n"):
                if re.search(r"#\s*BEGIN PROMPT", line):
                    prompt = True
                elif re.search(r"#\s*END PROMPT", line):
                    prompt = False
                elif not prompt and not _MARKER.match(line):
                    lines.append(line)
            cell.source = "\n".join(re.sub(r"\s*#\s*SOLUTION\s*$", "", line) for line in lines)
        cells.append(cell)
    nb.cells = cells
    return nb


def nbgrader_solved(source: Any) -> Any:
    """The solved notebook of an nbgrader source: hidden test regions out."""
    nb = nbformat.from_dict(json.loads(json.dumps(source)))
    for cell in nb.cells:
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = re.sub(
                r"\n?[ \t]*#+ BEGIN HIDDEN TESTS.*?#+ END HIDDEN TESTS[ \t]*",
                "",
                cell.source,
                flags=re.DOTALL,
            )
    return nb


# ------------------------------------------------------------------ sheets


def _otter_points() -> Any:
    return _notebook(
        [
            _config("points"),
            _md("# Points"),
            *_question("q1", "", "a = 1\nb = 2", [_t("a == 1", "True"), _t("b == 2", "True")]),
            *_question(
                "q2",
                "",
                "c = 3\nd = 4",
                [
                    _t('""" # BEGIN TEST CONFIG\npoints: 2\n""" # END TEST CONFIG\nc == 3', "True"),
                    _t("d == 4", "True"),
                ],
            ),
            *_question(
                "q3",
                "points:\n  each: 1",
                "e = 5\nf = 6",
                [_t("e == 5", "True"), _t("# HIDDEN\nf == 6", "True")],
            ),
            _raw("# BEGIN QUESTION\nname: q4\nmanual: true\npoints: 2"),
            _md("Explain why."),
            _raw("# BEGIN SOLUTION"),
            _md("Because."),
            _raw("# END SOLUTION"),
            _raw("# END QUESTION"),
            *_question(
                "q5",
                "",
                "g = 7\nh = 8\ni = 9\nj = 10",
                [_t(f"{v} == {n}", "True") for v, n in zip("ghij", (7, 8, 9, 10), strict=True)],
            ),
        ]
    )


def _otter_errors() -> Any:
    return _notebook(
        [
            _config("errors"),
            _code('import otter\ngrader = otter.Notebook("errors.ipynb")'),
            _md("Using a name before defining it raises a `NameError`:"),
            _code("print(undefined_name)"),
            _code("int('not a number')"),
            *_question(
                "q1",
                "points: 2",
                "def square(x):\n    return x * x",
                [_t("square(3)", "9"), _t("# HIDDEN\nsquare(-2)", "4")],
            ),
            _code('grader.check("q1")'),
        ]
    )


def _otter_data() -> Any:
    return _notebook(
        [
            _config("iris", ["data/iris.csv", "sizes.csv"]),
            _code("import pandas as pd"),
            *_question(
                "q1",
                "points: 2",
                'df = pd.read_csv("data/iris.csv")\nn_rows = len(df)',
                [_t("n_rows", "3"), _t("# HIDDEN\nint(df['petal'].sum())", "7")],
            ),
            *_question(
                "q2",
                "points: 1",
                'sizes = pd.read_csv("sizes.csv")\ntotal = int(sizes["n"].sum())',
                [_t("total", "11")],
            ),
        ]
    )


LONG = "normalised_reflectance_by_wavelength_nm"  # 39 characters


def _otter_long_names() -> Any:
    return _notebook(
        [
            _config("long"),
            _code(
                "import numpy as np\nwavelengths_in_nanometres_sampled = np.linspace(400.0, 700.0, 7)"
            ),
            _raw("# BEGIN QUESTION\nname: q1\npoints: 3"),
            _code(
                f"{LONG} = wavelengths_in_nanometres_sampled / 700.0  # SOLUTION\n"
                f"mean_of_{LONG}, max_of_{LONG} = {LONG}.mean(), {LONG}.max()  # SOLUTION"
            ),
            _raw("# BEGIN TESTS"),
            _t(f"round(float(mean_of_{LONG}), 4)", "0.7857"),
            _t(f"# HIDDEN\nfloat(max_of_{LONG})", "1.0"),
            _t(f"len({LONG})", "7"),
            _raw("# END TESTS"),
            _raw("# END QUESTION"),
        ]
    )


def _nbgrader_scoring() -> Any:
    sys.path.insert(0, str(HERE))
    try:
        import compat_nbgrader_sheet
    finally:
        sys.path.remove(str(HERE))
    return compat_nbgrader_sheet.notebook()


def _nbgrader_yml() -> str:
    sys.path.insert(0, str(HERE))
    try:
        import compat_nbgrader_sheet
    finally:
        sys.path.remove(str(HERE))
    return str(compat_nbgrader_sheet.SHEET_YML)


SHEETS = [
    CompatSheet(
        "otter-points",
        "otter",
        "points.ipynb",
        "title: Points\nnotebook: points.ipynb\ntasks:\n"
        '  - {id: "1", points: 1}\n  - {id: "2", points: 2}\n  - {id: "3", points: 2}\n'
        '  - {id: "4", points: 2, kind: manual}\n  - {id: "5", points: 1}\n',
        _otter_points,
        submissions=[
            ("solved", None),
            ("half", {"b = 2": "b = 0", "c = 3": "c = 0", "f = 6": "f = 0", "j = 10": "j = 0"}),
            ("blank", {"a = 1": "", "c = 3": "", "e = 5": "", "g = 7": ""}),
        ],
        pattern="questions without points, cases with their own, {each: N}, manual questions",
    ),
    CompatSheet(
        "otter-errors",
        "otter",
        "errors.ipynb",
        'title: Errors\nnotebook: errors.ipynb\ntasks:\n  - {id: "1", points: 2}\n',
        _otter_errors,
        submissions=[
            ("solved", None),
            ("abs", {"return x * x": "return x * abs(x)"}),
            ("blank", {"def square": ""}),
        ],
        pattern="import otter, grader.check, cells raising on purpose",
    ),
    CompatSheet(
        "otter-data",
        "otter",
        "iris.ipynb",
        "title: Iris\nnotebook: iris.ipynb\ndata: [data/iris.csv, sizes.csv]\ntasks:\n"
        '  - {id: "1", points: 2}\n  - {id: "2", points: 1}\n',
        _otter_data,
        data={"data/iris.csv": "petal,kind\n1,a\n2,b\n4,c\n", "sizes.csv": "n\n5\n6\n"},
        submissions=[
            ("solved", None),
            ("off by one", {"n_rows = len(df)": "n_rows = len(df) - 1"}),
        ],
        pattern="data in a subfolder",
    ),
    CompatSheet(
        "otter-long-names",
        "otter",
        "long.ipynb",
        'title: Long names\nnotebook: long.ipynb\ntasks:\n  - {id: "1", points: 3}\n',
        _otter_long_names,
        submissions=[("solved", None), ("wrong scale", {"/ 700.0": "/ 400.0"})],
        pattern="32+ character identifiers before # SOLUTION",
    ),
    CompatSheet(
        "nbgrader-scoring",
        "nbgrader",
        "scoring.ipynb",
        _nbgrader_yml(),
        _nbgrader_scoring,
        submissions=[
            ("solved", None),
            (
                "wrong",
                {
                    "    return a + b": "    return a - b",
                    "total = len(words)": "total = len(words) + 1",
                    "    return np.log(np.maximum(x, 1e-300))": "    return np.log(x)",
                    "    return x * x": "    return 2 * x",
                },
            ),
            ("blanked test cell", {"score = 0\nfor a, b in": ""}),
        ],
        pattern="partial credit, ### AUTOTEST, a warning on stderr, hidden tests, a blanked read-only cell",
    ),
]


# ------------------------------------------------------------- sheetgrade

COURSE_YML = """\
course: Compat course
term: WS 2026/27
sheets:
  - id: {sheet}
    due: 2026-11-04T10:00+01:00
grading:
  timeout: 60s
"""


def write_sources(sheet: CompatSheet, folder: Path) -> None:
    """The source notebook and the data files, as the other tool's instructor has them."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(sheet.source(), str(folder / sheet.notebook))
    for rel, file in getattr(sheet, "files", {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(file.read_bytes())
    for rel, text in sheet.data.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


def write_uploads(sheet: CompatSheet, folder: Path) -> dict[str, Path]:
    """``folder/<student>/<notebook>`` for each submission; student -> notebook."""
    out = {}
    for index, student in enumerate(sheet.students()):
        path = folder / student / sheet.notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(sheet.submission(index), str(path))
        out[student] = path
    return out


def sheetgrade_scores(
    sheet: CompatSheet, work: Path, sheetgrade: Path | None = None
) -> dict[str, dict[str, float]]:
    """Grade ``sheet`` with sheetgrade's CLI: ``{label: {question: points}}``, where
    a question is a test's name (the otter question, the nbgrader grade cell)."""
    command = str(sheetgrade or Path(sys.executable).parent / "sheetgrade")
    course = work / "course"
    (course / "roster").mkdir(parents=True, exist_ok=True)
    (course / "course.yml").write_text(COURSE_YML.format(sheet=sheet.name), encoding="utf-8")
    students = sheet.students()
    rows = ["id,first_name,last_name,email,matrikel,group"]
    rows += [f"{s},Student,{s},{s}@example.org,{5000000 + i},G1" for i, s in enumerate(students)]
    (course / "roster" / "students.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (course / "roster" / "groups.csv").write_text("id,name\nG1,Group 1\n", encoding="utf-8")
    (course / "roster" / "tutors.csv").write_text(
        "name,email,groups\nTutor,tutor@example.org,G1\n", encoding="utf-8"
    )
    (course / "roster" / "teams.csv").write_text("team,student\n", encoding="utf-8")
    folder = course / "sheets" / sheet.name
    write_sources(sheet, folder)
    (folder / "sheet.yml").write_text(sheet.sheet_yml, encoding="utf-8")
    write_uploads(sheet, work / "uploads")

    def run(*args: str) -> str:
        done = subprocess.run(
            [command, "--course", str(course), *args], capture_output=True, text=True, check=False
        )
        if done.returncode not in (0,):
            raise RuntimeError(
                f"sheetgrade {' '.join(args)} failed (exit {done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    run("roster", "sync")
    run("sheet", "build", sheet.name)
    run("collect", sheet.name, str(work / "uploads"), "--received-at", "2026-11-01T10:00+01:00")
    run("grade", sheet.name, "-q")
    return _read_scores(course, sheet)


def _read_scores(course_dir: Path, sheet: CompatSheet) -> dict[str, dict[str, float]]:
    from sqlalchemy import select

    from sheetgrade.course import store
    from sheetgrade.course.course import Course
    from sheetgrade.sheets.model import AutograderBundle

    bundle = AutograderBundle.load(course_dir / "build" / sheet.name / "autograder")
    names = {t.id: t.name for t in bundle.tests}
    course = Course.open(course_dir)
    labels = sheet.students()
    out: dict[str, dict[str, float]] = {}
    with course.engine.connect() as conn:
        owners = dict(
            conn.execute(select(store.submissions.c.sha256, store.submissions.c.owner)).all()
        )
        rows = conn.execute(
            select(
                store.test_results.c.submission_sha,
                store.test_results.c.test_id,
                store.test_results.c.points,
            ).where(store.test_results.c.build_hash == bundle.build_hash)
        ).all()
    for label in labels.values():
        out[label] = {name: 0.0 for name in names.values()}
    for sha, test_id, points in rows:
        label = labels[owners[sha]]
        out[label][names[test_id]] += float(points)
    return {
        label: {q: round(p, 6) for q, p in sorted(scores.items())} for label, scores in out.items()
    }


def recorded() -> dict[str, Any]:
    """The original tools' scores on these sheets (written by ``make compat RECORD=1``)."""
    return json.loads(RECORDED.read_text(encoding="utf-8"))


# ------------------------------------------------------- sheets from a file


def derive_sheet_yml(source: Any, notebook: str, tool: str, data: list[str]) -> str:
    """A ``sheet.yml`` for a notebook written for ``tool``: one task per otter
    question (its otter point value) or per nbgrader grade cell."""
    import yaml

    from sheetgrade.sheets.formats.otter import otter_case_points

    tasks: list[tuple[str, float, str]] = []
    if tool == "nbgrader":
        for cell in source.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                auto = meta.get("grade") and not meta.get("solution") and cell.cell_type == "code"
                tasks.append(
                    (
                        str(meta["grade_id"]),
                        float(meta.get("points", 0)),
                        "auto" if auto else "manual",
                    )
                )
    else:
        question: dict[str, Any] | None = None
        own: list[float | None] = []
        in_tests = False
        for cell in source.cells:
            text = cell.source.strip()
            if text.startswith("```otter"):
                text = text.strip("`").removeprefix("otter").strip()
            head = text.split("\n", 1)[0].strip().lower()
            if cell.cell_type in ("raw", "markdown") and head == "# begin question":
                question, own = yaml.safe_load(text.split("\n", 1)[1]) or {}, []
            elif cell.cell_type in ("raw", "markdown") and head == "# begin tests":
                in_tests = True
            elif cell.cell_type in ("raw", "markdown") and head == "# end tests":
                in_tests = False
            elif cell.cell_type in ("raw", "markdown") and head == "# end question" and question:
                points = question.get("points")
                if question.get("manual") or not own:
                    value, kind = float(points or 0), "manual"
                else:
                    if isinstance(points, dict):
                        points = points.get("each", 1) * len(own)
                    if isinstance(points, list):
                        own, points = [float(p) for p in points], None
                    value, kind = sum(otter_case_points(points, own)), "auto"
                tasks.append((str(question["name"]), value, kind))
                question = None
            elif in_tests and cell.cell_type == "code":
                config = re.search(r"BEGIN TEST CONFIG(.*?)END TEST CONFIG", cell.source, re.DOTALL)
                points = None
                if config:
                    body = "\n".join(config.group(1).split("\n")[1:-1])
                    points = (yaml.safe_load(body) or {}).get("points")
                own.append(points)
    lines = [f"title: {notebook}", f"notebook: {notebook}"]
    if data:
        lines.append("data: [" + ", ".join(json.dumps(d) for d in data) + "]")
    lines.append("tasks:")
    for task_id, points, kind in tasks:
        lines.append(f"  - {{id: {json.dumps(task_id)}, points: {points:g}, kind: {kind}}}")
    return "\n".join(lines) + "\n"


def sheet_from_file(path: Path, tool: str, name: str) -> CompatSheet:
    """A sheet of the suite made from a course's notebook (read at run time,
    kept outside the repository), with the files beside it as its data."""
    source = nbformat.read(str(path), as_version=4)
    data = {
        p.relative_to(path.parent).as_posix(): p
        for p in sorted(path.parent.rglob("*"))
        if p.is_file()
        and p.suffix != ".ipynb"
        and not p.name.startswith(".")
        and p.stat().st_size < 20_000_000
    }
    sheet = CompatSheet(
        name,
        tool,
        path.name,
        derive_sheet_yml(source, path.name, tool, sorted(data)),
        lambda: nbformat.read(str(path), as_version=4),
        submissions=[("solved", None)],
        pattern=f"real sheet {path}",
    )
    sheet.files = data  # type: ignore[attr-defined]
    return sheet

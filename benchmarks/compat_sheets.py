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

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path (tests/compat) as well as from benchmarks/
    sys.path.insert(0, str(HERE))

import compat_nbgrader_sheet  # noqa: E402
from compat_grade import (  # noqa: E402
    RECORDED,
    max_scores,
    recorded,
    sheetgrade_scores,
    write_sources,
    write_uploads,
)
from compat_model import UNANSWERED, CompatSheet, nbgrader_solved, otter_solved  # noqa: E402
from compat_otter_sheets import (  # noqa: E402
    otter_all_or_nothing,
    otter_data,
    otter_errors,
    otter_long_names,
    otter_points,
)
from compat_real import derive_sheet_yml, sheet_from_file  # noqa: E402

__all__ = [
    "RECORDED",
    "SHEETS",
    "CompatSheet",
    "derive_sheet_yml",
    "max_scores",
    "nbgrader_solved",
    "otter_solved",
    "recorded",
    "sheet_from_file",
    "sheetgrade_scores",
    "write_sources",
    "write_uploads",
]


def nbgrader_scoring() -> Any:
    return compat_nbgrader_sheet.notebook()


SHEETS = [
    CompatSheet(
        "otter-points",
        "otter",
        "points.ipynb",
        "title: Points\nnotebook: points.ipynb\ntasks:\n"
        '  - {id: "1", points: 1}\n  - {id: "2", points: 2}\n  - {id: "3", points: 2}\n'
        '  - {id: "4", points: 2, kind: manual}\n  - {id: "5", points: 1}\n',
        otter_points,
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
        otter_errors,
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
        otter_data,
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
        otter_long_names,
        submissions=[("solved", None), ("wrong scale", {"/ 700.0": "/ 400.0"})],
        pattern="32+ character identifiers before # SOLUTION",
    ),
    CompatSheet(
        "otter-all-or-nothing",
        "otter",
        "aon.ipynb",
        "title: All or nothing\nnotebook: aon.ipynb\ntasks:\n"
        '  - {id: "1", points: 3}\n  - {id: "2", points: 1}\n  - {id: "3", points: 2}\n',
        otter_all_or_nothing,
        submissions=[
            ("solved", None),
            ("hidden case wrong", {"return x * x": "return x * abs(x)"}),
            (
                "one case each",
                {
                    "return x ** 3": "return x ** 3 if x > 0 else x",
                    "return x / 2": "return abs(x) / 2",
                },
            ),
            ("blank", {"def square": "", "def cube": "", "def half": ""}),
        ],
        pattern="all_or_nothing questions (public and hidden cases, an assert case, no points)",
    ),
    CompatSheet(
        "nbgrader-scoring",
        "nbgrader",
        "scoring.ipynb",
        str(compat_nbgrader_sheet.SHEET_YML),
        nbgrader_scoring,
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
    CompatSheet(
        "nbgrader-order",
        "nbgrader",
        "order.ipynb",
        compat_nbgrader_sheet.ORDER_YML,
        lambda: compat_nbgrader_sheet.notebook(compat_nbgrader_sheet.order_cells),
        submissions=[
            ("solved", None),
            # a later cell redefines the function q1-add's grade cell tested
            ("redefined later", {"    return 10 * x": "    return 10 * x\n\nadd = max"}),
            # the answer to q1 given after its grade cell
            (
                "defined late",
                {
                    "def add(a, b):": "",
                    "    return 10 * x": "    return 10 * x\n\ndef add(a, b):\n    return a + b",
                },
            ),
        ],
        pattern="grade cells run in place (nbgrader) or after the notebook (sheetgrade)",
        documented={"redefined later": {"q1-add": 0.0}, "defined late": {"q1-add": 1.0}},
        why="sheetgrade runs an nbgrader sheet's grade cells after the whole notebook, "
        "nbgrader in place (docs/authoring.md)",
    ),
    CompatSheet(
        "nbgrader-given-code",
        "nbgrader",
        "given.ipynb",
        compat_nbgrader_sheet.GIVEN_YML,
        lambda: compat_nbgrader_sheet.notebook(compat_nbgrader_sheet.given_cells),
        submissions=[
            ("solved", None),
            ("unanswered", UNANSWERED),
            (
                "wrong column",
                {"    return u[N - 1, 1] / u[0, 1]": "    return u[N - 1, 0] / u[0, 0]"},
            ),
        ],
        pattern="a solution repeating given code; a grade cell needing an earlier hidden import",
    ),
]

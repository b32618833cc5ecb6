"""The otter-grader sheets of the differential suite, each a pattern found in
real course sheets (the list of sheets is ``compat_sheets.SHEETS``)."""

from __future__ import annotations

from typing import Any

from compat_model import (
    assignment_config,
    case_cell,
    code_cell,
    md_cell,
    notebook,
    question,
    raw_cell,
)


def otter_points() -> Any:
    return notebook(
        [
            assignment_config("points"),
            md_cell("# Points"),
            *question(
                "q1", "", "a = 1\nb = 2", [case_cell("a == 1", "True"), case_cell("b == 2", "True")]
            ),
            *question(
                "q2",
                "",
                "c = 3\nd = 4",
                [
                    case_cell(
                        '""" # BEGIN TEST CONFIG\npoints: 2\n""" # END TEST CONFIG\nc == 3', "True"
                    ),
                    case_cell("d == 4", "True"),
                ],
            ),
            *question(
                "q3",
                "points:\n  each: 1",
                "e = 5\nf = 6",
                [case_cell("e == 5", "True"), case_cell("# HIDDEN\nf == 6", "True")],
            ),
            raw_cell("# BEGIN QUESTION\nname: q4\nmanual: true\npoints: 2"),
            md_cell("Explain why."),
            raw_cell("# BEGIN SOLUTION"),
            md_cell("Because."),
            raw_cell("# END SOLUTION"),
            raw_cell("# END QUESTION"),
            *question(
                "q5",
                "",
                "g = 7\nh = 8\ni = 9\nj = 10",
                [
                    case_cell(f"{v} == {n}", "True")
                    for v, n in zip("ghij", (7, 8, 9, 10), strict=True)
                ],
            ),
        ]
    )


def otter_errors() -> Any:
    return notebook(
        [
            assignment_config("errors"),
            code_cell('import otter\ngrader = otter.Notebook("errors.ipynb")'),
            md_cell("Using a name before defining it raises a `NameError`:"),
            code_cell("print(undefined_name)"),
            code_cell("int('not a number')"),
            *question(
                "q1",
                "points: 2",
                "def square(x):\n    return x * x",
                [case_cell("square(3)", "9"), case_cell("# HIDDEN\nsquare(-2)", "4")],
            ),
            code_cell('grader.check("q1")'),
        ]
    )


def otter_data() -> Any:
    return notebook(
        [
            assignment_config("iris", ["data/iris.csv", "sizes.csv"]),
            code_cell("import pandas as pd"),
            *question(
                "q1",
                "points: 2",
                'df = pd.read_csv("data/iris.csv")\nn_rows = len(df)',
                [case_cell("n_rows", "3"), case_cell("# HIDDEN\nint(df['petal'].sum())", "7")],
            ),
            *question(
                "q2",
                "points: 1",
                'sizes = pd.read_csv("sizes.csv")\ntotal = int(sizes["n"].sum())',
                [case_cell("total", "11")],
            ),
        ]
    )


LONG = "normalised_reflectance_by_wavelength_nm"  # 39 characters


def otter_long_names() -> Any:
    return notebook(
        [
            assignment_config("long"),
            code_cell(
                "import numpy as np\nwavelengths_in_nanometres_sampled = np.linspace(400.0, 700.0, 7)"
            ),
            raw_cell("# BEGIN QUESTION\nname: q1\npoints: 3"),
            code_cell(
                f"{LONG} = wavelengths_in_nanometres_sampled / 700.0  # SOLUTION\n"
                f"mean_of_{LONG}, max_of_{LONG} = {LONG}.mean(), {LONG}.max()  # SOLUTION"
            ),
            raw_cell("# BEGIN TESTS"),
            case_cell(f"round(float(mean_of_{LONG}), 4)", "0.7857"),
            case_cell(f"# HIDDEN\nfloat(max_of_{LONG})", "1.0"),
            case_cell(f"len({LONG})", "7"),
            raw_cell("# END TESTS"),
            raw_cell("# END QUESTION"),
        ]
    )


def otter_all_or_nothing() -> Any:
    return notebook(
        [
            assignment_config("aon"),
            *question(
                "q1",
                "points: 3\nall_or_nothing: true",
                "def square(x):\n    return x * x",
                [
                    case_cell("square(2)", "4"),
                    case_cell("square(3)", "9"),
                    case_cell("# HIDDEN\nsquare(-1)", "1"),
                ],
            ),
            *question(
                "q2",
                "all_or_nothing: true",
                "def cube(x):\n    return x ** 3",
                ["assert cube(2) == 8", case_cell("cube(-2)", "-8")],
            ),
            *question(
                "q3",
                "points: 2",
                "def half(x):\n    return x / 2",
                [case_cell("half(2)", "1.0"), case_cell("half(-2)", "-1.0")],
            ),
        ]
    )

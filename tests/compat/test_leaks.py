"""The leak check compares whole statements, and lets an instructor show code
on purpose (``# leak: ok``, ``<!-- leak: ok -->``, cell tag ``leak-ok``)."""

from __future__ import annotations

from sheetgrade.sheets.leaks import statements

from .conftest import code, md, notebook, raw

SHEET_YML = """\
title: Fit
notebook: fit.ipynb
tasks:
  - {id: "1", title: Fit, points: 1, kind: auto}
"""


def cells(hint: str, tagged: dict) -> list:
    return [
        code(
            "import numpy as np\nx_volume_samples = np.arange(5.0)\ny_volume_samples = 2 * x_volume_samples"
        ),
        code(
            "def describe(*arrays):\n    return [a.mean() for a in arrays]\n\nsummary = describe(x_volume_samples,\n                   y_volume_samples,\n                   )"
        ),
        md(hint),
        md("Another way: `slope_estimate = float(coef[0])`", **tagged),
        raw("# BEGIN QUESTION\nname: q1\npoints: 1"),
        raw("# BEGIN SOLUTION"),
        code(
            "coef = np.polyfit(x_volume_samples,\n                  y_volume_samples,\n                  deg=1)\nslope_estimate = float(coef[0])"
        ),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code("round(slope_estimate, 6)"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]


def test_imports_are_no_secret() -> None:
    from sheetgrade.sheets.formats.base import SecretLine
    from sheetgrade.sheets.leaks import find_leaks

    secrets = [SecretLine("import numpy as np", 3, 1), SecretLine("answer = np.pi * 2", 3, 2)]
    texts = {"cell 1": "import numpy as np\nanswer = np.pi * 2"}
    leaks = find_leaks(texts, secret_lines=secrets, tests=[], notebook="n.ipynb")
    assert [leak.text for leak in leaks] == ["answer = np.pi * 2"]


def test_statements_not_fragments() -> None:
    found = statements(
        ["coef = f(a,", "         b,", "         c=1)", "for i in range(3):", "    total += i"]
    )
    assert found == ["coef = f(a,\n         b,\n         c=1)", "for i in range(3):", "total += i"]
    assert statements(["    b,", "    c=1)"]) == []


def test_fragments_and_marked_hints_build(foreign_course) -> None:
    hint = "Hint: `coef = np.polyfit(x_volume_samples, y_volume_samples, deg=1)` <!-- leak: ok -->"
    course = foreign_course(SHEET_YML, {"fit.ipynb": notebook(cells(hint, {"tags": ["leak-ok"]}))})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code == 0, built.output


def test_an_unmarked_hint_is_still_a_leak(foreign_course) -> None:
    hint = "Hint: `coef = np.polyfit(x_volume_samples, y_volume_samples, deg=1)`"
    course = foreign_course(SHEET_YML, {"fit.ipynb": notebook(cells(hint, {}))})
    built = course.cli("sheet", "build", "01")
    assert built.exit_code != 0
    assert "student notebook cell 3: solution line" in built.output
    assert "student notebook cell 4: solution line" in built.output
    assert "y_volume_samples,'" not in built.output  # the fragment alone is no secret
    assert "# leak: ok" in built.output

"""The warm worker preloads what the sheet's notebook imports, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from sheetgrade.graders.preload import IPYTHON_REWRITER, LIMIT, modules_in, sheet_modules
from sheetgrade.graders.sandbox.zygote import PRELOAD, preload_list


def test_modules_in_reads_every_import_form() -> None:
    source = (
        "import numpy as np, scipy.stats\n"
        "from matplotlib import pyplot as plt\n"
        "    from os.path import join  # indented, inside a function\n"
        "from . import sibling\n"
        "x = 'import notamodule'  # not at the start of a line\n"
        "%matplotlib inline\n"
    )
    assert modules_in(source) == ["numpy", "scipy", "scipy.stats", "matplotlib", "os", "os.path"]


def test_sheet_modules_of_a_notebook(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": "import pandas"},
        {"cell_type": "code", "source": ["import numpy as np\n", "import matplotlib.pyplot"]},
        {"cell_type": "code", "source": "from numpy.linalg import norm"},
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert sheet_modules(path) == ("numpy", "matplotlib", "matplotlib.pyplot", "numpy.linalg")


def test_sheet_modules_is_bounded_and_tolerant(tmp_path: Path) -> None:
    many = "\n".join(f"import m{i}" for i in range(LIMIT + 10))
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": many}]}))
    assert len(sheet_modules(path)) == LIMIT - 1
    path.write_text("{not json", encoding="utf-8")
    assert sheet_modules(path) == ()
    assert sheet_modules(tmp_path / "missing.ipynb") == ()


def test_preload_argument() -> None:
    assert preload_list("1") == PRELOAD
    assert preload_list("0") == ()
    assert preload_list("numpy,scipy.stats") == ("numpy", "scipy.stats")


def test_example_sheet_preloads_only_its_imports() -> None:
    import sheetgrade.examples

    sheets = Path(sheetgrade.examples.__file__).parent / "mlphys" / "sheets"
    notebook = next((sheets / "01-pca").glob("*.ipynb"))
    names = sheet_modules(notebook)
    assert "numpy" in names
    assert "pandas" not in names and "scipy" not in names


def test_ipython_syntax_preloads_the_rewriter(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    cells = [{"cell_type": "code", "source": "%matplotlib inline\nimport numpy as np"}]
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert sheet_modules(path) == ("numpy", IPYTHON_REWRITER)

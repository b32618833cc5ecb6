"""Fixtures for the sheets tests: a small course with one sheet built from
cells given in the test. Builds are validated by the real reference run
(``sheetgrade.graders.validate``), as ``sheet build`` does."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, file: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # tests import it by this name (--import-mode=importlib)
    spec.loader.exec_module(module)
    return module


helpers = _load("sheets_helpers", "helpers.py")


MakeCourse = Callable[..., Path]


@pytest.fixture
def make_course(tmp_path: Path) -> MakeCourse:
    """Write a course whose sheet 01-demo has the given cells (default: native format)."""

    def make(
        cells: list[nbformat.NotebookNode] | None = None, sheet_yml: str | None = None
    ) -> Path:
        root = tmp_path / "course"
        sheet = root / "sheets" / "01-demo"
        sheet.mkdir(parents=True, exist_ok=True)
        (root / "course.yml").write_text(helpers.COURSE_YML, encoding="utf-8")
        (sheet / "sheet.yml").write_text(sheet_yml or helpers.SHEET_YML, encoding="utf-8")
        (sheet / "numbers.csv").write_text("1.5,2.5,4.0\n", encoding="utf-8")
        helpers.write_notebook(
            sheet / "demo.ipynb", list(cells if cells is not None else helpers.NATIVE)
        )
        return root

    return make

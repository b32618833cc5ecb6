"""A stand-in for ``sheetgrade.graders.validate.validate_build`` used by the
sheets tests: it runs the reference in-process (trusted code only) so that the
build's own logic can be tested apart from the grading engine."""

from __future__ import annotations

import builtins
import contextlib
import doctest
import io
import json
import os
from pathlib import Path
from typing import Any

from sheetgrade.sheets.model import AutograderBundle, ValidationReport


class _Proxy:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self._ns = namespace

    def __getattr__(self, name: str) -> Any:
        return self._ns[name]

    def value(self, name: str) -> Any:
        return self._ns[name]


def _helpers() -> dict[str, Any]:
    def expect(condition: Any, message: str = "check failed") -> None:
        import numpy as np

        if not bool(np.all(condition)):
            raise AssertionError(message)

    def expect_equal(actual: Any, expected: Any, message: str = "") -> None:
        import numpy as np

        if not np.array_equal(np.asarray(actual), np.asarray(expected)):
            raise AssertionError(message or f"{actual!r} != {expected!r}")

    def expect_close(
        actual: Any,
        expected: Any,
        *,
        rtol: float = 1e-5,
        atol: float = 1e-8,
        up_to_sign: bool = False,
        permutation: bool = False,
        message: str = "",
    ) -> None:
        import numpy as np

        a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
        if up_to_sign and a.ndim == 2:
            a = a * np.where(np.sum(a * e, axis=0) < 0, -1.0, 1.0)
        if a.shape != e.shape or not np.allclose(a, e, rtol=rtol, atol=atol):
            raise AssertionError(message or "not close")

    return {"expect": expect, "expect_equal": expect_equal, "expect_close": expect_close}


def _run(source: str, namespace: dict[str, Any]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<ok>", "single"), namespace)
    return out.getvalue()


def validate_build(course: Any, bundle_dir: Path) -> ValidationReport:
    """Run the staged reference against every test of the bundle."""
    import numpy as np

    bundle = AutograderBundle.load(bundle_dir)
    nb = json.loads((bundle_dir / bundle.reference_notebook).read_text(encoding="utf-8"))
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__main__"}
    report = ValidationReport()
    cwd = os.getcwd()
    os.chdir(bundle_dir)
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                exec("".join(cell["source"]), namespace)
        for test in bundle.tests:
            try:
                if test.kind == "native":
                    proxy = _Proxy(namespace)
                    exec(test.code, {"np": np, "student": proxy, "reference": proxy, **_helpers()})
                elif test.kind == "assert":
                    exec(test.code, dict(namespace))
                else:
                    examples = doctest.DocTestParser().get_examples(test.code)
                    got = "".join(_run(ex.source, namespace) for ex in examples)
                    if test.id in bundle.pending_outputs:
                        report.expected_outputs[test.id] = got
                    elif got.strip() != "".join(ex.want for ex in examples).strip():
                        report.failures[test.id] = f"printed {got!r}"
            except Exception as exc:  # noqa: BLE001 - reported like the grader does
                report.failures[test.id] = f"{type(exc).__name__}: {exc}"
    finally:
        os.chdir(cwd)
    return report

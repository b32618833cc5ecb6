"""Grading on a Dask cluster: ``sheetgrade grade SHEET --executor dask``.

The client (the ``grade`` process) keeps everything that touches the gradebook:
it chooses the submissions, sends one task per submission and stores each
result as it arrives, in its own transaction, exactly as the local executor
does. So an interrupted run resumes the same way, and the database never has to
be reachable from the compute nodes.

Each Dask worker holds, through :class:`GradingPlugin`, its own copy of the
autograder bundle, its own warm worker and its own reference child: the same
confinement as locally, since every submission still runs in a child forked by
that warm worker. The bundle travels once per Dask worker, inside the plugin
(and again only to workers that join later); a task carries the bundle's hash
and the bytes of the submission's notebooks (all of them, for a sheet of several
notebooks), and returns the result as plain data (builtins only).

A worker that dies mid-task loses nothing: the scheduler hands the task to
another worker (up to ``distributed.scheduler.allowed-failures`` times), and the
client stores a task's result once, when its future completes.

Which cluster, and the client connected to it, is :mod:`.dask_cluster`.
dask.distributed (and dask-jobqueue for Slurm) come from the ``dask`` extra and
are imported only there and here, and only when this executor is asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.graders.dask_cluster import (
    DaskTarget,
    import_distributed,
    open_client,
    slurm_options,
)
from sheetgrade.graders.errors import GradingError
from sheetgrade.graders.harness import TestOutcome
from sheetgrade.graders.sandbox.leftovers import remove_tree
from sheetgrade.graders.sandbox.session import ProcessLimits
from sheetgrade.graders.submission import SubmissionResult
from sheetgrade.sheets.model import AutograderBundle

try:
    from distributed import WorkerPlugin as _PluginBase
except ImportError:  # without the dask extra; the executor says so when asked for
    _PluginBase = object  # type: ignore[assignment,misc]

#: what a task carries: each graded notebook handed in -> (its file name, its bytes)
Notebooks = dict[str, tuple[str, bytes]]

if TYPE_CHECKING:
    from sheetgrade.graders.sandbox.backend import Backend
    from sheetgrade.graders.single import LazyReference
    from sheetgrade.submissions.records import SubmissionRecord

__all__ = [
    "DaskTarget",
    "GradingPlugin",
    "grade_on_dask",
    "grade_task",
    "open_client",
    "result_from_data",
    "result_to_data",
    "slurm_options",
]
PLUGIN_PREFIX = "sheetgrade-bundle-"
_LOG = logging.getLogger(__name__)


# ------------------------------------------------------------------ on each Dask worker


def plugin_name(build_hash: str) -> str:
    return PLUGIN_PREFIX + build_hash[:32]


def bundle_files(bundle: AutograderBundle) -> dict[str, bytes]:
    """Every file of the bundle's folder, by relative path."""
    assert bundle.path is not None
    root = bundle.path
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


class GradingPlugin(_PluginBase):
    """A Dask worker plugin: one autograder bundle, a warm worker and a reference per
    Dask worker. Registered by the client; Dask sends it to each worker once."""

    def __init__(self, build_hash: str, files: dict[str, bytes], limits: ProcessLimits) -> None:
        self.name = plugin_name(build_hash)
        self.build_hash = build_hash
        self.files = files
        self.limits = limits
        self._state: _WorkerState | None = None

    def setup(self, worker: Any = None) -> None:
        self._state = _WorkerState.start(self.files, self.limits)

    def teardown(self, worker: Any = None) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None

    def grade(self, notebooks: Notebooks) -> dict[str, Any]:
        if self._state is None:
            raise RuntimeError("the grading plugin was not set up on this worker")
        return self._state.grade(notebooks)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_state": None}


@dataclass
class _WorkerState:
    root: Path
    bundle: AutograderBundle
    worker: Backend
    references: dict[str, LazyReference]  # one per graded notebook
    limits: ProcessLimits
    counter: Iterator[int]
    lock: threading.Lock

    @classmethod
    def start(cls, files: dict[str, bytes], limits: ProcessLimits) -> _WorkerState:
        import itertools

        from sheetgrade.graders.preload import bundle_modules
        from sheetgrade.graders.sandbox.backend import open_backend
        from sheetgrade.graders.single import LazyReference

        root = Path(tempfile.mkdtemp(prefix="sheetgrade-dask-"))
        folder = root / "autograder"
        for rel, data in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        bundle = AutograderBundle.load(folder)
        worker = open_backend(preload=bundle_modules(bundle))
        references = {
            part.name: LazyReference(
                worker,
                folder / part.reference,
                limits,
                root / f"reference{i}",
                bundle.data_sources(),
            )
            for i, part in enumerate(bundle.notebook_parts())
        }
        return cls(root, bundle, worker, references, limits, itertools.count(), threading.Lock())

    def grade(self, notebooks: Notebooks) -> dict[str, Any]:
        from sheetgrade.graders.single import grade_found

        with self.lock:
            index = next(self.counter)
        work = self.root / f"s{index}"
        found: dict[str, Path | None] = {}
        for i, part in enumerate(self.bundle.notebook_parts()):
            if part.name not in notebooks:
                found[part.name] = None
                continue
            file_name, content = notebooks[part.name]
            path = work / "in" / str(i) / Path(file_name).name
            path.parent.mkdir(parents=True)
            path.write_bytes(content)
            found[part.name] = path
        try:
            result = grade_found(
                found,
                self.bundle,
                self.worker,
                self.references,
                self.limits,
                work / "run",
                self.bundle.data_sources(),
            )
        finally:
            remove_tree(work)
        data = result_to_data(result)
        data["warnings"] = [w for r in self.references.values() for w in r.warnings]
        data["host"] = f"{os.uname().nodename}:{os.getpid()}"
        return data

    def close(self) -> None:
        for reference in self.references.values():
            reference.close()
        self.worker.close()
        remove_tree(self.root)


def grade_task(build_hash: str, notebooks: Notebooks) -> dict[str, Any]:
    """The task run on a Dask worker: grade one submission's notebooks with the
    worker's bundle."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(plugin_name(build_hash))
    if not isinstance(plugin, GradingPlugin):
        raise RuntimeError(f"build {build_hash[:12]} is not loaded on this Dask worker")
    result: dict[str, Any] = plugin.grade(notebooks)
    return result


# ------------------------------------------------------------------ plain data


def result_to_data(result: SubmissionResult) -> dict[str, Any]:
    """A result as builtins only (what crosses from a Dask worker to the client)."""
    return {
        "status": result.status,
        "points": float(result.points),
        "max_points": float(result.max_points),
        "message": result.message,
        "layers": dict(result.layers),
        "stdout": result.stdout,
        "flags": list(result.flags),
        "duration": float(result.duration),
        "cell_errors": [dict(e) for e in result.cell_errors],
        "tests": [
            {
                "id": o.test.id,
                "passed": bool(o.passed),
                "points": float(o.points),
                "message": o.message,
                "duration": float(o.duration),
            }
            for o in result.tests
        ],
    }


def result_from_data(data: dict[str, Any], bundle: AutograderBundle) -> SubmissionResult:
    """The result again, its tests matched to the client's own bundle by id."""
    tests = {t.id: t for t in bundle.tests}
    return SubmissionResult(
        status=str(data["status"]),
        points=float(data["points"]),
        max_points=float(data["max_points"]),
        message=str(data["message"]),
        layers={str(k): str(v) for k, v in data["layers"].items()},
        stdout=str(data["stdout"]),
        flags=[str(f) for f in data["flags"]],
        duration=float(data["duration"]),
        cell_errors=list(data["cell_errors"]),
        tests=[
            TestOutcome(
                test=tests[t["id"]],
                passed=bool(t["passed"]),
                points=float(t["points"]),
                message=str(t["message"]),
                duration=float(t["duration"]),
            )
            for t in data["tests"]
        ],
    )


# ------------------------------------------------------------------ the client


def grade_on_dask(
    target: DaskTarget,
    bundle: AutograderBundle,
    todo: list[tuple[SubmissionRecord, dict[str, Path | None]]],
    limits: ProcessLimits,
    store: Callable[[SubmissionRecord, SubmissionResult], None],
) -> list[str]:
    """Grade ``todo`` (records with their graded notebooks, see
    :func:`~sheetgrade.graders.single.find_notebooks`) on ``target``; call ``store`` in
    this thread for each result as it arrives. Returns the run's warnings."""
    from sheetgrade.graders.single import no_notebook

    distributed = import_distributed()
    warnings: list[str] = []
    with open_client(target) as client:
        plugin = GradingPlugin(bundle.build_hash, bundle_files(bundle), limits)
        try:
            client.register_plugin(plugin, name=plugin.name)
        except Exception as exc:  # the plugin's setup failed on a worker
            raise GradingError(f"the Dask workers could not load the bundle: {exc}") from None
        futures: dict[Any, SubmissionRecord] = {}
        try:
            for record, found in todo:
                if not any(found.values()):
                    store(record, no_notebook(bundle))
                    continue
                notebooks = {
                    name: (path.name, path.read_bytes())
                    for name, path in found.items()
                    if path is not None
                }
                future = client.submit(
                    grade_task,
                    bundle.build_hash,
                    notebooks,
                    key=f"sheetgrade-{bundle.build_hash[:12]}-{record.sha256}",
                    pure=False,
                )
                futures[future] = record
            for future in distributed.as_completed(list(futures)):
                record = futures[future]
                result = _collect(future, bundle, warnings)
                store(record, result)
        except BaseException:
            client.cancel(list(futures), force=True)
            raise
        finally:
            with contextlib.suppress(Exception):
                client.unregister_worker_plugin(plugin.name)
    return warnings


def _collect(future: Any, bundle: AutograderBundle, warnings: list[str]) -> SubmissionResult:
    """A finished task's result; a task that failed becomes a ``crashed`` result."""
    try:
        data = future.result()
    except Exception as exc:
        from distributed.scheduler import KilledWorker

        if isinstance(exc, KilledWorker):
            message = (
                "grading failed: every Dask worker that ran this submission died "
                "(distributed.scheduler.allowed-failures reached)"
            )
        else:
            message = f"grading failed on the Dask worker: {exc.__class__.__name__}: {exc}"
        return SubmissionResult(
            status="crashed",
            points=0.0,
            max_points=sum(t.points for t in bundle.tests),
            message=message,
        )
    for warning in data.pop("warnings", []):
        if warning not in warnings:
            warnings.append(warning)
    data.pop("host", None)
    return result_from_data(data, bundle)

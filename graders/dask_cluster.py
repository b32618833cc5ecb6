"""Where ``sheetgrade grade --executor dask`` runs: a running scheduler, a local
cluster or Slurm jobs (dask-jobqueue), and the client connected to it.

dask.distributed and dask-jobqueue come from the ``dask`` extra and are
imported only when a cluster is asked for; :mod:`.dask_executor` grades on it.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetgrade.graders.errors import GradingError

if TYPE_CHECKING:
    from sheetgrade.course.config import SlurmJobs

INSTALL_HINT = "install it with `pip install 'sheetgrade[dask]'`"


@dataclass(frozen=True)
class DaskTarget:
    """Which cluster to grade on: a running scheduler, a local cluster or Slurm jobs."""

    scheduler: str | None = None
    local_workers: int = 0  # > 0: a LocalCluster of that many worker processes
    slurm: SlurmJobs | None = None

    @classmethod
    def choose(
        cls,
        *,
        scheduler: str | None,
        cluster: str | None,
        workers: int,
        slurm: SlurmJobs,
    ) -> DaskTarget:
        """The target for ``--scheduler``/``--cluster`` (or their course.yml keys).

        Raises:
            GradingError: both given, or an unknown cluster.
        """
        from sheetgrade.course.config import cluster_problem

        if scheduler and cluster:
            raise GradingError(
                f"--scheduler {scheduler} and --cluster {cluster} both name a cluster; give one"
            )
        if scheduler:
            return cls(scheduler=scheduler)
        cluster = cluster or "local"
        problem = cluster_problem(cluster)
        if problem:
            raise GradingError(f"--cluster: {problem}")
        if cluster == "slurm":
            return cls(slurm=slurm)
        _, _, count = cluster.partition(":")
        return cls(local_workers=int(count) if count else max(1, workers))

    def describe(self) -> str:
        if self.scheduler:
            return f"the Dask scheduler at {self.scheduler}"
        if self.slurm is not None:
            return f"{self.slurm.jobs} Slurm job(s) of {self.slurm.cores} cores"
        return f"a local Dask cluster of {self.local_workers} worker process(es)"


def import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise GradingError(f"--executor dask needs dask.distributed; {INSTALL_HINT}") from None
    return distributed


@contextlib.contextmanager
def open_client(target: DaskTarget) -> Iterator[Any]:
    """A ``distributed.Client`` for ``target``; a cluster it started is closed afterwards."""
    distributed = import_distributed()
    if target.scheduler:
        try:
            client = distributed.Client(target.scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise GradingError(
                f"cannot reach the Dask scheduler at {target.scheduler} ({exc}); "
                f"is `dask scheduler` running there?"
            ) from None
        with client:
            yield client
        return
    if target.slurm is not None:
        cluster = _slurm_cluster(target.slurm)
    else:
        cluster = distributed.LocalCluster(
            n_workers=target.local_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def slurm_options(settings: SlurmJobs) -> dict[str, Any]:
    """Keyword arguments of ``dask_jobqueue.SLURMCluster`` from ``grading.slurm``."""
    # one thread per worker process: it grades one submission at a time, in a child
    processes = settings.processes or settings.cores
    seconds = int(settings.walltime.total_seconds())
    options: dict[str, Any] = {
        "cores": settings.cores,
        "processes": processes,
        "memory": f"{settings.memory}B",
        "walltime": f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
        "job_extra_directives": list(settings.job_extra_directives),
        "job_script_prologue": list(settings.job_script_prologue),
        "job_name": "sheetgrade",
    }
    for key in ("queue", "account", "python", "interface", "local_directory", "log_directory"):
        value = getattr(settings, key)
        if value is not None:
            options[key] = value
    return options


def _slurm_cluster(settings: SlurmJobs) -> Any:
    try:
        from dask_jobqueue.slurm import SLURMCluster
    except ImportError:
        raise GradingError(f"--cluster slurm needs dask-jobqueue; {INSTALL_HINT}") from None
    if shutil.which("sbatch") is None:
        raise GradingError(
            "--cluster slurm: no `sbatch` on PATH; run `sheetgrade grade` on a Slurm login node"
        )
    cluster: Any = SLURMCluster(**slurm_options(settings))
    cluster.scale(jobs=settings.jobs)
    return cluster

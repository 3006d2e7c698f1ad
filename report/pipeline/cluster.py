"""The Dask client the jobs run on: a ``LocalCluster`` for ``--jobs N``, or an existing scheduler.

``--jobs N`` starts N worker processes of one thread each (one job at a time per worker), and each worker's
TensorFlow gets one intra- and one inter-op thread (``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS``,
set in the worker before TensorFlow is imported), whatever the machine's core count: under the pinned
arithmetic the thread count changes the numbers (a Reuters run's loss after one epoch: 2.17477 with one
thread, 2.15331 with two), and the committed expectations were computed with one. More cores are used by
more workers (``--jobs``), not by more threads. ``--scheduler ADDRESS`` (or ``$MAKE_REPORT_SCHEDULER``) connects to a running ``dask scheduler``
instead; its workers are set up by whoever started them (see the README, "More than one machine").

Dask is an optional extra (``pip install 'make-report[cluster]'``): nothing here imports it at module level.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
from collections.abc import Callable, Iterator

import click

from report.train import numerics

SCHEDULER_ENV = "MAKE_REPORT_SCHEDULER"
CONNECT_TIMEOUT = 10  # seconds to reach a scheduler before giving up
INSTALL = "pip install 'make-report[cluster]'"


def require_dask() -> None:
    """One line on how to install Dask when it is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise click.ClickException(
            f"--jobs and --scheduler run the jobs on Dask, which is not installed; install it with {INSTALL} "
            "(in a checkout: pip install -e '.[cluster]')"
        ) from None


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and SLURM narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_environment() -> dict[str, str]:
    """Set in each worker process before TensorFlow starts: the one TensorFlow thread every job runs
    (:data:`report.train.numerics.JOB_THREADS`), one BLAS/OpenMP thread (what Dask sets for workers anyway, and what :mod:`report.train.numerics` gives every job),
    and the client's TensorFlow flags (oneDNN, log level), so both sides run the same kernels."""
    env = {
        numerics.INTRA_ENV: str(numerics.JOB_THREADS),
        numerics.INTER_ENV: str(numerics.JOB_THREADS),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
    }
    for name in ("TF_ENABLE_ONEDNN_OPTS", "TF_DETERMINISTIC_OPS", "CUDA_VISIBLE_DEVICES"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def local_cluster(jobs: int):
    """A ``LocalCluster`` of ``jobs`` single-threaded worker processes (the caller closes it)."""
    require_dask()
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=jobs, threads_per_worker=1, processes=True, env=worker_environment(),
        dashboard_address=":0",  # a free port: two builds on one machine do not clash
        silence_logs=logging.ERROR,
        memory_limit=0,  # training holds its memory for minutes: do not let the nanny restart a worker for it
        preload=["report.pipeline.preload"],  # import every job's modules once, before jobs arrive (see there)
    )


class SchedulerUnreachable(click.ClickException):
    """``--scheduler`` names an address where no scheduler answers."""


@contextlib.contextmanager
def connect(jobs: int, scheduler: str | None, echo: Callable[[str], None]) -> Iterator[object]:
    """A ``distributed.Client``: to ``scheduler`` when given, else to a ``LocalCluster`` of ``jobs`` workers."""
    require_dask()
    from distributed import Client

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SchedulerUnreachable(
                f"cannot reach the Dask scheduler at {scheduler} ({reason}); start one with `dask scheduler` "
                f"and workers with `dask worker ADDRESS --nthreads 1`, or leave out --scheduler "
                f"(and ${SCHEDULER_ENV}) to train on this machine"
            ) from None
        with client:
            workers = client.scheduler_info().get("workers", {})
            echo(f"scheduler {scheduler}: {len(workers)} worker(s)" + _dashboard(client))
            yield client
        return
    threads = numerics.JOB_THREADS
    with local_cluster(jobs) as cluster, Client(cluster, set_as_default=False) as client:
        echo(f"local cluster: {jobs} workers, {threads} TensorFlow thread(s) each" + _dashboard(client))
        yield client


def _bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


def _dashboard(client) -> str:
    """``; dashboard URL`` when the scheduler serves one (it needs Bokeh where the scheduler runs)."""
    with contextlib.suppress(Exception):
        if client.run_on_scheduler(_bokeh) and "dashboard" in client.scheduler_info().get("services", {}):
            return f"; dashboard {client.dashboard_link}"
    return ""

"""The Dask executor (``--jobs N`` / ``--scheduler``): the jobs of a plan as a graph on a cluster.

A study that reads experiments' results (``DEPENDS``) waits until those trained in this build are written.
The others are handed to the cluster as its worker threads come free, one job per thread, the ready one
that goes first (:func:`submit_priority`: a study before the experiments' seeds, since each study is one long
job and the seeds, shorter and more, fill the workers around it). Workers run
:func:`report.pipeline.worker.run_job` and hand the outcomes back; the client's
:class:`report.pipeline.plan.ResultWriter` writes them here, as the in-process executor does.

A worker that dies takes its job with it: the scheduler gives the job to another worker (up to Dask's
``distributed.scheduler.allowed-failures``, 3 by default), which resumes from the job's last epoch when it
sees the build folder, and starts over when it does not. A job that fails, or whose input failed, is
reported in one line with its log (``build/logs/``); the other jobs' results are written, and the build
exits non-zero at the end.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
import uuid
from collections.abc import Sequence
from typing import Any

import click

from report import registry
from report.paths import BuildPaths
from report.pipeline import cluster
from report.pipeline.freshness import TrainOptions
from report.pipeline.plan import Echo, Job, JobOutcome, Plan, ResultWriter
from report.pipeline.worker import one_line, run_job
from report.results import experiment_results as results


def _upstream_files(paths: BuildPaths, names: Sequence[str]) -> dict[str, dict[str, bytes]]:
    """The results a study reads, as written here, for a worker that does not see this build folder."""
    out = {}
    for name in names:
        folder = results.results_dir(paths.results, name)
        if folder.is_dir():
            out[name] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    return out


def submit_priority(spec) -> int:
    """Which ready job goes to a free worker first (higher first): a study before a seed, so that no study is
    left to run alone after the last seed."""
    return 1 if spec.study else 0


def choose(ready: Sequence[Job], free: int) -> list[Job]:
    """The ready jobs to hand to ``free`` idle worker threads: by :func:`submit_priority`, then in plan order."""
    return sorted(ready, key=lambda job: -submit_priority(job.spec))[:max(0, free)]  # sorted() is stable


class GraphRun:
    """Submit the jobs as their inputs are ready and pass each outcome to the writer."""

    def __init__(self, writer: ResultWriter, client) -> None:
        from distributed import as_completed

        self.writer, self.client = writer, client
        self.pending = {job.id: job for job in writer.plan.jobs}  # not submitted yet
        self.futures: dict[Any, Job] = {}
        self.completed = as_completed(loop=client.loop)

    def run(self) -> None:
        self._submit_ready()
        for future in self.completed:
            job = self.futures.pop(future)
            self.writer.finished(job, self._outcome(job, future))
            self._submit_ready()

    def _submit_ready(self) -> None:
        """Fail the jobs whose inputs failed; then, while a worker thread is free, submit the ready job that
        goes first (:func:`submit_priority`, then plan order).

        Dask gets no more jobs than it has threads to run them: given all at once, it places each job on a
        worker when it is submitted (each job is its own kind of task, of unknown length, so none is moved
        later), and a job can wait behind another on one worker while the other worker has nothing to do."""
        for job_id, job in list(self.pending.items()):
            failed = [u for u in job.after if u in self.writer.failed_names]
            if failed:
                del self.pending[job_id]
                self.writer.finished(job, JobOutcome(job.id, False, reason=f"not run: {', '.join(failed)} failed"))
        ready = [job for job in self.pending.values() if all(u in self.writer.done for u in job.after)]
        for job in choose(ready, self._threads() - len(self.futures)):
            del self.pending[job.id]
            spec = job.spec
            if spec.study:  # what it reads, now that it is written: for workers that do not see this folder
                depends = getattr(registry.load(spec.name), "DEPENDS", ())
                spec = dataclasses.replace(spec, upstream=_upstream_files(self.writer.paths, depends))
            self.writer.started(job)
            future = self.client.submit(run_job, spec, key=f"{job.log_name[:-4]}-{uuid.uuid4().hex[:8]}",
                                        pure=False, priority=submit_priority(spec))
            self.futures[future] = job
            self.completed.add(future)

    def _threads(self) -> int:
        """The cluster's worker threads now (at least one: a scheduler whose workers have not joined yet
        gets one job, and more as jobs finish)."""
        return max(1, sum(self.client.nthreads().values()))

    def _outcome(self, job: Job, future) -> JobOutcome:
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died too often, the job could not be sent, ...
            from distributed import KilledWorker

            if isinstance(exc, KilledWorker):
                reason = "its worker died on every try (KilledWorker): out of memory, or killed"
            else:
                reason = one_line(exc)
            log = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return JobOutcome(job.id, False, reason=reason, log=log)


def run_plan(the_plan: Plan, paths: BuildPaths, options: TrainOptions, echo: Echo) -> ResultWriter:
    """Run ``the_plan`` on Dask; the results written here. Raises (after writing every result that
    succeeded) when a job failed."""
    writer = ResultWriter(the_plan, paths, echo)
    if not the_plan.jobs:
        return writer
    t0 = time.perf_counter()
    with cluster.connect(options.jobs, options.scheduler, echo) as client:
        GraphRun(writer, client).run()
    lines = writer.summary()
    lines[0] += f" in {time.perf_counter() - t0:.1f} s"
    failures = lines[1:]
    if failures:
        click.echo("\n".join(lines), err=True)
        raise click.ClickException(f"{len(failures)} job(s) failed (listed above); the other results are written")
    echo(lines[0])
    return writer

"""The job graph of a distributed build (``--jobs N`` / ``--scheduler``) and the client that runs it.

Each stale experiment is one job per seed; each stale study is one job. A study that reads experiments'
results (``DEPENDS``) waits until those trained in this build are written; every other job is submitted
at once and runs as soon as a worker is free (experiments first: studies wait for them). Workers run
:func:`report.pipeline.worker.run_job` and hand the results back; the client writes them here, atomically,
exactly as the in-process path does (the median seed, the key parts), so the two paths give the same files.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from report import atomic, registry
from report.paths import BuildPaths
from report.pipeline import cluster
from report.pipeline.run import (
    Freshness,
    TrainOptions,
    combine_seeds,
    experiment_config,
    freshness,
    seed_configs,
)
from report.pipeline.worker import (
    BUILD_ID_FILE,
    JobOutcome,
    JobSpec,
    datasets,
    one_line,
    run_job,
)
from report.results import experiment as results
from report.results import study as studies

LOG_FOLDER = "logs"


@dataclass
class Job:
    """One node of the graph: an experiment's seed or a study."""

    spec: JobSpec
    state: Freshness
    seed_index: int | None = None  # experiments only
    after: tuple[str, ...] = ()  # experiments (trained in this build) whose results it reads

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def log_name(self) -> str:
        return self.id.replace(" ", "-") + ".log"


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    reused: dict[str, int] = field(default_factory=dict)  # fresh name -> jobs not run (its seeds)
    seeds: dict[str, list[Job]] = field(default_factory=dict)  # experiment -> its seed jobs, in seed order


def build_id(paths: BuildPaths) -> str:
    """The build folder's id (created once): a worker that reads the same id shares the folder."""
    path = paths.build / BUILD_ID_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        value = uuid.uuid4().hex
        atomic.write_text(path, value + "\n")
        return value


def _checksums(name: str, paths: BuildPaths) -> dict[str, str]:
    from report.data import source_checksums

    out: dict[str, str] = {}
    for dataset in datasets(name):
        out.update(source_checksums(dataset, paths.data, paths.cache))
    return out


def plan(names: Sequence[str], paths: BuildPaths, options: TrainOptions, echo) -> Plan:
    """The jobs for every stale name: experiments first (their keys are what the studies will read)."""
    configs = {name: experiment_config(name, options) for name in names}  # fail on a bad --set first
    out = Plan()
    ident = build_id(paths)
    planned: dict[str, str] = {}  # experiment trained in this build -> the key its results will carry

    def spec(job_id: str, name: str, config: Any, state: Freshness) -> JobSpec:
        return JobSpec(id=job_id, name=name, config=config, key=state.key, data=str(paths.data),
                       build=str(paths.build), build_id=ident, project=str(paths.project),
                       checksums=_checksums(name, paths), verbose=options.verbose)

    experiments = [n for n in names if not registry.is_study(n)]
    for name in experiments + [n for n in names if registry.is_study(n)]:
        config = configs[name]
        study = registry.is_study(name)
        state = freshness(name, paths, options, config, planned=planned)
        if state.fresh and not options.force:
            echo(f"{name}: results are fresh (key {state.key}), not training; --force trains anyway")
            out.reused[name] = 1 if study else options.seeds
            continue
        if state.state == "broken":
            echo(f"{name}: {state.why}; training again")
        if study:
            after = tuple(u for u in getattr(registry.load(name), "DEPENDS", ()) if u in planned)
            out.jobs.append(Job(spec(name, name, config, state), state, after=after))
            continue
        planned[name] = state.key
        seed_jobs = [Job(spec(f"{name} seed {c.seed}", name, c, state), state, seed_index=i)
                     for i, c in enumerate(seed_configs(config, options.seeds))]
        out.seeds[name] = seed_jobs
        out.jobs.extend(seed_jobs)
    return out


def _upstream_files(paths: BuildPaths, names: Sequence[str]) -> dict[str, dict[str, bytes]]:
    """The results a study reads, as written here, for a worker that does not see this build folder."""
    out = {}
    for name in names:
        folder = results.results_dir(paths.results, name)
        if folder.is_dir():
            out[name] = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    return out


class GraphRun:
    """Submit the jobs as their inputs are ready, collect the outcomes, write the results."""

    def __init__(self, the_plan: Plan, paths: BuildPaths, options: TrainOptions, client, echo) -> None:
        from distributed import as_completed

        self.plan, self.paths, self.options, self.client, self.echo = the_plan, paths, options, client, echo
        self.pending = {job.id: job for job in the_plan.jobs}  # not submitted yet
        self.futures: dict[Any, Job] = {}
        self.outcomes: dict[str, JobOutcome] = {}
        self.done: set[str] = set()  # experiments written in this build
        self.failed_names: set[str] = set()
        self.written: list[Any] = []
        self.completed = as_completed(loop=client.loop)

    def run(self) -> None:
        self._submit_ready()
        for future in self.completed:
            job = self.futures.pop(future)
            self._finished(job, self._outcome(job, future))
            self._submit_ready()

    def _submit_ready(self) -> None:
        for job_id, job in list(self.pending.items()):
            blocked = [u for u in job.after if u not in self.done]
            failed = [u for u in job.after if u in self.failed_names]
            if failed:
                del self.pending[job_id]
                self._finished(job, JobOutcome(job.id, False, reason=f"not run: {', '.join(failed)} failed"))
                continue
            if blocked:
                continue
            del self.pending[job_id]
            spec = job.spec
            if spec.study:  # what it reads, now that it is written: for workers that do not see this folder
                depends = getattr(registry.load(spec.name), "DEPENDS", ())
                spec = dataclasses.replace(spec, upstream=_upstream_files(self.paths, depends))
            future = self.client.submit(run_job, spec, key=f"{job.log_name[:-4]}-{uuid.uuid4().hex[:8]}",
                                        pure=False, priority=0 if spec.study else 1)
            self.futures[future] = job
            self.completed.add(future)

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

    def log_path(self, job: Job) -> Path:
        return self.paths.build / LOG_FOLDER / job.log_name

    def _finished(self, job: Job, outcome: JobOutcome) -> None:
        self.outcomes[job.id] = outcome
        if outcome.log:
            atomic.write_text(self.log_path(job), outcome.log)
        if not outcome.ok:
            self.echo(f"{job.id}: FAILED: {outcome.reason}")
            self.failed_names.add(job.spec.name)
            return
        resumed = f", resumed after epoch {outcome.resumed_after}" if outcome.resumed_after else ""
        self.echo(f"{job.id}: {_headline(outcome.value)} in {outcome.seconds:.1f} s on {outcome.where}{resumed}")
        name = job.spec.name
        if job.spec.study:
            res = _client_provenance(outcome.value, self.paths).model_copy(
                update={"key_parts": dict(job.state.key_parts)})
            folder = results.results_dir(self.paths.results, name)
            studies.save(folder, res)
            self.echo(f"{name}: wrote {folder}")
            self.written.append(res)
            return
        seed_jobs = self.plan.seeds[name]
        if name in self.failed_names or not all(self.outcomes.get(j.id, JobOutcome("", False)).ok for j in seed_jobs):
            return
        self._write_experiment(name, seed_jobs)

    def _write_experiment(self, name: str, seed_jobs: list[Job]) -> None:
        from report.train.checkpoint import Checkpoints

        state = seed_jobs[0].state
        res, preds = combine_seeds(name, [self.outcomes[j.id].value for j in seed_jobs], self.echo)
        res = _client_provenance(res, self.paths).model_copy(update={"key_parts": dict(state.key_parts)})
        folder = results.results_dir(self.paths.results, name)
        results.save(folder, res, preds)
        Checkpoints(self.paths.checkpoints / name, state.key).clear()
        self.echo(f"{name}: wrote {folder}")
        self.done.add(name)
        self.written.append(res)

    def summary(self) -> list[str]:
        ran = sum(1 for o in self.outcomes.values() if o.ok)
        failed = [(self._job(i), o) for i, o in self.outcomes.items() if not o.ok]
        lines = [f"jobs: {ran} run, {sum(self.plan.reused.values())} reused from cache, {len(failed)} failed"]
        for job, outcome in failed:
            log = f" (log: {self.log_path(job)})" if outcome.log else ""
            lines.append(f"  {job.id}: {outcome.reason}{log}")
        return lines

    def _job(self, job_id: str) -> Job:
        return next(j for j in self.plan.jobs if j.id == job_id)


def _headline(value: Any) -> str:
    if isinstance(value, tuple):  # an experiment's (Results, Predictions)
        return f"accuracy {value[0].test.accuracy:.4f}"
    for key, number in (value.headline or {}).items():
        if isinstance(number, float):
            return f"{key} {number:.4f}"
    return "done"


def _client_provenance(res, paths: BuildPaths):
    """A worker that does not have the project's checkout cannot say its commit: the client's is the code."""
    if res.provenance.git_commit is not None:
        return res
    from report.results.provenance import git_state

    commit, dirty = git_state(paths.project)
    return res.model_copy(update={"provenance": res.provenance.model_copy(update={"git_commit": commit,
                                                                                  "git_dirty": dirty})})


def train_on_cluster(names: Sequence[str], paths: BuildPaths, options: TrainOptions) -> list[Any]:
    """:func:`report.pipeline.run.train` on Dask: the stale jobs of ``names`` as a graph; the results
    written here. Raises (after writing every result that succeeded) when a job failed."""
    cluster.require_dask()

    def echo(message: str) -> None:
        if not options.quiet:
            click.echo(message, err=True)

    the_plan = plan(names, paths, options, echo)
    if not the_plan.jobs:
        return []
    t0 = time.perf_counter()
    with cluster.connect(options.jobs, options.scheduler, echo) as client:
        graph = GraphRun(the_plan, paths, options, client, echo)
        graph.run()
    lines = graph.summary()
    lines[0] += f" in {time.perf_counter() - t0:.1f} s"
    failures = lines[1:]
    if failures:
        click.echo("\n".join(lines), err=True)
        raise click.ClickException(f"{len(failures)} job(s) failed (listed above); the other results are written")
    echo(lines[0])
    return graph.written

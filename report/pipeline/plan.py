"""Which jobs a build runs, in which order, and how their outcomes become results folders.

The same for every executor: the in-process one (:mod:`report.pipeline.in_process`) and the Dask one
(:mod:`report.pipeline.on_dask`) only run the jobs of a :class:`Plan` and hand each outcome to a
:class:`ResultWriter`, so both print the same lines and write the same files.

Each stale experiment is one job per seed; each stale study is one job. Experiments come first: their
keys are what the studies that read them (``DEPENDS``) will hold.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from report import atomic, registry
from report.paths import BuildPaths
from report.pipeline.freshness import Freshness, TrainOptions, experiment_config, freshness, source_checksums
from report.results import experiment_results as results
from report.results import study as studies

BUILD_ID_FILE = ".build-id"  # in the build folder: lets a worker tell whether it sees the client's folder
LOG_FOLDER = "logs"

Echo = Callable[[str], None]


@dataclass(frozen=True)
class JobSpec:
    """Everything a job needs except the dataset archives; picklable, for a worker on another machine."""

    id: str  # "<experiment> seed 42", or a study's name
    name: str
    config: Any  # the run's config (for an experiment: this seed's)
    key: str  # the results' key
    data: str  # the client's data folder
    build: str  # the client's build folder
    build_id: str
    project: str
    checksums: dict[str, str] = field(default_factory=dict)  # source checksums the client's key holds
    upstream: dict[str, dict[str, bytes]] = field(default_factory=dict)  # study: name -> {file: bytes}
    verbose: bool = False

    @property
    def study(self) -> bool:
        return registry.is_study(self.name)


@dataclass
class Job:
    """One node of the plan: an experiment's seed or a study."""

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


@dataclass(frozen=True)
class JobOutcome:
    id: str
    ok: bool
    value: Any = None  # an experiment's (Results, Predictions), a study's StudyResults
    reason: str = ""  # one line, when not ok
    log: str = ""
    where: str = "here"
    seconds: float = 0.0
    resumed_after: int = 0  # epochs a retried job found in its checkpoint


def build_id(paths: BuildPaths) -> str:
    """The build folder's id (created once): a worker that reads the same id shares the folder."""
    path = paths.build / BUILD_ID_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        value = uuid.uuid4().hex
        atomic.write_text(path, value + "\n")
        return value


def seed_configs(config: Any, n_seeds: int) -> list[Any]:
    """The config of each seed's run: config.seed, config.seed + 1, ..."""
    return [replace(config, seed=config.seed + i) for i in range(n_seeds)]


def plan(names: Sequence[str], paths: BuildPaths, options: TrainOptions, echo: Echo) -> Plan:
    """The jobs for every stale name: experiments first (their keys are what the studies will read)."""
    configs = {name: experiment_config(name, options) for name in names}  # fail on a bad --set first
    out = Plan()
    ident = build_id(paths)
    planned: dict[str, str] = {}  # experiment trained in this build -> the key its results will carry

    def spec(job_id: str, name: str, config: Any, state: Freshness) -> JobSpec:
        return JobSpec(id=job_id, name=name, config=config, key=state.key, data=str(paths.data),
                       build=str(paths.build), build_id=ident, project=str(paths.project),
                       checksums=source_checksums(name, paths), verbose=options.verbose)

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


def execute(spec: JobSpec, ctx: Any) -> Any:
    """Run one job here: a study's ``run``, or one seed of an experiment (imports TensorFlow)."""
    module = registry.load(spec.name)
    if spec.study:
        return module.run(spec.config, ctx)
    from report.train.experiment_runner import run_experiment

    return run_experiment(module, spec.config, ctx)


def combine_seeds(name: str, runs: Sequence[tuple[results.Results, results.Predictions]],
                  echo: Echo) -> tuple[results.Results, results.Predictions]:
    """The run of median accuracy (``runs`` in seed order), listing every seed's headline."""
    n_seeds = len(runs)
    if n_seeds == 1:
        return runs[0]
    ranked = sorted(runs, key=lambda run: run[0].test.accuracy)
    res, preds = ranked[(n_seeds - 1) // 2]  # the median; the lower middle one for an even count
    summary = [
        results.SeedRun(
            seed=r.provenance.seed, accuracy=r.test.accuracy, roc_auc=r.test.roc_auc, macro_f1=r.test.macro_f1,
            weighted_f1=r.test.weighted_f1, best_epoch=r.best_epoch, train_seconds=r.timings.train_seconds,
            stages=r.stages,
        )
        for r, _ in runs
    ]
    echo(f"{name}: {n_seeds} seeds; reporting seed {res.provenance.seed}, the run of median accuracy")
    return res.model_copy(update={"seeds": summary}), preds


class ResultWriter:
    """Takes each job's outcome, says it in one line, and writes a name's results once all its jobs are in:
    the median seed with the key parts, atomically, then the checkpoints cleared."""

    def __init__(self, the_plan: Plan, paths: BuildPaths, echo: Echo) -> None:
        self.plan, self.paths, self.echo = the_plan, paths, echo
        self.outcomes: dict[str, JobOutcome] = {}
        self.done: set[str] = set()  # names written in this build
        self.failed_names: set[str] = set()
        self.written: list[Any] = []
        self._started: dict[str, float] = {}

    def started(self, job: Job) -> None:
        self._started.setdefault(job.spec.name, time.perf_counter())

    def log_path(self, job: Job) -> Path:
        return self.paths.build / LOG_FOLDER / job.log_name

    def finished(self, job: Job, outcome: JobOutcome) -> None:
        self.outcomes[job.id] = outcome
        if outcome.log:
            atomic.write_text(self.log_path(job), outcome.log)
        name = job.spec.name
        if not outcome.ok:
            self.echo(f"{job.id}: FAILED: {outcome.reason}")
            self.failed_names.add(name)
            return
        if outcome.where != "here":
            resumed = f", resumed after epoch {outcome.resumed_after}" if outcome.resumed_after else ""
            self.echo(f"{job.id}: {_headline(outcome.value)} in {outcome.seconds:.1f} s on {outcome.where}{resumed}")
        if job.spec.study:
            self._write(name, job.state, outcome.value, None)
            return
        seed_jobs = self.plan.seeds[name]
        if name in self.failed_names or not all(self.outcomes.get(j.id, JobOutcome("", False)).ok for j in seed_jobs):
            return
        res, preds = combine_seeds(name, [self.outcomes[j.id].value for j in seed_jobs], self.echo)
        self._write(name, job.state, res, preds)

    def _write(self, name: str, state: Freshness, res: Any, preds: results.Predictions | None) -> None:
        res = _client_provenance(res, self.paths).model_copy(update={"key_parts": dict(state.key_parts)})
        folder = results.results_dir(self.paths.results, name)
        if preds is None:
            studies.save(folder, res)
        else:
            from report.train.checkpoint import Checkpoints

            results.save(folder, res, preds)
            Checkpoints(self.paths.checkpoints / name, state.key).clear()
        took = f" ({time.perf_counter() - self._started[name]:.1f} s)" if name in self._started else ""
        self.echo(f"{name}: wrote {folder}{took}")
        self.done.add(name)
        self.written.append(res)

    def summary(self) -> list[str]:
        """A first line counting the jobs, then one line per failed job (with its log)."""
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

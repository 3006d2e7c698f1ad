"""Run experiments and write their results folders: the training half of a build.

Each experiment's results carry a key (see ``report.pipeline.keys``); an experiment is
trained again only when its key changed, its results are missing or broken,
or ``force`` is set. Finding that out imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from report import registry
from report.paths import BuildPaths
from report.pipeline import keys, overrides
from report.results import experiment as results
from report.results import study as studies


# The published report states every headline as mean +- sd over three seeds: the Reuters spread over
# seeds (+-0.012 accuracy) was as large as the differences the report discusses.
PUBLISHED_SEEDS = 3
QUICK_SEEDS = 1  # a --quick smoke run trains one


@dataclass(frozen=True)
class TrainOptions:
    quick: bool = False  # small stratified subsets and two epochs: a smoke run
    seed: int | None = None  # None keeps each experiment's own default seed
    overrides: Mapping[str, Any] = field(default_factory=dict)  # --set field=value, applied last
    quiet: bool = False
    force: bool = False  # train even when the results are fresh
    # train each experiment with this many seeds (seed, seed+1, ...) and report the median run;
    # None: PUBLISHED_SEEDS, or QUICK_SEEDS for a quick run
    seeds: int | None = None
    verbose: bool = False  # show TensorFlow's C++ start-up lines (hidden on a normal run)
    # --- where the jobs run (not part of any key): report.pipeline.jobs and report.pipeline.cluster
    jobs: int = 1  # > 1: a Dask LocalCluster of this many single-process workers
    scheduler: str | None = None  # address of a running Dask scheduler: its workers train instead

    @property
    def distributed(self) -> bool:
        return self.jobs > 1 or bool(self.scheduler)

    def __post_init__(self) -> None:
        if self.seeds is None:
            object.__setattr__(self, "seeds", QUICK_SEEDS if self.quick else PUBLISHED_SEEDS)


@dataclass(frozen=True)
class Freshness:
    """Whether an experiment's results match what training would produce now."""

    name: str
    state: str  # "fresh", "stale", "missing" or "broken"
    reasons: tuple[str, ...]  # for "stale": which key parts changed; otherwise the problem
    key: str
    key_parts: Mapping[str, str]
    results: results.Results | studies.StudyResults | None

    @property
    def fresh(self) -> bool:
        return self.state == "fresh"

    @property
    def why(self) -> str:
        return ", ".join(self.reasons) if self.reasons else "-"


def experiment_config(name: str, options: TrainOptions) -> Any:
    """Defaults, then the quick profile, then --seed, then --set: later wins."""
    module = registry.load(name)
    config = module.Config()
    if options.quick:
        config = overrides.apply(config, module.quick_overrides(), where=name)
    if options.seed is not None:
        config = overrides.apply(config, {"seed": options.seed}, where=name)
    return overrides.apply(config, _applicable(name, config, options.overrides), where=name)


def _applicable(name: str, config: Any, pairs: Mapping[str, Any]) -> Mapping[str, Any]:
    """A study skips --set fields that only the experiments have (``--set epochs=3`` for every name);
    a field nobody has is still an error."""
    if not registry.is_study(name):
        return pairs
    own = {f.name for f in dataclasses.fields(config)}
    experiment_fields = {f.name for e in registry.experiment_names() for f in dataclasses.fields(registry.load(e).Config)}
    return {k: v for k, v in pairs.items() if k in own or k not in experiment_fields}


def current_key(name: str, paths: BuildPaths, config: Any, planned: Mapping[str, str] | None = None) -> dict[str, str]:
    """The key's parts. ``data`` covers every dataset the module reads (``DATASET`` or
    ``DATASETS``) and, for a study, the keys of the results it reads (``DEPENDS``): ``planned``
    gives the keys of results about to be written (a job graph plans a study before its inputs exist)."""
    from report.data import source_checksums

    module = registry.load(name)
    datasets = getattr(module, "DATASETS", None)
    datasets = (module.DATASET,) if datasets is None else datasets
    checksums: dict[str, str] = {}
    for dataset in datasets:
        checksums.update(source_checksums(dataset, paths.data, paths.cache))
    for upstream in getattr(module, "DEPENDS", ()):
        checksums[f"results/{upstream}"] = (planned or {}).get(upstream) or upstream_key(paths, upstream)
    return keys.key_parts(module.__name__, config, checksums)


def upstream_key(paths: BuildPaths, name: str) -> str:
    """The key of an experiment's results, or "absent": a study that reads them is stale when it changes."""
    try:
        return results.load(results.results_dir(paths.results, name)).key
    except results.ResultsError:
        return "absent"


def _load_any(name: str) -> tuple[Any, str]:
    """(loader, file name) of a registered name: a study's ``study.json`` or an experiment's ``results.json``."""
    if registry.is_study(name):
        return studies.load, studies.STUDY_FILE
    return results.load, results.RESULTS_FILE


def freshness(name: str, paths: BuildPaths, options: TrainOptions, config: Any = None,
              planned: Mapping[str, str] | None = None) -> Freshness:
    """``config``: the name's config when the caller built it already (else built from ``options``);
    ``planned``: see :func:`current_key`."""
    parts = current_key(name, paths, config if config is not None else experiment_config(name, options), planned)
    if options.seeds > 1 and not registry.is_study(name):
        parts = {**parts, "config": keys.digest([parts["config"], options.seeds])}
    key = keys.combine(parts)
    loader, filename = _load_any(name)
    try:
        res = loader(results.results_dir(paths.results, name))
    except results.ResultsError as exc:
        missing = not (results.results_dir(paths.results, name) / filename).exists()
        state = "missing" if missing else "broken"
        return Freshness(name, state, (exc.format_message(),) if not missing else (), key, parts, None)
    if parts["data"] == keys.UNVERIFIABLE and "data" in res.key_parts:
        # the data is not on this machine: trust the checksums the results were trained on
        parts = {**parts, "data": res.key_parts["data"]}
        key = keys.combine(parts)
    if res.key == key:
        return Freshness(name, "fresh", (), key, parts, res)
    return Freshness(name, "stale", tuple(keys.changed_parts(res.key_parts, parts)), key, parts, res)


def stale_results(paths: BuildPaths, options: TrainOptions, names: Sequence[str] | None = None) -> dict[str, str]:
    """Experiment -> what changed, for every one whose results exist but are stale or broken."""
    names = list(names) if names is not None else registry.experiment_names() + registry.study_names()
    out = {}
    for name in names:
        f = freshness(name, paths, options)
        if f.state in ("stale", "broken"):
            out[name] = f.why if f.state == "stale" else "results file"
    return out


def require_fresh(paths: BuildPaths, options: TrainOptions, allow_stale: bool) -> dict[str, str]:
    """The stale experiments when ``allow_stale``; otherwise an error saying what changed and what to run."""
    stale = stale_results(paths, options)
    if stale and not allow_stale:
        what = "; ".join(f"{name}: {why} changed" for name, why in stale.items())
        names = " ".join(stale)
        raise click.ClickException(
            f"stale results ({what}); run `make-report train {names}` (or `make-report all`), "
            "or render them anyway, marked stale, with --allow-stale"
        )
    return stale


def train(names: Sequence[str], paths: BuildPaths, options: TrainOptions) -> list[results.Results]:
    """Train each named experiment whose results are not fresh and write ``build/results/<name>/``.

    Returns the results of the experiments actually trained. With ``--jobs N`` or ``--scheduler`` the
    runs are jobs on a Dask cluster (``report.pipeline.jobs``); otherwise they run here, one by one.
    """
    if options.distributed:
        from report.pipeline.jobs import train_on_cluster

        return train_on_cluster(names, paths, options)
    from report.train.checkpoint import Checkpoints
    from report.train.numerics import job_numerics

    configs = {name: experiment_config(name, options) for name in names}  # fail on a bad --set first
    written = []
    for name, config in configs.items():
        state = freshness(name, paths, options, config)
        if state.fresh and not options.force:
            _echo(options, f"{name}: results are fresh (key {state.key}), not training; --force trains anyway")
            continue
        if state.state == "broken":
            _echo(options, f"{name}: {state.why}; training again")
        from report.train import tensorflow  # TensorFlow is imported only from here on
        from report.train.context import RunContext

        tensorflow.load(options.verbose)

        ctx = RunContext(paths=paths, quiet=options.quiet, key=state.key)
        folder = results.results_dir(paths.results, name)
        t0 = time.perf_counter()
        if registry.is_study(name):  # a study: one run, no checkpoints, its own schema
            with job_numerics():  # the numerics a Dask worker runs it with, so both give the same numbers
                res = registry.load(name).run(config, ctx)
            res = res.model_copy(update={"key_parts": dict(state.key_parts)})
            studies.save(folder, res)
        else:
            res, preds = _train_seeds(name, config, ctx, options.seeds)
            res = res.model_copy(update={"key_parts": dict(state.key_parts)})
            results.save(folder, res, preds)
            Checkpoints(paths.checkpoints / name, state.key).clear()
        _echo(options, f"{name}: wrote {folder} ({time.perf_counter() - t0:.1f} s)")
        written.append(res)
    return written


def _train_seeds(name: str, config: Any, ctx: Any, n_seeds: int) -> tuple[results.Results, results.Predictions]:
    """One run per seed (config.seed, +1, ...); the run of median accuracy, listing every seed."""
    from report.train.experiment import run_experiment
    from report.train.numerics import job_numerics

    runs = []
    for seed_config in seed_configs(config, n_seeds):
        with job_numerics():  # the numerics a Dask worker runs it with, so both give the same numbers
            runs.append(run_experiment(registry.load(name), seed_config, ctx))
    return combine_seeds(name, runs, ctx.echo)


def seed_configs(config: Any, n_seeds: int) -> list[Any]:
    """The config of each seed's run: config.seed, config.seed + 1, ..."""
    return [dataclasses.replace(config, seed=config.seed + i) for i in range(n_seeds)]


def combine_seeds(name: str, runs: Sequence[tuple[results.Results, results.Predictions]],
                  echo: Any) -> tuple[results.Results, results.Predictions]:
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


def _echo(options: TrainOptions, message: str) -> None:
    if not options.quiet:
        click.echo(message, err=True)

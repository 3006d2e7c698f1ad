"""What a training run is asked for (:class:`TrainOptions`) and whether each result is fresh against it.

Each experiment's results carry a key (see ``report.pipeline.keys``); an experiment is trained again
only when its key changed, its results are missing or broken, or ``force`` is set. Finding that out
imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import click

from report import registry
from report.paths import BuildPaths
from report.pipeline import keys, overrides
from report.results import experiment_results as results
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
    # --- where the jobs run (not part of any key): report.pipeline.on_dask and report.pipeline.cluster
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


def datasets(name: str) -> tuple[str, ...]:
    """The raw datasets a registered module reads: its ``DATASETS``, else its one ``DATASET``."""
    module = registry.load(name)
    found = getattr(module, "DATASETS", None)
    return (module.DATASET,) if found is None else tuple(found)


def source_checksums(name: str, paths: BuildPaths) -> dict[str, str]:
    """The checksums of every dataset archive the name reads (``"absent"`` for one not on this machine)."""
    from report.data import source_checksums as of_dataset

    out: dict[str, str] = {}
    for dataset in datasets(name):
        out.update(of_dataset(dataset, paths.data, paths.cache))
    return out


def current_key(name: str, paths: BuildPaths, config: Any, planned: Mapping[str, str] | None = None) -> dict[str, str]:
    """The key's parts. ``data`` covers every dataset the module reads and, for a study, the keys of
    the results it reads (``DEPENDS``): ``planned`` gives the keys of results about to be written (a
    plan schedules a study before its inputs exist)."""
    module = registry.load(name)
    checksums = source_checksums(name, paths)
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


def require_fresh(paths: BuildPaths, options: TrainOptions, allow_stale: bool,
                  stale: Mapping[str, str] | None = None) -> dict[str, str]:
    """The stale experiments when ``allow_stale``; otherwise an error saying what changed and what to run.
    ``stale``: :func:`stale_results` when the caller has it (``report.pipeline.verdicts`` remembers it)."""
    stale = dict(stale_results(paths, options) if stale is None else stale)
    if stale and not allow_stale:
        what = "; ".join(f"{name}: {why} changed" for name, why in stale.items())
        names = " ".join(stale)
        raise click.ClickException(
            f"stale results ({what}); run `make-report train {names}` (or `make-report all`), "
            "or render them anyway, marked stale, with --allow-stale"
        )
    return stale

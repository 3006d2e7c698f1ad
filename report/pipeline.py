"""Run experiments and write their results folders: the training half of a build."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from report import overrides, registry, results
from report.config import BuildPaths


@dataclass(frozen=True)
class TrainOptions:
    quick: bool = False  # small stratified subsets and two epochs: a smoke run
    seed: int | None = None  # None keeps each experiment's own default seed
    overrides: Mapping[str, Any] = field(default_factory=dict)  # --set field=value, applied last
    quiet: bool = False


def experiment_config(name: str, options: TrainOptions) -> Any:
    """Defaults, then the quick profile, then --seed, then --set: later wins."""
    module = registry.load(name)
    config = module.Config()
    if options.quick:
        config = overrides.apply(config, module.quick_overrides(), where=name)
    if options.seed is not None:
        config = overrides.apply(config, {"seed": options.seed}, where=name)
    return overrides.apply(config, options.overrides, where=name)


def train(names: Sequence[str], paths: BuildPaths, options: TrainOptions) -> list[results.Results]:
    """Train each named experiment and write ``build/results/<name>/`` atomically."""
    from report.training import RunContext  # imports scikit-learn; TensorFlow only once training starts

    configs = {name: experiment_config(name, options) for name in names}  # fail on a bad --set before training
    ctx = RunContext(paths=paths, quiet=options.quiet)
    written = []
    for name, config in configs.items():
        res, preds = registry.load(name).run(config, ctx)
        folder = results.results_dir(paths.results, name)
        results.save(folder, res, preds)
        ctx.echo(f"{name}: wrote {folder}")
        written.append(res)
    return written

"""Train each experiment with several seeds on the full data; print mean and spread.

    MAKE_REPORT_DATA=../shared/data .venv/bin/python bench/bench_seeds.py [--seeds 42 1 2] [NAME...]

Also checks determinism: the first seed is trained twice and must give the
same metrics. Uses its own build folder (build/bench-seeds) so the report's
results are untouched. Takes ~3x the cold training time, plus one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

from report import registry
from report.paths import BuildPaths
from report.pipeline.freshness import TrainOptions
from report.pipeline.run import train

METRICS = ("accuracy", "roc_auc", "macro_f1", "weighted_f1")


def headline(res) -> dict[str, float]:
    t = res.test
    return {"accuracy": t.accuracy, "roc_auc": t.roc_auc, "macro_f1": t.macro_f1, "weighted_f1": t.weighted_f1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=None)
    parser.add_argument("--seeds", nargs="+", type=int, default=[42, 1, 2])
    args = parser.parse_args()
    names = args.names or registry.experiment_names()
    paths = BuildPaths.resolve(build_dir="build/bench-seeds")
    rows = []
    for name in names:
        per_seed = []
        for seed in args.seeds:
            t0 = time.perf_counter()
            (res,) = train([name], paths, TrainOptions(seed=seed, quiet=True, force=True))
            per_seed.append((seed, headline(res), time.perf_counter() - t0, res.best_epoch))
            print(f"{name} seed {seed}: " + ", ".join(f"{k} {v:.4f}" for k, v in per_seed[-1][1].items())
                  + f", best epoch {res.best_epoch}, {per_seed[-1][2]:.0f} s", flush=True)
        (again,) = train([name], paths, TrainOptions(seed=args.seeds[0], quiet=True, force=True))
        deterministic = headline(again) == per_seed[0][1]
        rows.append((name, per_seed, deterministic))

    print()
    print(f"{'experiment':<16} {'metric':<12} {'mean':>7} {'sd':>7} {'min':>7} {'max':>7}")
    for name, per_seed, deterministic in rows:
        for metric in METRICS:
            values = [m[metric] for _, m, _, _ in per_seed]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            print(f"{name:<16} {metric:<12} {statistics.mean(values):7.4f} {sd:7.4f} {min(values):7.4f} {max(values):7.4f}")
        seconds = [s for _, _, s, _ in per_seed]
        print(f"{name:<16} {'seconds':<12} {statistics.mean(seconds):7.1f} {statistics.stdev(seconds) if len(seconds) > 1 else 0:7.1f}")
        print(f"{name:<16} same seed twice gives identical metrics: {deterministic}")


if __name__ == "__main__":
    main()

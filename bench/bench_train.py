"""Seconds per training epoch: the plain Keras recipe against the project's loop, side by side.

For each experiment, on the full training split (its published config, seed 42):

- ``plain``: what a user would write: ``model.fit`` on the padded (n, maxlen) arrays, same model,
  batch size and class weights, no XLA;
- ``ours``: the project's epoch: length-bucketed batches cut to a few fixed lengths
  (report.train.batching), XLA-compiled steps and a "max" readout taken inside the recurrent loop
  (report.train.layers), as ``report.train.loop.fit`` trains;
- ``ours-keras``: the same with Keras' own recurrent layer returning every state and a max after it,
  which measures what taking the max inside the loop gains (nothing for a "last" readout);
- ``ours-1t``: ours with one TensorFlow thread, what each of two ``--jobs 2`` workers gets.

Each configuration runs in its own process (so its peak memory is its own), for ``--epochs``
epochs; the table shows the first epoch (XLA compilation included), the median and the fastest of
the others, the ratio ours/plain of the fastest (this machine has spells at half speed that can
land on any epoch, during which the process gets one core instead of two; the fastest of each is the
least disturbed, as ``timeit`` reports its best), the CPU seconds of the fastest epoch (the work done,
which those spells do not change) and their ratio, the FLOP estimate per epoch (forward + backward ~ 3x forward over the time
steps actually computed) and the share of a 50 GFLOP/s reference for two cores reached.

    MAKE_REPORT_DATA=/path/to/archives python bench/bench_train.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REFERENCE_GFLOPS = 50.0  # a realistic sustained rate for float32 matrix products on two cores
EXPERIMENTS = ("imdb_simplernn", "reuters_lstm")
# plain Keras; ours; ours with Keras' recurrent layers; ours with one TensorFlow thread (if its epoch takes
# less than twice ours, two one-thread workers, make-report all --jobs 2, get more done per second than one
# two-thread process)
MODES = ("plain", "ours", "ours-keras", "ours-1t")
REPO = Path(__file__).resolve().parents[1]


def flop_per_step(config, cell: str) -> float:
    """Forward FLOPs of one example-time-step of the recurrent layer, times 3 for the backward pass."""
    gates = 4 if cell == "LSTM" else 1
    return 3 * 2 * gates * (config.embedding_dim * config.units + config.units * config.units)


def one(name: str, mode: str, epochs: int, data: Path, build: Path) -> dict:
    """Train ``epochs`` epochs of ``name`` the ``mode`` way; JSON-able timings."""
    import dataclasses

    import numpy as np

    from report import registry
    from report.paths import BuildPaths
    from report.train import tensorflow
    from report.train.batching import bucket_lengths, epoch_batches, padded_steps, token_lengths
    from report.train.experiment import load_dataset
    from report.train.loop import (
        _reseed,
        bucketed_dataset,
        class_weights,
        sample_weights,
        set_seed,
        validation_split,
    )

    tensorflow.load()
    module = registry.load(name)
    config = dataclasses.replace(module.Config(), jit_compile=mode.startswith("ours"),
                                 max_in_loop=mode in ("ours", "ours-1t"))
    paths = BuildPaths(data=data, project=REPO, build=build)  # the token cache under build/cache
    ds = load_dataset(module.DATASET, paths, config, quiet=True)
    set_seed(config.seed)
    split = validation_split(ds, config.val_fraction, config.split_seed)
    n_classes = len(ds.class_names)
    model = module.build_model(config, n_classes)
    weights = class_weights(split.y_train, n_classes, config.class_weight_power)
    lengths = token_lengths(split.x_train)
    buckets = bucket_lengths(split.x_train.shape[1])
    seconds, cpu, steps = [], [], []
    for epoch in range(1, epochs + 1):
        _reseed(model, config.seed, epoch)
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "plain":
            model.fit(split.x_train, split.y_train, batch_size=config.batch_size, epochs=1, shuffle=True,
                      class_weight=weights, verbose=0)
            steps.append(int(split.x_train.size))
        else:
            batches = epoch_batches(lengths, config.batch_size, config.seed, epoch, buckets)
            model.fit(bucketed_dataset(split.x_train, split.y_train, sample_weights(split.y_train, weights), batches),
                      epochs=1, shuffle=False, verbose=0)
            steps.append(padded_steps(batches))
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    cell = "LSTM" if name.startswith("reuters") else "SimpleRNN"
    return {
        "name": name, "mode": mode, "seconds": seconds, "cpu_seconds": cpu, "steps": steps,
        "flop_per_step": flop_per_step(config, cell),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "examples": int(len(split.y_train)), "buckets": list(buckets) if mode.startswith("ours") else [],
        "real_steps": int(np.minimum(lengths, split.x_train.shape[1]).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per configuration (the first compiles)")
    parser.add_argument("--experiments", nargs="+", default=list(EXPERIMENTS), choices=EXPERIMENTS,
                        help="which experiments to measure")
    parser.add_argument("--only", nargs=3, metavar=("NAME", "MODE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MAKE_REPORT_DATA", "data")))
    parser.add_argument("--build-dir", type=Path, default=REPO / "build", help="its cache/ holds the token arrays")
    args = parser.parse_args()
    if args.only:
        name, mode, out = args.only
        Path(out).write_text(json.dumps(one(name, mode, args.epochs, args.data_dir.resolve(), args.build_dir.resolve())))
        return

    rows = {}
    for name in args.experiments:
        for mode in MODES:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "timings.json"
                env = dict(os.environ)
                if mode == "ours-1t":  # one TensorFlow thread: what each of two --jobs 2 workers gets
                    env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
                subprocess.run([sys.executable, __file__, "--epochs", str(args.epochs), "--data-dir", str(args.data_dir),
                                "--build-dir", str(args.build_dir), "--only", name, mode, str(out)], check=True, env=env)
                rows[name, mode] = json.loads(out.read_text())
            r = rows[name, mode]
            print(f"{name} {mode}: " + ", ".join(f"{s:.1f}" for s in r["seconds"]) + " s", file=sys.stderr)

    print(f"\n{'experiment':<16}{'recipe':<11}{'epoch 1 s':>10}{'median s':>9}{'best s':>8}{'ratio':>7}"
          f"{'CPU s':>7}{'ratio':>7}{'GFLOP/epoch':>13}{'GFLOP/s':>9}{'of 50':>7}{'peak MB':>9}")
    for name in args.experiments:
        base = min(rows[name, "plain"]["seconds"][1:])
        base_cpu = rows[name, "plain"]["cpu_seconds"][1:][rows[name, "plain"]["seconds"][1:].index(base)]
        for mode in MODES:
            r = rows[name, mode]
            later, best = statistics.median(r["seconds"][1:]), min(r["seconds"][1:])
            best_cpu = r["cpu_seconds"][1:][r["seconds"][1:].index(best)]
            gflop = r["flop_per_step"] * statistics.median(r["steps"]) / 1e9
            rate = gflop / best
            print(f"{name:<16}{mode:<11}{r['seconds'][0]:>10.1f}{later:>9.1f}{best:>8.1f}{best / base:>7.2f}"
                  f"{best_cpu:>7.1f}{best_cpu / base_cpu:>7.2f}"
                  f"{gflop:>13.0f}{rate:>9.1f}{rate / REFERENCE_GFLOPS:>7.0%}{r['peak_mb']:>9.0f}")
        ours = min(rows[name, "ours"]["seconds"][1:])
        in_loop = ours / min(rows[name, "ours-keras"]["seconds"][1:])
        print(f"  {name}: the max inside the loop takes {in_loop:.2f}x the epoch with Keras' layer and a max after it")
        one_thread = min(rows[name, "ours-1t"]["seconds"][1:]) / ours
        print(f"  {name}: one thread takes {one_thread:.2f}x the two-thread epoch (below 2: --jobs 2 gains)")
        ours = rows[name, "ours"]
        print(f"  {name}: buckets {ours['buckets']}; time steps computed: plain "
              f"{statistics.median(rows[name, 'plain']['steps']):,.0f}, ours {statistics.median(ours['steps']):,.0f}, "
              f"real tokens {ours['real_steps']:,}")


if __name__ == "__main__":
    main()

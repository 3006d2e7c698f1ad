"""Seconds per training epoch: the plain Keras recipe against the project's loop, side by side.

For each experiment, on the full training split (its published config, seed 42):

- ``plain``: what a user would write: ``model.fit`` on the padded (n, maxlen) arrays, same model,
  batch size and class weights, no XLA;
- ``ours``: the project's epoch, as ``report.train.loop.fit`` trains: batches of similar lengths
  (report.train.batching), each cut to one of a few fixed lengths when the experiment's steps are
  XLA-compiled (its config's ``jit_compile``) or else to its own longest example, and a "max" readout
  taken inside the recurrent loop (report.train.layers);
- ``other-xla``: ours with ``jit_compile`` the other way round (and the batch lengths that go with it),
  the line that justifies each experiment's choice;
- ``ours-keras``: the same with Keras' own recurrent layer returning every state and a max after it,
  which measures what taking the max inside the loop gains (nothing for a "last" readout);
- ``ours-1t``: ours with one TensorFlow thread, what each of two ``--jobs 2`` workers gets.

Each configuration runs in its own process (so its peak memory is its own), for ``--epochs``
epochs; then plain and ours run again in one process taking turns epoch by epoch, and the ratio of
each pair is printed below the table. The
table shows the first epoch (XLA compilation included), the median and the fastest of
the others, the ratio ours/plain of the fastest (this machine has spells at half speed that can
land on any epoch, during which the process gets one core instead of two; the fastest of each is the
least disturbed, as ``timeit`` reports its best), the CPU seconds of the fastest epoch (the work done,
which those spells do not change) and their ratio, the FLOP estimate per epoch (forward + backward ~ 3x forward over the time
steps actually computed) and the share of a 50 GFLOP/s reference for two cores reached.

    MAKE_REPORT_DATA=/path/to/archives python bench/bench_train.py

``--pins`` measures instead what the pinned arithmetic (report.train.numerics) costs on this machine: ours,
each experiment in a process with the pins and in one with this CPU's own instruction sets
(``UNPINNED_AVX512``, meaningful on a CPU with AVX-512), and word2vec's vectors learned both ways.
"""

from __future__ import annotations

import report  # noqa: F401,I001  (first: pins the arithmetic before NumPy loads, in this process and its children)

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
# plain Keras; ours; ours with XLA the other way; ours with Keras' recurrent layers; ours with one TensorFlow
# thread (if its epoch takes less than twice ours, two one-thread workers, make-report all --jobs 2, get more
# done per second than one two-thread process)
MODES = ("plain", "ours", "other-xla", "ours-keras", "ours-1t")
# plain and ours in one process, an epoch of each in turn: the two see the same machine (the same cache, the same
# slow hours), and each pair's ratio is printed. Finer turns (20 batches each, one fit call per turn) were tried
# and dropped: Reuters' median ratio came out 0.81 (CPU 0.87), where runs by whole epochs before and after gave
# 0.59 and 0.60 (CPU 0.61, 0.70); each fit call builds its input pipeline anew, which likely costs ours (a
# generator) more than plain (not measured apart)
TAKING_TURNS = "plain,ours"
REPO = Path(__file__).resolve().parents[1]


def flop_per_step(config, cell: str) -> float:
    """Forward FLOPs of one example-time-step of the recurrent layer, times 3 for the backward pass."""
    gates = 4 if cell == "LSTM" else 1
    return 3 * 2 * gates * (config.embedding_dim * config.units + config.units * config.units)


def one(name: str, modes: list[str], epochs: int, data: Path, build: Path) -> dict[str, dict]:
    """Train ``epochs`` epochs of ``name`` each ``modes`` way, taking turns epoch by epoch (one mode: the
    process is its own, and so is its peak memory); JSON-able timings by mode."""
    import dataclasses

    import numpy as np

    from report import registry
    from report.paths import BuildPaths
    from report.train import tensorflow
    from report.train.batching import epoch_batches, padded_steps, token_lengths
    from report.train.experiment_runner import load_dataset
    from report.train.loop import (
        _reseed,
        batch_lengths,
        bucketed_dataset,
        class_weights,
        sample_weights,
        set_seed,
        validation_split,
    )

    tensorflow.load()
    module = registry.load(name)
    published = module.Config()
    paths = BuildPaths(data=data, project=REPO, build=build)  # the token cache under build/cache
    ds = load_dataset(module.DATASET, paths, published, quiet=True)
    split = validation_split(ds, published.val_fraction, published.split_seed)
    n_classes = len(ds.class_names)
    weights = class_weights(split.y_train, n_classes, published.class_weight_power)
    lengths = token_lengths(split.x_train)
    runs = {}
    for mode in modes:
        jit = {"plain": False, "other-xla": not published.jit_compile}.get(mode, published.jit_compile)
        config = dataclasses.replace(published, jit_compile=jit, max_in_loop=mode in ("ours", "other-xla", "ours-1t"))
        set_seed(config.seed)
        model = module.build_model(config, n_classes)
        runs[mode] = (config, model, batch_lengths(model, split.x_train.shape[1]), {"seconds": [], "cpu_seconds": [],
                                                                                     "steps": []})
    for epoch in range(1, epochs + 1):
        for mode, (config, model, buckets, timings) in runs.items():
            _reseed(model, config.seed, epoch)
            t0, c0 = time.perf_counter(), time.process_time()
            if mode == "plain":
                model.fit(split.x_train, split.y_train, batch_size=config.batch_size, epochs=1, shuffle=True,
                          class_weight=weights, verbose=0)
                timings["steps"].append(int(split.x_train.size))
            else:
                batches = epoch_batches(lengths, config.batch_size, config.seed, epoch, buckets)
                model.fit(bucketed_dataset(split.x_train, split.y_train, sample_weights(split.y_train, weights),
                                           batches), epochs=1, shuffle=False, verbose=0)
                timings["steps"].append(padded_steps(batches))
            timings["seconds"].append(time.perf_counter() - t0)
            timings["cpu_seconds"].append(time.process_time() - c0)
    cell = "LSTM" if name.startswith("reuters") else "SimpleRNN"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {mode: {
        "name": name, "mode": mode, **timings, "flop_per_step": flop_per_step(config, cell),
        "peak_mb": peak_mb if len(modes) == 1 else None,
        "examples": int(len(split.y_train)), "jit_compile": bool(config.jit_compile),
        "buckets": "padded to maxlen" if mode == "plain" else list(buckets) if buckets else "each batch its own longest",
        "real_steps": int(np.minimum(lengths, split.x_train.shape[1]).sum()),
    } for mode, (config, _, buckets, timings) in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per configuration (the first compiles)")
    parser.add_argument("--experiments", nargs="+", default=list(EXPERIMENTS), choices=EXPERIMENTS,
                        help="which experiments to measure")
    parser.add_argument("--turns-only", action="store_true",
                        help="only plain and ours taking turns in one process (the ratio), not the table")
    parser.add_argument("--pins", action="store_true", help="what the pinned arithmetic costs: ours and word2vec, "
                        "pinned against this CPU's own instruction sets")
    parser.add_argument("--word2vec", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs=3, metavar=("NAME", "MODES", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MAKE_REPORT_DATA", "data")))
    parser.add_argument("--build-dir", type=Path, default=REPO / "build", help="its cache/ holds the token arrays")
    args = parser.parse_args()
    if args.only:
        name, modes, out = args.only
        timings = one(name, modes.split(","), args.epochs, args.data_dir.resolve(), args.build_dir.resolve())
        Path(out).write_text(json.dumps(timings))
        return
    if args.word2vec:
        Path(args.word2vec).write_text(json.dumps(word2vec_seconds()))
        return
    if args.pins:
        print_pins(args)
        return

    rows, turns = {}, {}
    for name in args.experiments:
        for modes in (TAKING_TURNS,) if args.turns_only else (*MODES, TAKING_TURNS):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "timings.json"
                env = dict(os.environ)
                if modes == "ours-1t":  # one TensorFlow thread: what each of two --jobs 2 workers gets
                    env.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
                subprocess.run([sys.executable, __file__, "--epochs", str(args.epochs), "--data-dir", str(args.data_dir),
                                "--build-dir", str(args.build_dir), "--only", name, modes, str(out)], check=True, env=env)
                timings = json.loads(out.read_text())
            for mode, r in timings.items():
                (turns if modes == TAKING_TURNS else rows)[name, mode] = r
                print(f"{name} {modes}: {mode} " + ", ".join(f"{s:.1f}" for s in r["seconds"]) + " s", file=sys.stderr)

    if rows:
        print_table(rows, args.experiments)
    print_turns(turns, args.experiments)


def child(args, env: dict[str, str], *flags: str) -> dict:
    """This script run with ``flags`` in a process of its own with ``env``; the JSON it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        subprocess.run([sys.executable, __file__, "--epochs", str(args.epochs), "--data-dir", str(args.data_dir),
                        "--build-dir", str(args.build_dir), *flags, str(out)], check=True, env=env)
        return json.loads(out.read_text())


def word2vec_seconds() -> dict:
    """Seconds and CPU seconds of learning Reuters-sized CBOW vectors (17,500 texts of 100 random ids)."""
    import numpy as np

    from report.train.wordvectors import WordVectorSettings, learn

    ids = np.random.default_rng(0).integers(1, 10_000, size=(17_500, 100)).astype(np.int32)
    t0, c0 = time.perf_counter(), time.process_time()
    learn(ids, 10_000, WordVectorSettings(dim=128))
    return {"seconds": [time.perf_counter() - t0], "cpu_seconds": [time.process_time() - c0]}


def print_pins(args) -> None:
    """Ours and word2vec with the pins and without them, each in its own process; pinned/unpinned ratios of
    the fastest epoch's seconds and CPU seconds (the spells of half speed change the first, not the second)."""
    from report.train import numerics

    # this process is pinned already (import report), or keeps what the environment set
    variants = {"pinned": dict(os.environ), "unpinned": {**os.environ, **numerics.UNPINNED_AVX512}}
    rows = {}
    for name in (*args.experiments, "word2vec"):  # each pair back to back, so that both see the same load
        for label, env in variants.items():
            flags = ("--word2vec",) if name == "word2vec" else ("--only", name, "ours")
            out = child(args, env, *flags)
            rows[name, label] = out if name == "word2vec" else out["ours"]
    print(f"\n{'what':<16}{'variant':<10}{'best s':>8}{'CPU s':>8}")
    for name in (*args.experiments, "word2vec"):
        best = {}
        for label in variants:
            r = rows[name, label]
            later = r["seconds"][1:] or r["seconds"]  # the first epoch compiles; word2vec runs once
            fastest = min(later)
            best[label] = (fastest, (r["cpu_seconds"][1:] or r["cpu_seconds"])[later.index(fastest)])
            print(f"{name:<16}{label:<10}{best[label][0]:>8.1f}{best[label][1]:>8.1f}")
        print(f"  {name}: pinned/unpinned {best['pinned'][0] / best['unpinned'][0]:.2f} "
              f"(CPU {best['pinned'][1] / best['unpinned'][1]:.2f})")


def print_table(rows: dict, experiments: list[str]) -> None:
    print(f"\n{'experiment':<16}{'recipe':<11}{'epoch 1 s':>10}{'median s':>9}{'best s':>8}{'ratio':>7}"
          f"{'CPU s':>7}{'ratio':>7}{'GFLOP/epoch':>13}{'GFLOP/s':>9}{'of 50':>7}{'peak MB':>9}")
    for name in experiments:
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
        other = rows[name, "other-xla"]
        print(f"  {name}: ours with jit_compile={other['jit_compile']} (batches: {other['buckets']}) takes "
              f"{min(other['seconds'][1:]) / ours:.2f}x ours' fastest epoch and "
              f"{other['seconds'][0] / rows[name, 'ours']['seconds'][0]:.2f}x its first")
        in_loop = ours / min(rows[name, "ours-keras"]["seconds"][1:])
        print(f"  {name}: the max inside the loop takes {in_loop:.2f}x the epoch with Keras' layer and a max after it")
        one_thread = min(rows[name, "ours-1t"]["seconds"][1:]) / ours
        print(f"  {name}: one thread takes {one_thread:.2f}x the two-thread epoch (below 2: --jobs 2 gains)")
        ours = rows[name, "ours"]
        print(f"  {name}: jit_compile={ours['jit_compile']}, batches {ours['buckets']}; time steps computed: plain "
              f"{statistics.median(rows[name, 'plain']['steps']):,.0f}, ours {statistics.median(ours['steps']):,.0f}, "
              f"real tokens {ours['real_steps']:,}")


def print_turns(turns: dict, experiments: list[str]) -> None:
    """The ratio of each epoch's pair, plain and ours having taken turns in one process."""
    print("\nplain and ours taking turns epoch by epoch in one process: ours/plain of each pair")
    for name in experiments:
        plain, ours = turns[name, "plain"], turns[name, "ours"]
        wall = [o / p for o, p in zip(ours["seconds"][1:], plain["seconds"][1:])]
        cpu = [o / p for o, p in zip(ours["cpu_seconds"][1:], plain["cpu_seconds"][1:])]
        print(f"  {name}, epochs 2-{len(plain['seconds'])}: seconds "
              f"{', '.join(f'{p:.1f}/{o:.1f}' for p, o in zip(plain['seconds'][1:], ours['seconds'][1:]))}, "
              f"ratios {', '.join(f'{r:.2f}' for r in wall)} (median {statistics.median(wall):.2f}); "
              f"CPU seconds {', '.join(f'{r:.2f}' for r in cpu)} (median {statistics.median(cpu):.2f})")


if __name__ == "__main__":
    main()

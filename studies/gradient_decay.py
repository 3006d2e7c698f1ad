"""Study: the vanishing gradient, measured.

For a SimpleRNN and an LSTM of the same size on IMDB, the norm of the gradient
of the loss with respect to the input at each time step (the embedded word),
as a function of the distance from the last step. Measured on a batch of long
test reviews (windows with no padding), at initialisation and after a short
training. Backpropagation through time multiplies one Jacobian per step, so a
plain RNN's gradient is expected to fall exponentially with distance.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import numpy as np

from report.data import TextSettings, load_imdb
from report.results import provenance
from report.results.study import Series, StudyResults, StudyTimings, Table
from report.settings import Count, Positive, Seed, VocabSize
from report.train.run_context import RunContext
from studies._rnn import CELLS, ModelPool, cpu_seconds

NAME = "gradient_decay"
TITLE = "Measured gradient decay through time"
DATASETS = ("imdb",)
DESCRIPTION = (
    "How strongly the loss still depends on a word k steps before the end of a review, "
    "for a SimpleRNN and an LSTM of the same size: the gradient norm at each step, relative to the last step."
)
MEASURED_CELLS = CELLS[:2]  # the plain and the gated cell of sections 1.2 and 2.1
DECAY_FACTOR = 10.0  # "falls tenfold"
LOAD_MAXLEN = 400  # tokens kept per review when loading: the IMDB experiment's maxlen (one shared cache entry)


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # seeds 42, 43, 44: the initial weights and the order of the training reviews
    seeds: Count = 3  # the figure shows the mean curve and the band between the lowest and highest seed
    window: Count = 200  # <= LOAD_MAXLEN; the last 200 words of reviews at least that long: ~45% of IMDB, no padding inside
    vocab_size: VocabSize = 10_000  # as the IMDB experiment
    embedding_dim: Count = 32  # small: the measurement, not the accuracy, is the point
    units: Count = 32  # the IMDB SimpleRNN's size; the LSTM gets the same
    learning_rate: Positive = 1e-3  # Adam's default
    train_examples: Count = 5000  # one epoch on 5,000 long reviews: ~80 updates, enough to leave initialisation
    epochs: Count = 1  # "after a short training"; more costs ~15 s per epoch and model on 2 cores
    batch_size: Count = 64
    measure_examples: Count = 256  # test reviews averaged per step; the curve is smooth from ~100 on


def quick_overrides() -> dict[str, object]:
    return {"window": 8, "train_examples": 60, "measure_examples": 20, "units": 8, "embedding_dim": 8, "seeds": 2}


def decay_length(relative: list[float] | np.ndarray, factor: float = DECAY_FACTOR) -> int | None:
    """Steps from the last one until the gradient norm first falls to 1/factor of its value there
    (``relative[k]`` is the norm at distance k from the last step); None if it never does."""
    g = np.asarray(relative, dtype=float)
    below = np.flatnonzero(g <= g[0] / factor)
    return int(below[0]) if below.size else None


def long_windows(x: np.ndarray, lengths: np.ndarray, window: int) -> np.ndarray:
    """The last ``window`` words of every example at least that long (pre-padded rows: no padding inside)."""
    keep = lengths >= window
    if x.shape[1] < window:
        raise ValueError(f"rows hold {x.shape[1]} tokens, fewer than the window of {window}")
    return x[keep, -window:]


_GRADIENT_FUNCTIONS: dict[int, object] = {}


def input_gradient_norms(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean over examples of ||d loss / d embedded word_t||, per step t (shape (window,))."""
    import tensorflow as tf

    embed, rnn, dense = model.layers

    def norms(x, y):
        e = embed(x)
        with tf.GradientTape() as tape:
            tape.watch(e)
            p = tf.reshape(dense(rnn(e)), [-1])
            # summed (not averaged) per-example losses: each example's gradient is its own, unscaled
            loss = tf.reduce_sum(tf.keras.losses.binary_crossentropy(tf.reshape(tf.cast(y, p.dtype), [-1, 1]),
                                                                     tf.reshape(p, [-1, 1])))
        g = tape.gradient(loss, e)  # (n, window, dim)
        return tf.reduce_mean(tf.norm(g, axis=2), axis=0)

    # traced once per model (the pool reuses one per cell across seeds); the weights are read when it runs
    fn = _GRADIENT_FUNCTIONS.setdefault(id(model), tf.function(norms))
    return fn(tf.constant(x), tf.constant(y)).numpy()


def geometric_mean(curves: list[np.ndarray]) -> np.ndarray:
    """The seeds' curves averaged on the log scale the figure draws them on."""
    return np.exp(np.mean(np.log(np.clip(np.asarray(curves, dtype=float), 1e-30, None)), axis=0))


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    # the IMDB experiment's settings, so its cached tokenisation is reused
    ds = load_imdb(ctx.paths.data, ctx.paths.cache, TextSettings(config.vocab_size, LOAD_MAXLEN), quiet=ctx.quiet)
    load_seconds = time.perf_counter() - t0
    rng = np.random.default_rng(config.seed)
    x_tr = long_windows(ds.x_train, ds.lengths_train, config.window)
    y_tr = ds.y_train[ds.lengths_train >= config.window]
    pick = rng.permutation(len(x_tr))[: config.train_examples]
    x_tr, y_tr = x_tr[pick], y_tr[pick]
    x_me = long_windows(ds.x_test, ds.lengths_test, config.window)
    y_me = ds.y_test[ds.lengths_test >= config.window]
    pick = rng.permutation(len(x_me))[: config.measure_examples]
    x_me, y_me = x_me[pick], y_me[pick]
    ctx.echo(f"{NAME}: {len(x_tr):,} training and {len(x_me):,} measured windows of {config.window} words")

    t1, c1 = time.perf_counter(), cpu_seconds()
    seeds = [config.seed + i for i in range(config.seeds)]
    series, rows, headline = [], [], {"window": config.window, "factor": DECAY_FACTOR, "seeds": len(seeds)}
    distance = [float(k) for k in range(config.window)]
    pool = ModelPool(dict(vocab_size=config.vocab_size, embedding_dim=config.embedding_dim, units=config.units,
                          n_classes=2, maxlen=config.window, jit_compile=True))
    for cell in MEASURED_CELLS:
        curves: dict[str, list[np.ndarray]] = {"initialisation": [], "trained": []}
        for seed in seeds:
            model = pool.fresh(cell, seed, config.learning_rate, cell=cell)
            for stage in ("initialisation", "trained"):
                if stage == "trained":
                    model.fit(x_tr, y_tr, epochs=config.epochs, batch_size=config.batch_size, verbose=0)
                norms = input_gradient_norms(model, x_me, y_me)[::-1]  # index k = k steps before the last
                curves[stage].append(norms / norms[0])
        for stage, runs in curves.items():
            relative = geometric_mean(runs)
            length = decay_length(relative)
            per_seed = [decay_length(r) for r in runs]
            label = f"{cell}, {stage}"
            series.append(Series(figure="decay", label=label, x=distance, y=[float(v) for v in relative]))
            series.append(Series(figure="decay_low", label=label, x=distance,
                                 y=[float(v) for v in np.min(runs, axis=0)]))
            series.append(Series(figure="decay_high", label=label, x=distance,
                                 y=[float(v) for v in np.max(runs, axis=0)]))
            known = [n for n in per_seed if n is not None]
            rows.append([cell, stage, length, min(known) if known else None,
                         None if len(known) < len(per_seed) else max(known), float(relative[-1]),
                         float(np.min([r[-1] for r in runs])), float(np.max([r[-1] for r in runs]))])
            headline[f"decay_length.{cell}.{stage}"] = length
            headline[f"relative_at_window.{cell}.{stage}"] = float(relative[-1])
            shown = f"after {length} steps" if length is not None else f"not within {config.window} steps"
            ctx.echo(f"{NAME}: {cell} at {stage}: gradient falls tenfold {shown} (seeds: {per_seed})")
    cpu = cpu_seconds() - c1
    headline["cpu_seconds"] = round(cpu, 1)
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s, {time.perf_counter() - t0:.0f} s")
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config),
        tables=[Table(id="decay", caption="Steps back from the last word until the gradient norm falls tenfold "
                      "(the seeds' geometric mean curve, and the range over the seeds; none: not within the window)",
                      columns=["model", "stage", "decay length", "shortest over seeds", "longest over seeds",
                               "relative norm at window start", "lowest seed at window start",
                               "highest seed at window start"], rows=rows)],
        series=series, headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, ds.checksums, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )

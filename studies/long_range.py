"""Study: can each recurrent cell remember the start of a long sequence?

A synthetic task whose label depends ONLY on the first few tokens: the first
``signal_tokens`` positions hold words from a class-specific set, every later
position a random "noise" word. At length T the model must carry what it saw
first through T - signal_tokens noise steps. SimpleRNN, LSTM and GRU of the
same size are trained with the same budget at each T and tested on fresh
sequences; a model at chance has forgotten the start.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Annotated

import numpy as np

from report.results import provenance
from report.results.study import Series, StudyResults, StudyTimings, Table
from report.settings import Count, Lengths, Positive, Range, Seed
from report.train.context import RunContext
from report.train.loop import set_seed
from studies._rnn import CELLS, build_classifier

NAME = "long_range"
TITLE = "Long-range memory on a synthetic task"
DATASETS = ()  # generated from the seed: no raw data
DESCRIPTION = (
    "Binary sequences whose label is fixed by their first tokens and followed by random noise words; "
    "test accuracy of SimpleRNN, LSTM and GRU cells of the same size as the sequences grow longer."
)
# Below this test accuracy a binary model counts as "at chance" (0.5 plus room for noise on 500 test sequences).
CHANCE_LEVEL = 0.6


# the noise words are ids 10 .. vocab_size - 1: at least one of them
NoiseVocab = Annotated[int, Range(11, whole=True)]


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # one seed fixes the sequences and the initial weights
    lengths: Lengths = (10, 50, 100, 200, 500)  # from trivially short to the longest IMDB windows
    signal_tokens: Count = 3  # the label is in the first three tokens; the rest is noise
    vocab_size: NoiseVocab = 50  # 4 + 4 signal words per class, 42 noise words
    n_train: Count = 1000  # training cost grows with T x n; 1,000 x 5 lengths x 3 cells fits ~2 minutes on 2 cores
    n_test: Count = 500  # +-0.045 (95%) around an accuracy of 0.5: enough to tell chance from learning
    embedding_dim: Count = 16  # ample for 50 words
    units: Count = 32  # the same for every cell, as the comparison requires
    learning_rate: Positive = 3e-3  # Adam; a larger step than usual so that 10 short epochs can find the signal
    batch_size: Count = 50
    epochs: Count = 10  # the budget every cell gets at every length: ~200 updates


def quick_overrides() -> dict[str, object]:
    return {"lengths": (10, 30), "n_train": 200, "n_test": 100, "epochs": 2, "units": 8}


def make_task(n: int, length: int, signal_tokens: int, vocab_size: int, rng: np.random.Generator):
    """(x, y): x (n, length) int32 word ids, y (n,) in {0, 1}.

    Words 2-5 signal class 0 and 6-9 class 1 (0 and 1 are left free, as padding and
    out-of-vocabulary are in the real data); noise words are 10 .. vocab_size - 1 and
    carry no information: the label depends on the first ``signal_tokens`` words only.
    """
    y = rng.integers(0, 2, size=n)
    x = rng.integers(10, vocab_size, size=(n, length))
    k = min(signal_tokens, length)
    x[:, :k] = 2 + 4 * y[:, None] + rng.integers(0, 4, size=(n, k))
    return x.astype(np.int32), y.astype(np.int64)


def chance_length(lengths: list[int], accuracies: list[float], level: float = CHANCE_LEVEL) -> int | None:
    """The smallest length at which the accuracy is below ``level`` (None: never)."""
    for length, acc in sorted(zip(lengths, accuracies)):
        if acc < level:
            return length
    return None


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t_start = time.perf_counter()
    acc: dict[str, list[float]] = {cell: [] for cell in CELLS}
    for length in config.lengths:
        rng = np.random.default_rng([config.seed, length])
        x_tr, y_tr = make_task(config.n_train, length, config.signal_tokens, config.vocab_size, rng)
        x_te, y_te = make_task(config.n_test, length, config.signal_tokens, config.vocab_size, rng)
        for cell in CELLS:
            set_seed(config.seed)  # the same initial draw for every cell and length
            model = build_classifier(cell, vocab_size=config.vocab_size, embedding_dim=config.embedding_dim,
                                     units=config.units, n_classes=2, maxlen=length,
                                     learning_rate=config.learning_rate)
            model.fit(x_tr, y_tr, epochs=config.epochs, batch_size=config.batch_size, shuffle=True, verbose=0)
            p = model.predict(x_te, batch_size=500, verbose=0).reshape(-1)
            acc[cell].append(float(np.mean((p > 0.5) == y_te)))
            ctx.echo(f"{NAME}: T={length} {cell} test accuracy {acc[cell][-1]:.3f}")
    lengths = list(config.lengths)
    rows = [[t, *(acc[c][i] for c in CELLS)] for i, t in enumerate(lengths)]
    headline: dict[str, float | int | str | None] = {"chance_level": CHANCE_LEVEL, "max_length": max(lengths)}
    for cell in CELLS:
        headline[f"chance_length.{cell}"] = chance_length(lengths, acc[cell])
        headline[f"accuracy_at_max.{cell}"] = acc[cell][lengths.index(max(lengths))]
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config),
        tables=[Table(id="accuracy", caption="Test accuracy by sequence length (chance is 0.50)",
                      columns=["length", *CELLS], rows=rows)],
        series=[Series(figure="accuracy", label=cell, x=[float(t) for t in lengths], y=acc[cell]) for cell in CELLS],
        headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, {}, started),
        timings=StudyTimings(load_seconds=0.0, run_seconds=time.perf_counter() - t_start),
    )

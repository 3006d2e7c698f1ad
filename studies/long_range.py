"""Study: can each recurrent cell remember the start of a long sequence?

Hypothesis (sections 1.2 and 2.1): a gated cell (LSTM, GRU) carries information over longer
gaps than a SimpleRNN, whose gradient fades geometrically with the distance.

The task: every word of a sequence of length T is drawn from ONE vocabulary of
``vocab_words`` words, half of which belong to class 0 and half to class 1; the label is
the class of the FIRST word. Every later word is drawn from the same words, so the
embedding cannot learn to mute the noise: the cell itself must keep what it read first
through T - 1 steps of words that look exactly like the signal.

Each cell is trained on fresh sequences every epoch (so it cannot memorise its training set),
with early stopping on a fixed validation set: patience is counted only once the validation
accuracy has left chance (gated cells sit on an initial plateau before they find the signal,
and patience counted from the first epoch cuts that plateau short); a cell still at chance
stops at the cap. The learning rate is chosen per cell at the shortest T, on validation
only. Every cell and length gets several seeds; the test accuracy's mean and spread are kept.
A sanity row checks that every cell solves the shortest T; if one does not, the study says it
is under-budgeted instead of ranking the cells.

Beside the plain cells, as Keras initialises them, one LSTM whose gate biases start for long memory
(studies._gate_bias; chosen on validation among the candidates) goes through the same steps, and is
compared with the SimpleRNN by the same rules. For every model and length the study also measures, at
initialisation, how much of the loss's gradient reaches the first word relative to the last: the
mechanism answer 2.1 describes, beside the accuracy it predicts.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np

from report.results import provenance
from report.results.study import Series, StudyResults, StudyTimings, Table
from report.settings import Count, Each, Lengths, OneOf, Range, Seed
from report.stats.significance import mcnemar, seed_spread, verdict
from report.train.early_stopping import Stopping, train_epochs
from report.train.run_context import RunContext
from studies._rnn import CELLS, ModelPool, cpu_seconds, geometric_mean, input_gradient_norms

if TYPE_CHECKING:
    from report.stats.pairs import PairTest

NAME = "long_range"
TITLE = "Long-range memory on a synthetic task"
DATASETS = ()  # generated from the seed: no raw data
DESCRIPTION = (
    "Binary sequences labelled by the class of their first word and continued with words from the same "
    "vocabulary; test accuracy of SimpleRNN, LSTM and GRU cells of the same size as the sequences grow longer, "
    "over several seeds."
)
# Below this mean test accuracy a binary model counts as "at chance": 0.5 plus more than three standard
# errors of an accuracy of 0.5 on 1,024 test sequences (0.016 each).
CHANCE_LEVEL = 0.6
# Every cell must reach this at the shortest length (mean over seeds) for the comparison to count.
SANITY_LEVEL = 0.95
# Validation accuracy at which a run has nothing left to learn and stops.
SOLVED_LEVEL = 1.0
# Gradient ratios below this are drawn and written at it: the seeds' geometric mean clips there (studies._rnn).
FLOOR = 1e-30
FIRST_WORD = 2  # ids 0 and 1 are left free, as padding and out-of-vocabulary are in the real data

LearningRates = Annotated[tuple[float, ...], Each(Range(0, open_low=True))]
GateInits = Annotated[tuple[str, ...], Each(OneOf(("chrono", "forget")))]


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # seeds 42, 43, 44: the initial weights and the training sequences
    seeds: Count = 3  # per cell and length; the spread is drawn
    lengths: Lengths = (10, 30, 100, 300, 1000)  # log-spaced up to 1,000; stops early once every cell fails
    vocab_words: Annotated[int, Range(2, whole=True)] = 8  # four words per class; signal and noise alike
    units: Count = 16  # the same for every cell; one bit to keep needs few units
    embedding_dim: Count = 8  # ample for 8 words
    batch_size: Count = 64
    updates_per_epoch: Count = 16  # an epoch: 16 batches of fresh sequences (1,024)
    # the cap: 640 updates (40,960 sequences); it binds for a cell still at chance. A run at chance costs the
    # whole cap, and at T = 1,000 one epoch costs ~0.5 CPU s: 60 epochs took the study to 241 CPU s
    max_epochs: Count = 40
    patience: Count = 6  # epochs without a better validation accuracy, counted once it has left chance (a climb is slow)
    n_val: Count = 256  # fixed validation sequences per length: 0.6 is 3 standard errors above chance
    n_test: Count = 1024  # fresh test sequences per length: +-0.031 (95%) around 0.5
    learning_rates: LearningRates = (1e-3, 3e-3, 1e-2)  # Adam; the grid each cell chooses from at the shortest T
    xla_from: Count = 50  # XLA-compile the steps from this length on (compiling costs more than short runs)
    # An LSTM whose gate biases start for long memory, beside the plain cells' Keras initialisation (forget bias 1:
    # ~0.73 of the cell state kept per step, 0.73^30 ~ 1e-4, answer 2.1). The candidates: "chrono" (Tallec &
    # Ollivier 2018, t_max the sequence length) and "forget", a constant forget bias of each of forget_biases. One
    # is trained at every length, the best on validation at init_choice_length: each costs ~60 CPU s more, and
    # the cold build's budget holds one
    lstm_inits: GateInits = ("chrono", "forget")
    # sigmoid(3) = 0.95 and sigmoid(5) = 0.993 kept per step: time constants of ~20 and ~150 steps (Gers et al.
    # 2000; Jozefowicz et al. 2015)
    forget_biases: Annotated[tuple[float, ...], Each(Range(0, open_low=True))] = (3.0, 5.0)
    # where the candidates are told apart: the middle length (at the shortest every candidate solves the task, so it
    # cannot tell them apart); one seed, each candidate at its own learning rate
    init_choice_length: Count = 100


def quick_overrides() -> dict[str, object]:
    return {"lengths": (5, 12), "seeds": 2, "units": 4, "embedding_dim": 4, "updates_per_epoch": 2, "max_epochs": 3,
            "patience": 1, "n_val": 64, "n_test": 64, "learning_rates": (1e-2,), "xla_from": 1000, "init_choice_length": 12}


def make_task(n: int, length: int, vocab_words: int, rng: np.random.Generator):
    """(x, y): x (n, length) int32 word ids, y (n,) in {0, 1}.

    Words ``FIRST_WORD`` .. ``FIRST_WORD + vocab_words - 1``; the first half of them is class 0, the
    second half class 1. Every position, the first included, draws uniformly from all of them; the
    label is the class of the first word, so the rest carries no information about it.
    """
    x = rng.integers(FIRST_WORD, FIRST_WORD + vocab_words, size=(n, length))
    y = (x[:, 0] - FIRST_WORD) >= vocab_words // 2
    return x.astype(np.int32), y.astype(np.int64)


def chance_length(lengths: list[int], accuracies: list[float | None], level: float = CHANCE_LEVEL) -> int | None:
    """The smallest length at which the accuracy is below ``level`` or was not measured (None: never)."""
    for length, acc in sorted(zip(lengths, accuracies)):
        if acc is None or acc < level:
            return length
    return None


@dataclass
class Run:
    accuracy: float  # test accuracy of the best validation epoch's weights
    correct: np.ndarray  # (n_test,) bool
    epochs: int  # trained
    best_epoch: int
    left_chance: int | None  # the first epoch whose validation accuracy reached CHANCE_LEVEL
    stop: str  # "solved", "patience" or "cap"
    val_accuracy: float


@dataclass
class Cell:
    """All seeds of one cell at one length."""

    runs: list[Run] = field(default_factory=list)

    @property
    def accuracies(self) -> list[float]:
        return [r.accuracy for r in self.runs]

    def median_run(self) -> Run:
        order = np.argsort(self.accuracies, kind="stable")
        return self.runs[int(order[(len(order) - 1) // 2])]


def _accuracy(model, x: np.ndarray, y: np.ndarray, batch: int) -> np.ndarray:
    """Per-example correctness, predicted in batches of one shape (one compiled predict step)."""
    out = []
    for i in range(0, len(x), batch):
        p = np.asarray(model.predict_on_batch(x[i:i + batch])).reshape(-1)
        out.append((p > 0.5) == y[i:i + batch])
    return np.concatenate(out)


def train_run(model, config: Config, length: int, seed: int, val: tuple, test: tuple | None) -> Run:
    """Fresh sequences every epoch; early stopping on validation accuracy with patience counted once it has
    left chance; the best epoch's weights restored and scored on ``test`` (on validation when None)."""
    x_val, y_val = val
    n = config.batch_size * config.updates_per_epoch
    stopping = Stopping(config.max_epochs, config.patience, counting_from=CHANCE_LEVEL, solved_at=SOLVED_LEVEL)

    def one_epoch(epoch: int) -> tuple[float, float]:
        x, y = make_task(n, length, config.vocab_words, np.random.default_rng([seed, length, epoch]))
        for b in range(config.updates_per_epoch):
            rows = slice(b * config.batch_size, (b + 1) * config.batch_size)
            model.train_on_batch(x[rows], y[rows])
        acc = float(np.mean(_accuracy(model, x_val, y_val, config.n_val)))
        return acc, acc

    progress, stop = train_epochs(model, stopping, one_epoch)
    x_te, y_te = test if test is not None else val
    correct = _accuracy(model, x_te, y_te, config.n_val)
    return Run(float(np.mean(correct)), correct, len(progress.history), progress.best_epoch, progress.counting_since,
               stop, progress.best_value)


def _eval_sets(config: Config, length: int):
    rng = np.random.default_rng([config.seed, length, 0])  # epoch 0: never a training epoch's stream
    val = make_task(config.n_val, length, config.vocab_words, rng)
    test = make_task(config.n_test, length, config.vocab_words, rng)
    return val, test


@dataclass(frozen=True)
class Arm:
    """One model the study trains: a cell, and for an LSTM whose gate biases start for long memory, how."""

    label: str  # its row in the tables and its series in the figure
    cell: str  # the Keras layer
    init: str | None = None  # None: Keras' initialisation (forget bias 1); "chrono" or "forget" (studies._gate_bias)
    forget_bias: float | None = None  # the constant of "forget"

    def cell_options(self, length: int, seed: int) -> dict | None:
        if self.init is None:
            return None
        from studies._gate_bias import lstm_options  # imports Keras

        return lstm_options(self.init, length=length, seed=seed, forget_bias=self.forget_bias)


def lstm_arm(init: str, forget_bias: float | None = None) -> Arm:
    label = "LSTM, chrono init" if init == "chrono" else f"LSTM, forget bias {forget_bias:g}"
    return Arm(label, "LSTM", init, forget_bias)


def choose(tried: list[tuple[Run, float]]) -> float:
    """The setting of the best validation accuracy (ties: the fewer epochs to the best, then the smaller setting);
    the test set is not looked at."""
    return min((-r.val_accuracy, r.best_epoch, value) for r, value in tried)[2]


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t_start, c_start = time.perf_counter(), cpu_seconds()
    if config.n_test % config.n_val:
        raise ValueError(f"{NAME}: n_test ({config.n_test}) must be a multiple of n_val ({config.n_val})")
    if config.init_choice_length not in config.lengths:
        raise ValueError(f"{NAME}: init_choice_length ({config.init_choice_length}) must be one of the lengths "
                         f"{tuple(config.lengths)}: set it to one of them")
    seeds = [config.seed + i for i in range(config.seeds)]
    lengths = sorted(config.lengths)
    pool = ModelPool(dict(vocab_size=FIRST_WORD + config.vocab_words, embedding_dim=config.embedding_dim,
                          units=config.units, n_classes=2))

    def model_for(arm: Arm, length: int, seed: int, lr: float):
        return pool.fresh((arm.label, length), seed, lr, cell=arm.cell, maxlen=length,
                          jit_compile=length >= config.xla_from, cell_options=arm.cell_options(length, seed))

    # 1. the learning rate of each model: the best validation accuracy at the shortest length, first seed
    shortest = lengths[0]
    val, _ = _eval_sets(config, shortest)
    plain = [Arm(cell, cell) for cell in CELLS]
    candidates = ([lstm_arm("chrono")] if "chrono" in config.lstm_inits else []) + \
        ([lstm_arm("forget", b) for b in config.forget_biases] if "forget" in config.lstm_inits else [])
    lr_rows, chosen = [], {}
    for arm in plain + candidates:
        tried = []
        for lr in config.learning_rates:
            r = train_run(model_for(arm, shortest, seeds[0], lr), config, shortest, seeds[0], val, None)
            tried.append((r, lr))
            lr_rows.append([arm.label, lr, r.val_accuracy, r.best_epoch])
        chosen[arm.label] = choose(tried)
        ctx.echo(f"{NAME}: {arm.label} learning rate {chosen[arm.label]:g} (validation, T={shortest})")

    # 2. the initialised LSTM trained at every length: each candidate at its learning rate at init_choice_length,
    #    first seed, on validation (ties: the fewer epochs to the best, then the order of the candidates)
    where = config.init_choice_length
    val, _ = _eval_sets(config, where)
    tried, init_rows = [], []
    for k, arm in enumerate(candidates):
        r = train_run(model_for(arm, where, seeds[0], chosen[arm.label]), config, where, seeds[0], val, None)
        tried.append((r, k))
        init_rows.append([arm.label, chosen[arm.label], where, r.val_accuracy, r.best_epoch])
    best = choose(tried)
    init_rows = [row + [k == best] for k, row in enumerate(init_rows)]
    ctx.echo(f"{NAME}: {candidates[best].label} (validation, T={where})")
    arms = plain + [candidates[best]]
    c_tuned = cpu_seconds()

    # 3. at initialisation, how much of the loss's gradient reaches the first word, relative to the last word
    gradient = gradients_at_init(config, pool.kwargs, arms, lengths, seeds)
    c_gradient = cpu_seconds()

    # 4. every model at every length, each seed; one at chance at T (mean over seeds) is not trained at longer T
    results: dict[int, dict[str, Cell]] = {}
    failed: set[str] = set()
    for length in lengths:
        if len(failed) == len(arms):
            break
        val, test = _eval_sets(config, length)
        results[length] = {}
        for arm in arms:
            if arm.label in failed:
                continue
            c0 = cpu_seconds()
            cell_runs = Cell()
            for seed in seeds:
                cell_runs.runs.append(train_run(model_for(arm, length, seed, chosen[arm.label]), config, length,
                                                seed, val, test))
            results[length][arm.label] = cell_runs
            mean, sd = seed_spread(cell_runs.accuracies)
            if mean < CHANCE_LEVEL:
                failed.add(arm.label)
            ctx.echo(f"{NAME}: T={length} {arm.label} test accuracy {mean:.3f} ± {sd:.3f} "
                     f"(epochs {[r.epochs for r in cell_runs.runs]}, stops {[r.stop for r in cell_runs.runs]}; "
                     f"{cpu_seconds() - c0:.0f} CPU s)")
    cpu = cpu_seconds() - c_start
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s ({c_tuned - c_start:.0f} choosing learning rates and the initialised LSTM, "
             f"{c_gradient - c_tuned:.0f} measuring gradients), {time.perf_counter() - t_start:.0f} s")
    measured = Measured(arms, lengths, list(results), results, chosen, lr_rows, init_rows, gradient)
    return _results(config, ctx, started, t_start, cpu, seeds, measured)


def gradients_at_init(config: Config, shape: dict, arms: list[Arm], lengths: list[int],
                      seeds: list[int]) -> dict[str, dict[int, list[float]]]:
    """model -> length -> per seed, the gradient norm at the first word's embedding over the last word's, at
    initialisation, averaged over the validation sequences. One measuring model per cell and length takes each
    model's and seed's initial weights: an initialised LSTM differs from the plain one in its biases only, so the
    two share one traced gradient function (tracing costs more than measuring)."""
    from report.train.loop import set_seed
    from studies._rnn import build_classifier

    measuring: dict[tuple[str, int], object] = {}
    gradient: dict[str, dict[int, list[float]]] = {arm.label: {} for arm in arms}
    for length in lengths:
        x, y = _eval_sets(config, length)[0]
        for arm in arms:
            ratios = []
            for seed in seeds:
                set_seed(seed)
                initial = build_classifier(arm.cell, **shape, maxlen=length, learning_rate=config.learning_rates[0],
                                           compile=False, cell_options=arm.cell_options(length, seed))
                model = measuring.setdefault((arm.cell, length), initial)
                if model is not initial:
                    model.set_weights(initial.get_weights())
                norms = input_gradient_norms(model, x, y)
                ratios.append(float(norms[0] / norms[-1]))
            gradient[arm.label][length] = ratios
    return gradient


@dataclass
class Measured:
    arms: list[Arm]
    lengths: list[int]  # planned
    trained: list[int]  # the lengths at which some model was trained
    results: dict[int, dict[str, Cell]]
    learning_rates: dict[str, float]  # label -> chosen
    lr_rows: list[list]
    init_rows: list[list]
    gradient: dict[str, dict[int, list[float]]]  # label -> length -> per seed, first word / last word


def _results(config, ctx, started, t_start, cpu, seeds, m: Measured) -> StudyResults:
    rows, sanity_rows, pair_rows, gradient_rows, series = [], [], [], [], []
    lengths, measured, results, chosen = m.lengths, m.trained, m.results, m.learning_rates
    labels = [arm.label for arm in m.arms]
    headline: dict[str, float | int | str | None] = {
        "chance_level": CHANCE_LEVEL, "sanity_level": SANITY_LEVEL, "seeds": len(seeds),
        "shortest": lengths[0], "longest_measured": max(measured), "max_length": max(lengths),
        "n_test": config.n_test, "units": config.units, "vocab_words": config.vocab_words,
        "max_epochs": config.max_epochs, "patience": config.patience,
        "sequences_per_epoch": config.batch_size * config.updates_per_epoch, "cpu_seconds": round(cpu, 1),
        "max_sequences": config.batch_size * config.updates_per_epoch * config.max_epochs,
    }
    for length in measured:
        for label in labels:
            c = results[length].get(label)
            if c is None:
                continue
            mean, sd = seed_spread(c.accuracies)
            epochs = [r.epochs for r in c.runs]
            rows.append([length, label, mean, sd, min(c.accuracies), max(c.accuracies),
                         float(np.mean(epochs)), max(epochs), sum(r.stop == "cap" for r in c.runs)])
            headline[f"accuracy.{label}.{length}"] = mean
            headline[f"sd.{label}.{length}"] = sd
    for label in labels:
        accs = [results[t][label].accuracies if label in results[t] else None for t in measured]
        means = [None if a is None else seed_spread(a)[0] for a in accs]
        sds = [None if a is None else seed_spread(a)[1] for a in accs]
        xs = [float(t) for t, mu in zip(measured, means) if mu is not None]
        series.append(Series(figure="accuracy", label=label, x=xs, y=[mu for mu in means if mu is not None]))
        series.append(Series(figure="accuracy_sd", label=label, x=xs, y=[s for s in sds if s is not None]))
        for k, seed in enumerate(seeds):
            series.append(Series(figure="accuracy_seed", label=f"{label}, seed {seed}", x=xs,
                                 y=[a[k] for a in accs if a is not None]))
        headline[f"chance_length.{label}"] = chance_length(measured, means)
        headline[f"learning_rate.{label}"] = chosen[label]
        short = results[lengths[0]][label]
        s_mean, _ = seed_spread(short.accuracies)
        sanity_rows.append([label, chosen[label], s_mean, min(short.accuracies), s_mean >= SANITY_LEVEL])
        headline[f"sanity.{label}"] = s_mean
        # the seeds' geometric mean: the ratios span many orders of magnitude
        ratio = [float(geometric_mean(m.gradient[label][t])) for t in lengths]
        series.append(Series(figure="gradient_init", label=label, x=[float(t) for t in lengths], y=ratio))
        for t, r in zip(lengths, ratio):
            per_seed = m.gradient[label][t]
            gradient_rows.append([t, label, r, min(per_seed), max(per_seed)])
            headline[f"gradient.{label}.{t}"] = r
    headline["under_budgeted"] = "yes" if any(not r[-1] for r in sanity_rows) else "no"
    # the models against each other at each length both were trained at: McNemar's exact test on the same test
    # sequences, every seed pooled (seed k of one model paired with seed k of the other), as the means are
    compared = [("LSTM", "SimpleRNN"), ("GRU", "SimpleRNN"), ("LSTM", "GRU")]
    compared += [(label, b) for label in labels if label not in CELLS for b in ("SimpleRNN", "LSTM")]
    for length in measured:
        for a, b in compared:
            if a in results[length] and b in results[length]:
                t = mcnemar(np.concatenate([r.correct for r in results[length][a].runs]),
                            np.concatenate([r.correct for r in results[length][b].runs]))
                pair_rows.append([length, a, b, t.a_only, t.b_only, t.n, t.difference, t.p_value, verdict(t)])
    tables = [
        Table(id="accuracy", caption="Test accuracy by sequence length, mean and spread over the seeds",
              columns=["length", "cell", "mean", "sd", "min", "max", "mean epochs", "max epochs", "runs at cap"],
              rows=rows),
        Table(id="sanity", caption=f"Sanity row: every model at the shortest length (T = {lengths[0]})",
              columns=["cell", "learning rate", "mean accuracy", "lowest seed", "solved"], rows=sanity_rows),
        Table(id="learning_rate", caption=f"Validation accuracy of each learning rate at T = {lengths[0]} "
              f"(seed {seeds[0]})", columns=["cell", "learning rate", "validation accuracy", "best epoch"],
              rows=m.lr_rows),
        Table(id="gate_init", caption=f"The initialised LSTM chosen on validation (seed {seeds[0]}, each candidate at "
              "its own learning rate)", columns=["initialisation", "learning rate", "length", "validation accuracy",
                                                "best epoch", "chosen"], rows=m.init_rows),
        Table(id="gradient_init", caption="At initialisation: the gradient norm of the loss with respect to the "
              "first word's embedding, relative to the last word's (geometric mean over the seeds, and the range)",
              columns=["length", "cell", "first / last", "lowest seed", "highest seed"], rows=gradient_rows),
        Table(id="pairs", caption="McNemar's exact test between the models on the same test sequences, seeds paired",
              columns=["length", "A", "B", "A only right", "B only right", "n", "difference", "p", "verdict"],
              rows=pair_rows),
    ]
    wall = time.perf_counter() - t_start
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        series=series, headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, {}, started),
        timings=StudyTimings(load_seconds=0.0, run_seconds=wall),
    )


# --- the evidence in the report (section 2.2) ---------------------------------------------------------------

@dataclass(frozen=True)
class LengthRow:
    """One cell at one length, over the seeds."""

    length: int
    cell: str
    mean: float
    sd: float
    low: float  # lowest and highest seed
    high: float
    mean_epochs: float
    max_epochs: int
    at_cap: int  # runs that ended at the cap on epochs


Verdict = Literal["under_budgeted", "expected", "opposite", "no_difference"]


@dataclass(frozen=True)
class LongRangeFinding:
    lengths: tuple[int, ...]  # the lengths trained (the study stops once every model is at chance)
    rows: tuple[LengthRow, ...]
    chance_level: float
    sanity_level: float
    sanity: Mapping[str, tuple[float, float, bool]]  # model -> mean and lowest seed at the shortest T, solved?
    learning_rates: Mapping[str, float]  # chosen per model on validation at the shortest T
    chance_lengths: Mapping[str, int | None]  # model -> smallest T at which it is at chance (None: never)
    # the plain cells, as Keras initialises them. under_budgeted: one fails the sanity row, so no conclusion;
    # expected: a gated cell keeps the first word longer than the SimpleRNN (significant at the SimpleRNN's first
    # failing T); opposite: the SimpleRNN keeps it longer than every gated cell (significant at each gated cell's
    # first failing T); no_difference: otherwise
    verdict: Verdict
    decisive: tuple[PairTest, ...] = ()  # the tests the verdict rests on
    plateau: tuple[str, ...] = ()  # the plain cells whose every run at their first failing T ended at the cap
    seeds: int = 0
    n_test: int = 0
    max_epochs: int = 0
    sequences_per_epoch: int = 0
    units: int = 0
    vocab_words: int = 0
    max_length: int = 0  # the longest length planned
    cpu_seconds: float = 0.0
    max_sequences: int = 0  # training sequences a run sees at the cap
    models: tuple[str, ...] = CELLS  # every model in the tables' order: the plain cells, then the initialised LSTMs
    # the LSTMs whose gate biases start for long memory, against the SimpleRNN by the same rules as ``verdict``
    init_verdict: Verdict | None = None  # None: the study trained none
    init_decisive: tuple[PairTest, ...] = ()
    # at initialisation: model -> length -> gradient norm at the first word / at the last (geometric mean of seeds)
    gradient: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    # the initialised LSTMs tried: (label, validation accuracy, best epoch) at init_choice_length; one is trained on
    init_choice: tuple[tuple[str, float, int], ...] = ()
    init_choice_length: int | None = None

    @property
    def initialised(self) -> tuple[str, ...]:
        return tuple(m for m in self.models if m not in CELLS)

    @staticmethod
    def name(model: str) -> str:
        """A model's row label as prose: "LSTM, chrono init" -> "chrono-initialised LSTM"."""
        if model == "LSTM, chrono init":
            return "chrono-initialised LSTM"
        if model.startswith("LSTM, forget bias "):
            return f"LSTM with forget bias {model.rsplit(' ', 1)[1]}"
        return model

    def cells_at(self, length: int) -> tuple[str, ...]:
        return tuple(c for c in self.models if self.row(c, length) is not None)

    @property
    def shortest(self) -> int:
        return min(self.lengths)

    @property
    def longest(self) -> int:
        return max(self.lengths)

    def row(self, cell: str, length: int) -> LengthRow | None:
        return next((r for r in self.rows if r.cell == cell and r.length == length), None)

    @property
    def failed_sanity(self) -> tuple[str, ...]:
        return tuple(c for c, (_, _, ok) in self.sanity.items() if not ok)

    @property
    def rnn_chance_length(self) -> int | None:
        return self.chance_lengths.get("SimpleRNN")

    def reach(self, cell: str) -> int | None:
        """The longest length at which the model is above chance (None: not even the shortest)."""
        t = self.chance_lengths.get(cell)
        above = [x for x in self.lengths if t is None or x < t]
        return max(above) if above else None

    @property
    def gradient_lengths(self) -> tuple[int, ...]:
        return tuple(sorted({t for by_length in self.gradient.values() for t in by_length}))


def compare_reach(rivals: Sequence[str], sanity: Mapping[str, tuple[float, float, bool]],
                  chance: Mapping[str, int | None], pairs) -> tuple[Verdict, tuple[PairTest, ...]]:
    """The rivals against the SimpleRNN: whose accuracy stays above chance to the longer length, with McNemar's test
    where the shorter-lived one first fails (see LongRangeFinding.verdict)."""
    from report.stats.pairs import find_pair, steps

    if not all(sanity[c][2] for c in ("SimpleRNN", *rivals)):
        return "under_budgeted", ()
    reach = {c: steps(chance[c]) for c in ("SimpleRNN", *rivals)}
    if any(reach[g] > reach["SimpleRNN"] for g in rivals):
        best = max(rivals, key=lambda g: reach[g])  # the first of equals
        test = find_pair(pairs, chance["SimpleRNN"], best, "SimpleRNN")
        return ("expected" if test is not None and test.verdict == "better" else "no_difference"), \
            ((test,) if test else ())
    if all(reach[g] < reach["SimpleRNN"] for g in rivals):
        decisive = tuple(t for g in rivals if (t := find_pair(pairs, chance[g], g, "SimpleRNN")) is not None)
        opposite = len(decisive) == len(rivals) and all(t.verdict == "worse" for t in decisive)
        return ("opposite" if opposite else "no_difference"), decisive
    return "no_difference", ()


def finding(study: StudyResults) -> LongRangeFinding:
    from report.stats.pairs import pair_tests

    h = study.headline
    rows = tuple(LengthRow(int(r["length"]), str(r["cell"]), float(r["mean"]), float(r["sd"]), float(r["min"]),
                           float(r["max"]), float(r["mean epochs"]), int(r["max epochs"]), int(r["runs at cap"]))
                 for r in study.table("accuracy").records())
    lengths = tuple(sorted({r.length for r in rows}))
    sanity = {str(r["cell"]): (float(r["mean accuracy"]), float(r["lowest seed"]), bool(r["solved"]))
              for r in study.table("sanity").records()}
    models = tuple(sanity)
    chance = {c: h.get(f"chance_length.{c}") for c in models}
    pairs = pair_tests(study.table("pairs"))
    plateau = tuple(c for c in CELLS if chance[c] is not None and
                    (row := next((r for r in rows if r.cell == c and r.length == chance[c]), None)) is not None
                    and row.at_cap == int(h.get("seeds", 0)) and row.mean < float(h["chance_level"]))
    verdict, decisive = compare_reach([c for c in CELLS if c != "SimpleRNN"], sanity, chance, pairs)
    initialised = [m for m in models if m not in CELLS]
    init_verdict, init_decisive = compare_reach(initialised, sanity, chance, pairs) if initialised else (None, ())
    gradient: dict[str, dict[int, float]] = {}
    if any(t.id == "gradient_init" for t in study.tables):
        for r in study.table("gradient_init").records():
            gradient.setdefault(str(r["cell"]), {})[int(r["length"])] = float(r["first / last"])
    init_choice, choice_length = (), None
    if any(t.id == "gate_init" for t in study.tables):
        records = study.table("gate_init").records()
        init_choice = tuple((str(r["initialisation"]), float(r["validation accuracy"]), int(r["best epoch"]))
                            for r in records)
        choice_length = next((int(r["length"]) for r in records), None)
    return LongRangeFinding(
        lengths=lengths, rows=rows, chance_level=float(h["chance_level"]),
        sanity_level=float(h.get("sanity_level", 0.95)), sanity=sanity,
        learning_rates={c: float(h[f"learning_rate.{c}"]) for c in models if f"learning_rate.{c}" in h},
        chance_lengths=chance, verdict=verdict, decisive=decisive, plateau=plateau,
        seeds=int(h.get("seeds", 0)), n_test=int(h.get("n_test", 0)), max_epochs=int(h.get("max_epochs", 0)),
        sequences_per_epoch=int(h.get("sequences_per_epoch", 0)), units=int(h.get("units", 0)),
        vocab_words=int(h.get("vocab_words", 0)), max_length=int(h.get("max_length", max(lengths))),
        cpu_seconds=float(h.get("cpu_seconds", 0.0)), max_sequences=int(h.get("max_sequences", 0)),
        models=models, init_verdict=init_verdict, init_decisive=init_decisive, gradient=gradient,
        init_choice=init_choice, init_choice_length=choice_length,
    )


def evidence(ask):
    """The study with its figure and table (section 2.2); seen from the forget gate's answer (view "forget", 2.1)
    it states the initialised LSTM's outcome only, and the figure stays where section 2.2 numbers it."""
    if ask.view == "forget":
        f = finding(ask.study)
        return ask.item(f) if f.init_verdict is not None else None
    table = ask.table("accuracy", "Test accuracy on the synthetic task by length, mean ± sd over the seeds, and the "
                                  "epochs used (–: not trained, at chance at a shorter length)")
    return ask.item(finding(ask.study), figures=ask.figure("long_range"), tables=[table])


class LongRangeDisplay:
    """Above: mean test accuracy over the seeds against sequence length for each model, the seeds' spread as error
    bars (± one sd) and each seed as a dot; chance and the 'at chance' threshold marked. Below, when measured: the
    gradient reaching the first word at initialisation, relative to the last word's, against the same lengths."""

    kind: ClassVar[str] = "long_range"
    title: ClassVar[str] = ("Test accuracy on the synthetic task against sequence length: the mean over the seeds "
                            "± one standard deviation, and each seed as a dot")
    # an initialised LSTM: the LSTM's colour, its own line and marker
    VARIANT_STYLES: ClassVar[tuple[tuple[str, str], ...]] = (("--", "D"), ("-.", "v"), (":", "P"))

    def __init__(self, lengths: Mapping[str, Sequence[float]], accuracy: Mapping[str, Sequence[float]],
                 chance_level: float, sd: Mapping[str, Sequence[float]] | None = None,
                 seeds: Mapping[str, Sequence[Sequence[float]]] | None = None,
                 gradient: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None):
        self.lengths = {cell: np.asarray(x, dtype=float) for cell, x in lengths.items()}
        self.accuracy = {cell: np.asarray(a, dtype=float) for cell, a in accuracy.items()}
        self.sd = {cell: np.asarray(v, dtype=float) for cell, v in (sd or {}).items()}
        self.seeds = {cell: [np.asarray(v, dtype=float) for v in runs] for cell, runs in (seeds or {}).items()}
        self.chance_level = chance_level
        # model -> (lengths, first-word gradient / last-word gradient) at initialisation
        self.gradient = {cell: (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
                         for cell, (x, y) in (gradient or {}).items()}
        if self.gradient:
            self.title = (f"{type(self).title} (above); below, at initialisation, the gradient of the loss reaching "
                          "the first word relative to the last word's, the seeds' geometric mean")

    @classmethod
    def from_study(cls, study: StudyResults) -> "LongRangeDisplay":
        series = study.figure_series("accuracy")
        seeds: dict[str, list] = {}
        for s in study.figure_series("accuracy_seed"):
            seeds.setdefault(s.label.rsplit(", seed ", 1)[0], []).append(s.y)
        return cls({s.label: s.x for s in series}, {s.label: s.y for s in series},
                   float(study.headline["chance_level"]), {s.label: s.y for s in study.figure_series("accuracy_sd")},
                   seeds, {s.label: (s.x, s.y) for s in study.figure_series("gradient_init")})

    @property
    def all_lengths(self) -> np.ndarray:
        xs = [x for x in self.lengths.values()] + [x for x, _ in self.gradient.values()]
        return np.unique(np.concatenate(xs or [np.zeros(0)]))

    def _style(self, kit, label: str) -> dict:
        cell = label.split(", ")[0]
        variants = [m for m in self.accuracy if m not in CELLS]
        if label in variants:
            line, marker = self.VARIANT_STYLES[variants.index(label) % len(self.VARIANT_STYLES)]
            return dict(color=kit.cell_colour(cell), linestyle=line, marker=marker, markerfacecolor="white")
        return dict(color=kit.cell_colour(cell), linestyle="-", marker=kit.cell_marker(cell))

    def plot(self, kit, ax=None) -> "LongRangeDisplay":
        """``kit``: the report's style and formats (report.render.study_figures.KIT). ``ax``: draw the accuracy
        alone there."""
        with kit.style():
            gax = None
            if ax is None and self.gradient:
                _, (ax, gax) = kit.new_figure(kit.text_width_in, 5.4, nrows=2, sharex=True,
                                              gridspec_kw={"height_ratios": (3, 2)})
            elif ax is None:
                _, ax = kit.new_figure(kit.text_width_in, 3.0)
            cells = list(self.accuracy)
            for k, (cell, acc) in enumerate(self.accuracy.items()):
                x = self.lengths[cell]
                shift = 1.06 ** (k - (len(cells) - 1) / 2)  # side by side on the log axis, so the bars do not hide
                style = self._style(kit, cell)
                sd = self.sd.get(cell)
                ax.errorbar(x * shift, acc, yerr=sd if sd is not None and len(sd) == len(acc) else None,
                            markersize=4, capsize=2.5, linewidth=1.2, elinewidth=1, label=cell, **style)
                for run in self.seeds.get(cell, []):
                    ax.plot(x[: len(run)] * shift, run, linestyle="none", marker="o", markersize=2.5,
                            color=style["color"], alpha=0.6)
            ax.axhline(0.5, color=kit.grey, linewidth=1, linestyle=":", zorder=0)
            ax.axhspan(0.4, self.chance_level, color="#EEEEEE", zorder=-1, linewidth=0)
            ax.annotate(f"at chance (below {kit.metric(self.chance_level)})", xy=(0, 0.41),
                        xycoords=("axes fraction", "data"), xytext=(3, 0), textcoords="offset points",
                        ha="left", va="bottom", fontsize=kit.small_pt, color="#444444")
            ax.set_xscale("log")
            ticks = self.all_lengths
            ax.set_xticks(ticks, [f"{int(t)}" for t in ticks])
            ax.minorticks_off()
            ax.set_ylim(0.4, 1.05)
            ax.set_ylabel("test accuracy")
            ax.grid(True, axis="y")
            bottom = ax
            if gax is not None:
                self._plot_gradient(kit, gax)
                bottom = gax
                ax.tick_params(labelbottom=False)
            bottom.set_xlabel("Sequence length T (log scale)")
            bottom.legend(*ax.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, -0.28),
                          ncols=3)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def _plot_gradient(self, kit, gax) -> None:
        from matplotlib.ticker import FuncFormatter

        for cell, (x, y) in self.gradient.items():
            gax.plot(x, np.clip(y, FLOOR, None), markersize=4, linewidth=1.2, **self._style(kit, cell))
        gax.set_yscale("log")
        gax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: kit.number(v)))
        gax.set_ylabel("gradient at first word\n/ at last word, at init")
        gax.grid(True, axis="y")
        gax.minorticks_off()

    def alt_text(self, kit) -> str:
        parts = []
        for cell, acc in self.accuracy.items():
            sd = self.sd.get(cell)
            with_sd = sd is not None and len(sd) == len(acc)
            parts.append(f"{cell}: " + ", ".join(
                f"{kit.metric(a)}{f' ± {kit.metric(sd[i])}' if with_sd else ''} at {int(t)}"
                for i, (t, a) in enumerate(zip(self.lengths[cell], acc))))
        text = ("Line chart of mean test accuracy over the seeds against sequence length, with ± one standard "
                "deviation as error bars; " + "; ".join(parts) + ".")
        if self.gradient:
            text += (" Below it, on a log scale, the gradient reaching the first word at initialisation relative to "
                     "the last word's: " + "; ".join(
                         f"{cell}: " + ", ".join(f"{kit.significant(max(g, FLOOR))} at {int(t)}" for t, g in zip(x, y))
                         for cell, (x, y) in self.gradient.items()) + ".")
        return text


FIGURES = (LongRangeDisplay,)  # drawn by report.render.study_figures when the outline shows this study

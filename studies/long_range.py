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
from report.settings import Count, Each, Lengths, Range, Seed
from report.stats.significance import mcnemar, seed_spread, verdict
from report.train.early_stopping import Stopping, train_epochs
from report.train.run_context import RunContext
from studies._rnn import CELLS, ModelPool, cpu_seconds

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
FIRST_WORD = 2  # ids 0 and 1 are left free, as padding and out-of-vocabulary are in the real data

LearningRates = Annotated[tuple[float, ...], Each(Range(0, open_low=True))]


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


def quick_overrides() -> dict[str, object]:
    return {"lengths": (5, 12), "seeds": 2, "units": 4, "embedding_dim": 4, "updates_per_epoch": 2, "max_epochs": 3,
            "patience": 1, "n_val": 64, "n_test": 64, "learning_rates": (1e-2,), "xla_from": 1000}


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


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t_start, c_start = time.perf_counter(), cpu_seconds()
    if config.n_test % config.n_val:
        raise ValueError(f"{NAME}: n_test ({config.n_test}) must be a multiple of n_val ({config.n_val})")
    seeds = [config.seed + i for i in range(config.seeds)]
    lengths = sorted(config.lengths)
    pool = ModelPool(dict(vocab_size=FIRST_WORD + config.vocab_words, embedding_dim=config.embedding_dim,
                          units=config.units, n_classes=2))

    def model_for(cell: str, length: int, seed: int, lr: float):
        return pool.fresh((cell, length), seed, lr, cell=cell, maxlen=length, jit_compile=length >= config.xla_from)

    # 1. the learning rate of each cell: the best validation accuracy at the shortest length, first seed
    #    (ties: the fewer epochs to the best, then the smaller rate); the test set is not looked at
    shortest = lengths[0]
    val, _ = _eval_sets(config, shortest)
    lr_rows, chosen = [], {}
    for cell in CELLS:
        tried = []
        for lr in config.learning_rates:
            r = train_run(model_for(cell, shortest, seeds[0], lr), config, shortest, seeds[0], val, None)
            tried.append((-r.val_accuracy, r.best_epoch, lr))
            lr_rows.append([cell, lr, r.val_accuracy, r.best_epoch])
        chosen[cell] = min(tried)[2]
        ctx.echo(f"{NAME}: {cell} learning rate {chosen[cell]:g} (validation, T={shortest})")
    c_tuned = cpu_seconds()

    # 2. every cell at every length, each seed; a cell at chance at T (mean over seeds) is not trained at longer T
    results: dict[int, dict[str, Cell]] = {}
    failed: set[str] = set()
    for length in lengths:
        if len(failed) == len(CELLS):
            break
        val, test = _eval_sets(config, length)
        results[length] = {}
        for cell in CELLS:
            if cell in failed:
                continue
            c0 = cpu_seconds()
            cell_runs = Cell()
            for seed in seeds:
                cell_runs.runs.append(train_run(model_for(cell, length, seed, chosen[cell]), config, length, seed,
                                                val, test))
            results[length][cell] = cell_runs
            mean, sd = seed_spread(cell_runs.accuracies)
            if mean < CHANCE_LEVEL:
                failed.add(cell)
            ctx.echo(f"{NAME}: T={length} {cell} test accuracy {mean:.3f} ± {sd:.3f} "
                     f"(epochs {[r.epochs for r in cell_runs.runs]}, stops {[r.stop for r in cell_runs.runs]}; "
                     f"{cpu_seconds() - c0:.0f} CPU s)")
    measured = list(results)
    cpu = cpu_seconds() - c_start
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s ({c_tuned - c_start:.0f} choosing learning rates), "
             f"{time.perf_counter() - t_start:.0f} s")
    return _results(config, ctx, started, t_start, cpu, seeds, lengths, measured, results, chosen, lr_rows)


def _results(config, ctx, started, t_start, cpu, seeds, lengths, measured, results, chosen, lr_rows) -> StudyResults:
    rows, sanity_rows, pair_rows, series = [], [], [], []
    headline: dict[str, float | int | str | None] = {
        "chance_level": CHANCE_LEVEL, "sanity_level": SANITY_LEVEL, "seeds": len(seeds),
        "shortest": lengths[0], "longest_measured": max(measured), "max_length": max(lengths),
        "n_test": config.n_test, "units": config.units, "vocab_words": config.vocab_words,
        "max_epochs": config.max_epochs, "patience": config.patience,
        "sequences_per_epoch": config.batch_size * config.updates_per_epoch, "cpu_seconds": round(cpu, 1),
        "max_sequences": config.batch_size * config.updates_per_epoch * config.max_epochs,
    }
    for length in measured:
        for cell in CELLS:
            c = results[length].get(cell)
            if c is None:
                continue
            mean, sd = seed_spread(c.accuracies)
            epochs = [r.epochs for r in c.runs]
            rows.append([length, cell, mean, sd, min(c.accuracies), max(c.accuracies),
                         float(np.mean(epochs)), max(epochs), sum(r.stop == "cap" for r in c.runs)])
            headline[f"accuracy.{cell}.{length}"] = mean
            headline[f"sd.{cell}.{length}"] = sd
    for cell in CELLS:
        accs = [results[t][cell].accuracies if cell in results[t] else None for t in measured]
        means = [None if a is None else seed_spread(a)[0] for a in accs]
        sds = [None if a is None else seed_spread(a)[1] for a in accs]
        xs = [float(t) for t, m in zip(measured, means) if m is not None]
        series.append(Series(figure="accuracy", label=cell, x=xs, y=[m for m in means if m is not None]))
        series.append(Series(figure="accuracy_sd", label=cell, x=xs, y=[s for s in sds if s is not None]))
        for k, seed in enumerate(seeds):
            series.append(Series(figure="accuracy_seed", label=f"{cell}, seed {seed}", x=xs,
                                 y=[a[k] for a in accs if a is not None]))
        headline[f"chance_length.{cell}"] = chance_length(measured, means)
        headline[f"learning_rate.{cell}"] = chosen[cell]
        short = results[lengths[0]][cell]
        s_mean, _ = seed_spread(short.accuracies)
        sanity_rows.append([cell, chosen[cell], s_mean, min(short.accuracies), s_mean >= SANITY_LEVEL])
        headline[f"sanity.{cell}"] = s_mean
    headline["under_budgeted"] = "yes" if any(not r[-1] for r in sanity_rows) else "no"
    # the cells against each other at each length both were trained at: McNemar's exact test on the same test
    # sequences, every seed pooled (seed k of one cell paired with seed k of the other), as the means are
    for length in measured:
        for a, b in (("LSTM", "SimpleRNN"), ("GRU", "SimpleRNN"), ("LSTM", "GRU")):
            if a in results[length] and b in results[length]:
                t = mcnemar(np.concatenate([r.correct for r in results[length][a].runs]),
                            np.concatenate([r.correct for r in results[length][b].runs]))
                pair_rows.append([length, a, b, t.a_only, t.b_only, t.n, t.difference, t.p_value, verdict(t)])
    tables = [
        Table(id="accuracy", caption="Test accuracy by sequence length, mean and spread over the seeds",
              columns=["length", "cell", "mean", "sd", "min", "max", "mean epochs", "max epochs", "runs at cap"],
              rows=rows),
        Table(id="sanity", caption=f"Sanity row: every cell at the shortest length (T = {lengths[0]})",
              columns=["cell", "learning rate", "mean accuracy", "lowest seed", "solved"], rows=sanity_rows),
        Table(id="learning_rate", caption=f"Validation accuracy of each learning rate at T = {lengths[0]} "
              f"(seed {seeds[0]})", columns=["cell", "learning rate", "validation accuracy", "best epoch"],
              rows=lr_rows),
        Table(id="pairs", caption="McNemar's exact test between the cells on the same test sequences, seeds paired",
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


@dataclass(frozen=True)
class LongRangeFinding:
    lengths: tuple[int, ...]  # the lengths trained (the study stops once every cell is at chance)
    rows: tuple[LengthRow, ...]
    chance_level: float
    sanity_level: float
    sanity: Mapping[str, tuple[float, float, bool]]  # cell -> mean and lowest seed at the shortest T, solved?
    learning_rates: Mapping[str, float]  # chosen per cell on validation at the shortest T
    chance_lengths: Mapping[str, int | None]  # cell -> smallest T at which it is at chance (None: never)
    # under_budgeted: a cell fails the sanity row, so no conclusion; expected: a gated cell keeps the first word
    # longer than the SimpleRNN (significant at the SimpleRNN's first failing T); opposite: the SimpleRNN keeps it
    # longer than every gated cell (significant at each gated cell's first failing T); no_difference: otherwise
    verdict: Literal["under_budgeted", "expected", "opposite", "no_difference"]
    decisive: tuple[PairTest, ...] = ()  # the tests the verdict rests on
    plateau: tuple[str, ...] = ()  # the cells whose every run at their first failing T ended at the cap
    seeds: int = 0
    n_test: int = 0
    max_epochs: int = 0
    sequences_per_epoch: int = 0
    units: int = 0
    vocab_words: int = 0
    max_length: int = 0  # the longest length planned
    cpu_seconds: float = 0.0
    max_sequences: int = 0  # training sequences a run sees at the cap

    def cells_at(self, length: int) -> tuple[str, ...]:
        return tuple(c for c in CELLS if self.row(c, length) is not None)

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
        """The longest length at which the cell is above chance (None: not even the shortest)."""
        t = self.chance_lengths.get(cell)
        above = [x for x in self.lengths if t is None or x < t]
        return max(above) if above else None


def finding(study: StudyResults) -> LongRangeFinding:
    from report.stats.pairs import find_pair, pair_tests, steps

    h = study.headline
    rows = tuple(LengthRow(int(r["length"]), str(r["cell"]), float(r["mean"]), float(r["sd"]), float(r["min"]),
                           float(r["max"]), float(r["mean epochs"]), int(r["max epochs"]), int(r["runs at cap"]))
                 for r in study.table("accuracy").records())
    lengths = tuple(sorted({r.length for r in rows}))
    sanity = {str(r["cell"]): (float(r["mean accuracy"]), float(r["lowest seed"]), bool(r["solved"]))
              for r in study.table("sanity").records()}
    chance = {c: h.get(f"chance_length.{c}") for c in CELLS}
    pairs = pair_tests(study.table("pairs"))
    reach = {c: steps(chance[c]) for c in CELLS}
    gated = [c for c in CELLS if c != "SimpleRNN"]
    plateau = tuple(c for c in CELLS if chance[c] is not None and
                    (row := next((r for r in rows if r.cell == c and r.length == chance[c]), None)) is not None
                    and row.at_cap == int(h.get("seeds", 0)) and row.mean < float(h["chance_level"]))
    decisive: list[PairTest] = []
    if not all(ok for _, _, ok in sanity.values()):
        verdict = "under_budgeted"
    elif any(reach[g] > reach["SimpleRNN"] for g in gated):
        best = max(gated, key=lambda g: reach[g])  # the first of equals: LSTM before GRU
        test = find_pair(pairs, chance["SimpleRNN"], best, "SimpleRNN")
        decisive = [test] if test else []
        verdict = "expected" if test is not None and test.verdict == "better" else "no_difference"
    elif all(reach[g] < reach["SimpleRNN"] for g in gated):
        decisive = [t for g in gated if (t := find_pair(pairs, chance[g], g, "SimpleRNN")) is not None]
        verdict = "opposite" if len(decisive) == len(gated) and all(t.verdict == "worse" for t in decisive) \
            else "no_difference"
    else:
        verdict = "no_difference"
    return LongRangeFinding(
        lengths=lengths, rows=rows, chance_level=float(h["chance_level"]),
        sanity_level=float(h.get("sanity_level", 0.95)), sanity=sanity,
        learning_rates={c: float(h[f"learning_rate.{c}"]) for c in CELLS if f"learning_rate.{c}" in h},
        chance_lengths=chance, verdict=verdict, decisive=tuple(decisive), plateau=plateau,
        seeds=int(h.get("seeds", 0)), n_test=int(h.get("n_test", 0)), max_epochs=int(h.get("max_epochs", 0)),
        sequences_per_epoch=int(h.get("sequences_per_epoch", 0)), units=int(h.get("units", 0)),
        vocab_words=int(h.get("vocab_words", 0)), max_length=int(h.get("max_length", max(lengths))),
        cpu_seconds=float(h.get("cpu_seconds", 0.0)), max_sequences=int(h.get("max_sequences", 0)),
    )


def evidence(ask):
    table = ask.table("accuracy", "Test accuracy on the synthetic task by length, mean ± sd over the seeds, and the "
                                  "epochs used (–: not trained, at chance at a shorter length)")
    return ask.item(finding(ask.study), figures=ask.figure("long_range"), tables=[table])


class LongRangeDisplay:
    """Mean test accuracy over the seeds against sequence length for each cell, the seeds' spread as error bars
    (± one sd) and each seed as a dot; chance and the 'at chance' threshold marked."""

    kind: ClassVar[str] = "long_range"
    title: ClassVar[str] = ("Test accuracy on the synthetic task against sequence length: the mean over the seeds "
                            "± one standard deviation, and each seed as a dot")

    def __init__(self, lengths: Mapping[str, Sequence[float]], accuracy: Mapping[str, Sequence[float]],
                 chance_level: float, sd: Mapping[str, Sequence[float]] | None = None,
                 seeds: Mapping[str, Sequence[Sequence[float]]] | None = None):
        self.lengths = {cell: np.asarray(x, dtype=float) for cell, x in lengths.items()}
        self.accuracy = {cell: np.asarray(a, dtype=float) for cell, a in accuracy.items()}
        self.sd = {cell: np.asarray(v, dtype=float) for cell, v in (sd or {}).items()}
        self.seeds = {cell: [np.asarray(v, dtype=float) for v in runs] for cell, runs in (seeds or {}).items()}
        self.chance_level = chance_level

    @classmethod
    def from_study(cls, study: StudyResults) -> "LongRangeDisplay":
        series = study.figure_series("accuracy")
        seeds: dict[str, list] = {}
        for s in study.figure_series("accuracy_seed"):
            seeds.setdefault(s.label.split(", ")[0], []).append(s.y)
        return cls({s.label: s.x for s in series}, {s.label: s.y for s in series},
                   float(study.headline["chance_level"]), {s.label: s.y for s in study.figure_series("accuracy_sd")},
                   seeds)

    @property
    def all_lengths(self) -> np.ndarray:
        return np.unique(np.concatenate([x for x in self.lengths.values()] or [np.zeros(0)]))

    def plot(self, kit, ax=None) -> "LongRangeDisplay":
        """``kit``: the report's style and formats (report.render.study_figures.KIT)."""
        with kit.style():
            if ax is None:
                _, ax = kit.new_figure(kit.text_width_in, 3.0)
            cells = list(self.accuracy)
            for k, (cell, acc) in enumerate(self.accuracy.items()):
                x = self.lengths[cell]
                shift = 1.06 ** (k - (len(cells) - 1) / 2)  # side by side on the log axis, so the bars do not hide
                colour = kit.cell_colour(cell)
                sd = self.sd.get(cell)
                ax.errorbar(x * shift, acc, yerr=sd if sd is not None and len(sd) == len(acc) else None,
                            color=colour, marker=kit.cell_marker(cell), markersize=4, capsize=2.5,
                            linewidth=1.2, elinewidth=1, label=cell)
                for run in self.seeds.get(cell, []):
                    ax.plot(x[: len(run)] * shift, run, linestyle="none", marker="o", markersize=2.5, color=colour,
                            alpha=0.6)
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
            ax.set_xlabel("Sequence length T (log scale)")
            ax.set_ylabel("test accuracy")
            ax.grid(True, axis="y")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
            self.ax_, self.figure_ = ax, ax.figure
        return self

    def alt_text(self, kit) -> str:
        parts = []
        for cell, acc in self.accuracy.items():
            sd = self.sd.get(cell)
            with_sd = sd is not None and len(sd) == len(acc)
            parts.append(f"{cell}: " + ", ".join(
                f"{kit.metric(a)}{f' ± {kit.metric(sd[i])}' if with_sd else ''} at {int(t)}"
                for i, (t, a) in enumerate(zip(self.lengths[cell], acc))))
        return ("Line chart of mean test accuracy over the seeds against sequence length, with ± one standard "
                "deviation as error bars; " + "; ".join(parts) + ".")


FIGURES = (LongRangeDisplay,)  # drawn by report.render.study_figures when the outline shows this study

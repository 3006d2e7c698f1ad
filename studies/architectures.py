"""Study: SimpleRNN, LSTM and GRU side by side, each at its own learning rate, trained to convergence.

On both datasets, the three cells of the same size get the same embedding, the same
sequence length, the same readout (the last state), the same optimiser and the same
early stopping on a validation split (with the same cap on epochs); only the recurrent
cell differs. Each cell chooses its own learning rate, per dataset, from one grid: the best validation
accuracy at the first seed (the test set is not looked at). A cell with a seed whose validation accuracy
stays near chance at that rate is marked as not trained and left out of the comparison (its median seed
could be that run), with the seeds' validation curves as the reason. Several seeds per cell: test accuracy and macro F1 as mean and spread,
epochs to the best validation score, CPU seconds per epoch. The median seed's
per-example test correctness is kept, so the cells can be compared by McNemar's exact
test on the same test examples. Also: IMDB test accuracy by review length, for these
models and for the report's own SimpleRNN (from its predictions).

To fit the report's time budget on 2 cores the study uses a fixed, stated subset: a
stratified 4,000 IMDB training reviews (800 of them for validation) and 5,000 test
reviews, each review's last 80 words; all Reuters wires, each one's first 40 words.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from report.data import (
    TextDataset,
    TextSettings,
    load_imdb,
    load_reuters,
    stratified_subset,
)
from report.results import experiment_results as results
from report.results import provenance
from report.results.study import StudyResults, StudyTimings, Table
from report.settings import Count, Fraction, LearningRates, Lengths, Seed, VocabSize
from report.stats.significance import mcnemar, seed_spread, verdict
from report.train import metrics
from report.train.run_context import RunContext
from report.train.early_stopping import Progress, Stopping, train_epochs
from report.train.loop import hold_out
from studies._rnn import CELLS, ModelPool, cpu_seconds

if TYPE_CHECKING:
    from report.stats.pairs import PairTest

NAME = "architectures"
TITLE = "SimpleRNN, LSTM and GRU, each at its own learning rate, trained to convergence"
DATASETS = ("imdb", "reuters")
DEPENDS = ("imdb_simplernn",)  # its predictions give the published SimpleRNN's accuracy by length
DESCRIPTION = (
    "The three recurrent cells, each with the same embedding, size, readout, sequence length and early stopping, "
    "each at the learning rate it chose on validation, on both tasks, over several seeds; and IMDB accuracy by "
    "review length."
)
# Tokens kept when loading: the experiments' own settings, so their cached tokenisations are reused.
LOAD = {"imdb": TextSettings(10_000, 400, "last"), "reuters": TextSettings(10_000, 100, "first")}
COLUMNS = ["dataset", "model", "learning rate", "validation accuracy", "seeds near chance", "trained", "accuracy",
           "accuracy sd",
           "macro F1", "macro F1 sd", "epochs to best", "epochs", "parameters", "CPU seconds per epoch"]
RATE_COLUMNS = ["dataset", "cell", "learning rate", "validation accuracy", "best epoch", "epochs", "chosen"]
CURVE_COLUMNS = ["dataset", "cell", "learning rate", "seed", "epoch", "validation accuracy"]
# "Near chance": a validation accuracy below the majority class's share plus this many of its standard errors
# on the validation split. A model that always answers the majority class scores the share; the best of a run's
# epochs is the highest of several noisy readings, which alone lifts it a standard error or two above that.
CHANCE_STANDARD_ERRORS = 3
PAIRS = (("LSTM", "SimpleRNN"), ("GRU", "SimpleRNN"), ("GRU", "LSTM"))
PREDICT_BATCH = 500


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # seeds 42, 43, 44
    seeds: Count = 3
    vocab_size: VocabSize = 10_000  # as the experiments
    embedding_dim: Count = 32  # small and equal for all: the cell is what is compared
    units: Count = 32  # the IMDB SimpleRNN's size, for all three cells
    # Adam's rate, each cell's own per dataset: the best validation accuracy at the first seed, the grid a
    # factor of ~3 apart around Keras' 1e-3 default (one rate for all cells left the IMDB SimpleRNN near chance)
    learning_rates: LearningRates = (1e-3, 3e-3, 1e-2)
    # the cap on the rate search's runs; the chosen one goes on to max_epochs as if never stopped. Every cell of
    # the full-size study chooses the same rate at 8 epochs as at 20 (read off the runs' validation curves), and
    # the search's other runs then take 89 epochs instead of 157
    search_epochs: Count = 8
    batch_size: Count = 128  # half the updates of 64 per epoch: the study's budget
    max_epochs: Count = 20  # the cap; early stopping ends every run before it (the table shows the epochs)
    patience: Count = 3  # epochs without a better validation accuracy
    val_fraction: Fraction = 0.2  # of the training examples, stratified; the test set is used once
    imdb_maxlen: Count = 80  # the last 80 words of each review: a fifth of the experiment's 400
    imdb_train: Count = 4_000  # a stratified 4,000 of 25,000 reviews (800 of them for validation)
    imdb_test: Count = 5_000  # +-0.010 (95%) on an accuracy of ~0.8
    reuters_maxlen: Count = 40  # the first 40 words of each wire (the headline and lead hold the topic)
    length_edges: Lengths = (100, 200, 400)  # review-length buckets: <100, 100-199, 200-399, 400+ words


def quick_overrides() -> dict[str, object]:
    return {"imdb_train": 200, "imdb_test": 100, "imdb_maxlen": 20, "reuters_maxlen": 20, "max_epochs": 2,
            "patience": 1, "seeds": 2, "units": 8, "embedding_dim": 8, "length_edges": (10, 20),
            "learning_rates": (3e-3, 1e-2), "search_epochs": 1}


def bucket_labels(edges: tuple[int, ...]) -> list[str]:
    bounds = [0, *edges]
    return [f"{a}-{b - 1}" for a, b in zip(bounds, bounds[1:])] + [f"{edges[-1]}+"]


def accuracy_by_length(y_true: np.ndarray, y_pred: np.ndarray, lengths: np.ndarray,
                       edges: tuple[int, ...]) -> list[float | None]:
    """Accuracy in each length bucket (None for an empty bucket); bucket i holds edges[i-1] <= length < edges[i]."""
    bucket = np.digitize(lengths, edges)
    out: list[float | None] = []
    for b in range(len(edges) + 1):
        inside = bucket == b
        out.append(float(np.mean(y_true[inside] == y_pred[inside])) if inside.any() else None)
    return out


def window(x: np.ndarray, maxlen: int, keep: str) -> np.ndarray:
    """Rows of pre-padded ids cut to ``maxlen`` tokens, keeping the ``keep`` ("first" or "last") ones,
    pre-padded again: row [0 0 5 6 7] with maxlen 2 is [5 6] (first) or [6 7] (last)."""
    if keep == "last":
        return np.ascontiguousarray(x[:, -maxlen:])
    out = np.zeros((len(x), maxlen), dtype=x.dtype)
    for i, row in enumerate(x):
        words = row[np.argmax(row != 0):] if row.any() else row[:0]
        words = words[:maxlen]
        out[i, maxlen - len(words):] = words
    return out


def _predict(model, x: np.ndarray) -> np.ndarray:
    """(n, classes) probabilities, in batches of one shape (one compiled predict step)."""
    n = len(x)
    pad = (-n) % PREDICT_BATCH
    xp = np.concatenate([x, np.zeros((pad, x.shape[1]), dtype=x.dtype)]) if pad else x
    p = np.concatenate([np.asarray(model.predict_on_batch(xp[i:i + PREDICT_BATCH]), dtype=np.float64)
                        for i in range(0, len(xp), PREDICT_BATCH)])[:n]
    return np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p


@dataclass
class Paused:
    """Where a run cut short by a cap below the study's stands, so that it can go on as if never stopped."""

    progress: Progress
    weights: list  # the last epoch's
    optimizer: list  # the optimizer's variables after it


@dataclass
class Fit:
    """One run trained until early stopping, its best validation epoch's weights kept; not yet scored on test."""

    seed: int
    learning_rate: float
    curve: list[float]  # validation accuracy after each epoch
    best_epoch: int
    cpu_seconds: float  # training only
    weights: list  # the best epoch's
    paused: Paused | None = None  # set when the run stopped at a cap below the study's, still improving

    @property
    def validation(self) -> float:
        return self.curve[self.best_epoch - 1]

    @property
    def epochs(self) -> int:
        return len(self.curve)

    @property
    def cpu_per_epoch(self) -> float:
        return self.cpu_seconds / self.epochs


@dataclass
class CellRun:
    """A fit scored on the test set."""

    fit: Fit
    accuracy: float
    macro_f1: float
    y_pred: np.ndarray
    parameters: int


def fit_to_convergence(model, data, config: Config, seed: int, learning_rate: float, *, max_epochs: int | None = None,
                       resume: Fit | None = None) -> Fit:
    """Epochs until the validation accuracy has not improved for ``patience`` epochs or the cap (``max_epochs``,
    at most the study's), the best epoch's weights restored. The test set is not touched. ``resume``: a fit that
    stopped at a lower cap, continued on ``model`` up to this one.

    Each epoch's order is a function of (seed, epoch) and holds whole batches only: the few examples left over
    (different ones each epoch) would make a batch of another shape, which XLA would compile again per cell."""
    x_tr, y_tr, x_val, y_val = data[:4]
    n = len(x_tr)
    whole = n - n % config.batch_size if n >= config.batch_size else n
    cap = min(max_epochs or config.max_epochs, config.max_epochs)
    progress, best, cpu, paused = Progress(), None, 0.0, None
    if resume is not None:
        if resume.paused is None:
            raise ValueError(f"{NAME}: the run at {resume.learning_rate:g} (seed {resume.seed}) ended before its cap")
        model.set_weights(resume.paused.weights)
        for variable, value in zip(model.optimizer.variables, resume.paused.optimizer, strict=True):
            variable.assign(value)
        model.optimizer.learning_rate.assign(resume.learning_rate)
        progress, best, cpu = resume.paused.progress, resume.weights, resume.cpu_seconds

    def one_epoch(epoch: int) -> tuple[float, float]:
        nonlocal cpu
        order = np.random.default_rng([seed, epoch]).permutation(n)[:whole]
        c0 = cpu_seconds()
        model.fit(x_tr[order], y_tr[order], batch_size=config.batch_size, epochs=1, shuffle=False, verbose=0)
        cpu += cpu_seconds() - c0
        acc = float(np.mean(_predict(model, x_val).argmax(axis=1) == y_val))
        return acc, acc

    def keep_at_cap(now: Progress, _) -> None:
        nonlocal paused
        if len(now.history) == cap < config.max_epochs:
            paused = Paused(now, model.get_weights(), [v.numpy() for v in model.optimizer.variables])

    progress, reason = train_epochs(model, Stopping(cap, config.patience), one_epoch, progress=progress,
                                    best_weights=best, after_epoch=keep_at_cap)
    return Fit(seed, learning_rate, list(progress.history), progress.best_epoch, cpu, model.get_weights(),
               paused if reason == "cap" else None)


def score(model, fit: Fit, data) -> CellRun:
    """``fit``'s weights on the test set."""
    x_te, y_te, class_names = data[4:]
    model.set_weights(fit.weights)
    prob = _predict(model, x_te)
    m = metrics.compute(y_te, prob, class_names)
    return CellRun(fit, m.accuracy, m.macro_f1, prob.argmax(axis=1), int(model.count_params()))


def choose(fits: list[Fit]) -> Fit:
    """The best validation accuracy; ties: the fewer epochs to the best, then the smaller rate."""
    return min(fits, key=lambda f: (-f.validation, f.best_epoch, f.learning_rate))


def chance_level(y_val: np.ndarray) -> tuple[float, float]:
    """The majority class's share of the validation labels, and the validation accuracy below which a model
    counts as near chance (that share plus ``CHANCE_STANDARD_ERRORS`` of its standard errors)."""
    share = float(np.bincount(y_val).max() / len(y_val))
    return share, share + CHANCE_STANDARD_ERRORS * float(np.sqrt(share * (1 - share) / len(y_val)))



def published_by_length(ctx: RunContext, full: TextDataset, edges: tuple[int, ...]) -> list[float | None] | None:
    """The report's IMDB SimpleRNN by length bucket, from its predictions.npz (None if it has no results)."""
    try:
        preds = results.load_predictions(results.results_dir(ctx.paths.results, "imdb_simplernn"))
    except results.ResultsError:
        return None
    index = {str(i): k for k, i in enumerate(full.ids_test)}
    rows = np.array([index[str(i)] for i in preds.ids])
    return accuracy_by_length(preds.y_true, preds.y_pred, full.lengths_test[rows], edges)


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t0, c_start = time.perf_counter(), cpu_seconds()
    imdb = load_imdb(ctx.paths.data, ctx.paths.cache, LOAD["imdb"], quiet=ctx.quiet)
    reuters = load_reuters(ctx.paths.data, ctx.paths.cache, LOAD["reuters"], quiet=ctx.quiet)
    imdb_small = stratified_subset(imdb, config.imdb_train, config.imdb_test, config.seed)
    load_seconds = time.perf_counter() - t0
    seeds = [config.seed + i for i in range(config.seeds)]

    t1 = time.perf_counter()
    rows, rate_rows, curve_rows, pair_rows, headline, arrays = [], [], [], [], {}, {}
    by_length: dict[str, list[float | None]] = {}
    for name, ds, maxlen, keep in (("IMDB", imdb_small, config.imdb_maxlen, "last"),
                                   ("Reuters", reuters, config.reuters_maxlen, "first")):
        c_ds = cpu_seconds()
        x_tr, x_val, y_tr, y_val = hold_out(window(ds.x_train, maxlen, keep), ds.y_train, config.val_fraction,
                                            config.seed)
        data = (x_tr, y_tr, x_val, y_val, window(ds.x_test, maxlen, keep), ds.y_test, ds.class_names)
        pool = ModelPool(dict(vocab_size=config.vocab_size, embedding_dim=config.embedding_dim, units=config.units,
                              n_classes=ds.num_classes, maxlen=maxlen, mask_zero=True, jit_compile=True))
        majority, chance = chance_level(y_val)
        median: dict[str, CellRun] = {}
        key = name.lower()
        for cell in CELLS:
            c_cell = cpu_seconds()
            # the learning rate: the first seed's run at each rate of the grid, up to search_epochs, judged on
            # validation only; the chosen one goes on as that seed's run, the other seeds train at its rate (one
            # compiled model for all)
            tried = []
            for lr in config.learning_rates:
                model = pool.fresh(cell, seeds[0], lr, cell=cell)
                tried.append(fit_to_convergence(model, data, config, seeds[0], lr, max_epochs=config.search_epochs))
            chosen = choose(tried)
            rate_rows += [[name, cell, f.learning_rate, f.validation, f.best_epoch, f.epochs, f is chosen]
                          for f in tried]
            first = chosen if chosen.paused is None else \
                fit_to_convergence(model, data, config, seeds[0], chosen.learning_rate, resume=chosen)
            fits = [first, *(fit_to_convergence(pool.fresh(cell, seed, chosen.learning_rate, cell=cell), data, config,
                                                seed, chosen.learning_rate) for seed in seeds[1:])]
            curve_rows += [[name, cell, f.learning_rate, f.seed, epoch, acc]
                           for f in [*(t for t in tried if t is not chosen), *fits]
                           for epoch, acc in enumerate(f.curve, start=1)]
            runs = [score(model, f, data) for f in fits]
            validation = float(np.mean([f.validation for f in fits]))
            near_chance = sum(f.validation < chance for f in fits)
            acc, acc_sd = seed_spread([r.accuracy for r in runs])
            f1, f1_sd = seed_spread([r.macro_f1 for r in runs])
            order = np.argsort([r.accuracy for r in runs], kind="stable")
            median[cell] = runs[int(order[(len(runs) - 1) // 2])]
            best_epochs = float(np.mean([f.best_epoch for f in fits]))
            per_epoch = float(np.mean([f.cpu_per_epoch for f in fits]))
            rows.append([name, cell, chosen.learning_rate, validation, near_chance, near_chance == 0, acc, acc_sd, f1,
                         f1_sd, best_epochs, max(f.epochs for f in fits), runs[0].parameters, round(per_epoch, 2)])
            headline.update({f"{key}.{cell}.accuracy": acc, f"{key}.{cell}.accuracy_sd": acc_sd,
                             f"{key}.{cell}.macro_f1": f1, f"{key}.{cell}.macro_f1_sd": f1_sd,
                             f"{key}.{cell}.learning_rate": chosen.learning_rate,
                             f"{key}.{cell}.at_cap": sum(f.best_epoch == config.max_epochs for f in fits)})
            arrays[f"{key}.{cell}.correct"] = median[cell].y_pred == ds.y_test
            ctx.echo(f"{NAME}: {name} {cell}: learning rate {chosen.learning_rate:g} (validation "
                     f"{[round(f.validation, 3) for f in tried]}), validation {[round(f.validation, 3) for f in fits]} "
                     f"(near chance below {chance:.3f}), test accuracy {acc:.3f} ± {acc_sd:.3f}, macro F1 {f1:.3f} ± {f1_sd:.3f}, "
                     f"best epochs {[f.best_epoch for f in fits]}, {per_epoch:.2f} CPU s/epoch, "
                     f"{cpu_seconds() - c_cell:.0f} CPU s")
            if name == "IMDB":
                by_length[f"{cell} (this study)"] = accuracy_by_length(ds.y_test, median[cell].y_pred,
                                                                       ds.lengths_test, config.length_edges)
        arrays[f"{key}.ids"] = np.asarray(ds.ids_test).astype(str)
        for a, b in PAIRS:
            t = mcnemar(median[a].y_pred == ds.y_test, median[b].y_pred == ds.y_test)
            pair_rows.append([name, a, b, t.a_only, t.b_only, t.n, t.difference, t.p_value, verdict(t)])
        headline.update({f"{key}.test_size": len(ds.y_test), f"{key}.validation_size": len(y_val),
                         f"{key}.majority": majority, f"{key}.chance_level": chance,
                         f"{key}.cpu_seconds": round(cpu_seconds() - c_ds, 1)})
    published = published_by_length(ctx, imdb, config.length_edges)
    if published is not None:
        by_length["SimpleRNN (section 1.4)"] = published
    labels = bucket_labels(config.length_edges)
    counts = np.bincount(np.digitize(imdb_small.lengths_test, config.length_edges), minlength=len(labels))
    length_rows = [[label, int(n), *(by_length[k][i] for k in by_length)] for i, (label, n) in
                   enumerate(zip(labels, counts))]
    tables = [
        Table(id="comparison", caption="The three cells, each at its own learning rate, trained to convergence "
              "(mean and sd over the seeds)", columns=COLUMNS, rows=rows),
        Table(id="learning_rate", caption=f"Validation accuracy of each learning rate, seed {seeds[0]}",
              columns=RATE_COLUMNS, rows=rate_rows),
        Table(id="validation_curves", caption="Validation accuracy after each epoch of every run",
              columns=CURVE_COLUMNS, rows=curve_rows),
        Table(id="pairs", caption="McNemar's exact test between the cells' median seeds on the same test examples",
              columns=["dataset", "A", "B", "A only right", "B only right", "n", "difference", "p", "verdict"],
              rows=pair_rows),
        Table(id="imdb_length", caption="IMDB test accuracy by review length (words), median seeds",
              columns=["length", "reviews (this study)", *by_length], rows=length_rows),
    ]
    cpu = cpu_seconds() - c_start
    headline.update({"seeds": len(seeds), "max_epochs": config.max_epochs, "patience": config.patience,
                     "imdb.maxlen": config.imdb_maxlen, "reuters.maxlen": config.reuters_maxlen,
                     "imdb.train": config.imdb_train, "imdb.validation": round(config.imdb_train * config.val_fraction),
                     "units": config.units, "embedding_dim": config.embedding_dim, "cpu_seconds": round(cpu, 1),
                     "chance_standard_errors": CHANCE_STANDARD_ERRORS, "search_epochs": config.search_epochs})
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s, {time.perf_counter() - t0:.0f} s")
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        headline=headline, arrays=arrays,
        provenance=provenance.record(ctx.paths.project, config.seed, {**imdb.checksums, **reuters.checksums}, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )


# --- the evidence in the report (section 2.2) ---------------------------------------------------------------

@dataclass(frozen=True)
class NotTrained:
    """A cell with a seed whose validation accuracy stayed near chance at the cell's best learning rate."""

    dataset: str
    cell: str
    learning_rate: float  # its best of the grid
    near_chance: int  # seeds whose best validation accuracy stayed below ``chance_level``
    seeds: int
    majority: float  # the majority class's share of the validation split: what answering it alone scores
    chance_level: float
    validation_size: int
    curves: tuple[tuple[int, tuple[float, ...]], ...] = ()  # (seed, validation accuracy epoch by epoch) of those


@dataclass(frozen=True)
class ArchitectureFinding:
    table: Table  # dataset, model, learning rate, validation accuracy, trained, accuracy (+ sd), macro F1 (+ sd), ...
    length_table: Table  # length bucket, reviews, accuracy per model
    best: Mapping[str, str]  # dataset -> the trained cell with the highest mean accuracy
    spread: Mapping[str, float]  # dataset -> best minus worst mean accuracy among the trained cells
    settings: Mapping[str, Any]  # maxlen, units, seeds, cap: the shared set-up
    long_reviews_worst: Mapping[str, bool]  # model column -> is its accuracy lowest in the longest bucket?
    # (the columns of cells not trained on IMDB are left out: their accuracy by length is noise around chance)
    pairs: tuple[PairTest, ...] = ()  # McNemar between trained cells' median seeds, per dataset
    at_cap: int = 0  # runs whose best epoch was the cap: not converged
    not_trained: tuple[NotTrained, ...] = ()  # left out of ``best``, ``spread`` and ``pairs``
    rates: Table | None = None  # every learning rate tried: dataset, cell, rate, validation accuracy, best epoch, ...
    grid: tuple[float, ...] = ()  # the learning rates each cell chose from
    chance_standard_errors: float = CHANCE_STANDARD_ERRORS

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.table.column("dataset")))

    def tests(self, dataset: str) -> tuple[PairTest, ...]:
        return tuple(p for p in self.pairs if p.where == dataset)

    def differences(self, dataset: str) -> tuple[PairTest, ...]:
        """The significant ones."""
        return tuple(p for p in self.tests(dataset) if p.verdict != "no significant difference")

    def untrained(self, dataset: str) -> tuple[NotTrained, ...]:
        return tuple(n for n in self.not_trained if n.dataset == dataset)

    def trained(self, dataset: str, cell: str) -> bool:
        return not any(n.dataset == dataset and n.cell == cell for n in self.not_trained)

    def at_edge(self, dataset: str, end: str) -> tuple[str, ...]:
        """The cells whose chosen rate on ``dataset`` is the grid's "smallest" or "largest" ``end``: a rate
        beyond the grid might suit them better (nothing when the grid has one rate)."""
        if len(set(self.grid)) < 2:
            return ()
        edge = min(self.grid) if end == "smallest" else max(self.grid)
        return tuple(str(r["model"]) for r in self.table.records()
                     if r["dataset"] == dataset and r.get("learning rate") == edge)


def finding(study: StudyResults) -> ArchitectureFinding:
    from report.stats.pairs import pair_tests

    h = study.headline
    table, lengths = study.table("comparison"), study.table("imdb_length")
    # results from before each cell chose its rate have no "trained" column: every cell counted as trained then
    trained_column = "trained" in table.columns
    curves: dict[tuple, list[float]] = {}
    if _has_table(study, "validation_curves"):
        for r in study.table("validation_curves").records():
            curves.setdefault((r["dataset"], r["cell"], r["learning rate"], r["seed"]), []).append(
                float(r["validation accuracy"]))
    best, spread, not_trained = {}, {}, []
    for ds in dict.fromkeys(table.column("dataset")):
        rows = [r for r in table.records() if r["dataset"] == ds]
        for r in rows:
            if trained_column and not r["trained"]:
                key, rate = str(ds).lower(), float(r["learning rate"])
                level = float(h[f"{key}.chance_level"])
                near = tuple((int(seed), tuple(c)) for (d, cell, lr, seed), c in curves.items()
                             if (d, cell, lr) == (ds, r["model"], rate) and max(c) < level)
                not_trained.append(NotTrained(str(ds), str(r["model"]), rate, int(r["seeds near chance"]),
                                              int(h["seeds"]), float(h[f"{key}.majority"]), level,
                                              int(h[f"{key}.validation_size"]), near))
        trained = [r for r in rows if not trained_column or r["trained"]]
        if trained:
            top = max(trained, key=lambda r: r["accuracy"])
            best[ds] = top["model"]
            spread[ds] = top["accuracy"] - min(r["accuracy"] for r in trained)
    worst = {}
    untrained = {f"{n.cell} (this study)" for n in not_trained if n.dataset == "IMDB"}  # the length table's
    for col in lengths.columns[2:]:
        if col in untrained:
            continue
        values = [v for v in lengths.column(col) if v is not None]
        last = lengths.column(col)[-1]
        worst[col] = last is not None and last == min(values)
    keys = ("imdb.maxlen", "reuters.maxlen", "units", "embedding_dim", "seeds", "max_epochs", "patience",
            "imdb.train", "imdb.validation", "imdb.test_size", "reuters.test_size", "cpu_seconds", "search_epochs")
    out = {(n.dataset, n.cell) for n in not_trained}
    pairs = tuple(p for p in (pair_tests(study.table("pairs")) if _has_table(study, "pairs") else ())
                  if (p.where, p.a) not in out and (p.where, p.b) not in out)
    at_cap = sum(int(v) for k, v in h.items() if k.endswith(".at_cap") and v is not None)
    rates = study.table("learning_rate") if _has_table(study, "learning_rate") else None
    return ArchitectureFinding(table, lengths, best, spread, {k: h.get(k) for k in keys}, worst, pairs, at_cap,
                               tuple(not_trained), rates,
                               tuple(float(r) for r in study.config.get("learning_rates", ())),
                               float(h.get("chance_standard_errors", CHANCE_STANDARD_ERRORS)))


def _has_table(study: StudyResults, table_id: str) -> bool:
    return table_id in [t.id for t in study.tables]


def evidence(ask):
    tables = [ask.table("comparison", "SimpleRNN, LSTM and GRU, each at its own learning rate, trained to "
                                      "convergence"),
              ask.table("imdb_length", "IMDB test accuracy by review length")]
    if _has_table(ask.study, "learning_rate"):
        tables.append(ask.table("learning_rate", "The learning rate each cell chose on validation"))
    return ask.item(finding(ask.study), tables=tables)

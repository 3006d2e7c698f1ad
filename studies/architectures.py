"""Study: SimpleRNN, LSTM and GRU side by side, each trained to convergence.

On both datasets, the three cells of the same size get the same embedding, the same
sequence length, the same readout (the last state), the same optimiser and the same
early stopping on a validation split (with the same cap on epochs); only the recurrent
cell differs. Several seeds per cell: test accuracy and macro F1 as mean and spread,
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
from report.settings import Count, Fraction, Lengths, Positive, Seed, VocabSize
from report.stats.significance import mcnemar, seed_spread, verdict
from report.train import metrics
from report.train.run_context import RunContext
from report.train.early_stopping import Stopping, train_epochs
from report.train.loop import hold_out
from studies._rnn import CELLS, ModelPool, cpu_seconds

if TYPE_CHECKING:
    from report.stats.pairs import PairTest

NAME = "architectures"
TITLE = "SimpleRNN, LSTM and GRU, each trained to convergence"
DATASETS = ("imdb", "reuters")
DEPENDS = ("imdb_simplernn",)  # its predictions give the published SimpleRNN's accuracy by length
DESCRIPTION = (
    "The three recurrent cells, each with the same embedding, size, readout, sequence length and early stopping, "
    "on both tasks, over several seeds; and IMDB accuracy by review length."
)
# Tokens kept when loading: the experiments' own settings, so their cached tokenisations are reused.
LOAD = {"imdb": TextSettings(10_000, 400, "last"), "reuters": TextSettings(10_000, 100, "first")}
COLUMNS = ["dataset", "model", "accuracy", "accuracy sd", "macro F1", "macro F1 sd", "epochs to best",
           "epochs", "parameters", "CPU seconds per epoch"]
PAIRS = (("LSTM", "SimpleRNN"), ("GRU", "SimpleRNN"), ("GRU", "LSTM"))
PREDICT_BATCH = 500


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # seeds 42, 43, 44
    seeds: Count = 3
    vocab_size: VocabSize = 10_000  # as the experiments
    embedding_dim: Count = 32  # small and equal for all: the cell is what is compared
    units: Count = 32  # the IMDB SimpleRNN's size, for all three cells
    # Adam, the same for every cell of a dataset; Reuters' 46 topics need more steps: at 3e-3 the LSTM still
    # improved at the 20-epoch cap on every seed, at 1e-2 it peaks after ~16
    imdb_learning_rate: Positive = 3e-3
    reuters_learning_rate: Positive = 1e-2
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
            "patience": 1, "seeds": 2, "units": 8, "embedding_dim": 8, "length_edges": (10, 20)}


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
class CellRun:
    seed: int
    accuracy: float
    macro_f1: float
    best_epoch: int
    epochs: int
    cpu_per_epoch: float
    y_pred: np.ndarray
    parameters: int


def fit_to_convergence(model, data, config: Config, seed: int) -> CellRun:
    """Epochs until the validation accuracy has not improved for ``patience`` epochs (or the cap);
    the best epoch's weights scored on the test set. Shuffling is a function of (seed, epoch)."""
    import keras

    x_tr, y_tr, x_val, y_val, x_te, y_te, class_names = data
    cpu = 0.0

    def one_epoch(epoch: int) -> tuple[float, float]:
        nonlocal cpu
        keras.utils.set_random_seed(seed * 10_007 + epoch)
        c0 = cpu_seconds()
        model.fit(x_tr, y_tr, batch_size=config.batch_size, epochs=1, shuffle=True, verbose=0)
        cpu += cpu_seconds() - c0
        acc = float(np.mean(_predict(model, x_val).argmax(axis=1) == y_val))
        return acc, acc

    progress, _ = train_epochs(model, Stopping(config.max_epochs, config.patience), one_epoch)
    epochs = len(progress.history)
    prob = _predict(model, x_te)
    m = metrics.compute(y_te, prob, class_names)
    return CellRun(seed, m.accuracy, m.macro_f1, progress.best_epoch, epochs, cpu / epochs, prob.argmax(axis=1),
                   int(model.count_params()))


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
    rows, pair_rows, headline, arrays = [], [], {}, {}
    by_length: dict[str, list[float | None]] = {}
    for name, ds, maxlen, keep, lr in (("IMDB", imdb_small, config.imdb_maxlen, "last", config.imdb_learning_rate),
                                       ("Reuters", reuters, config.reuters_maxlen, "first",
                                        config.reuters_learning_rate)):
        c_ds = cpu_seconds()
        x_tr, x_val, y_tr, y_val = hold_out(window(ds.x_train, maxlen, keep), ds.y_train, config.val_fraction,
                                            config.seed)
        data = (x_tr, y_tr, x_val, y_val, window(ds.x_test, maxlen, keep), ds.y_test, ds.class_names)
        pool = ModelPool(dict(vocab_size=config.vocab_size, embedding_dim=config.embedding_dim, units=config.units,
                              n_classes=ds.num_classes, maxlen=maxlen, mask_zero=True, jit_compile=True))
        median: dict[str, CellRun] = {}
        key = name.lower()
        for cell in CELLS:
            runs = [fit_to_convergence(pool.fresh(cell, seed, lr, cell=cell), data, config, seed)
                    for seed in seeds]
            acc, acc_sd = seed_spread([r.accuracy for r in runs])
            f1, f1_sd = seed_spread([r.macro_f1 for r in runs])
            order = np.argsort([r.accuracy for r in runs], kind="stable")
            median[cell] = runs[int(order[(len(runs) - 1) // 2])]
            best_epochs = float(np.mean([r.best_epoch for r in runs]))
            per_epoch = float(np.mean([r.cpu_per_epoch for r in runs]))
            rows.append([name, cell, acc, acc_sd, f1, f1_sd, best_epochs, max(r.epochs for r in runs),
                         runs[0].parameters, round(per_epoch, 2)])
            headline.update({f"{key}.{cell}.accuracy": acc, f"{key}.{cell}.accuracy_sd": acc_sd,
                             f"{key}.{cell}.macro_f1": f1, f"{key}.{cell}.macro_f1_sd": f1_sd,
                             f"{key}.{cell}.at_cap": sum(r.epochs == config.max_epochs and
                                                         r.best_epoch == config.max_epochs for r in runs)})
            arrays[f"{key}.{cell}.correct"] = median[cell].y_pred == ds.y_test
            ctx.echo(f"{NAME}: {name} {cell}: accuracy {acc:.3f} ± {acc_sd:.3f}, macro F1 {f1:.3f} ± {f1_sd:.3f}, "
                     f"best epochs {[r.best_epoch for r in runs]}, {per_epoch:.2f} CPU s/epoch")
            if name == "IMDB":
                by_length[f"{cell} (this study)"] = accuracy_by_length(ds.y_test, median[cell].y_pred,
                                                                       ds.lengths_test, config.length_edges)
        arrays[f"{key}.ids"] = np.asarray(ds.ids_test).astype(str)
        for a, b in PAIRS:
            t = mcnemar(median[a].y_pred == ds.y_test, median[b].y_pred == ds.y_test)
            pair_rows.append([name, a, b, t.a_only, t.b_only, t.n, t.difference, t.p_value, verdict(t)])
        headline[f"{key}.test_size"] = len(ds.y_test)
        headline[f"{key}.learning_rate"] = lr
        headline[f"{key}.cpu_seconds"] = round(cpu_seconds() - c_ds, 1)
    published = published_by_length(ctx, imdb, config.length_edges)
    if published is not None:
        by_length["SimpleRNN (section 1.4)"] = published
    labels = bucket_labels(config.length_edges)
    counts = np.bincount(np.digitize(imdb_small.lengths_test, config.length_edges), minlength=len(labels))
    length_rows = [[label, int(n), *(by_length[k][i] for k in by_length)] for i, (label, n) in
                   enumerate(zip(labels, counts))]
    tables = [
        Table(id="comparison", caption="The three cells, each trained to convergence (mean and sd over the seeds)",
              columns=COLUMNS, rows=rows),
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
                     "units": config.units, "embedding_dim": config.embedding_dim, "cpu_seconds": round(cpu, 1)})
    ctx.echo(f"{NAME}: {cpu:.0f} CPU s, {time.perf_counter() - t0:.0f} s")
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        headline=headline, arrays=arrays,
        provenance=provenance.record(ctx.paths.project, config.seed, {**imdb.checksums, **reuters.checksums}, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )


# --- the evidence in the report (section 2.2) ---------------------------------------------------------------

@dataclass(frozen=True)
class ArchitectureFinding:
    table: Table  # dataset, model, accuracy (+ sd), macro F1 (+ sd), epochs to best, epochs, parameters, CPU s/epoch
    length_table: Table  # length bucket, reviews, accuracy per model
    best: Mapping[str, str]  # dataset -> the cell with the highest mean accuracy
    spread: Mapping[str, float]  # dataset -> best minus worst mean accuracy
    settings: Mapping[str, Any]  # maxlen, units, seeds, cap: the shared set-up
    long_reviews_worst: Mapping[str, bool]  # model column -> is its accuracy lowest in the longest bucket?
    pairs: tuple[PairTest, ...] = ()  # McNemar between the cells' median seeds, per dataset
    at_cap: int = 0  # runs whose best epoch was the cap: not converged

    def tests(self, dataset: str) -> tuple[PairTest, ...]:
        return tuple(p for p in self.pairs if p.where == dataset)

    def differences(self, dataset: str) -> tuple[PairTest, ...]:
        """The significant ones."""
        return tuple(p for p in self.tests(dataset) if p.verdict != "no significant difference")


def finding(study: StudyResults) -> ArchitectureFinding:
    from report.stats.pairs import pair_tests

    table, lengths = study.table("comparison"), study.table("imdb_length")
    best, spread = {}, {}
    for ds in dict.fromkeys(table.column("dataset")):
        rows = [r for r in table.records() if r["dataset"] == ds]
        top = max(rows, key=lambda r: r["accuracy"])
        best[ds] = top["model"]
        spread[ds] = top["accuracy"] - min(r["accuracy"] for r in rows)
    worst = {}
    for col in lengths.columns[2:]:
        values = [v for v in lengths.column(col) if v is not None]
        last = lengths.column(col)[-1]
        worst[col] = last is not None and last == min(values)
    keys = ("imdb.maxlen", "reuters.maxlen", "units", "embedding_dim", "seeds", "max_epochs", "patience",
            "imdb.train", "imdb.validation", "imdb.test_size", "reuters.test_size", "cpu_seconds",
            "imdb.learning_rate", "reuters.learning_rate")
    pairs = pair_tests(study.table("pairs")) if "pairs" in [t.id for t in study.tables] else ()
    at_cap = sum(int(v) for k, v in study.headline.items() if k.endswith(".at_cap") and v is not None)
    return ArchitectureFinding(table, lengths, best, spread, {k: study.headline.get(k) for k in keys}, worst,
                               pairs, at_cap)


def evidence(ask):
    tables = [ask.table("comparison", "SimpleRNN, LSTM and GRU, each trained to convergence"),
              ask.table("imdb_length", "IMDB test accuracy by review length")]
    return ask.item(finding(ask.study), tables=tables)

"""Study: SimpleRNN, LSTM and GRU side by side, with the same budget.

On both datasets, the three cells of the same size get the same embedding,
the same sequence length, the same number of epochs and the same optimiser;
only the recurrent cell differs. Also: IMDB test accuracy by review length,
for these models and for the report's own SimpleRNN (from its predictions),
to see whether long reviews are where the plain RNN loses.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import numpy as np

from report.data import (
    TextDataset,
    TextSettings,
    load_imdb,
    load_reuters,
    stratified_subset,
)
from report.results import experiment as results
from report.results import provenance
from report.results.study import StudyResults, StudyTimings, Table
from report.settings import Count, Lengths, Positive, Seed, VocabSize
from report.train import metrics
from report.train.context import RunContext
from report.train.loop import set_seed
from studies._rnn import CELLS, build_classifier

NAME = "architectures"
TITLE = "SimpleRNN, LSTM and GRU with the same budget"
DATASETS = ("imdb", "reuters")
DEPENDS = ("imdb_simplernn",)  # its predictions give the published SimpleRNN's accuracy by length
DESCRIPTION = (
    "The three recurrent cells, each with the same embedding, size, sequence length and epochs, on both tasks; "
    "and IMDB accuracy by review length."
)
# Tokens kept when loading: the experiments' own settings, so their cached tokenisations are reused.
LOAD_MAXLEN = {"imdb": 400, "reuters": 100}
COLUMNS = ["dataset", "model", "accuracy", "macro F1", "parameters", "seconds per epoch"]


@dataclass(frozen=True)
class Config:
    seed: Seed = 42
    vocab_size: VocabSize = 10_000  # as the experiments
    embedding_dim: Count = 32  # small and equal for all: the cell is what is compared
    units: Count = 32  # the IMDB SimpleRNN's size, for all three cells
    learning_rate: Positive = 2e-3  # Adam; a little above the default so that 2-3 epochs get somewhere
    batch_size: Count = 64
    imdb_maxlen: Count = 200  # the last 200 words: half the experiment's 400, half the time per epoch
    imdb_train: Count = 10_000  # a stratified 10,000 of 25,000 reviews: the IMDB runs' share of the ~2-minute budget
    imdb_test: Count = 5_000  # +-0.012 (95%) on an accuracy of ~0.85: enough to rank the cells
    imdb_epochs: Count = 2  # all three cells are near their best validation loss after 2 epochs on IMDB
    reuters_maxlen: Count = 100  # as the Reuters experiment
    reuters_epochs: Count = 3  # 46 topics need more passes than 2 classes; 8,982 short wires are cheap
    length_edges: Lengths = (100, 200, 400)  # review-length buckets: <100, 100-199, 200-399, 400+ words


def quick_overrides() -> dict[str, object]:
    return {"imdb_train": 200, "imdb_test": 100, "imdb_maxlen": 20, "reuters_maxlen": 20, "imdb_epochs": 1,
            "reuters_epochs": 1, "units": 8, "embedding_dim": 8, "length_edges": (10, 20)}


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


def _fit_cells(ds: TextDataset, maxlen: int, epochs: int, config: Config, ctx: RunContext, name: str):
    """Train each cell; yield (cell, metrics, parameters, seconds per epoch, predicted classes)."""
    x_tr, x_te = ds.x_train[:, -maxlen:], ds.x_test[:, -maxlen:]
    for cell in CELLS:
        set_seed(config.seed)
        model = build_classifier(cell, vocab_size=config.vocab_size, embedding_dim=config.embedding_dim,
                                 units=config.units, n_classes=ds.num_classes, maxlen=maxlen,
                                 learning_rate=config.learning_rate, mask_zero=True)
        t0 = time.perf_counter()
        model.fit(x_tr, ds.y_train, epochs=epochs, batch_size=config.batch_size, shuffle=True, verbose=0)
        per_epoch = (time.perf_counter() - t0) / epochs
        p = np.asarray(model.predict(x_te, batch_size=512, verbose=0), dtype=np.float64)
        y_prob = np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p
        m = metrics.compute(ds.y_test, y_prob, ds.class_names)
        ctx.echo(f"{NAME}: {name} {cell}: accuracy {m.accuracy:.3f}, macro F1 {m.macro_f1:.3f} ({per_epoch:.1f} s/epoch)")
        yield cell, m, int(model.count_params()), per_epoch, y_prob.argmax(axis=1)


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
    t0 = time.perf_counter()
    imdb = load_imdb(ctx.paths.data, ctx.paths.cache, TextSettings(config.vocab_size, LOAD_MAXLEN["imdb"]),
                     quiet=ctx.quiet)
    reuters = load_reuters(ctx.paths.data, ctx.paths.cache,
                           TextSettings(config.vocab_size, LOAD_MAXLEN["reuters"]), quiet=ctx.quiet)
    imdb_small = stratified_subset(imdb, config.imdb_train, config.imdb_test, config.seed)
    load_seconds = time.perf_counter() - t0

    t1 = time.perf_counter()
    rows, headline = [], {}
    by_length: dict[str, list[float | None]] = {}
    for name, ds, maxlen, epochs in (("IMDB", imdb_small, config.imdb_maxlen, config.imdb_epochs),
                                     ("Reuters", reuters, config.reuters_maxlen, config.reuters_epochs)):
        for cell, m, params, per_epoch, y_pred in _fit_cells(ds, maxlen, epochs, config, ctx, name):
            rows.append([name, cell, m.accuracy, m.macro_f1, params, round(per_epoch, 1)])
            headline[f"{name.lower()}.{cell}.accuracy"] = m.accuracy
            headline[f"{name.lower()}.{cell}.macro_f1"] = m.macro_f1
            if name == "IMDB":
                by_length[f"{cell} (this study)"] = accuracy_by_length(ds.y_test, y_pred, ds.lengths_test,
                                                                       config.length_edges)
    published = published_by_length(ctx, imdb, config.length_edges)
    if published is not None:
        by_length["SimpleRNN (section 1.4)"] = published
    labels = bucket_labels(config.length_edges)
    counts = np.bincount(np.digitize(imdb_small.lengths_test, config.length_edges), minlength=len(labels))
    length_rows = [[label, int(n), *(by_length[k][i] for k in by_length)] for i, (label, n) in
                   enumerate(zip(labels, counts))]
    tables = [
        Table(id="comparison", caption="The three cells with the same budget", columns=COLUMNS, rows=rows),
        Table(id="imdb_length", caption="IMDB test accuracy by review length (words)",
              columns=["length", "reviews (this study)", *by_length], rows=length_rows),
    ]
    headline.update({"imdb.epochs": config.imdb_epochs, "reuters.epochs": config.reuters_epochs,
                     "imdb.maxlen": config.imdb_maxlen, "reuters.maxlen": config.reuters_maxlen,
                     "units": config.units})
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        headline=headline,
        provenance=provenance.record(ctx.paths.project, config.seed, {**imdb.checksums, **reuters.checksums}, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )

"""Study: what the models get right and wrong, in the words of the data.

From the experiments' stored predictions (no training, no TensorFlow): the
IMDB reviews the SimpleRNN was most sure about, right and wrong, and the pair
of Reuters topics the LSTM confuses most, with a wire of each.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import click
import numpy as np

from report.data import TextDataset, TextSettings, load_imdb, load_reuters
from report.results import experiment_results as results
from report.results import provenance
from report.results.study import StudyResults, StudyTimings, Table
from report.settings import Count, Seed
from report.train.run_context import RunContext

NAME = "examples"
TITLE = "Examples: confident hits and misses, confused topics"
DATASETS = ("imdb", "reuters")  # for the texts
DEPENDS = ("imdb_simplernn", "reuters_lstm")  # whose predictions it reads
DESCRIPTION = "Test examples chosen from the experiments' stored predictions."


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # unused (the choice is deterministic); kept so every config has one
    per_kind: Count = 2  # reviews shown per kind (right, wrong): enough to show a pattern, short enough to read
    excerpt_chars: Count = 300  # the start of each text, cut at a word boundary


def quick_overrides() -> dict[str, object]:
    return {}


def excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters at most, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def confident(y_true: np.ndarray, y_prob: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``n`` most confident right and the ``n`` most confident wrong predictions,
    most confident first (confidence = probability of the predicted class; ties by index)."""
    pred = y_prob.argmax(axis=1)
    conf = y_prob.max(axis=1)
    order = np.lexsort((np.arange(len(conf)), -conf))
    right = [i for i in order if pred[i] == y_true[i]][:n]
    wrong = [i for i in order if pred[i] != y_true[i]][:n]
    return np.array(right, dtype=int), np.array(wrong, dtype=int)


def most_confused(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> tuple[int, int, int]:
    """(true class, predicted class, count) of the largest off-diagonal cell of the confusion matrix."""
    cm = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    np.fill_diagonal(cm, -1)
    i, j = np.unravel_index(int(cm.argmax()), cm.shape)
    return int(i), int(j), int(cm[i, j])


def _predictions(ctx: RunContext, name: str) -> results.Predictions:
    folder = results.results_dir(ctx.paths.results, name)
    if not (folder / results.PREDICTIONS_FILE).is_file():
        raise click.ClickException(f"{NAME} reads the predictions of {name}: run `make-report train {name}` first")
    return results.load_predictions(folder)


def _rows_of(ds: TextDataset, ids: np.ndarray) -> np.ndarray:
    index = {str(i): k for k, i in enumerate(ds.ids_test)}
    return np.array([index[str(i)] for i in ids], dtype=int)


def imdb_table(ds: TextDataset, preds: results.Predictions, config: Config) -> Table:
    rows_in_ds = _rows_of(ds, preds.ids)
    texts = ds.texts_test()
    right, wrong = confident(preds.y_true, preds.y_prob, config.per_kind)
    rows = []
    for kind, picked in (("right", right), ("wrong", wrong)):
        for i in picked:
            r = rows_in_ds[i]
            stars = int(ds.ratings_test[r]) if ds.ratings_test is not None else None
            rows.append([kind, str(preds.ids[i]), stars, ds.class_names[int(preds.y_true[i])],
                         float(preds.y_prob[i, 1]), excerpt(texts[r], config.excerpt_chars)])
    return Table(id="imdb", caption="The IMDB test reviews the SimpleRNN was most sure about",
                 columns=["kind", "id", "stars", "true class", "P(positive)", "excerpt"], rows=rows)


def reuters_table(ds: TextDataset, preds: results.Predictions, config: Config) -> tuple[Table, dict]:
    names = ds.class_names
    a, b, count = most_confused(preds.y_true, preds.y_pred, len(names))
    rows_in_ds = _rows_of(ds, preds.ids)
    texts = ds.texts_test()
    rows = []
    # a wire of topic a taken for b (the most confident such mistake), and a wire of b recognised as b
    for true, shown_as, label in ((a, b, "confused"), (b, b, "recognised")):
        idx = np.flatnonzero((preds.y_true == true) & (preds.y_pred == shown_as))
        if idx.size == 0:
            continue
        i = idx[np.argmax(preds.y_prob[idx, shown_as])]
        rows.append([label, str(preds.ids[i]), names[true], names[shown_as], float(preds.y_prob[i, shown_as]),
                     excerpt(texts[rows_in_ds[i]], config.excerpt_chars)])
    support_a = int(np.sum(preds.y_true == a))
    headline = {"reuters.true_topic": names[a], "reuters.predicted_topic": names[b], "reuters.count": count,
                "reuters.support": support_a}
    table = Table(id="reuters", caption=f"The most confused pair of topics: {names[a]} taken for {names[b]}",
                  columns=["kind", "id", "true topic", "predicted topic", "probability", "excerpt"], rows=rows)
    return table, headline


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    imdb_preds, reuters_preds = _predictions(ctx, "imdb_simplernn"), _predictions(ctx, "reuters_lstm")
    # texts and ids do not depend on these settings; they match the experiments' so the cache is shared
    imdb = load_imdb(ctx.paths.data, ctx.paths.cache, TextSettings(10_000, 400), quiet=ctx.quiet)
    reuters = load_reuters(ctx.paths.data, ctx.paths.cache, TextSettings(10_000, 100), quiet=ctx.quiet)
    load_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    reuters_tab, headline = reuters_table(reuters, reuters_preds, config)
    tables = [imdb_table(imdb, imdb_preds, config), reuters_tab]
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, {**imdb.checksums, **reuters.checksums}, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=time.perf_counter() - t1),
    )


# --- the evidence in the report (an experiment's section) ----------------------------------------------------

@dataclass(frozen=True)
class ExampleFinding:
    table: Table
    confused: Mapping[str, Any] | None  # Reuters: true_topic, predicted_topic, count, support


# the caption of each dataset's table, as the outline's view names it
CAPTIONS = {"imdb": "The test reviews the SimpleRNN was most sure about",
            "reuters": "The most confused pair of topics, one wire each"}


def finding(study: StudyResults, dataset: str) -> ExampleFinding:
    h = study.headline
    confused = None
    if dataset == "reuters":
        confused = {k: h[f"reuters.{k}"] for k in ("true_topic", "predicted_topic", "count", "support")}
    return ExampleFinding(study.table(dataset), confused)


def evidence(ask):
    """The examples of the dataset the outline's view names ("imdb" or "reuters")."""
    return ask.item(finding(ask.study, ask.view), tables=[ask.table(ask.view, CAPTIONS[ask.view])])

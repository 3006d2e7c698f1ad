"""Study: how much do the recurrent networks beat models that ignore word order?

Two baselines on exactly the experiments' splits (the raw texts from the data
layer, the same train/test division): the majority class, and TF-IDF over
unigrams with a logistic regression. If the RNN does not beat a bag of words,
reading the words in order has not paid off yet. No TensorFlow here.

Besides the table, the study keeps every baseline's predicted class per test
example, in test-set order, with the example ids (``arrays.npz`` beside
study.json: ``<dataset>.ids``, ``<dataset>.y_true``, ``<dataset>.<model>``), so
that the report can test the network against each baseline on the same
examples (McNemar's exact test, ``report.stats.significance``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np

from report.data import TextDataset, stratified_subset
from report.results import provenance
from report.results.study import StudyResults, StudyTimings, Table
from report.settings import Count, Flag, Positive, Seed, Size
from report.stats.significance import McNemar, Verdict, verdict as test_verdict
from report.train import metrics
from report.train.run_context import RunContext

NAME = "baselines"
TITLE = "Baselines: majority class and TF-IDF + logistic regression"
DATASETS = ("imdb", "reuters")  # reads both raw corpora: part of its cache key
DESCRIPTION = (
    "The two tasks solved without a recurrent network: always answering the most frequent class, "
    "and a logistic regression on TF-IDF word weights, which sees which words occur but not their order."
)
COLUMNS = ["model", "accuracy", "macro F1", "weighted F1", "ROC AUC", "fit seconds"]
MODELS = {"majority": "Majority class", "tfidf_lr": "TF-IDF + logistic regression"}
# Accuracy differences smaller than this are called a tie (about the noise of a 2,246-wire test set's third decimal).
TIE_MARGIN = 0.005


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # the subsets of a --quick run; the fits themselves are deterministic
    max_features: Count = 10_000  # the RNNs' vocabulary size, so both see the same words
    ngram_max: Count = 1  # unigrams: a pure bag of words, the order-free counterpart of the RNN
    sublinear_tf: Flag = True  # 1 + log(tf): a word said ten times is not ten times the evidence
    C: Positive = 10.0  # inverse regularisation; 10 beat 1 by ~4 points on Reuters' rare topics, ~0 on IMDB
    max_iter: Count = 2000  # lbfgs converges on both corpora well within this (Reuters needs the most)
    subset_train: Size = 0  # 0 = all training examples; --quick sets a small stratified subset
    subset_test: Size = 0  # 0 = all test examples


def quick_overrides() -> dict[str, object]:
    return {"subset_train": 1000, "subset_test": 500}


def _load(name: str, ctx: RunContext, config: Config) -> TextDataset:
    # The experiments' own settings, so the same cached tokenisation (and split) is reused.
    from report.train.experiment_runner import load_dataset

    if name == "imdb":
        from experiments import imdb_simplernn as exp
    else:
        from experiments import reuters_lstm as exp
    ds = load_dataset(exp.DATASET, ctx.paths, exp.Config(), ctx.quiet)
    if config.subset_train or config.subset_test:
        ds = stratified_subset(ds, config.subset_train or len(ds.y_train), config.subset_test or len(ds.y_test),
                               config.seed)
    return ds


def prediction_arrays(dataset: str, ds: TextDataset, predicted: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays kept for the paired tests: ids and true classes of the test set, and each model's
    predicted class, all in test-set order."""
    out = {f"{dataset}.ids": np.asarray(ds.ids_test).astype(str), f"{dataset}.y_true": np.asarray(ds.y_test, np.int32)}
    out.update({f"{dataset}.{key}": np.asarray(y, np.int32) for key, y in predicted.items()})
    return out


def fit_baselines(ds: TextDataset, config: Config, predicted: dict[str, np.ndarray] | None = None) -> list[list]:
    """One table row per baseline: name, accuracy, macro F1, weighted F1, ROC AUC, fit seconds.

    ``predicted``, when given, receives each baseline's predicted class per test example (by its key)."""
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train_texts, test_texts = ds.texts_train(), ds.texts_test()
    candidates = {
        # predicts the most frequent training class for every example; probabilities = class shares
        "majority": DummyClassifier(strategy="prior"),
        # word weights, then one linear score per class (multinomial softmax for Reuters)
        "tfidf_lr": make_pipeline(
            TfidfVectorizer(max_features=config.max_features, ngram_range=(1, config.ngram_max),
                            sublinear_tf=config.sublinear_tf),
            LogisticRegression(C=config.C, max_iter=config.max_iter),
        ),
    }
    rows = []
    for key, model in candidates.items():
        t0 = time.perf_counter()
        model.fit(train_texts, ds.y_train)
        seconds = time.perf_counter() - t0
        y_prob = _full_proba(model, test_texts, ds.num_classes)
        m = metrics.compute(ds.y_test, y_prob, ds.class_names)
        if predicted is not None:
            predicted[key] = y_prob.argmax(axis=1)  # the class the accuracy above counts
        rows.append([MODELS[key], m.accuracy, m.macro_f1, m.weighted_f1, m.roc_auc, round(seconds, 2)])
    return rows


def _full_proba(model, texts: list[str], n_classes: int) -> np.ndarray:
    """(n, C) probabilities, with zero columns for classes absent from the training subset."""
    p = model.predict_proba(texts)
    out = np.zeros((len(texts), n_classes))
    out[:, model.classes_] = p
    return out


def run(config: Config, ctx: RunContext) -> StudyResults:
    started = datetime.now(timezone.utc)
    tables, headline, checksums, arrays = [], {}, {}, {}
    load_seconds = run_seconds = 0.0
    for name, title in (("imdb", "IMDB reviews"), ("reuters", "Reuters newswires")):
        t0 = time.perf_counter()
        ds = _load(name, ctx, config)
        load_seconds += time.perf_counter() - t0
        checksums.update(ds.checksums)
        t0 = time.perf_counter()
        predicted: dict[str, np.ndarray] = {}
        rows = fit_baselines(ds, config, predicted)
        run_seconds += time.perf_counter() - t0
        arrays.update(prediction_arrays(name, ds, predicted))
        tables.append(Table(id=name, caption=f"Baselines on the {len(ds.y_test):,} test {title}", columns=COLUMNS,
                            rows=rows))
        for key, row in zip(MODELS, rows):
            for col, value in zip(COLUMNS[1:5], row[1:5]):
                headline[f"{name}.{key}.{col.lower().replace(' ', '_')}"] = value
        ctx.echo(f"{NAME}: {name}: " + ", ".join(f"{r[0]} accuracy {r[1]:.3f}" for r in rows))
    # TF-IDF accuracies first: `make-report status` shows the first few
    headline = dict(sorted(headline.items(), key=lambda kv: ("tfidf" not in kv[0], "accuracy" not in kv[0])))
    return StudyResults(
        experiment=NAME, title=TITLE, description=DESCRIPTION, key=ctx.key, config=asdict(config), tables=tables,
        headline=headline, provenance=provenance.record(ctx.paths.project, config.seed, checksums, started),
        timings=StudyTimings(load_seconds=load_seconds, run_seconds=run_seconds), arrays=arrays,
    )


# --- the evidence in the report: the network of a section against the baselines -------------------------

@dataclass(frozen=True)
class BaselineComparison:
    dataset: str  # "imdb" or "reuters"
    network: str  # "SimpleRNN" / "LSTM": the report's model
    rows: tuple[tuple[str, float, float, float, float, float | None], ...]  # model, acc, macro F1, weighted F1, AUC, fit s
    network_accuracy: float
    baseline_accuracy: float  # TF-IDF + logistic regression
    majority_accuracy: float
    network_macro_f1: float
    baseline_macro_f1: float
    verdict: Literal["network", "baseline", "tie"]  # which wins on accuracy
    # McNemar's exact tests of the network (A) against TF-IDF and against the majority class (B), on the
    # test examples both were scored on; None without the per-example predictions (then the margin decides)
    tfidf_test: McNemar | None = None
    majority_test: McNemar | None = None
    # 95% Wilson interval of each row's accuracy, in the order of ``rows``; None where not known
    intervals: tuple[tuple[float, float] | None, ...] = ()
    test_size: int = 0  # the network's test examples
    alpha: float = 0.05

    @property
    def margin(self) -> float:
        return abs(self.network_accuracy - self.baseline_accuracy)

    @property
    def tfidf_verdict(self) -> Verdict:
        """The network relative to TF-IDF: by the paired test when there is one, else by the margin."""
        if self.tfidf_test is not None:
            return test_verdict(self.tfidf_test, self.alpha)
        return {"network": "better", "baseline": "worse"}.get(self.verdict, "no significant difference")

    @property
    def majority_verdict(self) -> Verdict | None:
        return None if self.majority_test is None else test_verdict(self.majority_test, self.alpha)

    @property
    def macro_f1_margin(self) -> float:
        return self.network_macro_f1 - self.baseline_macro_f1


def compare_baseline(results, study: StudyResults, dataset: str, network: str, own_interval: tuple[float, float],
                     paired: Any = None, alpha: float = 0.05) -> BaselineComparison:
    """The experiment's ``results`` against the baselines on ``dataset``; ``own_interval``: the 95% interval of
    its accuracy as its section states it; ``paired``: the paired tests and the baselines' intervals
    (a ``report.stats.paired.PairedEvidence``, from ``ask.paired``), when both sides kept their per-example
    predictions; ``alpha``: their level."""
    rows = {r["model"]: r for r in study.table(dataset).records()}
    lr, majority = rows[MODELS["tfidf_lr"]], rows[MODELS["majority"]]
    t = results.test
    diff = t.accuracy - float(lr["accuracy"])
    verdict = "tie" if abs(diff) < TIE_MARGIN else ("network" if diff > 0 else "baseline")
    tests = dict(paired.tests) if paired else {}
    known = dict(paired.intervals) if paired else {}
    intervals = (known.get("majority"), known.get("tfidf_lr"), tuple(own_interval))
    own = (f"{network} (this report)", t.accuracy, t.macro_f1, t.weighted_f1, t.roc_auc, None)
    as_row = lambda r: (r["model"], float(r["accuracy"]), float(r["macro F1"]), float(r["weighted F1"]),  # noqa: E731
                        float(r["ROC AUC"]), float(r["fit seconds"]))
    return BaselineComparison(
        dataset=dataset, network=network, rows=(as_row(majority), as_row(lr), own),
        network_accuracy=t.accuracy, baseline_accuracy=float(lr["accuracy"]),
        majority_accuracy=float(majority["accuracy"]), network_macro_f1=t.macro_f1,
        baseline_macro_f1=float(lr["macro F1"]), verdict=verdict,
        tfidf_test=tests.get("tfidf_lr"), majority_test=tests.get("majority"), intervals=intervals,
        test_size=results.data.test_size, alpha=alpha,
    )


def evidence(ask):
    """In an experiment's section: its network against the baselines on the dataset the outline names
    (``dataset``), the network called by the outline's ``network``."""
    if ask.experiment is None:
        return None
    dataset, network = ask.option("dataset"), ask.option("network")
    finding = compare_baseline(ask.experiment, ask.study, dataset, network, ask.interval(), ask.paired(dataset),
                               ask.alpha)
    return ask.item(finding, tables=[ask.table(dataset, f"The {network} against two baselines on the same test set")])

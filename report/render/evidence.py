"""The studies' evidence inside the answers it supports: rules, then what each part shows.

As in ``report.render.interpret``: each rule reads study results (and the
experiments' results where a comparison needs them) and returns a frozen
dataclass with the numbers and a verdict; the templates
(``templates/_evidence_*.html``) phrase the verdict. Thresholds are named
constants so tests can pin each rule from both sides. No TensorFlow.

Where the evidence goes (ASSIGNMENT.md's sections):

- 1.2 and 2.1: the measured gradient decay (figure in 1.2, referred to in 2.1);
- 1.4 and 2.3: the baselines against the network, and examples from the test set;
- 2.2: long-range memory on the synthetic task, the architecture comparison and
  IMDB accuracy by review length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from report.results.experiment import Results
from report.results.paired import BaselineEvidence
from report.results.significance import McNemar, Verdict, verdict as test_verdict
from report.results.study import CELLS, StudyResults, Table

# Accuracy differences smaller than this are called a tie (about the noise of a 2,246-wire test set's third decimal).
TIE_MARGIN = 0.005


# --- baselines -------------------------------------------------------------------------------------------

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


def compare_baseline(results: Results, study: StudyResults, dataset: str, network: str,
                     paired: BaselineEvidence | None = None) -> BaselineComparison:
    """``paired``: the paired tests and the baselines' intervals (``report.results.paired``), when both
    sides kept their per-example predictions."""
    from report.render.interpret import ALPHA, accuracy_interval

    table = study.table(dataset)
    rows = {r["model"]: r for r in table.records()}
    lr, majority = rows["TF-IDF + logistic regression"], rows["Majority class"]
    t = results.test
    diff = t.accuracy - float(lr["accuracy"])
    verdict = "tie" if abs(diff) < TIE_MARGIN else ("network" if diff > 0 else "baseline")
    tests = dict(paired.tests) if paired else {}
    known = dict(paired.intervals) if paired else {}
    own_ci = accuracy_interval(results)
    intervals = (known.get("majority"), known.get("tfidf_lr"), (own_ci.low, own_ci.high))
    own = (f"{network} (this report)", t.accuracy, t.macro_f1, t.weighted_f1, t.roc_auc, None)
    as_row = lambda r: (r["model"], float(r["accuracy"]), float(r["macro F1"]), float(r["weighted F1"]),  # noqa: E731
                        float(r["ROC AUC"]), float(r["fit seconds"]))
    return BaselineComparison(
        dataset=dataset, network=network, rows=(as_row(majority), as_row(lr), own),
        network_accuracy=t.accuracy, baseline_accuracy=float(lr["accuracy"]),
        majority_accuracy=float(majority["accuracy"]), network_macro_f1=t.macro_f1,
        baseline_macro_f1=float(lr["macro F1"]), verdict=verdict,
        tfidf_test=tests.get("tfidf_lr"), majority_test=tests.get("majority"), intervals=intervals,
        test_size=results.data.test_size, alpha=ALPHA,
    )


# --- gradient decay ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradientFinding:
    window: int
    factor: float
    rnn_init: int | None  # steps until the gradient falls tenfold; None: not within the window
    rnn_trained: int | None
    lstm_init: int | None
    lstm_trained: int | None
    rnn_at_window: float  # trained, relative norm at the window's first word
    lstm_at_window: float
    verdict: Literal["rnn_faster", "lstm_faster", "same"]  # after training: whose gradient fades sooner
    units: int = 0  # the two models' size, and what they were measured on
    measured: int = 0
    train_examples: int = 0

    @property
    def lstm_reach_learned(self) -> bool:
        """Training lengthened the LSTM's reach: its gradient falls tenfold later (or not at all) than at initialisation."""
        return _steps(self.lstm_trained) > _steps(self.lstm_init)

    @property
    def ratio_at_window(self) -> float:
        """How many times more of the gradient reaches the window's start in the LSTM."""
        return self.lstm_at_window / self.rnn_at_window if self.rnn_at_window > 0 else float("inf")


def _steps(n: int | None) -> float:
    return float("inf") if n is None else float(n)


def gradient_decay(study: StudyResults) -> GradientFinding:
    h = study.headline
    rnn, lstm = h["decay_length.SimpleRNN.trained"], h["decay_length.LSTM.trained"]
    if _steps(rnn) < _steps(lstm):
        verdict = "rnn_faster"
    elif _steps(lstm) < _steps(rnn):
        verdict = "lstm_faster"
    else:  # both never fall tenfold, or after the same number of steps: the tail decides
        a, b = h["relative_at_window.SimpleRNN.trained"], h["relative_at_window.LSTM.trained"]
        verdict = "same" if abs(a - b) <= 0.05 * max(a, b) else ("rnn_faster" if a < b else "lstm_faster")
    return GradientFinding(
        window=int(h["window"]), factor=float(h["factor"]),
        rnn_init=h["decay_length.SimpleRNN.initialisation"], rnn_trained=rnn,
        lstm_init=h["decay_length.LSTM.initialisation"], lstm_trained=lstm,
        rnn_at_window=float(h["relative_at_window.SimpleRNN.trained"]),
        lstm_at_window=float(h["relative_at_window.LSTM.trained"]), verdict=verdict,
        units=int(study.config.get("units", 0)), measured=int(study.config.get("measure_examples", 0)),
        train_examples=int(study.config.get("train_examples", 0)),
    )


# --- long-range memory -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LongRangeFinding:
    lengths: tuple[int, ...]
    accuracy: Mapping[str, tuple[float, ...]]  # cell -> accuracy per length
    chance_level: float
    chance_lengths: Mapping[str, int | None]  # cell -> smallest T at which it is at chance (None: never)
    # expected: some gated cell remembers longer than the SimpleRNN; same: none does and the SimpleRNN
    # does not either; rnn_longest: the SimpleRNN remembers longer than every gated cell
    verdict: Literal["expected", "same", "rnn_longest"]
    n_train: int = 0  # the budget every cell got at every length
    epochs: int = 0

    @property
    def max_length(self) -> int:
        return max(self.lengths)

    def at_max(self, cell: str) -> float:
        return self.accuracy[cell][self.lengths.index(self.max_length)]

    @property
    def rnn_chance_length(self) -> int | None:
        return self.chance_lengths["SimpleRNN"]


def long_range(study: StudyResults) -> LongRangeFinding:
    series = {s.label: s for s in study.figure_series("accuracy")}
    lengths = tuple(int(x) for x in series["SimpleRNN"].x)
    accuracy = {c: tuple(series[c].y) for c in CELLS if c in series}
    level = float(study.headline["chance_level"])
    chance = {c: study.headline.get(f"chance_length.{c}") for c in accuracy}
    rnn = _steps(chance["SimpleRNN"])
    gated = [_steps(chance[c]) for c in accuracy if c != "SimpleRNN"]
    if any(g > rnn for g in gated):
        verdict = "expected"
    elif all(g < rnn for g in gated):
        verdict = "rnn_longest"
    else:
        verdict = "same"
    return LongRangeFinding(lengths, accuracy, level, chance, verdict, int(study.config.get("n_train", 0)),
                            int(study.config.get("epochs", 0)))


# --- architectures ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArchitectureFinding:
    table: Table  # dataset, model, accuracy, macro F1, parameters, seconds per epoch
    length_table: Table  # length bucket, reviews, accuracy per model
    best: Mapping[str, str]  # dataset -> the cell with the highest accuracy
    spread: Mapping[str, float]  # dataset -> best minus worst accuracy
    settings: Mapping[str, Any]  # epochs, maxlen, units: the shared budget
    long_reviews_worst: Mapping[str, bool]  # model column -> is its accuracy lowest in the longest bucket?


def architectures(study: StudyResults) -> ArchitectureFinding:
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
    keys = ("imdb.epochs", "reuters.epochs", "imdb.maxlen", "reuters.maxlen", "units")
    return ArchitectureFinding(table, lengths, best, spread, {k: study.headline.get(k) for k in keys}, worst)


# --- examples --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExampleFinding:
    table: Table
    confused: Mapping[str, Any] | None  # Reuters: true_topic, predicted_topic, count, support


def examples(study: StudyResults, dataset: str) -> ExampleFinding:
    h = study.headline
    confused = None
    if dataset == "reuters":
        confused = {k: h[f"reuters.{k}"] for k in ("true_topic", "predicted_topic", "count", "support")}
    return ExampleFinding(study.table(dataset), confused)


# --- what each part shows --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence in a part: ``templates/_evidence_<template>.html`` renders it."""

    template: str
    finding: Any
    figures: tuple[Any, ...] = ()  # FigureRef, numbered in document order
    tables: tuple[Any, ...] = ()  # TableRef


class EvidenceBuilder:
    """Numbers the studies' figures and tables where they appear, part by part."""

    def __init__(self, studies: Mapping[str, StudyResults], results: Mapping[str, Results],
                 figures: Sequence[Any], numbering: Any, figure_src: str,
                 paired: Mapping[str, BaselineEvidence] | None = None) -> None:
        self.studies, self.results, self.numbering, self.src = studies, results, numbering, figure_src
        self.paired = paired or {}  # experiment -> its network against the baselines, example by example
        self.written = {(w.experiment, w.kind): w for w in figures}
        self.shown: dict[str, Any] = {}  # figures already numbered, for later references

    def _figure(self, study: str, kind: str):
        w = self.written.get((study, kind))
        if w is None:
            return None
        ref = self.numbering.figure(w, f"{self.src}/{w.path.name}")
        self.shown[kind] = ref
        return ref

    def _table(self, study: str, kind: str, title: str):
        return self.numbering.table(study, kind, title)

    def for_part(self, number: str) -> tuple[EvidenceItem, ...]:
        s, items = self.studies, []
        if number == "1.2" and "gradient_decay" in s:
            fig = self._figure("gradient_decay", "decay")
            items.append(EvidenceItem("gradient", gradient_decay(s["gradient_decay"]), (fig,) if fig else ()))
        if number == "2.1" and "gradient_decay" in s:
            fig = self.shown.get("decay")
            items.append(EvidenceItem("gradient_lstm", gradient_decay(s["gradient_decay"]), (fig,) if fig else ()))
        if number == "2.2" and "long_range" in s:
            fig = self._figure("long_range", "long_range")
            items.append(EvidenceItem("long_range", long_range(s["long_range"]), (fig,) if fig else ()))
        if number == "2.2" and "architectures" in s:
            f = architectures(s["architectures"])
            tabs = (self._table("architectures", "comparison", "SimpleRNN, LSTM and GRU with the same budget"),
                    self._table("architectures", "imdb_length", "IMDB test accuracy by review length"))
            items.append(EvidenceItem("architectures", f, (), tabs))
        for num, dataset, experiment, network in (("1.4", "imdb", "imdb_simplernn", "SimpleRNN"),
                                                  ("2.3", "reuters", "reuters_lstm", "LSTM")):
            if number != num:
                continue
            if "baselines" in s and experiment in self.results:
                f = compare_baseline(self.results[experiment], s["baselines"], dataset, network,
                                     self.paired.get(experiment))
                tab = self._table("baselines", dataset, f"The {network} against two baselines on the same test set")
                items.append(EvidenceItem("baselines", f, (), (tab,)))
            if "examples" in s:
                title = ("The test reviews the SimpleRNN was most sure about" if dataset == "imdb" else
                         "The most confused pair of topics, one wire each")
                tab = self._table("examples", dataset, title)
                items.append(EvidenceItem(f"examples_{dataset}", examples(s["examples"], dataset), (), (tab,)))
        return tuple(items)

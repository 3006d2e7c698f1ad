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

from report.results.experiment_results import Results
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
    seeds: int = 1  # the curves are the seeds' geometric mean
    # "SimpleRNN, trained" -> (shortest, longest) decay length over the seeds (None: not within the window)
    seed_range: Mapping[str, tuple[int | None, int | None]] | None = None

    def range_of(self, cell: str, stage: str) -> tuple[int | None, int | None] | None:
        return (self.seed_range or {}).get(f"{cell}, {stage}")

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
        train_examples=int(study.config.get("train_examples", 0)), seeds=int(h.get("seeds", 1) or 1),
        seed_range=_decay_ranges(study),
    )


def _decay_ranges(study: StudyResults) -> dict[str, tuple[int | None, int | None]]:
    if "decay" not in [t.id for t in study.tables]:
        return {}
    table = study.table("decay")
    if "shortest over seeds" not in table.columns:
        return {}
    return {f"{r['model']}, {r['stage']}": (r["shortest over seeds"], r["longest over seeds"])
            for r in table.records()}


# --- long-range memory -----------------------------------------------------------------------------------

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
class PairTest:
    """McNemar's exact test of cell A against cell B (their median seeds) on the same test examples."""

    where: str | int  # the length (long range) or the dataset (architectures)
    a: str
    b: str
    a_only: int
    b_only: int
    difference: float
    p_value: float
    verdict: str  # "better" | "worse" | "no significant difference": A relative to B
    n: int = 0

    @property
    def discordant(self) -> int:
        return self.a_only + self.b_only


def _pairs(table: Table) -> tuple[PairTest, ...]:
    out = []
    for r in table.records():
        where = r.get("length", r.get("dataset"))
        out.append(PairTest(where, r["A"], r["B"], int(r["A only right"]), int(r["B only right"]),
                            float(r["difference"]), float(r["p"]), str(r["verdict"]), int(r.get("n") or 0)))
    return tuple(out)


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


def _pair(pairs: Sequence[PairTest], length: int, a: str, b: str) -> PairTest | None:
    """The test of ``a`` against ``b`` at ``length``, turned round when the table holds ``b`` against ``a``."""
    for p in pairs:
        if p.where == length and (p.a, p.b) == (a, b):
            return p
        if p.where == length and (p.a, p.b) == (b, a):
            flip = {"better": "worse", "worse": "better"}.get(p.verdict, p.verdict)
            return PairTest(length, a, b, p.b_only, p.a_only, -p.difference, p.p_value, flip, p.n)
    return None


def long_range(study: StudyResults) -> LongRangeFinding:
    h = study.headline
    rows = tuple(LengthRow(int(r["length"]), str(r["cell"]), float(r["mean"]), float(r["sd"]), float(r["min"]),
                           float(r["max"]), float(r["mean epochs"]), int(r["max epochs"]), int(r["runs at cap"]))
                 for r in study.table("accuracy").records())
    lengths = tuple(sorted({r.length for r in rows}))
    sanity = {str(r["cell"]): (float(r["mean accuracy"]), float(r["lowest seed"]), bool(r["solved"]))
              for r in study.table("sanity").records()}
    chance = {c: h.get(f"chance_length.{c}") for c in CELLS}
    pairs = _pairs(study.table("pairs"))
    steps = {c: _steps(chance[c]) for c in CELLS}
    gated = [c for c in CELLS if c != "SimpleRNN"]
    plateau = tuple(c for c in CELLS if chance[c] is not None and
                    (row := next((r for r in rows if r.cell == c and r.length == chance[c]), None)) is not None
                    and row.at_cap == int(h.get("seeds", 0)) and row.mean < float(h["chance_level"]))
    decisive: list[PairTest] = []
    if not all(ok for _, _, ok in sanity.values()):
        verdict = "under_budgeted"
    elif any(steps[g] > steps["SimpleRNN"] for g in gated):
        best = max(gated, key=lambda g: steps[g])  # the first of equals: LSTM before GRU
        test = _pair(pairs, chance["SimpleRNN"], best, "SimpleRNN")
        decisive = [test] if test else []
        verdict = "expected" if test is not None and test.verdict == "better" else "no_difference"
    elif all(steps[g] < steps["SimpleRNN"] for g in gated):
        decisive = [t for g in gated if (t := _pair(pairs, chance[g], g, "SimpleRNN")) is not None]
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


# --- architectures ---------------------------------------------------------------------------------------

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
    keys = ("imdb.maxlen", "reuters.maxlen", "units", "embedding_dim", "seeds", "max_epochs", "patience",
            "imdb.train", "imdb.validation", "imdb.test_size", "reuters.test_size", "cpu_seconds",
            "imdb.learning_rate", "reuters.learning_rate")
    pairs = _pairs(study.table("pairs")) if "pairs" in [t.id for t in study.tables] else ()
    at_cap = sum(int(v) for k, v in study.headline.items() if k.endswith(".at_cap") and v is not None)
    return ArchitectureFinding(table, lengths, best, spread, {k: study.headline.get(k) for k in keys}, worst,
                               pairs, at_cap)


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
            tab = self._table("long_range", "accuracy", "Test accuracy on the synthetic task by length, mean ± sd "
                                                        "over the seeds, and the epochs used (–: not trained, at "
                                                        "chance at a shorter length)")
            items.append(EvidenceItem("long_range", long_range(s["long_range"]), (fig,) if fig else (), (tab,)))
        if number == "2.2" and "architectures" in s:
            f = architectures(s["architectures"])
            tabs = (self._table("architectures", "comparison", "SimpleRNN, LSTM and GRU, each trained to convergence"),
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

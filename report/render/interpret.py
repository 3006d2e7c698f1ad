"""Rules that decide what the measured numbers mean.

Each rule reads a :class:`~report.results.experiment_results.Results` and returns a small frozen
dataclass: the numbers the sentence needs plus the verdict (which case holds).
The templates phrase the verdict and format the numbers; nothing here writes
prose, and no template decides a verdict. The thresholds are named constants
so a test can pin each rule from both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from report.render.reference import Reference
from report.results.experiment_results import Results
from report.stats.significance import McNemar, Verdict, exact_p_value, verdict, wilson_interval

# macro F1 below this share of weighted F1: the frequent classes carry the score
# and the rare ones are hardly learned (0.22 against 0.64 is a ratio of 0.34)
IMBALANCE_RATIO = 0.8
# a class with fewer test examples than this is "rare": its F1 rests on a handful of cases
RARE_SUPPORT = 10
# one error type counts as "more common" when it outnumbers the other by this factor
ASYMMETRY_FACTOR = 1.2
# micro-average AUC above macro-average by more than this: frequent classes are separated better
MICRO_MACRO_GAP = 0.01
# the level of every paired test the prose reports ("no significant difference at the 5% level")
ALPHA = 0.05
# the confidence of every interval the prose reports
CONFIDENCE = 0.95
# ROC AUC bands, the usual rule of thumb (Hosmer & Lemeshow)
AUC_BANDS: tuple[tuple[float, str], ...] = ((0.9, "excellent"), (0.8, "good"), (0.7, "fair"), (0.0, "poor"))


# --- training dynamics ------------------------------------------------------------------------------

FitVerdict = Literal["overfitting", "still_improving", "plateau"]


@dataclass(frozen=True)
class FitFinding:
    verdict: FitVerdict
    epochs_run: int
    max_epochs: int | None  # the configured upper bound, when the config says
    best_epoch: int  # whose weights were restored
    min_val_epoch: int  # where validation loss was lowest
    min_val_loss: float
    last_val_loss: float
    first_loss: float  # training loss, first and last epoch
    last_loss: float
    best_val_accuracy: float
    best_train_accuracy: float
    last_train_accuracy: float
    last_val_accuracy: float
    restored: bool  # the best epoch is not the last one: its weights were restored
    stopped_early: bool

    @property
    def onset(self) -> int:
        """Overfitting sets in after this epoch."""
        return self.min_val_epoch

    @property
    def accuracy_gap(self) -> float:
        """Training minus validation accuracy at the last epoch."""
        return self.last_train_accuracy - self.last_val_accuracy


def training_dynamics(results: Results) -> FitFinding:
    """Overfitting means: after the epoch of lowest validation loss, validation loss rose while training loss fell."""
    h = results.history
    i_min = min(range(len(h)), key=lambda i: (h[i].val_loss, i))
    lowest, last = h[i_min], h[-1]
    if i_min == len(h) - 1:
        verdict: FitVerdict = "still_improving"
    elif last.val_loss > lowest.val_loss and last.loss < lowest.loss:
        verdict = "overfitting"
    else:
        verdict = "plateau"
    best = results.best
    max_epochs = results.config.get("epochs")
    return FitFinding(
        verdict=verdict,
        epochs_run=len(h),
        max_epochs=int(max_epochs) if isinstance(max_epochs, int) else None,
        best_epoch=results.best_epoch,
        min_val_epoch=lowest.epoch,
        min_val_loss=lowest.val_loss,
        last_val_loss=last.val_loss,
        first_loss=h[0].loss,
        last_loss=last.loss,
        best_val_accuracy=best.val_accuracy,
        best_train_accuracy=best.accuracy,
        last_train_accuracy=last.accuracy,
        last_val_accuracy=last.val_accuracy,
        restored=results.best_epoch < len(h),
        stopped_early=results.stopped_early,
    )


# --- accuracy against the majority class ------------------------------------------------------------


@dataclass(frozen=True)
class AccuracyFinding:
    """The headline test accuracy with its Wilson interval (the test set's sampling error)."""

    accuracy: float
    correct: int
    n: int
    low: float
    high: float
    confidence: float = CONFIDENCE


def accuracy_interval(results: Results) -> AccuracyFinding:
    """From the confusion matrix: the run whose figures the report shows (with seeds, the median one)."""
    cm = results.test.confusion_matrix
    correct, n = sum(cm[i][i] for i in range(len(cm))), sum(map(sum, cm))
    low, high = wilson_interval(correct, n, CONFIDENCE) if n else (0.0, 1.0)
    return AccuracyFinding(results.test.accuracy, correct, n, low, high)


def majority_test(results: Results, cls: int) -> McNemar:
    """McNemar's exact test of the model (A) against always answering class ``cls`` (B), from the confusion
    matrix: A alone is right on the other classes' examples it gets right, B alone on ``cls``'s examples
    the model gets wrong."""
    cm = results.test.confusion_matrix
    trace = sum(cm[i][i] for i in range(len(cm)))
    a_only, b_only = trace - cm[cls][cls], sum(cm[cls]) - cm[cls][cls]
    return McNemar(a_only=a_only, b_only=b_only, n=sum(map(sum, cm)), p_value=exact_p_value(a_only, b_only))


@dataclass(frozen=True)
class BaselineFinding:
    majority_class: str
    majority_share: float  # accuracy of always predicting it
    accuracy: float
    n_majority: int = 1  # classes tied for most frequent (2 for a balanced binary test set)
    # McNemar's exact test of the model against always answering the majority class (with tied classes,
    # the least significant of them); None when not computed
    test: McNemar | None = None
    test_class: str = ""  # the constant answer the test is against
    alpha: float = ALPHA

    @property
    def test_verdict(self) -> Verdict:
        """The wording's rule: the paired test at ``alpha`` (without one: the printed difference)."""
        if self.test is not None:
            return verdict(self.test, self.alpha)
        return {"beats": "better", "below": "worse"}.get(self.verdict, "no significant difference")

    @property
    def lift(self) -> float:
        return self.accuracy - self.majority_share

    @property
    def verdict(self) -> Literal["beats", "matches", "below"]:
        """Compared at the precision the report prints (three decimals)."""
        lift = round(self.lift, 3)
        return "beats" if lift > 0 else "matches" if lift == 0 else "below"

    @property
    def beats_baseline(self) -> bool:
        return self.verdict == "beats"


def majority_baseline(results: Results) -> BaselineFinding:
    counts = results.data.test_counts
    names = results.data.class_names
    majority = max(names, key=lambda n: (counts.get(n, 0), -names.index(n)))
    top = counts.get(majority, 0)
    share = top / results.data.test_size if results.data.test_size else 0.0
    tied = [i for i, n in enumerate(names) if counts.get(n, 0) == top]
    tests = [(majority_test(results, i), names[i]) for i in tied] if results.test.confusion_matrix else []
    test, test_class = max(tests, key=lambda t: t[0].p_value) if tests else (None, "")
    return BaselineFinding(majority, share, results.test.accuracy, n_majority=len(tied), test=test,
                           test_class=test_class)


# --- macro against weighted F1 ----------------------------------------------------------------------


@dataclass(frozen=True)
class BalanceFinding:
    macro_f1: float
    weighted_f1: float
    n_classes: int
    n_zero_f1: int  # classes never predicted correctly
    n_rare: int  # classes with support < RARE_SUPPORT
    n_zero_f1_rare: int  # both
    zero_f1_classes: tuple[str, ...]  # most frequent first
    rare_support: int = RARE_SUPPORT
    threshold: float = IMBALANCE_RATIO

    @property
    def ratio(self) -> float:
        return self.macro_f1 / self.weighted_f1 if self.weighted_f1 > 0 else 0.0

    @property
    def rare_poorly_learned(self) -> bool:
        """Macro F1 well below weighted F1: the score comes from the frequent classes."""
        return self.ratio < self.threshold


def class_balance(results: Results) -> BalanceFinding:
    rows = results.test.classification_report.classes
    by_support = sorted(rows, key=lambda n: (-rows[n].support, n))
    zero = tuple(n for n in by_support if rows[n].f1_score == 0)
    rare = {n for n in rows if rows[n].support < RARE_SUPPORT}
    return BalanceFinding(
        macro_f1=results.test.macro_f1,
        weighted_f1=results.test.weighted_f1,
        n_classes=len(rows),
        n_zero_f1=len(zero),
        n_rare=len(rare),
        n_zero_f1_rare=len(rare.intersection(zero)),
        zero_f1_classes=zero,
    )


# --- binary: which error is more common -------------------------------------------------------------

ErrorVerdict = Literal["fn", "fp", "balanced"]


@dataclass(frozen=True)
class ErrorFinding:
    negative: str
    positive: str
    tn: int
    fp: int
    fn: int
    tp: int
    verdict: ErrorVerdict  # "fn": positives called negative outnumber the reverse
    pos_precision: float
    pos_recall: float
    neg_precision: float
    neg_recall: float
    factor: float = ASYMMETRY_FACTOR

    @property
    def errors(self) -> int:
        return self.fp + self.fn

    @property
    def ratio(self) -> float:
        """The more common error over the less common one (inf if the other never occurs)."""
        hi, lo = max(self.fp, self.fn), min(self.fp, self.fn)
        return hi / lo if lo else float("inf")


def error_balance(results: Results) -> ErrorFinding | None:
    """For a binary task: false negatives against false positives, and the precision/recall asymmetry that follows."""
    names = results.data.class_names
    if len(names) != 2:
        return None
    neg, pos = names
    (tn, fp), (fn, tp) = results.test.confusion_matrix
    if fn > ASYMMETRY_FACTOR * fp:
        verdict: ErrorVerdict = "fn"
    elif fp > ASYMMETRY_FACTOR * fn:
        verdict = "fp"
    else:
        verdict = "balanced"
    rows = results.test.classification_report.classes
    return ErrorFinding(
        negative=neg, positive=pos, tn=tn, fp=fp, fn=fn, tp=tp, verdict=verdict,
        pos_precision=rows[pos].precision, pos_recall=rows[pos].recall,
        neg_precision=rows[neg].precision, neg_recall=rows[neg].recall,
    )


# --- multi-class: the most common confusion ---------------------------------------------------------


@dataclass(frozen=True)
class ConfusionFinding:
    true_class: str  # the most common off-diagonal cell
    predicted_class: str
    count: int
    true_support: int
    never_predicted: tuple[str, ...]  # classes the model never outputs, most frequent first
    diagonal_share: float  # accuracy, from the matrix

    @property
    def share(self) -> float:
        """Of the true class's examples, the share sent to the predicted class."""
        return self.count / self.true_support if self.true_support else 0.0


def top_confusion(results: Results) -> ConfusionFinding | None:
    names = results.data.class_names
    cm = results.test.confusion_matrix
    cells = [(cm[i][j], -i, -j) for i in range(len(names)) for j in range(len(names)) if i != j]
    if not cells:
        return None
    count, ni, nj = max(cells)
    i, j = -ni, -nj
    counts = results.data.test_counts
    never = [names[j] for j in range(len(names)) if sum(row[j] for row in cm) == 0]
    never.sort(key=lambda n: (-counts.get(n, 0), names.index(n)))
    total = sum(map(sum, cm))
    return ConfusionFinding(
        true_class=names[i], predicted_class=names[j], count=count, true_support=sum(cm[i]),
        never_predicted=tuple(never),
        diagonal_share=sum(cm[k][k] for k in range(len(names))) / total if total else 0.0,
    )


# --- ROC ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RocFinding:
    auc: float  # binary AUC, or the macro one-vs-rest AUC
    band: str  # "excellent", "good", "fair", "poor"
    micro_auc: float | None
    macro_auc: float | None
    n_curves: int  # per-class curves stored
    macro_f1: float
    gap: float = MICRO_MACRO_GAP

    @property
    def frequent_separated_better(self) -> bool:
        """Micro-average AUC (dominated by frequent classes) clearly above the macro average."""
        return self.micro_auc is not None and self.macro_auc is not None and self.micro_auc - self.macro_auc > self.gap

    @property
    def ranks_better_than_it_decides(self) -> bool:
        """A good AUC with a poor macro F1: scores rank the right class high, but argmax picks frequent ones."""
        return self.auc >= 0.8 and self.macro_f1 < 0.5


def auc_band(auc: float) -> str:
    return next(name for bound, name in AUC_BANDS if auc >= bound)


def roc_summary(results: Results) -> RocFinding:
    roc = results.test.roc
    return RocFinding(
        auc=results.test.roc_auc,
        band=auc_band(results.test.roc_auc),
        micro_auc=roc.micro.auc if roc.micro else None,
        macro_auc=roc.macro.auc if roc.macro else None,
        n_curves=len(roc.per_class),
        macro_f1=results.test.macro_f1,
    )


# --- an earlier version of this report, made by hand --------------------------------------------------------------------------

Direction = Literal["higher", "lower", "same"]


def _cell(results: Results, i: int, j: int) -> float | None:
    cm = results.test.confusion_matrix
    return float(cm[i][j]) if len(cm) == 2 else None


def _f1(results: Results, name: str) -> float | None:
    row = results.test.classification_report.classes.get(name)
    return row.f1_score if row else None


def measure(results: Results, key: str) -> float | None:
    """The value this report measured for a reference key; None if it does not apply."""
    if key.startswith("f1:"):
        return _f1(results, key[3:])
    getters: dict[str, Callable[[Results], float | None]] = {
        "accuracy": lambda r: r.test.accuracy,
        "roc_auc": lambda r: r.test.roc_auc,
        "micro_auc": lambda r: r.test.roc.micro.auc if r.test.roc.micro else None,
        "macro_auc": lambda r: r.test.roc.macro.auc if r.test.roc.macro else None,
        "macro_f1": lambda r: r.test.macro_f1,
        "weighted_f1": lambda r: r.test.weighted_f1,
        "tn": lambda r: _cell(r, 0, 0),
        "fp": lambda r: _cell(r, 0, 1),
        "fn": lambda r: _cell(r, 1, 0),
        "tp": lambda r: _cell(r, 1, 1),
    }
    if key not in getters:
        raise KeyError(f"no measure for reference key {key!r}")
    return getters[key](results)


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    kind: Literal["score", "count"]
    measured: float
    reference: float
    delta: float  # measured - reference, rounded to the reference's precision
    direction: Direction
    better: bool | None  # None when the same at the reference's precision


@dataclass(frozen=True)
class ReferenceComparison:
    rows: tuple[Comparison, ...]
    counts_comparable: bool  # same test-set size as the earlier version
    reference_test_size: int
    test_size: int
    has_counts: bool = False  # the earlier version stated confusion counts
    # 95% Wilson intervals of the two accuracies ((low, high) each: this run, the earlier version), when the
    # earlier version's test-set size is known; unpaired (there are no per-example answers to pair)
    intervals: tuple[tuple[float, float], tuple[float, float]] | None = None

    @property
    def intervals_overlap(self) -> bool | None:
        if self.intervals is None:
            return None
        (a_low, a_high), (b_low, b_high) = self.intervals
        return a_low <= b_high and b_low <= a_high

    @property
    def n_better(self) -> int:
        return sum(1 for c in self.rows if c.better is True)

    @property
    def n_worse(self) -> int:
        return sum(1 for c in self.rows if c.better is False)

    @property
    def n_same(self) -> int:
        return sum(1 for c in self.rows if c.better is None)

    def row(self, key: str) -> Comparison | None:
        return next((c for c in self.rows if c.key == key), None)


def compare(measured: float, reference: float, *, kind: str, decimals: int, higher_is_better: bool) -> tuple[float, Direction, bool | None]:
    """The difference at the reference's precision, its direction, and whether that is an improvement.

    The direction is taken from the *rounded* difference, so the sign shown and
    the word next to it always agree ("+0.04 higher", "\u22120.02 lower").
    """
    delta = measured - reference
    delta = round(delta) if kind == "count" else round(delta, decimals)
    if delta == 0:
        return 0.0, "same", None
    direction: Direction = "higher" if delta > 0 else "lower"
    return delta, direction, (direction == "higher") == higher_is_better


def compare_with_reference(results: Results, ref: Reference | None) -> ReferenceComparison | None:
    """This run against the earlier version's figures (report.toml's [reference]); None without them."""
    if ref is None:
        return None
    comparable = results.data.test_size == ref.test_size
    rows = []
    for fig in ref.figures:
        if fig.kind == "count" and not comparable:
            continue
        value = measure(results, fig.key)
        if value is None:
            continue
        delta, direction, better = compare(
            value, fig.value, kind=fig.kind, decimals=ref.decimals, higher_is_better=fig.higher_is_better
        )
        rows.append(Comparison(fig.key, fig.label, fig.kind, value, fig.value, delta, direction, better))
    if not rows:
        return None  # nothing this run measures: no comparison
    has_counts = any(fig.kind == "count" for fig in ref.figures)
    return ReferenceComparison(tuple(rows), comparable, ref.test_size, results.data.test_size, has_counts,
                               reference_intervals(results, ref))


def reference_intervals(results: Results, ref: Reference) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The 95% Wilson intervals of this run's and the earlier version's test accuracies (None when the
    earlier version's number of right answers cannot be known)."""
    from report.render.reference import reference_correct

    correct = reference_correct(ref)
    if correct is None or not ref.test_size:
        return None
    ours = accuracy_interval(results)
    return (ours.low, ours.high), wilson_interval(correct, ref.test_size, CONFIDENCE)

"""The figures of the earlier hand-made report, as stated in ASSIGNMENT.md.

They are facts from the assignment, kept here once; the report compares its
own measurements with them (:func:`report.render.interpret.compare_with_reference`).
Scores were given to two decimals, counts exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["score", "count"]


@dataclass(frozen=True)
class ReferenceFigure:
    key: str  # what is measured; see interpret.MEASURES
    label: str  # how the report names it
    value: float
    kind: Kind = "score"  # "score": two decimals, higher is better; "count": a confusion-matrix cell
    higher_is_better: bool = True


@dataclass(frozen=True)
class Reference:
    experiment: str
    figures: tuple[ReferenceFigure, ...]
    test_size: int  # the counts are only comparable on a test set of this size
    decimals: int = 2  # the precision the scores were reported with


REFERENCES: dict[str, Reference] = {
    "imdb_simplernn": Reference(
        experiment="imdb_simplernn",
        test_size=25_000,
        figures=(
            ReferenceFigure("accuracy", "Accuracy", 0.83),
            ReferenceFigure("roc_auc", "ROC AUC", 0.90),
            ReferenceFigure("f1:neg", "F1 (neg)", 0.84),
            ReferenceFigure("f1:pos", "F1 (pos)", 0.81),
            ReferenceFigure("tn", "True negatives", 11_320, kind="count"),
            ReferenceFigure("tp", "True positives", 9_311, kind="count"),
            ReferenceFigure("fn", "False negatives", 3_189, kind="count", higher_is_better=False),
            ReferenceFigure("fp", "False positives", 1_180, kind="count", higher_is_better=False),
        ),
    ),
    "reuters_lstm": Reference(
        experiment="reuters_lstm",
        test_size=2_246,
        figures=(
            ReferenceFigure("accuracy", "Accuracy", 0.66),
            ReferenceFigure("micro_auc", "Micro-average ROC AUC", 0.96),
            ReferenceFigure("macro_f1", "Macro-average F1", 0.22),
            ReferenceFigure("weighted_f1", "Weighted-average F1", 0.64),
        ),
    ),
}

"""Paired comparisons on the same test examples, from the files the builds leave (no TensorFlow).

The experiments keep their median-accuracy run's test predictions with the
example ids (``build/results/<experiment>/predictions.npz``); a study that
scores models of its own on an experiment's dataset keeps each model's
predicted class with the same ids in its arrays (``<dataset>.ids``,
``<dataset>.y_true`` and ``<dataset>.<model>`` in ``build/results/<study>/arrays.npz``).
Matched by id, they give the 2x2 table of McNemar's exact test
(``report.stats.significance``). Rendering and ``make-report check`` both read
them through here, so the prose and the check agree on the counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from report.results import experiment_results as results
from report.results import study as studies
from report.stats.significance import McNemar, mcnemar, wilson_interval

# the arrays of a dataset that are not a model's predictions
_NOT_MODELS = ("ids", "y_true")


@dataclass(frozen=True)
class Scored:
    """Which test examples (by id) a model classified correctly."""

    ids: np.ndarray  # (n,) str
    correct: np.ndarray  # (n,) bool

    def __post_init__(self) -> None:
        if len(self.ids) != len(self.correct):
            raise ValueError("ids and correctness differ in length")


def scored(ids, y_true, y_pred) -> Scored:
    return Scored(np.asarray(ids).astype(str), np.asarray(y_true) == np.asarray(y_pred))


def paired_test(a: Scored, b: Scored) -> McNemar | None:
    """McNemar's exact test of A against B on the examples both scored (by id); None when they share none."""
    index_b = {i: k for k, i in enumerate(b.ids.tolist())}
    rows_a = [k for k, i in enumerate(a.ids.tolist()) if i in index_b]
    if not rows_a:
        return None
    rows_b = [index_b[i] for i in a.ids[rows_a].tolist()]
    return mcnemar(a.correct[rows_a], b.correct[rows_b])


def experiment_scored(results_root: Path, experiment: str) -> Scored | None:
    """The experiment's (median-seed) test predictions as correctness; None when they are not there."""
    try:
        p = results.load_predictions(results.results_dir(results_root, experiment))
    except results.ResultsError:
        return None
    return scored(p.ids, p.y_true, p.y_pred)


def study_scored(arrays: Mapping[str, np.ndarray], dataset: str) -> dict[str, Scored]:
    """model key -> correctness of each of a study's models on ``dataset``, from the study's arrays."""
    ids, y_true = arrays.get(f"{dataset}.ids"), arrays.get(f"{dataset}.y_true")
    if ids is None or y_true is None:
        return {}
    prefix = f"{dataset}."
    models = [k[len(prefix):] for k in arrays if k.startswith(prefix) and k[len(prefix):] not in _NOT_MODELS]
    return {m: scored(ids, y_true, arrays[prefix + m]) for m in models}


@dataclass(frozen=True)
class PairedEvidence:
    """The network of one experiment against each of a study's models, on the same test examples."""

    tests: Mapping[str, McNemar]  # model key -> McNemar's exact test, network (A) against it (B)
    intervals: Mapping[str, tuple[float, float]]  # model key -> 95% Wilson interval of its accuracy


def against_study(results_root: Path, experiment: str, study_name: str, dataset: str,
                  study: studies.StudyResults | None = None) -> PairedEvidence | None:
    """The experiment's network against each model the study scored on ``dataset``; None when either
    side's per-example predictions are missing (results from before they were kept, or no such study)."""
    folder = Path(results_root) / study_name
    if study is None:
        try:
            study = studies.load(folder)
        except results.ResultsError:
            return None
    network = experiment_scored(results_root, experiment)
    models = study_scored(studies.load_arrays(folder, study), dataset)
    if network is None or not models:
        return None
    tests = {m: t for m, s in models.items() if (t := paired_test(network, s)) is not None}
    if not tests:
        return None
    return PairedEvidence(tests, {m: accuracy_interval(s) for m, s in models.items()})


def accuracy_interval(s: Scored, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson interval of the accuracy behind ``s``."""
    return wilson_interval(int(np.count_nonzero(s.correct)), len(s.correct), confidence)

"""Paired comparisons on the same test examples, from the files the builds leave (no TensorFlow).

The experiments keep their median-accuracy run's test predictions with the
example ids (``build/results/<experiment>/predictions.npz``); the baselines
study keeps each baseline's predicted class with the same ids
(``build/results/baselines/arrays.npz``). Matched by id, they give the 2x2
table of McNemar's exact test (``report.results.significance``). Rendering
and ``make-report check`` both read them through here, so the prose and the
check agree on the counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from report.results import experiment_results as results
from report.results import study as studies
from report.results.significance import McNemar, mcnemar, wilson_interval

BASELINES = "baselines"
# the baselines study's models, by the key its arrays use
BASELINE_MODELS = ("tfidf_lr", "majority")
# the experiment each baselines table is compared with
DATASET_OF = {"imdb_simplernn": "imdb", "reuters_lstm": "reuters"}


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


def baseline_scored(arrays: Mapping[str, np.ndarray], dataset: str) -> dict[str, Scored]:
    """model key -> correctness of each baseline on ``dataset``, from the baselines study's arrays."""
    ids, y_true = arrays.get(f"{dataset}.ids"), arrays.get(f"{dataset}.y_true")
    if ids is None or y_true is None:
        return {}
    return {m: scored(ids, y_true, arrays[f"{dataset}.{m}"]) for m in BASELINE_MODELS if f"{dataset}.{m}" in arrays}


@dataclass(frozen=True)
class BaselineEvidence:
    """The network of one experiment against each baseline, on the same test examples."""

    tests: Mapping[str, McNemar]  # baseline model key -> McNemar's exact test, network (A) against it (B)
    intervals: Mapping[str, tuple[float, float]]  # baseline model key -> 95% Wilson interval of its accuracy


def baseline_evidence(results_root: Path, experiment: str,
                      study: studies.StudyResults | None = None) -> BaselineEvidence | None:
    """The paired tests and the baselines' intervals for ``experiment``; None when either side's
    per-example predictions are missing (results from before they were kept, or no baselines study)."""
    dataset = DATASET_OF.get(experiment)
    folder = Path(results_root) / BASELINES
    if dataset is None:
        return None
    if study is None:
        try:
            study = studies.load(folder)
        except results.ResultsError:
            return None
    network = experiment_scored(results_root, experiment)
    base = baseline_scored(studies.load_arrays(folder, study), dataset)
    if network is None or not base:
        return None
    tests = {m: t for m, s in base.items() if (t := paired_test(network, s)) is not None}
    if not tests:
        return None
    return BaselineEvidence(tests, {m: accuracy_interval(s) for m, s in base.items()})


def all_baseline_evidence(results_root: Path, experiments, study: studies.StudyResults | None
                          ) -> dict[str, BaselineEvidence]:
    """experiment -> :func:`baseline_evidence`, for the experiments that have it."""
    if study is None:
        return {}
    return {e: ev for e in experiments if (ev := baseline_evidence(results_root, e, study)) is not None}


def accuracy_interval(s: Scored, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson interval of the accuracy behind ``s``."""
    return wilson_interval(int(np.count_nonzero(s.correct)), len(s.correct), confidence)

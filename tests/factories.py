"""Small, valid results fixtures built without TensorFlow.

Rendering and figure tests use these instead of training: the numbers come
from ``report.train.metrics.compute`` on synthetic predictions, so they are
internally consistent (confusion matrix, report and accuracy agree).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from report.train import metrics
from report.results import experiment_results as results
from report.results.experiment_results import (
    DataSummary,
    EpochRecord,
    LayerSummary,
    ModelSummary,
    Predictions,
    Provenance,
    Results,
    Timings,
)

IMDB_CLASSES = ["neg", "pos"]
# 46 names like Reuters', most frequent first in the skew below
REUTERS_CLASSES = [
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail",
    "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
]


def synthetic_predictions(
    class_names: list[str], n_test: int, skill: float, seed: int = 0, skew: float = 0.0
) -> Predictions:
    """Probabilities that put extra mass on the true class with strength ``skill``.

    ``skew`` > 0 makes some classes much more frequent than others (Reuters-like).
    """
    rng = np.random.default_rng(seed)
    k = len(class_names)
    weights = np.exp(-skew * np.arange(k))
    weights /= weights.sum()
    y_true = rng.choice(k, size=n_test, p=weights)
    y_true[:k] = np.arange(k) if n_test >= k else y_true[:k]  # every class present once at least
    logits = rng.normal(size=(n_test, k))
    logits[np.arange(n_test), y_true] += skill
    logits += np.log(weights)[None, :] * 0.5
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    ids = np.array([f"{i}_{(i % 10) + 1}" for i in range(n_test)])
    return Predictions(y_true=y_true, y_prob=prob, ids=ids)


def make_results(
    experiment: str = "imdb_simplernn",
    *,
    class_names: list[str] | None = None,
    n_test: int = 400,
    skill: float = 2.0,
    epochs: int = 5,
    best_epoch: int = 3,
    seed: int = 0,
    skew: float = 0.0,
) -> tuple[Results, Predictions]:
    class_names = class_names or (REUTERS_CLASSES if "reuters" in experiment else IMDB_CLASSES)
    preds = synthetic_predictions(class_names, n_test, skill, seed, skew)
    test = metrics.compute(preds.y_true, preds.y_prob, class_names)
    counts = np.bincount(preds.y_true, minlength=len(class_names))
    rng = np.random.default_rng(seed + 1)
    history = []
    for e in range(1, epochs + 1):
        # training loss falls; validation loss dips at best_epoch then rises (overfitting)
        loss = 0.7 / e
        val_loss = 0.4 + 0.05 * (e - best_epoch) ** 2 + rng.uniform(0, 0.01)
        history.append(
            EpochRecord(
                epoch=e, loss=loss, accuracy=1 - loss / 2, val_loss=val_loss,
                val_accuracy=0.9 - 0.02 * abs(e - best_epoch), seconds=10.0 + e,
            )
        )
    is_binary = len(class_names) == 2
    layers = [
        LayerSummary(name="embedding", class_name="Embedding", output_shape="(None, 200, 32)", params=320000,
                     details="10,000 words x 32 dims, mask_zero"),
        LayerSummary(name="rnn", class_name="SimpleRNN" if is_binary else "LSTM", output_shape="(None, 32)",
                     params=2080 if is_binary else 8320, details="32 units"),
        LayerSummary(name="output", class_name="Dense", output_shape=f"(None, {1 if is_binary else len(class_names)})",
                     params=33 if is_binary else 33 * len(class_names),
                     details="sigmoid" if is_binary else "softmax"),
    ]
    total = sum(layer.params for layer in layers)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    res = Results(
        experiment=experiment,
        title="IMDB sentiment with a SimpleRNN" if is_binary else "Reuters topics with an LSTM",
        description="A synthetic fixture.",
        config={"epochs": epochs, "batch_size": 64, "seed": seed, "maxlen": 200, "vocab_size": 10000},
        data=DataSummary(
            dataset="IMDB Large Movie Review Dataset" if is_binary else "Reuters-21578",
            class_names=class_names,
            train_size=int(counts.sum()) * 3,
            val_size=int(counts.sum()),
            test_size=n_test,
            train_counts={name: int(c) * 4 for name, c in zip(class_names, counts)},
            test_counts={name: int(c) for name, c in zip(class_names, counts)},
            vocab_size=10000,
            maxlen=200,
            truncated_fraction=0.25,
            median_length=174.0,
        ),
        model=ModelSummary(layers=layers, total_params=total, trainable_params=total, optimizer="Adam",
                           learning_rate=1e-3, loss="binary_crossentropy" if is_binary else "sparse_categorical_crossentropy"),
        history=history,
        best_epoch=best_epoch,
        stopped_early=best_epoch < epochs,
        test=test,
        timings=Timings(load_seconds=1.5, train_seconds=60.0, evaluate_seconds=2.0),
        provenance=Provenance(
            git_commit="0123456789abcdef0123456789abcdef01234567", git_dirty=False,
            packages={"tensorflow": "2.21.0", "keras": "3.12.0", "numpy": "2.4.6", "scikit-learn": "1.7.2"},
            python="3.11.7", platform="Linux-x86_64", seed=seed,
            data_checksums={"aclImdb_v1.tar.gz": "3c7d06d2" + "0" * 56},
            cpu_count=2, gpu=None, started_at=now, finished_at=now,
        ),
    )
    return res, preds


def write_results(results_root: Path, experiment: str = "imdb_simplernn", **kwargs) -> Results:
    """Write a fixture results folder and return its Results."""
    res, preds = make_results(experiment, **kwargs)
    results.save(Path(results_root) / experiment, res, preds)
    return res


def write_both(results_root: Path) -> dict[str, Results]:
    """Both assignment experiments, Reuters with a realistic skew (rare topics poorly learned)."""
    return {
        "imdb_simplernn": write_results(results_root, "imdb_simplernn", n_test=400, skill=1.2),
        "reuters_lstm": write_results(results_root, "reuters_lstm", n_test=600, skill=2.0, skew=0.12,
                                      epochs=8, best_epoch=6),
    }

"""What every experiment shares: seeding, the validation split, fitting with
early stopping and progress lines, evaluation into the results contract.

This is the only module of ``report`` that imports TensorFlow (lazily, inside
functions), and only experiments call it.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import click
import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from report.train import metrics
from report.results import provenance
from report.train.checkpoint import Checkpoints, LoopState
from report.paths import BuildPaths
from report.data import TextDataset, stratified_subset
from report.results.experiment import (
    DataSummary,
    EpochRecord,
    LayerSummary,
    ModelSummary,
    Predictions,
    Results,
    Timings,
)


@dataclass(frozen=True)
class RunContext:
    """What the CLI hands an experiment besides its config."""

    paths: BuildPaths
    quiet: bool = False
    key: str = ""  # the experiment's cache key, stored in results and checkpoints
    checkpoint: bool = True  # save a checkpoint after every epoch and resume from one

    def echo(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic,
    so that one seed gives identical metrics run after run on the same machine."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's C++ start-up chatter out of the log
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def validation_split(ds: TextDataset, fraction: float, seed: int) -> Split:
    """Hold out a stratified share of the TRAINING set; the test set stays untouched."""
    x_tr, x_val, y_tr, y_val = train_test_split(
        ds.x_train, ds.y_train, test_size=fraction, random_state=seed, stratify=_stratify_labels(ds.y_train)
    )
    return Split(x_tr, y_tr, x_val, y_val)


def _stratify_labels(y: np.ndarray) -> np.ndarray | None:
    """Stratify when every class has two examples at least (tiny quick subsets may not)."""
    counts = np.bincount(y)
    return y if counts[counts > 0].min() >= 2 else None


def class_weights(y: np.ndarray, n_classes: int, power: float) -> dict[int, float] | None:
    """Inverse-frequency weights raised to ``power`` (0 = none, 0.5 = square root, 1 = balanced),
    normalised so the average weight per example is 1 and the loss scale is unchanged."""
    if power == 0:
        return None
    counts = np.bincount(y, minlength=n_classes).astype(float)
    w = np.where(counts > 0, (counts.sum() / np.maximum(counts, 1)) ** power, 0.0)
    w /= (w * counts).sum() / counts.sum()
    return {k: float(w[k]) for k in range(n_classes)}


@dataclass(frozen=True)
class FitSettings:
    epochs: int
    batch_size: int
    patience: int
    monitor: str  # "val_loss", "val_accuracy" or "val_macro_f1"
    seed: int
    class_weight_power: float = 0.0


@dataclass(frozen=True)
class FitOutcome:
    history: list[EpochRecord]
    best_epoch: int
    stopped_early: bool
    seconds: float


def _reseed(model, seed: int, epoch: int) -> None:
    """Put every random stream in a state fixed by (seed, epoch) before an epoch starts.

    Shuffling and dropout then depend only on the weights and the epoch number,
    so a run resumed from a checkpoint continues exactly as an uninterrupted one.
    """
    import keras

    epoch_seed = seed * 10_007 + epoch
    keras.utils.set_random_seed(epoch_seed)
    for layer in model._flatten_layers(include_self=False):
        generator = getattr(layer, "seed_generator", None)
        if generator is not None:
            generator.state.assign(np.array([epoch_seed, 0], dtype=generator.state.dtype))


def fit(model, split: Split, settings: FitSettings, ctx: RunContext, name: str, n_classes: int,
        checkpoints: Checkpoints | None = None) -> tuple[Any, FitOutcome]:
    """Fit one epoch at a time with early stopping on the validation split.

    After each epoch the model, the best weights so far and the loop's state are
    checkpointed atomically; an interrupted run resumes from the last completed
    epoch. The best epoch's weights are restored at the end.
    """
    better = (lambda a, b: a < b) if settings.monitor.endswith("loss") else (lambda a, b: a > b)
    weights = class_weights(split.y_train, n_classes, settings.class_weight_power)
    model, state = checkpoints.resume(model) if checkpoints else (model, None)
    if state is None:
        state = LoopState()
    elif state.history:
        ctx.echo(f"{name}: resuming after epoch {len(state.history)} from {checkpoints.folder}")
    best_weights = checkpoints.best_weights(model, state) if checkpoints and state.history else None
    while len(state.history) < settings.epochs and state.wait < settings.patience:
        epoch = len(state.history) + 1
        _reseed(model, settings.seed, epoch)
        t0 = time.perf_counter()
        h = model.fit(
            split.x_train, split.y_train,
            epochs=1, batch_size=settings.batch_size, class_weight=weights, shuffle=True, verbose=0,
        ).history
        record = EpochRecord(
            epoch=epoch, loss=float(h["loss"][0]), accuracy=float(h["accuracy"][0]),
            **validation_scores(model, split, n_classes), seconds=time.perf_counter() - t0,
        )
        value = getattr(record, settings.monitor)
        if state.best_epoch == 0 or better(value, state.best_value):
            state = state.improved(record, value)
            best_weights = model.get_weights()
        else:
            state = state.waited(record)
        ctx.echo(
            f"{name} epoch {epoch}/{settings.epochs}: loss {record.loss:.4f} acc {record.accuracy:.4f} "
            f"val_loss {record.val_loss:.4f} val_acc {record.val_accuracy:.4f} "
            f"val_macro_f1 {record.val_macro_f1:.4f} ({record.seconds:.1f} s)"
        )
        if checkpoints:
            checkpoints.save(model, state, best_weights)
    seconds = sum(r.seconds for r in state.history)  # time inside model.fit, resumed epochs included
    model.set_weights(best_weights)
    stopped_early = state.wait >= settings.patience and len(state.history) < settings.epochs
    ctx.echo(f"{name}: best epoch {state.best_epoch} of {len(state.history)} by {settings.monitor}, restored")
    return model, FitOutcome(list(state.history), state.best_epoch, stopped_early, seconds)


def validation_scores(model, split: Split, n_classes: int) -> dict[str, float]:
    """Loss, accuracy and macro F1 on the validation split, from one pass of predictions.

    Computed here rather than by Keras so that the macro F1 (what the rare Reuters topics
    move) is measured on validation data too, without a second pass over the split.
    """
    prob = predict_proba(model, split.x_val, batch_size=512)
    pred = prob.argmax(axis=1)
    return {
        "val_loss": metrics.log_loss(split.y_val, prob),
        "val_accuracy": float(np.mean(pred == split.y_val)),
        "val_macro_f1": float(f1_score(split.y_val, pred, labels=np.unique(split.y_val), average="macro",
                                       zero_division=0)),
    }


def predict_proba(model, x: np.ndarray, batch_size: int) -> np.ndarray:
    """(n, C) class probabilities; a single sigmoid output becomes two columns."""
    p = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        return np.stack([1.0 - p, p], axis=1)
    return p


def describe_model(model, loss: str) -> ModelSummary:
    layers = []
    for layer in model.layers:
        cfg = layer.get_config()
        details = []
        if "input_dim" in cfg:
            details.append(f"{cfg['input_dim']:,} words x {cfg['output_dim']} dims")
            if cfg.get("mask_zero"):
                details.append("masks padding")
        if "units" in cfg:
            details.append(f"{cfg['units']} units")
        if cfg.get("activation") and cfg["activation"] not in ("linear",) and "units" in cfg:
            details.append(f"{cfg['activation']}")
        if "rate" in cfg:
            details.append(f"rate {cfg['rate']}")
        for key in ("dropout", "recurrent_dropout"):
            if cfg.get(key):
                details.append(f"{key.replace('_', ' ')} {cfg[key]}")
        layers.append(
            LayerSummary(
                name=layer.name,
                class_name=type(layer).__name__,
                output_shape=str(layer.output.shape) if hasattr(layer, "output") else "",
                params=int(layer.count_params()),
                details=", ".join(details),
            )
        )
    opt = model.optimizer
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return ModelSummary(
        layers=layers,
        total_params=int(model.count_params()),
        trainable_params=trainable,
        optimizer=type(opt).__name__,
        learning_rate=float(np.asarray(opt.learning_rate)),
        loss=loss,
    )


def summarise_data(ds: TextDataset, split: Split, maxlen: int, vocab_size: int) -> DataSummary:
    names = list(ds.class_names)
    train_counts = np.bincount(ds.y_train, minlength=len(names))
    test_counts = np.bincount(ds.y_test, minlength=len(names))
    return DataSummary(
        dataset=ds.title,
        class_names=names,
        train_size=len(split.y_train),
        val_size=len(split.y_val),
        test_size=len(ds.y_test),
        train_counts={n: int(c) for n, c in zip(names, train_counts)},
        test_counts={n: int(c) for n, c in zip(names, test_counts)},
        vocab_size=vocab_size,
        maxlen=maxlen,
        truncated_fraction=float(np.mean(ds.lengths_test > maxlen)),
        median_length=float(np.median(ds.lengths_test)),
    )


@dataclass(frozen=True)
class ExperimentSpec:
    """How one experiment plugs into :func:`run_text_classification`."""

    name: str
    title: str
    description: str
    load: Callable[[BuildPaths, Any, bool], TextDataset]  # (paths, config, quiet) -> dataset
    build_model: Callable[[Any, int], Any]  # (config, n_classes) -> compiled keras model
    loss: str


def run_text_classification(spec: ExperimentSpec, config: Any, ctx: RunContext) -> tuple[Results, Predictions]:
    """Load, split, fit, evaluate once on the test set; return the results contract.

    ``config`` is the experiment's frozen dataclass; it must have the fields
    seed, epochs, batch_size, patience, monitor, val_fraction, maxlen,
    vocab_size, class_weight_power, subset_train and subset_test.
    """
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    ds = spec.load(ctx.paths, config, ctx.quiet)
    if config.subset_train or config.subset_test:
        ds = stratified_subset(ds, config.subset_train or len(ds.y_train), config.subset_test or len(ds.y_test), config.seed)
    load_seconds = time.perf_counter() - t0
    ctx.echo(f"{spec.name}: {len(ds.y_train):,} training and {len(ds.y_test):,} test examples ({load_seconds:.1f} s)")

    set_seed(config.seed)
    split = validation_split(ds, config.val_fraction, config.seed)
    n_classes = len(ds.class_names)
    model = spec.build_model(config, n_classes)
    settings = FitSettings(
        config.epochs, config.batch_size, config.patience, config.monitor, config.seed, config.class_weight_power
    )
    checkpoints = Checkpoints(ctx.paths.checkpoints / spec.name / f"seed-{config.seed}", ctx.key) if ctx.checkpoint else None
    model, outcome = fit(model, split, settings, ctx, spec.name, n_classes, checkpoints)

    t1 = time.perf_counter()
    y_prob = predict_proba(model, ds.x_test, batch_size=512)
    test = metrics.compute(ds.y_test, y_prob, ds.class_names)
    evaluate_seconds = time.perf_counter() - t1
    ctx.echo(f"{spec.name}: test accuracy {test.accuracy:.4f}, ROC AUC {test.roc_auc:.4f}, macro F1 {test.macro_f1:.4f}")

    results = Results(
        experiment=spec.name,
        title=spec.title,
        description=spec.description,
        key=ctx.key,
        config=dataclasses.asdict(config),
        data=summarise_data(ds, split, config.maxlen, config.vocab_size),
        model=describe_model(model, spec.loss),
        history=outcome.history,
        best_epoch=outcome.best_epoch,
        stopped_early=outcome.stopped_early,
        test=test,
        timings=Timings(load_seconds=load_seconds, train_seconds=outcome.seconds, evaluate_seconds=evaluate_seconds),
        provenance=provenance.record(ctx.paths.project, config.seed, ds.checksums, started),
    )
    predictions = Predictions(y_true=np.asarray(ds.y_test), y_prob=y_prob, ids=np.asarray(ds.ids_test).astype(str))
    return results, predictions

"""The training loop every experiment shares: seeding, the validation split, class
weights, fitting one epoch at a time with early stopping, checkpoints and
progress lines, and predicted probabilities.

TensorFlow is imported lazily, inside functions: only training calls them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from report.data import TextDataset
from report.results import stages
from report.results.experiment_results import EpochRecord
from report.train import metrics, tensorflow
from report.train.batching import (
    Batch,
    bucket_lengths,
    epoch_batches,
    inference_batches,
    token_lengths,
)
from report.train.checkpoint import Checkpoints
from report.train.run_context import RunContext
from report.train.early_stopping import Progress, Stopping, train_epochs
from report.train.progress import progress_callbacks


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic,
    so that one seed gives identical metrics run after run on the same machine."""
    tensorflow.load()  # quietly, unless the pipeline loaded it verbosely already
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def validation_split(ds: TextDataset, fraction: float, seed: int) -> Split:
    """Hold out a stratified share of the TRAINING set; the test set stays untouched."""
    x_tr, x_val, y_tr, y_val = hold_out(ds.x_train, ds.y_train, fraction, seed)
    return Split(x_tr, y_tr, x_val, y_val)


def hold_out(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> list[np.ndarray]:
    """``[x_kept, x_held, y_kept, y_held]``: a ``fraction`` of the rows held out, stratified by label when every
    class has two examples at least (tiny quick subsets may not)."""
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    return train_test_split(x, y, test_size=fraction, random_state=seed, stratify=stratify)


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
    # "cosine": the optimizer's rate falls from ``learning_rate`` towards 0 over ``epochs`` epochs, set at each
    # epoch's start (a function of the epoch, so a resumed run continues exactly); "constant": left as built
    schedule: str = "constant"
    learning_rate: float | None = None


def epoch_learning_rate(settings: FitSettings, epoch: int) -> float | None:
    """The rate epoch ``epoch`` (from 1) trains at under ``settings.schedule``; None: the optimizer's own."""
    if settings.schedule == "constant":
        return None
    if settings.schedule != "cosine" or settings.learning_rate is None:
        raise ValueError(f"schedule {settings.schedule!r} needs a learning rate and must be 'constant' or 'cosine'")
    return settings.learning_rate * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / settings.epochs))


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


def compile_model(model, *, jit_compile: bool, **compile_kwargs) -> None:
    """``model.compile(jit_compile=..., **compile_kwargs)`` that keeps XLA on under op determinism.

    Keras 3 silently turns ``jit_compile=True`` off when TensorFlow's op determinism is
    enabled. XLA on the CPU trains bit-identically run after run with the same seed (the
    determinism tests check it), so determinism is switched off for the ``compile`` call
    only and restored. Raises when Keras still turned XLA off.
    """
    from tensorflow.python.framework import config as tf_config

    deterministic = tf_config.is_op_determinism_enabled()
    if jit_compile and deterministic:
        tf_config.disable_op_determinism()
    try:
        model.compile(jit_compile=jit_compile, **compile_kwargs)
    finally:
        if jit_compile and deterministic:
            tf_config.enable_op_determinism()
    if bool(model.jit_compile) != bool(jit_compile):
        raise RuntimeError(f"Keras turned jit_compile={jit_compile} into {model.jit_compile}")


def sample_weights(y: np.ndarray, class_weight: dict[int, float] | None) -> np.ndarray:
    """Keras' ``class_weight`` as one float32 weight per example (all 1 without class weights)."""
    if class_weight is None:
        return np.ones(len(y), dtype=np.float32)
    table = np.zeros(max(class_weight) + 1, dtype=np.float32)
    for k, v in class_weight.items():
        table[k] = v
    return table[np.asarray(y)]


def bucketed_dataset(x: np.ndarray, y: np.ndarray, weights: np.ndarray, batches: list[Batch]):
    """A one-pass ``tf.data.Dataset`` of ``(x[rows][:, -L:], y[rows], weights[rows])`` in ``batches`` order.

    The time dimension is left unknown, so the training step is traced once per batch shape;
    under XLA one executable is compiled per (batch size, bucket length): at most twice the
    number of buckets. The next batch is cut while the current one trains (prefetch)."""
    import tensorflow as tf

    def generate():
        for b in batches:
            yield x[b.rows][:, -b.length:], y[b.rows], weights[b.rows]

    signature = (
        tf.TensorSpec((None, None), tf.as_dtype(x.dtype)),
        tf.TensorSpec((None,), tf.as_dtype(y.dtype)),
        tf.TensorSpec((None,), tf.float32),
    )
    ds = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return ds.apply(tf.data.experimental.assert_cardinality(len(batches))).prefetch(2)


def fit(model, split: Split, settings: FitSettings, ctx: RunContext, name: str, n_classes: int,
        checkpoints: Checkpoints | None = None) -> tuple[Any, FitOutcome]:
    """Fit one epoch at a time with early stopping on the validation split.

    Each epoch's batches group examples of similar length and are cut to a few fixed
    bucket lengths (``report.train.batching``): the recurrent layer does not step through
    padding it does not need. The batch order is a function of (seed, epoch).

    After each epoch the model (optimizer state included), the best weights so far and
    the loop's state are checkpointed atomically; an interrupted run resumes from the
    last completed epoch. The best epoch's weights are restored at the end.
    """
    stopping = Stopping(settings.epochs, settings.patience, higher_is_better=not settings.monitor.endswith("loss"))
    weights = sample_weights(split.y_train, class_weights(split.y_train, n_classes, settings.class_weight_power))
    lengths = token_lengths(split.x_train)
    buckets = batch_lengths(model, split.x_train.shape[1])
    progress = checkpoints.resume(model) if checkpoints else None
    if progress is not None and progress.history:
        ctx.echo(f"{name}: resuming after epoch {len(progress.history)} from {checkpoints.folder}")
    best_weights = checkpoints.best_weights(progress) if checkpoints and progress and progress.history else None

    def one_epoch(epoch: int) -> tuple[EpochRecord, float]:
        _reseed(model, settings.seed, epoch)
        if (rate := epoch_learning_rate(settings, epoch)) is not None:
            model.optimizer.learning_rate.assign(rate)
        t0 = time.perf_counter()
        batches = epoch_batches(lengths, settings.batch_size, settings.seed, epoch, buckets)
        h = model.fit(
            bucketed_dataset(split.x_train, split.y_train, weights, batches),
            epochs=1, shuffle=False, verbose=0, callbacks=progress_callbacks(ctx, f"{name} epoch {epoch}/{settings.epochs}",
                                                              len(batches)),
        ).history
        ctx.clear_line()
        record = EpochRecord(
            epoch=epoch, loss=float(h["loss"][0]), accuracy=float(h["accuracy"][0]),
            **validation_scores(model, split, n_classes), seconds=time.perf_counter() - t0,
            weights=stages.digest(*model.get_weights()),
        )
        ctx.echo(
            f"{name} epoch {epoch}/{settings.epochs}: loss {record.loss:.4f} acc {record.accuracy:.4f} "
            f"val_loss {record.val_loss:.4f} val_acc {record.val_accuracy:.4f} "
            f"val_macro_f1 {record.val_macro_f1:.4f} ({record.seconds:.1f} s)"
        )
        return record, getattr(record, settings.monitor)

    def checkpoint(progress: Progress, best: list) -> None:
        if checkpoints:
            checkpoints.save(model, progress, best)

    progress, _ = train_epochs(model, stopping, one_epoch, progress=progress, best_weights=best_weights,
                               after_epoch=checkpoint)
    seconds = sum(r.seconds for r in progress.history)  # time inside model.fit, resumed epochs included
    stopped_early = progress.wait >= settings.patience and len(progress.history) < settings.epochs
    ctx.echo(f"{name}: best epoch {progress.best_epoch} of {len(progress.history)} by {settings.monitor}, restored")
    return model, FitOutcome(list(progress.history), progress.best_epoch, stopped_early, seconds)


def validation_scores(model, split: Split, n_classes: int) -> dict[str, float]:
    """Loss, accuracy and macro F1 on the validation split, from one pass of predictions.

    Computed here rather than by Keras so that the macro F1 (what the rare Reuters topics
    move) is measured on validation data too, without a second pass over the split.
    """
    prob = predict_proba(model, split.x_val)
    pred = prob.argmax(axis=1)
    return {
        "val_loss": metrics.log_loss(split.y_val, prob),
        "val_accuracy": float(np.mean(pred == split.y_val)),
        "val_macro_f1": float(f1_score(split.y_val, pred, labels=np.unique(split.y_val), average="macro",
                                       zero_division=0)),
    }


def batch_lengths(model, maxlen: int) -> tuple[int, ...] | None:
    """The lengths batches are cut to: a few buckets when the model's steps are XLA-compiled (one
    executable per shape), else None, each batch its own longest example (nothing to compile)."""
    return bucket_lengths(maxlen) if model.jit_compile else None


def predict_proba(model, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """(n, C) class probabilities; a single sigmoid output becomes two columns.

    Predicted in length-sorted batches cut to their bucket and, under XLA, padded with empty rows to
    ``batch_size`` (so XLA compiles one predict step per bucket), rows put back in order."""
    out = None
    for b in inference_batches(token_lengths(x), batch_size, batch_lengths(model, x.shape[1])):
        n = len(b.rows)
        xb = x[b.rows][:, -b.length:]
        if n < batch_size and model.jit_compile:
            xb = np.concatenate([xb, np.zeros((batch_size - n, b.length), dtype=xb.dtype)])
        p = np.asarray(model.predict_on_batch(xb), dtype=np.float64)[:n]
        if out is None:
            out = np.empty((len(x),) + p.shape[1:], dtype=np.float64)
        out[b.rows] = p
    if out is None:
        raise ValueError("no rows to predict")
    if out.ndim == 1 or out.shape[1] == 1:
        out = out.reshape(-1)
        return np.stack([1.0 - out, out], axis=1)
    return out

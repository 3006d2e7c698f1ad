"""What the TensorFlow studies share: one small recurrent classifier, built the same way for
SimpleRNN, LSTM and GRU so that only the recurrent cell differs, a compiled model that is
reused between seeds and learning rates, and the gradient of the loss with respect to each input
word. Imports TensorFlow lazily."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from report.results.study import CELLS  # noqa: F401 (the studies import it from here)
from report.train.loop import compile_model, set_seed
from report.train.reuse import CompiledModels


def build_classifier(cell: str, *, vocab_size: int, embedding_dim: int, units: int, n_classes: int,
                     maxlen: int, learning_rate: float, clipnorm: float = 1.0, mask_zero: bool = False,
                     jit_compile: bool | None = None, compile: bool = True, cell_options: dict | None = None):
    """Embedding -> <cell>(units) -> Dense: one output unit (sigmoid) for two classes, softmax otherwise.

    ``cell_options``: more keyword arguments of the recurrent layer (an initialisation of its own), none by default.

    ``jit_compile``: None leaves Keras' default; True compiles the steps with XLA (through
    ``report.train.loop.compile_model``, which keeps XLA on under op determinism)."""
    import keras
    from keras import layers

    binary = n_classes == 2
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            # word ids -> vectors; the studies pick windows without padding unless mask_zero says otherwise
            layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero),
            # the only part that differs between the compared models
            getattr(layers, cell)(units, **(cell_options or {})),
            layers.Dense(1 if binary else n_classes, activation="sigmoid" if binary else "softmax"),
        ],
        name=cell.lower(),
    )
    if not compile:
        return model
    kwargs = dict(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm),
        loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    if jit_compile is None:
        model.compile(**kwargs)
    else:
        compile_model(model, jit_compile=jit_compile, **kwargs)
    return model


@dataclass
class ModelPool:
    """Models of one study's shapes, each compiled once and reused between seeds and learning rates
    (through :class:`report.train.reuse.CompiledModels`): each run gets the weights a fresh build with its
    seed would have, zeroed optimizer state and its learning rate."""

    kwargs: dict
    models: CompiledModels = field(default_factory=CompiledModels)

    def fresh(self, key, seed: int, learning_rate: float, **shape):
        """A model for ``shape`` (build_classifier's keyword arguments) as if built afresh with ``seed``."""
        set_seed(seed)
        args = {**self.kwargs, **shape}
        initial = build_classifier(**args, learning_rate=learning_rate, compile=False)
        model = self.models.take(key, initial, lambda: build_classifier(**args, learning_rate=learning_rate))
        model.optimizer.learning_rate.assign(learning_rate)
        return model


_GRADIENT_FUNCTIONS: dict[int, object] = {}


def input_gradient_norms(model, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean over examples of ||d loss / d embedded word_t||, per step t (shape (window,))."""
    import tensorflow as tf

    embed, rnn, dense = model.layers

    def norms(x, y):
        e = embed(x)
        with tf.GradientTape() as tape:
            tape.watch(e)
            p = tf.reshape(dense(rnn(e)), [-1])
            # summed (not averaged) per-example losses: each example's gradient is its own, unscaled
            loss = tf.reduce_sum(tf.keras.losses.binary_crossentropy(tf.reshape(tf.cast(y, p.dtype), [-1, 1]),
                                                                     tf.reshape(p, [-1, 1])))
        g = tape.gradient(loss, e)  # (n, window, dim)
        return tf.reduce_mean(tf.norm(g, axis=2), axis=0)

    # traced once per model (the pool reuses one per cell across seeds); the weights are read when it runs
    fn = _GRADIENT_FUNCTIONS.setdefault(id(model), tf.function(norms))
    return fn(tf.constant(x), tf.constant(y)).numpy()


def geometric_mean(curves: list[np.ndarray]) -> np.ndarray:
    """The seeds' curves averaged on the log scale the figure draws them on."""
    return np.exp(np.mean(np.log(np.clip(np.asarray(curves, dtype=float), 1e-30, None)), axis=0))


def cpu_seconds() -> float:
    """CPU time of this process (all threads): what a study costs on a shared machine."""
    return time.process_time()

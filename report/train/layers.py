"""Layers Keras lacks: a max over the time steps that honours the padding mask, and recurrent layers
that take that max inside their loop.

``keras.layers.GlobalMaxPooling1D`` ignores the mask, and a masked recurrent layer
returns zeros at padded steps, so an unmasked max over a front-padded sequence
would read max(0, the real maximum). :class:`MaskedMaxOverTime` takes the maximum
over the real steps only (0 for a text with none). Registered for Keras'
serialisation, so saved models load without extra arguments. Imports Keras: only
model-building code imports this module.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="make_report")
class MaskedMaxOverTime(keras.layers.Layer):
    """(batch, steps, units) with a (batch, steps) mask -> (batch, units): the maximum of each unit
    over the unmasked steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        lowest = ops.full_like(inputs, -3.0e38)
        pooled = ops.max(ops.where(keep, inputs, lowest), axis=1)
        return ops.where(ops.any(keep, axis=1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per text: nothing left to mask

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


# --- Recurrent layers that take the max over time inside their loop ---------------------------------
#
# A "max" readout written the Keras way, ``return_sequences=True`` followed by MaskedMaxOverTime, has the
# loop write every state out, masks the (batch, steps, units) result and reduces it, forward and
# backward. The subclasses below carry each unit's running maximum through the loop as one more state
# instead and return it (0 for a text with no real step, as MaskedMaxOverTime does). Each step is Keras'
# own cell call, so the weights and the arithmetic are Keras' and the outputs and gradients equal the
# two-layer form (tests compare them). The Reuters LSTM (128 units, batch 32, 100 steps), side by side in
# one process: 108 against 129 CPU ms per training step on two threads, 72 against 101 on one.
#
# Tried and dropped: also taking each step's input product (x @ kernel) out of the loop, as one large
# product before it. It saved a few more percent, but that product's gradient sums over every step of
# every text, and XLA splits so long a sum between threads: one and two TensorFlow threads trained to
# different weights, where Keras' per-step products give the same weights on any thread count (which
# report.train.numerics relies on: a Dask worker and the local process must agree).


LOWEST = -3.0e38  # below any state: the running maximum's start, and the mark of a text with no real step


def _max_over_time_loop(layer, sequences, initial_state, mask, training):
    """Keras' backend loop over the layer's own cell, with the running maximum of the output as a last
    state; returns what ``RNN.inner_loop`` returns, with the maximum as the output."""
    from keras.src.backend import rnn  # the loop every Keras recurrent layer runs (not re-exported)

    cell = layer.cell
    states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]

    def step(x_t, carried):
        output, new_states = cell(x_t, carried[:-1], training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        running = ops.maximum(carried[-1], output)
        return running, [*new_states, running]

    _, _, final = rnn(step, sequences, [*states, ops.full_like(states[0], LOWEST)],
                      go_backwards=layer.go_backwards, mask=mask[0] if isinstance(mask, (list, tuple)) else mask,
                      unroll=layer.unroll, input_length=sequences.shape[1], return_all_outputs=False)
    running = final[-1]
    pooled = ops.where(running < LOWEST / 2, ops.zeros_like(running), running)  # no real step: 0
    return pooled, pooled, final[:-1]


def keras_class(layer) -> type:
    """The Keras class a layer computes: Keras' own for ours (MaxOverTimeLSTM -> LSTM)."""
    return next(c for c in type(layer).__mro__ if c.__module__.startswith("keras."))


class _MaxOverTime:
    """What the three layers below share: the running maximum as their output, their cell's dropout
    refused (a mask per step would need Keras' own loop), and the Keras layer's own default name
    (``lstm``, ``lstm_1``, ...), which model summaries show."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("name") is None:
            from keras.src.utils.naming import auto_name

            kwargs["name"] = auto_name(keras_class(self).__name__)
        if keras_class(self) is not keras.layers.SimpleRNN:  # the only one without a cuDNN path
            kwargs.setdefault("use_cudnn", False)  # our loop on every device (cuDNN's returns no maximum)
        super().__init__(*args, **kwargs)
        if self.return_sequences:
            raise ValueError(f"{type(self).__name__} returns one vector per text: leave return_sequences False")

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if self.cell.dropout or self.cell.recurrent_dropout:
            raise ValueError(f"{type(self).__name__} needs a cell without dropout (drop the inputs before it)")
        return _max_over_time_loop(self, sequences, initial_state, mask, training)


@keras.saving.register_keras_serializable(package="make_report")
class MaxOverTimeSimpleRNN(_MaxOverTime, keras.layers.SimpleRNN):
    """``keras.layers.SimpleRNN`` that returns each unit's maximum over the real steps."""


@keras.saving.register_keras_serializable(package="make_report")
class MaxOverTimeLSTM(_MaxOverTime, keras.layers.LSTM):
    """``keras.layers.LSTM`` that returns each unit's maximum over the real steps."""


@keras.saving.register_keras_serializable(package="make_report")
class MaxOverTimeGRU(_MaxOverTime, keras.layers.GRU):
    """``keras.layers.GRU`` that returns each unit's maximum over the real steps."""


def takes_max_over_time(layer) -> bool:
    """Whether ``layer`` returns each unit's maximum over the steps (one of the layers above)."""
    return isinstance(layer, _MaxOverTime)


MAX_OVER_TIME = {"SimpleRNN": MaxOverTimeSimpleRNN, "LSTM": MaxOverTimeLSTM, "GRU": MaxOverTimeGRU}


def recurrent(cell: str, units: int, *, readout: str = "last", max_in_loop: bool = True, **kwargs) -> list:
    """The layers that turn a (batch, steps, features) sequence into one vector per text with a ``cell``
    ("SimpleRNN", "LSTM" or "GRU") of ``units``: Keras' layer and its last state (``readout="last"``), or
    each unit's maximum over the real steps (``"max"``): taken inside the loop (``max_in_loop``), or by
    a MaskedMaxOverTime after Keras' layer returning every state (what a user would write)."""
    if readout not in ("last", "max"):
        raise ValueError(f"readout must be 'last' or 'max', got {readout!r}")
    if readout == "max" and max_in_loop:
        return [MAX_OVER_TIME[cell](units, **kwargs)]
    layer = getattr(keras.layers, cell)(units, return_sequences=readout == "max", **kwargs)
    return [layer, MaskedMaxOverTime()] if readout == "max" else [layer]

"""Layers Keras lacks: a max over the time steps that honours the padding mask.

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


# --- Recurrent layers with the input projection taken out of the time loop ------------------------
#
# Keras' SimpleRNN, LSTM and GRU cells multiply each step's input by the kernel inside the loop: T small
# (batch, features) x (features, gates) products, one per step, each too small to use the cores well,
# and all of them sitting on the loop's sequential path. The subclasses below compute x @ kernel + bias
# for every step in one large product before the loop, which then only multiplies the state by the
# recurrent kernel. The weights, their names and shapes, and the arithmetic are Keras' own (only the
# order of the float additions differs), so export, the NumPy forward pass and saved weights are
# unchanged. bench/bench_hoist.py measures it against Keras' layers.
#
# They need no input or recurrent dropout (the report's models drop whole word vectors before the
# layer instead): with either, they fall back to Keras' own loop.
#
# ``max_over_time=True`` gives what ``return_sequences=True`` followed by MaskedMaxOverTime gives (each
# unit's maximum over the real steps, 0 for a text with none) with the maximum carried as one more state
# through the loop, so the (batch, steps, units) sequence of states is never written out, masked and
# reduced: the Reuters LSTM's epoch takes ~20% fewer CPU seconds (bench/bench_train.py).


LOWEST = -3.0e38  # below any state: the running maximum's start, and the mark of a text with no real step


def _rnn_loop(layer, step, projected, initial_state, mask):
    """Keras' backend loop over the projected inputs, with the layer's own options; with ``max_over_time``
    the running maximum of the output rides along as a last state and is what the layer returns."""
    from keras.src.backend import rnn  # the loop every Keras recurrent layer runs (not re-exported)

    states = list(initial_state)
    if layer.max_over_time:
        inner = step

        def step(x_t, carried):
            h, new_states = inner(x_t, carried[:-1])
            running = ops.maximum(carried[-1], h)
            return running, [*new_states, running]

        states.append(ops.full_like(states[0], LOWEST))
    last, outputs, final = rnn(step, projected, states, go_backwards=layer.go_backwards, mask=mask,
                               unroll=layer.unroll, input_length=projected.shape[1],
                               zero_output_for_mask=layer.zero_output_for_mask,
                               return_all_outputs=layer.return_sequences)
    if not layer.max_over_time:
        return last, outputs, final
    running = final[-1]
    pooled = ops.where(running < LOWEST / 2, ops.zeros_like(running), running)  # no real step: 0
    return pooled, pooled, final[:-1]


def keras_class(layer) -> type:
    """The Keras class a layer computes: Keras' own for the hoisted twins (HoistedLSTM -> LSTM)."""
    return next(c for c in type(layer).__mro__ if c.__module__.startswith("keras."))


class _MaxOverTime:
    """The ``max_over_time`` option shared by the three hoisted layers (see the comment above), and the
    Keras layer's own default name (``lstm``, ``lstm_1``, ...), which model summaries show."""

    def __init__(self, *args, max_over_time: bool = False, **kwargs):
        if kwargs.get("name") is None:
            from keras.src.utils.naming import auto_name

            kwargs["name"] = auto_name(keras_class(self).__name__)
        super().__init__(*args, **kwargs)
        if max_over_time and self.return_sequences:
            raise ValueError("max_over_time=True returns one vector per text: leave return_sequences False")
        self.max_over_time = bool(max_over_time)

    def get_config(self):
        return {**super().get_config(), "max_over_time": self.max_over_time}


def _needs_keras_loop(layer) -> bool:
    if layer.cell.dropout or layer.cell.recurrent_dropout:
        if layer.max_over_time:
            raise ValueError("max_over_time needs a cell without dropout (drop the inputs before the layer)")
        return True
    return False


def _first(mask):
    return mask[0] if isinstance(mask, (list, tuple)) else mask


@keras.saving.register_keras_serializable(package="make_report")
class HoistedSimpleRNN(_MaxOverTime, keras.layers.SimpleRNN):
    """``keras.layers.SimpleRNN`` with ``x @ kernel + bias`` computed for all steps before the loop."""

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if _needs_keras_loop(self):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell
        projected = ops.matmul(sequences, cell.kernel)
        if cell.bias is not None:
            projected = projected + cell.bias

        def step(x_t, states):
            h = x_t + ops.matmul(states[0], cell.recurrent_kernel)
            if cell.activation is not None:
                h = cell.activation(h)
            return h, [h]

        state = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        return _rnn_loop(self, step, projected, state, _first(mask))


@keras.saving.register_keras_serializable(package="make_report")
class HoistedLSTM(_MaxOverTime, keras.layers.LSTM):
    """``keras.layers.LSTM`` with ``x @ kernel + bias`` (all four gates) computed for all steps before the loop."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_cudnn", False)  # our loop, on every device
        super().__init__(*args, **kwargs)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        if _needs_keras_loop(self):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        cell = self.cell
        projected = ops.matmul(sequences, cell.kernel)
        if cell.use_bias:
            projected = projected + cell.bias

        def step(x_t, states):
            h_tm1, c_tm1 = states
            z = ops.split(x_t + ops.matmul(h_tm1, cell.recurrent_kernel), 4, axis=1)
            c, o = cell._compute_carry_and_output_fused(z, c_tm1)  # Keras' gate arithmetic, unchanged
            h = o * cell.activation(c)
            return h, [h, c]

        return _rnn_loop(self, step, projected, initial_state, _first(mask))


@keras.saving.register_keras_serializable(package="make_report")
class HoistedGRU(_MaxOverTime, keras.layers.GRU):
    """``keras.layers.GRU`` (reset gate after the product, Keras' default) with ``x @ kernel + input bias``
    computed for all steps before the loop."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("use_cudnn", False)
        super().__init__(*args, **kwargs)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        cell = self.cell
        if not cell.reset_after:
            if self.max_over_time:
                raise ValueError("max_over_time needs reset_after=True, Keras' default")
            return super().inner_loop(sequences, initial_state, mask, training=training)
        if _needs_keras_loop(self):
            return super().inner_loop(sequences, initial_state, mask, training=training)
        units = cell.units
        projected = ops.matmul(sequences, cell.kernel)
        recurrent_bias = None
        if cell.use_bias:
            projected = projected + cell.bias[0]
            recurrent_bias = cell.bias[1]

        def step(x_t, states):
            h_tm1 = states[0]
            inner = ops.matmul(h_tm1, cell.recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            z = cell.recurrent_activation(x_t[:, :units] + inner[:, :units])
            r = cell.recurrent_activation(x_t[:, units:2 * units] + inner[:, units:2 * units])
            hh = cell.activation(x_t[:, 2 * units:] + r * inner[:, 2 * units:])
            h = z * h_tm1 + (1 - z) * hh
            return h, [h]

        state = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
        return _rnn_loop(self, step, projected, state, _first(mask))


HOISTED = {"SimpleRNN": HoistedSimpleRNN, "LSTM": HoistedLSTM, "GRU": HoistedGRU}


def recurrent(cell: str, units: int, *, hoisted: bool = True, readout: str = "last", **kwargs) -> list:
    """The layers that turn a (batch, steps, features) sequence into one vector per text with a ``cell``
    ("SimpleRNN", "LSTM" or "GRU") of ``units``: its last state (``readout="last"``) or each unit's maximum
    over the real steps (``"max"``). Hoisted, the maximum is taken inside the loop; with Keras' own layer
    (``hoisted=False``, what a user would write) by a MaskedMaxOverTime after it."""
    if readout not in ("last", "max"):
        raise ValueError(f"readout must be 'last' or 'max', got {readout!r}")
    if hoisted:
        return [HOISTED[cell](units, max_over_time=readout == "max", **kwargs)]
    layer = getattr(keras.layers, cell)(units, return_sequences=readout == "max", **kwargs)
    return [layer, MaskedMaxOverTime()] if readout == "max" else [layer]

"""LSTM gate biases that start for long memory, as Keras bias initializers.

Keras' LSTM keeps one bias vector of 4 x units, the input, forget, cell and output gates in that order
(``keras.layers.LSTMCell``). Its default (``unit_forget_bias=True``) sets the forget part to 1 and the rest
to 0. With ``unit_forget_bias=False`` the layer takes the whole vector from ``bias_initializer``; the
initializers below fill the forget (and input) parts and leave the cell and output parts at 0 as Keras does.
Keras has no such initializer, hence these two. Imports Keras: only model-building code imports this module.
"""

from __future__ import annotations

import keras
import numpy as np

GATES = 4  # input, forget, cell, output


def _parts(shape) -> tuple[np.ndarray, int]:
    if len(shape) != 1 or shape[0] % GATES:
        raise ValueError(f"an LSTM bias has 4 x units entries, one vector; got shape {tuple(shape)}")
    return np.zeros(shape[0], dtype=np.float64), shape[0] // GATES


@keras.saving.register_keras_serializable(package="make_report")
class ForgetBias(keras.initializers.Initializer):
    """The forget gate's bias at ``value`` and every other bias at 0 (Gers et al. 2000; Jozefowicz et al.
    2015): each step keeps sigmoid(value) of the cell state at first."""

    def __init__(self, value: float):
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        bias, units = _parts(shape)
        bias[units:2 * units] = self.value
        return keras.ops.convert_to_tensor(bias, dtype=dtype or "float32")

    def get_config(self):
        return {"value": self.value}


@keras.saving.register_keras_serializable(package="make_report")
class ChronoBias(keras.initializers.Initializer):
    """Tallec & Ollivier (2018), "Can recurrent neural networks warp time?": forget bias log(u) with u drawn
    uniformly from [1, t_max - 1] per unit, input bias -log(u), cell and output biases 0, so that the units'
    time constants at initialisation spread over the dependencies' range up to ``t_max`` steps.

    Drawn with NumPy from ``seed`` (not from Keras' random stream), so the biases are the same on every
    machine and thread count and follow the run's seed only."""

    def __init__(self, t_max: float, seed: int):
        if t_max < 2:
            raise ValueError(f"chrono initialisation needs t_max >= 2 (the longest dependency in steps); got {t_max}")
        self.t_max, self.seed = float(t_max), int(seed)

    def __call__(self, shape, dtype=None):
        bias, units = _parts(shape)
        log_u = np.log(np.random.default_rng(self.seed).uniform(1.0, self.t_max - 1.0, size=units))
        bias[:units] = -log_u
        bias[units:2 * units] = log_u
        return keras.ops.convert_to_tensor(bias, dtype=dtype or "float32")

    def get_config(self):
        return {"t_max": self.t_max, "seed": self.seed}


def lstm_options(init: str, *, length: int, seed: int, forget_bias: float | None = None) -> dict:
    """The keras.layers.LSTM keyword arguments of one gate initialisation: "chrono" (t_max: the sequence length)
    or "forget" (a constant forget bias ``forget_bias``)."""
    if init == "chrono":
        initializer = ChronoBias(length, seed)
    elif init == "forget":
        if forget_bias is None:
            raise ValueError("the constant forget-bias initialisation needs its value (forget_bias)")
        initializer = ForgetBias(forget_bias)
    else:
        raise ValueError(f"unknown LSTM gate initialisation {init!r}: use 'chrono' or 'forget'")
    return {"unit_forget_bias": False, "bias_initializer": initializer}

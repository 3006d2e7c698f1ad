"""The LSTM gate-bias initializers of the long-range study, built without training (they import Keras)."""

from __future__ import annotations

import numpy as np
import pytest

UNITS = 64


def _gates(bias) -> dict[str, np.ndarray]:
    """Keras' LSTM bias split into its gates, in Keras' order (input, forget, cell, output)."""
    b = np.asarray(bias, dtype=float)
    return dict(zip(("input", "forget", "cell", "output"), np.split(b, 4)))


@pytest.mark.slow
def test_chrono_forget_bias_is_log_u_within_range_and_the_input_bias_its_negative():
    from studies._gate_bias import ChronoBias

    t_max = 100
    gates = _gates(ChronoBias(t_max, seed=3)((4 * UNITS,)))
    assert np.all(gates["forget"] >= np.log(1.0)) and np.all(gates["forget"] <= np.log(t_max - 1))
    # spread over the range, not one value: time constants from a few steps to about t_max
    assert gates["forget"].min() < np.log(10) and gates["forget"].max() > np.log(50)
    np.testing.assert_array_equal(gates["input"], -gates["forget"])
    assert not gates["cell"].any() and not gates["output"].any()
    # the run's seed decides the draw, nothing else
    np.testing.assert_array_equal(ChronoBias(t_max, seed=3)((4 * UNITS,)), ChronoBias(t_max, seed=3)((4 * UNITS,)))
    assert not np.array_equal(ChronoBias(t_max, seed=3)((4 * UNITS,)), ChronoBias(t_max, seed=4)((4 * UNITS,)))


@pytest.mark.slow
def test_constant_forget_bias_sets_only_the_forget_gate():
    from studies._gate_bias import ForgetBias

    gates = _gates(ForgetBias(5.0)((4 * UNITS,)))
    np.testing.assert_array_equal(gates["forget"], np.full(UNITS, 5.0))
    assert not gates["input"].any() and not gates["cell"].any() and not gates["output"].any()


@pytest.mark.slow
def test_forget_bias_one_is_keras_own_unit_forget_bias():
    """The gate order the initializers assume is Keras': a forget bias of 1 gives the LSTM Keras builds by default."""
    import keras

    from studies._gate_bias import lstm_options

    default = keras.layers.LSTM(8)
    ours = keras.layers.LSTM(8, **lstm_options("forget", length=30, seed=0, forget_bias=1.0))
    for layer in (default, ours):
        layer.build((None, 30, 4))
    np.testing.assert_array_equal(ours.cell.bias.numpy(), default.cell.bias.numpy())


@pytest.mark.slow
def test_an_initialised_lstm_differs_from_the_plain_one_in_its_biases_only():
    from report.train.loop import set_seed
    from studies._gate_bias import lstm_options
    from studies._rnn import build_classifier

    shape = dict(vocab_size=10, embedding_dim=4, units=8, n_classes=2, maxlen=30, learning_rate=0.01, compile=False)
    set_seed(42)
    plain = build_classifier("LSTM", **shape).get_weights()
    set_seed(42)
    chrono = build_classifier("LSTM", **shape, cell_options=lstm_options("chrono", length=30, seed=42)).get_weights()
    # embedding, kernel, recurrent kernel, bias, dense kernel, dense bias
    assert len(plain) == len(chrono) == 6
    for k in (0, 1, 2, 4, 5):
        np.testing.assert_array_equal(plain[k], chrono[k])
    gates = _gates(chrono[3])
    assert gates["forget"].max() > 1.0 and np.all(gates["input"] <= 0)


@pytest.mark.slow
def test_bad_gate_initialisations_are_named():
    from studies._gate_bias import ChronoBias, lstm_options

    with pytest.raises(ValueError, match="unknown LSTM gate initialisation 'warm'"):
        lstm_options("warm", length=30, seed=0)
    with pytest.raises(ValueError, match="needs its value"):
        lstm_options("forget", length=30, seed=0)
    with pytest.raises(ValueError, match="4 x units"):
        ChronoBias(30, seed=0)((10,))

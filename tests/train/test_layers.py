"""The recurrent layers with the input projection out of the loop (report.train.layers): the same
outputs and gradients as Keras' own layers given the same weights, padding masked, and the same class
for everything that reads a model (export, saving)."""

from __future__ import annotations

import numpy as np
import pytest

from report.train import tensorflow

CELLS = ("SimpleRNN", "LSTM", "GRU")


@pytest.fixture(scope="module")
def keras():
    tensorflow.load()
    import keras

    return keras


def _ids() -> np.ndarray:
    """Front-padded ids of several lengths, one row all padding."""
    x = np.random.default_rng(0).integers(1, 40, size=(6, 12)).astype("int32")
    x[0, :5] = 0
    x[1, :11] = 0
    x[5, :] = 0
    return x


def _twins(keras, cell: str, hoisted_cls, **kwargs):
    """Keras' layer and the hoisted one behind the same embedding, with equal weights."""
    models = []
    for layer in (getattr(keras.layers, cell)(5, **kwargs), hoisted_cls(5, **kwargs)):
        models.append(keras.Sequential([keras.Input((None,), dtype="int32"),
                                        keras.layers.Embedding(40, 4, mask_zero=True), layer]))
    keras_model, ours = models
    ours.set_weights(keras_model.get_weights())
    return keras_model, ours


def _gradients(model, x):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(x, training=True)))
    return [np.asarray(tf.convert_to_tensor(g)) for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("sequences", [False, True])
def test_hoisted_layer_matches_keras_outputs_and_gradients(keras, cell, sequences):
    from report.train.layers import HOISTED

    keras.utils.set_random_seed(3)
    reference, ours = _twins(keras, cell, HOISTED[cell], return_sequences=sequences)
    x = _ids()
    expected, got = np.asarray(reference(x)), np.asarray(ours(x))
    assert got.shape == expected.shape == ((6, 12, 5) if sequences else (6, 5))
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert np.abs(expected).max() > 0.01  # the comparison is not between two zero tensors
    for g_ours, g_keras in zip(_gradients(ours, x), _gradients(reference, x), strict=True):
        np.testing.assert_allclose(g_ours, g_keras, atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_hoisted_layer_is_keras_class_and_round_trips(keras, cell):
    from report.train.layers import HOISTED, recurrent

    (layer,) = recurrent(cell, 3)
    assert type(layer) is HOISTED[cell] and isinstance(layer, getattr(keras.layers, cell))
    assert [type(x) for x in recurrent(cell, 3, hoisted=False)] == [getattr(keras.layers, cell)]
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(10, 2), layer])
    restored = keras.models.model_from_json(model.to_json())
    assert type(restored.layers[-1]) is HOISTED[cell]
    # named and summarised as the Keras layer it computes
    assert layer.name.startswith({"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[cell])


def test_model_summary_names_the_keras_layer_and_the_max_readout(keras):
    from report.train.experiment import describe_model
    from report.train.layers import recurrent

    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4, mask_zero=True),
                              *recurrent("LSTM", 6, readout="max"), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    lstm = describe_model(model).layers[1]
    assert lstm.class_name == "LSTM" and lstm.name.startswith("lstm")
    assert lstm.details == "6 units, tanh, each unit's maximum over the steps"


@pytest.mark.parametrize("cell", CELLS)
def test_dropout_inside_the_cell_is_not_dropped(keras, cell):
    """With recurrent dropout the hoisted loop steps aside for Keras' own, which applies it: training
    outputs differ from inference outputs, and inference still matches Keras."""
    from report.train.layers import HOISTED

    keras.utils.set_random_seed(5)
    reference, ours = _twins(keras, cell, HOISTED[cell], recurrent_dropout=0.5)
    x = _ids()
    inference = np.asarray(ours(x, training=False))
    np.testing.assert_allclose(inference, np.asarray(reference(x, training=False)), atol=1e-6)
    assert np.abs(np.asarray(ours(x, training=True)) - inference).max() > 1e-3


@pytest.mark.parametrize("cell", CELLS)
def test_max_over_time_matches_sequences_then_masked_max(keras, cell):
    """The maximum carried through the loop equals Keras' layer returning its sequences followed by
    MaskedMaxOverTime, outputs and gradients, 0 for the all-padding row."""
    from report.train.layers import recurrent

    keras.utils.set_random_seed(7)
    head = [keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4, mask_zero=True)]
    reference = keras.Sequential([*head, *recurrent(cell, 5, hoisted=False, readout="max")])
    ours = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4, mask_zero=True),
                             *recurrent(cell, 5, readout="max")])
    assert len(reference.layers) == 3 and len(ours.layers) == 2  # the pooling is inside our layer
    ours.set_weights(reference.get_weights())
    x = _ids()
    expected, got = np.asarray(reference(x)), np.asarray(ours(x))
    assert got.shape == (6, 5)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_array_equal(got[5], 0.0)  # no real step
    assert (got[:5] > -1.0).all() and np.abs(got[:5]).max() > 0.01
    for g_ours, g_keras in zip(_gradients(ours, x), _gradients(reference, x), strict=True):
        np.testing.assert_allclose(g_ours, g_keras, atol=1e-5)


def test_max_over_time_refuses_what_it_cannot_do(keras):
    from report.train.layers import HoistedGRU, HoistedLSTM, recurrent

    with pytest.raises(ValueError, match="return_sequences"):
        HoistedLSTM(3, max_over_time=True, return_sequences=True)
    with pytest.raises(ValueError, match="readout"):
        recurrent("LSTM", 3, readout="mean")
    model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4),
                              HoistedGRU(3, max_over_time=True, reset_after=False)])
    with pytest.raises(ValueError, match="reset_after"):
        model(_ids())
    restored = keras.models.model_from_json(
        keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4),
                          HoistedLSTM(3, max_over_time=True)]).to_json())
    assert restored.layers[-1].max_over_time is True

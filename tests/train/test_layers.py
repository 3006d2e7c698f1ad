"""The recurrent layers that take the "max" readout inside their loop (report.train.layers): the same
outputs and gradients as Keras' layer returning every state followed by MaskedMaxOverTime, the same
weights on one or two TensorFlow threads, and the Keras class and name for whatever reads a model."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from report.train import tensorflow

CELLS = ("SimpleRNN", "LSTM", "GRU")

pytestmark = pytest.mark.slow  # every test here loads TensorFlow


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


def _gradients(model, x):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(x, training=True)))
    return [np.asarray(tf.convert_to_tensor(g)) for g in tape.gradient(loss, model.trainable_variables)]


def _model(keras, *layers):
    return keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(40, 4, mask_zero=True),
                             *layers])


@pytest.mark.parametrize("cell", CELLS)
def test_max_in_the_loop_matches_every_state_then_masked_max(keras, cell):
    from report.train.layers import recurrent

    keras.utils.set_random_seed(7)
    reference = _model(keras, *recurrent(cell, 5, readout="max", max_in_loop=False))
    ours = _model(keras, *recurrent(cell, 5, readout="max"))
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


@pytest.mark.parametrize("cell", CELLS)
def test_layers_are_keras_classes_named_as_keras_and_round_trip(keras, cell):
    from report.train.layers import MAX_OVER_TIME, recurrent

    assert [type(x) for x in recurrent(cell, 3)] == [getattr(keras.layers, cell)]  # "last": Keras' own
    (layer,) = recurrent(cell, 3, readout="max")
    assert type(layer) is MAX_OVER_TIME[cell] and isinstance(layer, getattr(keras.layers, cell))
    assert layer.name.startswith({"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[cell])
    restored = keras.models.model_from_json(_model(keras, layer).to_json())
    assert type(restored.layers[-1]) is MAX_OVER_TIME[cell]


def test_what_the_max_layers_cannot_do_is_refused(keras):
    from report.train.layers import MaxOverTimeLSTM, recurrent

    with pytest.raises(ValueError, match="return_sequences"):
        MaxOverTimeLSTM(3, return_sequences=True)
    with pytest.raises(ValueError, match="readout"):
        recurrent("LSTM", 3, readout="mean")
    with pytest.raises(ValueError, match="dropout"):
        _model(keras, MaxOverTimeLSTM(3, recurrent_dropout=0.5))(_ids())


def test_model_summary_names_the_keras_layer_and_the_max_readout(keras):
    from report.train.experiment_runner import describe_model
    from report.train.layers import recurrent

    model = _model(keras, *recurrent("LSTM", 6, readout="max"), keras.layers.Dense(3, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    lstm = describe_model(model).layers[1]
    assert lstm.class_name == "LSTM" and lstm.name.startswith("lstm")
    assert lstm.details == "6 units, tanh, each unit's maximum over the steps"


_TRAIN_ONE_EPOCH = """
import hashlib, sys
import numpy as np
from report.train import numerics
if sys.argv[1] == "pinned":
    numerics.configure_tensorflow()  # as every job does
else:  # TensorFlow told to use sys.argv[1] threads, as it would be without make-report's pin
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(int(sys.argv[1]))
    tf.config.threading.set_inter_op_parallelism_threads(int(sys.argv[1]))
import keras
from report.train.layers import recurrent
from report.train.loop import compile_model
keras.utils.set_random_seed(1)
rng = np.random.default_rng(0)
x = rng.integers(1, 2000, size=(256, 100)).astype("int32"); x[:100, :50] = 0
y = rng.integers(0, 46, size=256).astype("int32")
model = keras.Sequential([keras.Input((None,), dtype="int32"), keras.layers.Embedding(2000, 128, mask_zero=True),
                          *recurrent("LSTM", 128, readout="max"), keras.layers.Dense(46, activation="softmax")])
compile_model(model, jit_compile=True, optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
print(hashlib.sha256(b"".join(np.asarray(w).tobytes() for w in model.get_weights())).hexdigest())
"""


def _weights_digest(how: str, threads_asked: str = "1") -> str:
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": threads_asked, "TF_NUM_INTEROP_THREADS": threads_asked}
    out = subprocess.run([sys.executable, "-c", _TRAIN_ONE_EPOCH, how], capture_output=True, text=True, check=True,
                         env=env).stdout.split()
    assert len(out[-1]) == 64
    return out[-1]


def test_every_job_trains_with_one_thread_whatever_the_environment_asks():
    """Under the AVX2 pins one and two TensorFlow threads train different weights (XLA splits a long
    reduction between threads), so make-report gives every job one: a process whose environment asks for
    two threads trains the same weights as one asking for one, and differs from TensorFlow really running two."""
    one, asked_two = _weights_digest("pinned", "1"), _weights_digest("pinned", "2")
    assert one == asked_two
    assert _weights_digest("1") == one  # one thread set by hand is what the pin gives
    assert _weights_digest("2") != one  # the count matters: without the pin, two threads train other weights


_STARTED_WITH_TWO = """
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(2)
print(float(tf.constant(1.0) + 1))  # TensorFlow has started: its thread counts are fixed now
from report.train import numerics
numerics.configure_tensorflow()
"""


def test_a_tensorflow_started_with_other_threads_is_refused_with_the_fix():
    run = subprocess.run([sys.executable, "-c", _STARTED_WITH_TWO], capture_output=True, text=True)
    assert run.returncode != 0
    assert "started in this process with 2 threads" in run.stderr and "before TensorFlow starts" in run.stderr

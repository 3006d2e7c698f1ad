"""The NumPy forward pass (report.live.forward) against Keras, on tiny random models of both cells and
both readouts; the quantisation's error bound; the model.npz round trip."""

from __future__ import annotations

import numpy as np
import pytest

from report.live import forward, quantise
from report.results import model_export
from report.train import keras_export

VOCAB, MAXLEN, EMB = 50, 12, 8


def _keras_model(cell: str, readout: str, n_classes: int, units: int = 6, seed: int = 0):
    """Embedding(mask_zero) -> cell -> [masked max] -> Dense, random weights (as the experiments build them)."""
    pytest.importorskip("tensorflow")
    from report.train import tensorflow

    tensorflow.load()
    import keras
    from keras import layers, ops

    class MaskedMax(layers.Layer):
        """Max over the real words' hidden states (what readout='max' means)."""

        def __init__(self, **kw):
            super().__init__(**kw)
            self.supports_masking = True

        def call(self, x, mask=None):
            m = ops.expand_dims(ops.cast(mask, x.dtype), -1)
            return ops.max(ops.where(m > 0, x, -1e9), axis=1)

        def compute_mask(self, x, mask=None):
            return None

    keras.utils.set_random_seed(seed)
    rnn = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM}[cell](units, return_sequences=readout == "max")
    stack = [keras.Input(shape=(MAXLEN,), dtype="int32"), layers.Embedding(VOCAB, EMB, mask_zero=True),
             layers.SpatialDropout1D(0.3), rnn]
    if readout == "max":
        stack.append(MaskedMax())
    stack.append(layers.Dense(1, activation="sigmoid") if n_classes == 2 else layers.Dense(n_classes,
                                                                                          activation="softmax"))
    model = keras.Sequential(stack)
    # larger weights than the initialiser's, so the states saturate and the test has teeth
    model.set_weights([w * 2.5 for w in model.get_weights()])
    return model


def _batch(seed: int = 1, n: int = 64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros((n, MAXLEN), dtype=np.int32)
    for row in range(n):
        length = rng.integers(1, MAXLEN + 1)
        x[row, MAXLEN - length :] = rng.integers(1, VOCAB, size=length)
    return x


def _keras_prob(model, x):
    p = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
    return np.concatenate([1 - p, p], axis=1) if p.shape[1] == 1 else p


@pytest.mark.slow  # builds Keras models
@pytest.mark.parametrize("cell", ["simple_rnn", "lstm"])
@pytest.mark.parametrize("readout", ["last", "max"])
@pytest.mark.parametrize("n_classes", [2, 5])
def test_numpy_forward_matches_keras(cell, readout, n_classes):
    from report.train.keras_export import weights_from_keras

    model = _keras_model(cell, readout, n_classes)
    weights, facts = weights_from_keras(model)
    assert weights.cell == cell and weights.readout == readout and facts["mask_zero"]
    x = _batch()
    want = _keras_prob(model, x)
    got = forward.probabilities(weights, x)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= model_export.PARITY_TOLERANCE
    # folding the input kernel into the table computes the same thing
    assert np.abs(forward.probabilities(forward.fold(weights), x) - want).max() <= model_export.PARITY_TOLERANCE
    # the trace's last row is the prediction; row t is the prediction for the first t words alone
    row = x[3]
    ids = [int(i) for i in row if i]
    tr = forward.trace(weights, ids)
    assert tr.shape == (len(ids) + 1, n_classes)
    assert np.abs(tr[-1] - want[3]).max() <= 1e-5
    prefix = forward.pad_ids(ids[:2], MAXLEN)[None, :]
    assert np.abs(tr[2] - _keras_prob(model, prefix)[0]).max() <= 1e-5


@pytest.mark.slow  # builds a Keras model
def test_readout_in_config_must_match_the_model():
    from report.train.keras_export import weights_from_keras

    model = _keras_model("simple_rnn", "last", 2)
    with pytest.raises(ValueError, match="readout"):
        weights_from_keras(model, "max")


def _random_weights(cell="lstm", readout="last", v=300, e=16, u=8, c=4, seed=0) -> forward.RNNWeights:
    rng = np.random.default_rng(seed)
    g = forward.GATES[cell]
    return forward.RNNWeights(
        cell=cell, readout=readout, output="softmax" if c > 1 else "sigmoid",
        table=rng.normal(0, 0.5, (v, e)).astype(np.float32), kernel=rng.normal(0, 0.4, (e, g * u)).astype(np.float32),
        recurrent=rng.normal(0, 0.4, (u, g * u)).astype(np.float32), bias=rng.normal(0, 0.1, g * u).astype(np.float32),
        dense_kernel=rng.normal(0, 1, (u, c)).astype(np.float32), dense_bias=np.zeros(c, np.float32),
    )


def test_int8_rows_are_within_half_a_step():
    a = np.random.default_rng(0).normal(size=(100, 33)).astype(np.float32)
    a[5] = 0  # an all-zero row keeps a usable scale
    q, scale = quantise.quantise_rows(a)
    assert q.dtype == np.int8 and scale.shape == (100,)
    err = np.abs(q * scale[:, None] - a)
    assert np.all(err <= scale[:, None] / 2 + 1e-7)
    assert np.all(q[5] == 0)


@pytest.mark.parametrize(("cell", "e", "u", "folded"), [("simple_rnn", 16, 4, True), ("lstm", 16, 8, False)])
def test_quantised_model_stays_close(cell, e, u, folded):
    w = _random_weights(cell, "max", e=e, u=u)
    q = quantise.quantise(w)
    assert (q.kernel is None) == folded  # the SimpleRNN ships embedding @ kernel, narrower than the embedding
    rng = np.random.default_rng(3)
    x = rng.integers(0, 300, size=(200, 20)).astype(np.int32)
    p = forward.probabilities(w, x)
    pq = forward.probabilities(quantise.dequantise(q), x)
    assert np.abs(p - pq).max() < 0.05
    assert np.mean(p.argmax(1) == pq.argmax(1)) >= 0.95


def test_model_npz_round_trip(tmp_path):
    w = _random_weights("simple_rnn", "last", c=1)
    vocab = ("<pad>", "<oov>") + tuple(f"w{i}" for i in range(298))
    x = np.random.default_rng(0).integers(0, 300, size=(20, 10)).astype(np.int32)
    p = forward.probabilities(w, x)
    score = keras_export.score_quantised(w, x, p.argmax(1), p)
    meta = model_export.ExportMeta(
        experiment="imdb_simplernn", cell="simple_rnn", readout="last", output="sigmoid", maxlen=10, keep="last",
        class_names=["neg", "pos"], units=8, embedding_dim=16, tokeniser_matches=True,
        parity=model_export.Parity(examples=20, max_abs_diff=0.0), quantised=score,
        samples=[model_export.Sample(row=0, id="0_1", label=1, text="W1 w2, <b>w3</b>!")],
    )
    folder = tmp_path / "imdb_simplernn"
    folder.mkdir()
    model_export.save(folder / model_export.MODEL_FILE, model_export.ModelExport(meta, vocab, w))
    back = model_export.load(folder)
    assert back.meta == meta and back.vocab == vocab
    assert np.array_equal(back.weights.table, w.table)
    assert back.encode("W1 w2, <b>w3</b>! zzz").ids == (3, 4, 1, 5, 1, 1)  # "b" and "zzz": out of vocabulary
    assert model_export.load(tmp_path) is None  # no export: None, not an error


def test_old_format_is_refused(tmp_path):
    folder = tmp_path / "reuters_lstm"
    folder.mkdir()
    np.savez(folder / model_export.MODEL_FILE, meta=np.array('{"format_version": 0}'))
    with pytest.raises(model_export.ResultsError, match="format_version 0.*make-report train reuters_lstm"):
        model_export.load(folder)


def test_encode_keeps_the_configured_end():
    vocab = ("<pad>", "<oov>", "a", "b", "c")
    first = forward.encode_text("a b c a b", vocab, 3, "first")
    last = forward.encode_text("a b c a b", vocab, 3, "last")
    assert first.ids == (2, 3, 4) and first.start == 0
    assert last.ids == (4, 2, 3) and last.start == 2

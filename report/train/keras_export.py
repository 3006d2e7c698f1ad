"""Export a trained model for the page and the PDF: ``model.npz`` (see :mod:`report.results.model_export`).

Called by :func:`report.train.experiment_runner.run_experiment` with the restored best-epoch model.
It reads the weights layer by layer (Embedding, SimpleRNN or LSTM, Dense; dropout layers do
nothing at inference), checks the NumPy forward pass against Keras' own predictions on the
first 500 test examples, scores the quantised model on the whole test set, and keeps a sample
of test texts. Nothing here changes what training computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from report.data import TextDataset
from report.data import text as tok
from report.live import forward
from report.live.quantise import dequantise, quantise
from report.results.model_export import (
    PARITY_EXAMPLES,
    ExportMeta,
    ModelExport,
    Parity,
    QuantisedScore,
    Sample,
)

SAMPLE_SIZE = 200  # evenly spaced test examples kept with their text (the browser test scores these)
MIN_EXAMPLE_TOKENS = 30  # the per-class example texts: the shortest right one with at least this many words

_KEEP = {"pre": "last", "last": "last", "post": "first", "first": "first"}


def keep_side(config: Any, ds: TextDataset) -> str:
    """Which end of a long text the experiment keeps: ``"last"`` (today's default, Keras'
    ``truncating='pre'``) or ``"first"``; read from the config or the dataset's settings."""
    for source in (config, getattr(ds, "settings", None)):
        for name in ("keep", "truncation", "truncating"):
            value = getattr(source, name, None)
            if isinstance(value, str) and value in _KEEP:
                return _KEEP[value]
    return "last"


class NotExportable(ValueError):
    """The model is not one the NumPy forward pass (report.results.forward) computes: it has no live model."""


def weights_from_keras(model, readout: str | None = None) -> tuple[forward.RNNWeights, dict]:
    """The float32 weights of Embedding -> (SimpleRNN | LSTM) -> [pooling] -> Dense, and facts about them.

    ``readout``: the config's, when it names one; otherwise ``"max"`` if the recurrent layer returns
    its sequences (a pooling layer follows) or takes the maximum inside its loop (report.train.layers),
    and ``"last"`` if not."""
    import keras

    from report.train.layers import takes_max_over_time

    emb = rnn = dense = None
    for layer in model.layers:
        if isinstance(layer, keras.layers.Embedding):
            emb = layer
        elif isinstance(layer, (keras.layers.SimpleRNN, keras.layers.LSTM)):
            rnn = layer
        elif isinstance(layer, keras.layers.Dense):
            dense = layer  # the last Dense is the output layer
        elif isinstance(layer, (keras.layers.GRU, keras.layers.Bidirectional)):
            raise NotExportable(f"cannot export {type(layer).__name__}: only SimpleRNN and LSTM")
    if emb is None or rnn is None or dense is None:
        raise NotExportable("cannot export: the model needs an Embedding, a SimpleRNN or LSTM and a Dense layer")
    cfg = rnn.get_config()
    found = "max" if cfg.get("return_sequences") or takes_max_over_time(rnn) else "last"
    if readout is not None and readout != found:
        raise ValueError(f"config readout {readout!r} but the recurrent layer's output says {found!r}")
    cell = "lstm" if isinstance(rnn, keras.layers.LSTM) else "simple_rnn"
    kernel, recurrent, *bias = [np.asarray(v, dtype=np.float32) for v in rnn.get_weights()]
    units = recurrent.shape[0]
    bias = bias[0] if bias else np.zeros(recurrent.shape[1], dtype=np.float32)
    d_kernel, *d_bias = [np.asarray(v, dtype=np.float32) for v in dense.get_weights()]
    activation = dense.get_config()["activation"]
    if activation not in ("sigmoid", "softmax"):
        raise ValueError(f"cannot export an output layer with activation {activation!r}")
    weights = forward.RNNWeights(
        cell=cell, readout=found, output=activation,
        table=np.asarray(emb.get_weights()[0], dtype=np.float32), kernel=kernel, recurrent=recurrent, bias=bias,
        dense_kernel=d_kernel, dense_bias=d_bias[0] if d_bias else np.zeros(d_kernel.shape[1], np.float32),
        activation=cfg.get("activation", "tanh"), recurrent_activation=cfg.get("recurrent_activation", "sigmoid"),
    )
    return weights, {"units": units, "embedding_dim": weights.table.shape[1], "mask_zero": emb.get_config().get(
        "mask_zero", False)}


def _sample_rows(ds: TextDataset, y_prob: np.ndarray) -> list[int]:
    """SAMPLE_SIZE evenly spaced test rows, then per class the shortest correctly classified example
    with at least MIN_EXAMPLE_TOKENS words (the page's examples and the PDF's candidates)."""
    n = len(ds.y_test)
    rows = list(np.unique(np.linspace(0, n - 1, min(SAMPLE_SIZE, n)).round().astype(int))) if n else []
    pred = y_prob.argmax(axis=1)
    lengths = np.asarray(ds.lengths_test)
    for c in range(len(ds.class_names)):
        ok = np.flatnonzero((ds.y_test == c) & (pred == c) & (lengths >= MIN_EXAMPLE_TOKENS))
        if len(ok):
            rows.append(int(ok[np.argmin(lengths[ok])]))
    return sorted(set(int(r) for r in rows))


def _tokeniser_matches(ds: TextDataset, samples: list[Sample], vocab, maxlen: int, keep: str) -> bool:
    """Re-encode the samples' texts as the page will, and compare with the training ids (padding aside)."""
    index = {w: i for i, w in enumerate(vocab) if i >= len(tok.RESERVED)}
    for s in samples:
        got = forward.encode_text(s.text, vocab, maxlen, keep, index).ids
        want = tuple(int(i) for i in ds.x_test[s.row] if i != 0)
        if got != want:
            return False
    return True


def export_model(name: str, model, config: Any, ds: TextDataset, y_prob: np.ndarray,
                 echo=lambda message: None) -> ModelExport:
    """The export of ``model`` (its best-epoch weights restored); ``y_prob`` are its test predictions."""
    weights, facts = weights_from_keras(model, getattr(config, "readout", None))
    if not facts["mask_zero"]:
        raise ValueError("cannot export: the Embedding must mask padding (mask_zero=True)")
    n = min(PARITY_EXAMPLES, len(ds.y_test))
    p_numpy = forward.probabilities(weights, ds.x_test[:n])
    parity = Parity(examples=n, max_abs_diff=float(np.abs(p_numpy - y_prob[:n]).max()) if n else 0.0)
    echo(f"{name}: NumPy forward pass vs Keras on {n} test examples: max |diff| {parity.max_abs_diff:.2e}"
         f"{'' if parity.ok else f' > {parity.tolerance:g}: the exported model does not match Keras'}")
    quantised = score_quantised(weights, ds.x_test, ds.y_test, y_prob)
    echo(f"{name}: quantised model ({quantised.bytes / 1e6:.2f} MB): test accuracy {quantised.accuracy:.4f} "
         f"(trained {quantised.trained_accuracy:.4f}), same class for {quantised.agreement:.2%}")
    vocab = tuple(ds.vocab)
    keep = keep_side(config, ds)
    try:
        texts = ds.texts_test()
    except RuntimeError:
        texts = None
    samples = []
    if texts is not None:
        samples = [Sample(row=r, id=str(ds.ids_test[r]), label=int(ds.y_test[r]), text=texts[r])
                   for r in _sample_rows(ds, y_prob)]
    matches = _tokeniser_matches(ds, samples, vocab, config.maxlen, keep) if samples else False
    if samples and not matches:
        echo(f"{name}: warning: re-tokenising test texts does not give the training ids; the page would differ")
    meta = ExportMeta(
        experiment=name, cell=weights.cell, readout=weights.readout, output=weights.output,
        activation=weights.activation, recurrent_activation=weights.recurrent_activation,
        maxlen=int(config.maxlen), keep=keep, class_names=list(ds.class_names), units=facts["units"],
        embedding_dim=facts["embedding_dim"], tokeniser_matches=matches, parity=parity, quantised=quantised,
        samples=samples,
    )
    return ModelExport(meta, vocab, weights)


def score_quantised(w: forward.RNNWeights, x_test: np.ndarray, y_test: np.ndarray,
                    trained_prob: np.ndarray) -> QuantisedScore:
    """The quantised model on the whole test set against the trained model's probabilities."""
    q = quantise(w)
    prob = forward.probabilities(dequantise(q), x_test)
    pred = prob.argmax(axis=1)
    trained_pred = np.asarray(trained_prob).argmax(axis=1)
    n = len(y_test)
    return QuantisedScore(
        examples=n,
        accuracy=float(np.mean(pred == y_test)) if n else 0.0,
        trained_accuracy=float(np.mean(trained_pred == y_test)) if n else 0.0,
        agreement=float(np.mean(pred == trained_pred)) if n else 1.0,
        max_abs_diff=float(np.abs(prob - trained_prob).max()) if n else 0.0,
        bytes=q.nbytes,
    )

"""The two report models in plain NumPy: embedding, SimpleRNN or LSTM, readout, dense.

This is what the exported weights (``model.npz``, see :mod:`report.results.model_export`)
mean, written once: the training side checks it against Keras (max |difference| of the
probabilities <= 1e-5 on 500 test examples in float32), the render side uses it for the
quantised models' accuracy and the PDF's trace figures, and ``templates/js/live.js`` is a
line-by-line port of it for the browser. No TensorFlow.

Conventions, as Keras runs the models:

* Token id 0 is padding and is *masked*: a padded step leaves the state unchanged and
  does not take part in the readout.
* ``SimpleRNN``: ``h = act(x K + h R + b)``.
* ``LSTM``: gates ``i, f, c~, o`` in that order along the kernels' columns (Keras' order),
  ``c = f * c + i * c~``, ``h = o * act(c)``; ``i, f, o`` use the recurrent activation.
* Readout: ``"last"`` the last state (the layer's ``return_sequences=False``), or ``"max"``
  the element-wise maximum of the hidden states of the real (unmasked) words; zeros for a
  text without words.
* Output: ``sigmoid`` (one unit: P(second class)) or ``softmax``. :func:`probabilities`
  always returns one column per class, as ``predictions.npz`` stores them.

Because the input kernel is applied to one embedding row per word, ``embedding @ kernel``
can be computed once per vocabulary word (:func:`input_table`): the same arithmetic, done
ahead. The forward pass works from that table, so a model whose table is smaller than its
embedding (the SimpleRNN: 32 columns instead of 128) can ship the table instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

Cell = Literal["simple_rnn", "lstm"]
Readout = Literal["last", "max"]
Output = Literal["sigmoid", "softmax"]
GATES: dict[str, int] = {"simple_rnn": 1, "lstm": 4}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # the two branches avoid overflow in exp for large |x|
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "linear": lambda x: x,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),  # Keras 3's definition
}


@dataclass(frozen=True)
class RNNWeights:
    """One exported model's arrays and the few facts needed to run it.

    ``table`` is ``(vocab, D)``: either the embedding (then ``kernel`` is ``(D, G*U)``) or
    the embedding already multiplied by the input kernel (then ``kernel`` is None and
    ``D = G*U``). ``G`` is 1 for the SimpleRNN and 4 for the LSTM, ``U`` the units.
    """

    cell: Cell
    readout: Readout
    output: Output
    table: np.ndarray  # (V, D)
    kernel: np.ndarray | None  # (D, G*U), or None when folded into the table
    recurrent: np.ndarray  # (U, G*U)
    bias: np.ndarray  # (G*U,)
    dense_kernel: np.ndarray  # (U, C)
    dense_bias: np.ndarray  # (C,)
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"

    def __post_init__(self) -> None:
        units = self.recurrent.shape[0]
        width = GATES[self.cell] * units
        if self.recurrent.shape != (units, width):
            raise ValueError(f"recurrent kernel {self.recurrent.shape} does not fit a {self.cell} of {units} units")
        if self.bias.shape != (width,):
            raise ValueError(f"bias {self.bias.shape}, expected ({width},)")
        expected = self.table.shape[1] if self.kernel is None else self.kernel.shape[1]
        if expected != width or (self.kernel is not None and self.kernel.shape[0] != self.table.shape[1]):
            raise ValueError("table, kernel and recurrent kernel do not chain")
        if self.dense_kernel.shape[0] != units or self.dense_bias.shape != self.dense_kernel.shape[1:]:
            raise ValueError("dense layer does not fit the recurrent layer")
        if self.readout not in ("last", "max"):
            raise ValueError(f"readout {self.readout!r}: 'last' or 'max'")
        for name in (self.activation, self.recurrent_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"activation {name!r} is not supported (one of {', '.join(ACTIVATIONS)})")

    @property
    def units(self) -> int:
        return self.recurrent.shape[0]

    @property
    def folded(self) -> bool:
        return self.kernel is None

    def astype(self, dtype) -> "RNNWeights":
        cast = lambda a: None if a is None else np.asarray(a, dtype=dtype)  # noqa: E731
        return replace(self, table=cast(self.table), kernel=cast(self.kernel), recurrent=cast(self.recurrent),
                       bias=cast(self.bias), dense_kernel=cast(self.dense_kernel), dense_bias=cast(self.dense_bias))


def input_table(w: RNNWeights) -> np.ndarray:
    """``(V, G*U)``: each word's contribution ``x K`` to the pre-activations (bias not included)."""
    return w.table if w.kernel is None else w.table @ w.kernel


def fold(w: RNNWeights) -> RNNWeights:
    """The same model with the input kernel multiplied into the table."""
    return w if w.folded else replace(w, table=input_table(w), kernel=None)


class _State:
    """The recurrent state of a batch of ``n`` sequences, stepped one position at a time."""

    def __init__(self, w: RNNWeights, n: int, dtype):
        self.w = w
        self.act = ACTIVATIONS[w.activation]
        self.ract = ACTIVATIONS[w.recurrent_activation]
        self.h = np.zeros((n, w.units), dtype=dtype)
        self.c = np.zeros((n, w.units), dtype=dtype) if w.cell == "lstm" else None
        self.best = np.full((n, w.units), -np.inf, dtype=dtype) if w.readout == "max" else None

    def step(self, z_in: np.ndarray, live: np.ndarray) -> None:
        """``z_in``: (n, G*U) input contributions of this position; ``live``: (n,) bool, False = padding."""
        w, u = self.w, self.w.units
        z = z_in + self.h @ w.recurrent + w.bias
        if w.cell == "simple_rnn":
            h, c = self.act(z), None
        else:
            i, f = self.ract(z[:, :u]), self.ract(z[:, u : 2 * u])
            g, o = self.act(z[:, 2 * u : 3 * u]), self.ract(z[:, 3 * u :])
            c = f * self.c + i * g
            h = o * self.act(c)
        if live.all():  # the common case: no padding at this position
            self.h = h
            if c is not None:
                self.c = c
            if self.best is not None:
                np.maximum(self.best, h, out=self.best)
            return
        keep = live[:, None]
        self.h = np.where(keep, h, self.h)
        if c is not None:
            self.c = np.where(keep, c, self.c)
        if self.best is not None:
            self.best = np.where(keep, np.maximum(self.best, h), self.best)

    def readout(self) -> np.ndarray:
        if self.best is None:
            return self.h
        return np.where(np.isneginf(self.best), 0, self.best).astype(self.h.dtype)


def output_layer(w: RNNWeights, features: np.ndarray) -> np.ndarray:
    """(n, U) readout -> (n, C) probabilities, one column per class."""
    logits = features @ w.dense_kernel + w.dense_bias
    if w.output == "sigmoid":
        p = _sigmoid(logits.reshape(-1))
        return np.stack([1 - p, p], axis=1)
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def probabilities(w: RNNWeights, x: np.ndarray, *, batch: int = 4096, dtype=np.float32) -> np.ndarray:
    """``x``: (n, T) padded token ids (0 = padding) -> (n, C) class probabilities, computed in ``dtype``."""
    w = w.astype(dtype)
    table = input_table(w)
    x = np.asarray(x)
    out = []
    for start in range(0, len(x), batch):
        ids = x[start : start + batch]
        state = _State(w, len(ids), dtype)
        for t in range(ids.shape[1]):
            col = ids[:, t]
            state.step(table[col], col != 0)
        out.append(output_layer(w, state.readout()))
    if not out:
        return np.zeros((0, 2 if w.output == "sigmoid" else w.dense_kernel.shape[1]), dtype=dtype)
    return np.concatenate(out)


def trace(w: RNNWeights, ids: Sequence[int], *, dtype=np.float64) -> np.ndarray:
    """``(len(ids) + 1, C)``: the probabilities before any word (row 0) and after each word, as if the
    text ended there: the output layer applied to the readout of the states so far. ``ids`` are the
    words the model reads (no padding; at most ``maxlen`` of them, see :func:`encode_text`)."""
    w = w.astype(dtype)
    table = input_table(w)
    state = _State(w, 1, dtype)
    rows = [output_layer(w, state.readout())[0]]
    live = np.ones(1, dtype=bool)
    for i in ids:
        state.step(table[[int(i)]], live)
        rows.append(output_layer(w, state.readout())[0])
    return np.stack(rows)


# --- from text: the tokeniser of report.data.text, the vocabulary and the truncation side ---------------


@dataclass(frozen=True)
class Encoded:
    """A text as the model reads it: every token, and which of them the model reads."""

    tokens: tuple[str, ...]  # every token of the text, in order
    ids: tuple[int, ...]  # the ids of the tokens read (1 = out of vocabulary)
    start: int  # tokens[start : start + len(ids)] are read; the rest fall outside maxlen


def encode_text(text: str, vocab: Sequence[str], maxlen: int, keep: str = "last",
                index: dict[str, int] | None = None) -> Encoded:
    """Clean and tokenise ``text`` as training did, map to ids and keep ``maxlen`` tokens: the last
    ones for ``keep="last"`` (Keras' ``truncating='pre'``), the first ones for ``keep="first"``."""
    from report.data import text as tok

    tokens = tuple(tok.tokenise(tok.clean(text)))
    if index is None:
        index = {word: i for i, word in enumerate(vocab) if i >= len(tok.RESERVED)}
    n = min(len(tokens), maxlen)
    start = len(tokens) - n if keep == "last" else 0
    ids = tuple(index.get(t, tok.OOV) for t in tokens[start : start + n])
    return Encoded(tokens, ids, start)


def pad_ids(ids: Sequence[int], maxlen: int) -> np.ndarray:
    """One row of ``maxlen`` ids, zeros in front (the padding every experiment uses)."""
    row = np.zeros(maxlen, dtype=np.int32)
    if ids:
        row[maxlen - len(ids) :] = ids
    return row

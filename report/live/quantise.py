"""The quantised model the "Try the models" page downloads: the word table (the embedding, or the embedding
times the input kernel when that is narrower: see :func:`report.live.forward.fold`) as int8 with one float32
scale per row (per word: ``row = q * scale``, ``|error| <= scale/2``); the small matrices (input kernel,
recurrent kernel, dense kernel) as float16; biases float32. :func:`dequantise` gives the weights the browser
computes with, so the quantised accuracy stated on the page is computed in Python from exactly those numbers
(``report.results.model_export.QUANTISATION`` names this scheme in the model file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from report.live import forward

@dataclass(frozen=True)
class Quantised:
    """The arrays the page downloads; :func:`dequantise` turns them back into weights."""

    cell: str
    readout: str
    output: str
    activation: str
    recurrent_activation: str
    table_q: np.ndarray  # (V, D) int8
    table_scale: np.ndarray  # (V,) float32
    kernel: np.ndarray | None  # (D, G*U) float16, None when folded into the table
    recurrent: np.ndarray  # float16
    bias: np.ndarray  # float32
    dense_kernel: np.ndarray  # float16
    dense_bias: np.ndarray  # float32

    def arrays(self) -> dict[str, np.ndarray]:
        named = {
            "table_q": self.table_q, "table_scale": self.table_scale, "kernel": self.kernel,
            "recurrent": self.recurrent, "bias": self.bias, "dense_kernel": self.dense_kernel,
            "dense_bias": self.dense_bias,
        }
        return {k: v for k, v in named.items() if v is not None}

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays().values())


def quantise_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: ``a ~= q * scale[:, None]``, ``|a - q * scale| <= scale / 2``."""
    a = np.asarray(a, dtype=np.float32)
    peak = np.abs(a).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(a / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def quantise(w: forward.RNNWeights) -> Quantised:
    """Fold the input kernel into the word table when the table gets no wider, then quantise."""
    width = w.recurrent.shape[1]
    folded = forward.fold(w) if width <= w.table.shape[1] else w
    q, scale = quantise_rows(folded.table)
    half = lambda a: None if a is None else np.asarray(a, dtype=np.float16)  # noqa: E731
    return Quantised(
        cell=w.cell, readout=w.readout, output=w.output, activation=w.activation,
        recurrent_activation=w.recurrent_activation, table_q=q, table_scale=scale, kernel=half(folded.kernel),
        recurrent=half(w.recurrent), bias=np.asarray(w.bias, np.float32), dense_kernel=half(w.dense_kernel),
        dense_bias=np.asarray(w.dense_bias, np.float32),
    )


def dequantise(q: Quantised) -> forward.RNNWeights:
    f32 = lambda a: None if a is None else np.asarray(a, dtype=np.float32)  # noqa: E731
    return forward.RNNWeights(
        cell=q.cell, readout=q.readout, output=q.output, activation=q.activation,
        recurrent_activation=q.recurrent_activation,
        table=q.table_q.astype(np.float32) * q.table_scale[:, None], kernel=f32(q.kernel),
        recurrent=f32(q.recurrent), bias=f32(q.bias), dense_kernel=f32(q.dense_kernel), dense_bias=f32(q.dense_bias),
    )

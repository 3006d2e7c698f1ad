"""Hashes of the stages a training run passes through, recorded in results.json so that
``make-report verify`` can name the first stage at which a rebuild left the committed numbers: the
tokenised data, the word vectors, the weights after the first epoch, the test predictions. Each stage
depends on the ones before it, so the first that differs points at the cause (a different archive or
tokeniser, a different BLAS, different training arithmetic, a different evaluation).
"""

from __future__ import annotations

import hashlib

import numpy as np

# in the order a run computes them
STAGES = ("tokens", "vectors", "epoch1", "predictions")
LABELS = {
    "tokens": "tokenised data",
    "vectors": "word vectors",
    "epoch1": "weights after epoch 1",
    "predictions": "test predictions",
}


def digest(*arrays: np.ndarray) -> str:
    """A short sha256 of arrays' dtypes, shapes and bytes, in order (16 hex digits: 64 bits, plenty to
    tell two runs apart)."""
    h = hashlib.sha256()
    for array in arrays:
        a = np.ascontiguousarray(array)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def predictions_digest(y_prob: np.ndarray) -> str:
    """The test predictions' hash, of the float32 probabilities predictions.npz stores (so it can be
    recomputed from that file)."""
    return digest(np.asarray(y_prob, dtype=np.float32))

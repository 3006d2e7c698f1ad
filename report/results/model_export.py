"""The exported model: ``build/results/<name>/model.npz``, part of the results contract.

Written at training time by :mod:`report.train.keras_export` from the restored best-epoch model,
read at render time (never with TensorFlow) for the "Try the models" page and the PDF's
trace figures. One ``.npz`` (``allow_pickle=False``) holding:

``meta``
    a 0-d string array: the JSON of :class:`ExportMeta` (format version, cell, readout,
    maxlen and which end is kept, class names, the parity and quantisation figures
    measured at training time, and a sample of test texts).
``vocab``
    ``(V,)`` str: the vocabulary, id order (``<pad>``, ``<oov>``, then the words).
``embedding`` ``(V, E)``, ``kernel`` ``(E, G*U)``, ``recurrent_kernel`` ``(U, G*U)``, ``bias`` ``(G*U,)``,
``dense_kernel`` ``(U, C)``, ``dense_bias`` ``(C,)``
    float32 weights as Keras holds them (LSTM gates in Keras' order i, f, c, o);
    :mod:`report.live.forward` defines what they compute.

``FORMAT_VERSION`` changes whenever a field changes meaning; an old file is refused
with a message that says how to rebuild it, like ``results.json``.

The quantised copy the page downloads is made from these weights by :mod:`report.live.quantise`;
``QUANTISATION`` names its scheme.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from report import atomic
from report.live import forward
from report.results.validated import ResultsError

FORMAT_VERSION = 1
MODEL_FILE = "model.npz"
PARITY_TOLERANCE = 1e-5  # max |NumPy - Keras| probability on the first PARITY_EXAMPLES test examples, float32
PARITY_EXAMPLES = 500
QUANTISATION = "word table int8 per row (float32 scale); kernels float16; biases float32"
WEIGHT_KEYS = ("embedding", "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parity(_Model):
    """The NumPy forward pass against Keras' own predictions, at training time, in float32."""

    examples: int = Field(ge=0, description="the first N test examples")
    max_abs_diff: float = Field(ge=0, description="max |probability difference| over examples and classes")
    tolerance: float = PARITY_TOLERANCE

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= self.tolerance


class QuantisedScore(_Model):
    """The quantised model (what the page runs) on the full test set, computed in Python."""

    scheme: str = QUANTISATION
    examples: int = Field(ge=0)
    accuracy: float = Field(ge=0, le=1)
    trained_accuracy: float = Field(ge=0, le=1, description="the float32 model's, from predictions.npz")
    agreement: float = Field(ge=0, le=1, description="share of examples with the same predicted class")
    max_abs_diff: float = Field(ge=0, description="max |probability difference| to the float32 Keras model")
    bytes: int = Field(ge=0, description="size of the quantised arrays, vocabulary excluded")


class Sample(_Model):
    """One test example, raw text included (for the page's examples and the browser tests)."""

    row: int = Field(ge=0, description="row in the test set (= in predictions.npz)")
    id: str
    label: int = Field(ge=0)
    text: str


class ExportMeta(_Model):
    format_version: int = FORMAT_VERSION
    experiment: str
    cell: Literal["simple_rnn", "lstm"]
    readout: Literal["last", "max"]
    output: Literal["sigmoid", "softmax"]
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"
    maxlen: int = Field(ge=1)
    keep: Literal["last", "first"] = Field(description="which tokens a text longer than maxlen keeps")
    class_names: list[str]
    units: int = Field(ge=1)
    embedding_dim: int = Field(ge=1)
    tokeniser: str = Field(default="report.data.text v1", description="clean + tokenise, see report.data.text")
    tokeniser_matches: bool = Field(description="re-tokenising the samples' texts gave the training ids")
    parity: Parity
    quantised: QuantisedScore
    samples: list[Sample] = Field(default_factory=list)


@dataclass(frozen=True)
class ModelExport:
    meta: ExportMeta
    vocab: tuple[str, ...]
    weights: forward.RNNWeights  # float32, unfolded (table = embedding)

    def encode(self, text: str) -> forward.Encoded:
        return forward.encode_text(text, self.vocab, self.meta.maxlen, self.meta.keep, self._index)

    @property
    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {w: i for i, w in enumerate(self.vocab) if i >= 2}
            object.__setattr__(self, "_index_cache", cached)
        return cached


def weights_from_arrays(meta: ExportMeta, arrays: dict[str, np.ndarray]) -> forward.RNNWeights:
    return forward.RNNWeights(
        cell=meta.cell, readout=meta.readout, output=meta.output,
        table=arrays["embedding"], kernel=arrays["kernel"], recurrent=arrays["recurrent_kernel"],
        bias=arrays["bias"], dense_kernel=arrays["dense_kernel"], dense_bias=arrays["dense_bias"],
        activation=meta.activation, recurrent_activation=meta.recurrent_activation,
    )


def save(path: Path, export: ModelExport) -> None:
    """Write ``model.npz`` atomically."""
    w = export.weights
    if w.folded:
        raise ValueError("save the unfolded weights (the embedding as trained)")
    arrays = {
        "embedding": w.table, "kernel": w.kernel, "recurrent_kernel": w.recurrent, "bias": w.bias,
        "dense_kernel": w.dense_kernel, "dense_bias": w.dense_bias,
    }
    with atomic.atomic_path(Path(path)) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                meta=np.array(export.meta.model_dump_json()),
                vocab=np.array(export.vocab, dtype=str),
                **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()},
            )


def load(folder: Path) -> ModelExport | None:
    """``<folder>/model.npz``, validated; None when the experiment has no export (results from before
    the export existed). A file of another format version or a broken one is a one-line error."""
    path = Path(folder) / MODEL_FILE
    fix = f"run `make-report train {Path(folder).name} --force` to rebuild it"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            raw = json.loads(str(npz["meta"]))
            if raw.get("format_version") != FORMAT_VERSION:
                raise ResultsError(f"{path} has format_version {raw.get('format_version')!r}, this make-report "
                                   f"reads {FORMAT_VERSION}: {fix}")
            meta = ExportMeta.model_validate(raw)
            vocab = tuple(str(v) for v in npz["vocab"])
            arrays = {k: npz[k] for k in WEIGHT_KEYS}
    except ResultsError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise ResultsError(f"{path} is unreadable ({exc}): {fix}") from None
    try:
        weights = weights_from_arrays(meta, arrays)
    except ValueError as exc:
        raise ResultsError(f"{path}: {exc}: {fix}") from None
    if len(vocab) > weights.table.shape[0]:  # fewer words than rows is fine: a tiny corpus
        raise ResultsError(f"{path}: {len(vocab)} words but {weights.table.shape[0]} embedding rows: {fix}")
    return ModelExport(meta, vocab, weights)

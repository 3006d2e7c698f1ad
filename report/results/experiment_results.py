"""The results contract between training and rendering.

Each experiment writes ``build/results/<name>/results.json`` (this schema) and
``predictions.npz`` (true labels, predicted probabilities, test ids). Rendering
reads only these files: it never imports TensorFlow.

The schema is validated when written and when read; ``SCHEMA_VERSION`` changes
whenever a field changes meaning, and an old file is then refused with a
message that says how to rebuild it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from report import atomic
from report.results.validated import ResultsError, read_validated

SCHEMA_VERSION = 1
RESULTS_FILE = "results.json"
PREDICTIONS_FILE = "predictions.npz"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EpochRecord(_Model):
    """One epoch: training loss and accuracy as Keras reported them, the validation scores
    computed from the validation split's predicted probabilities, and the epoch's wall time."""

    epoch: int = Field(ge=1, description="1-based epoch number")
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    val_macro_f1: float | None = Field(default=None, description="macro-average F1 on the validation split")
    seconds: float = Field(ge=0)
    weights: str | None = Field(default=None, description="hash of the weights after the epoch (results.stages)")


class Stages(_Model):
    """Hashes of what a run computed, stage by stage (report.results.stages), for make-report verify."""

    tokens: str = Field(description="the tokenised train, test and unlabelled arrays")
    vectors: str | None = Field(description="the word vectors the embedding started from; None without")
    epoch1: str = Field(description="the weights after the first epoch")
    predictions: str = Field(description="the test probabilities as predictions.npz stores them (float32)")


class DataSummary(_Model):
    dataset: str = Field(description="human name, e.g. 'IMDB Large Movie Review Dataset'")
    class_names: list[str]
    train_size: int = Field(ge=0, description="examples used for fitting (after the validation split)")
    val_size: int = Field(ge=0)
    test_size: int = Field(ge=0)
    train_counts: dict[str, int] = Field(description="class name -> examples in train + validation")
    test_counts: dict[str, int] = Field(description="class name -> examples in the test set")
    vocab_size: int = Field(ge=2)
    maxlen: int = Field(ge=1)
    truncated_fraction: float = Field(ge=0, le=1, description="share of test examples longer than maxlen")
    median_length: float = Field(ge=0, description="median test length in tokens before padding")
    keep: str = Field(default="last", description="which tokens of a longer text stay: 'last' or 'first'")
    vector_texts: int = Field(default=0, ge=0, description="texts the starting word vectors were learned from (0: none)")

    @model_validator(mode="after")
    def _counts_match(self) -> "DataSummary":
        if sum(self.test_counts.values()) != self.test_size:
            raise ValueError("test_counts do not add up to test_size")
        if sum(self.train_counts.values()) != self.train_size + self.val_size:
            raise ValueError("train_counts do not add up to train_size + val_size")
        return self


class LayerSummary(_Model):
    name: str
    class_name: str
    output_shape: str
    params: int = Field(ge=0)
    details: str = Field(default="", description="units, rates: what a reader needs to rebuild it")


class ModelSummary(_Model):
    layers: list[LayerSummary]
    total_params: int = Field(ge=0)
    trainable_params: int = Field(ge=0)
    optimizer: str
    learning_rate: float
    loss: str


class ReportRow(_Model):
    precision: float
    recall: float
    f1_score: float
    support: int = Field(ge=0)


class ClassificationReport(_Model):
    """scikit-learn's classification_report(output_dict=True), with typed rows."""

    classes: dict[str, ReportRow] = Field(description="per-class rows keyed by class NAME")
    accuracy: float
    macro_avg: ReportRow
    weighted_avg: ReportRow


class RocCurve(_Model):
    fpr: list[float]
    tpr: list[float]
    auc: float

    @model_validator(mode="after")
    def _same_length(self) -> "RocCurve":
        if len(self.fpr) != len(self.tpr):
            raise ValueError("fpr and tpr differ in length")
        return self


class RocCurves(_Model):
    """For a binary task ``per_class`` holds one curve, keyed by the positive class."""

    per_class: dict[str, RocCurve]
    micro: RocCurve | None = None
    macro: RocCurve | None = None


class TestMetrics(_Model):
    accuracy: float
    loss: float
    roc_auc: float = Field(description="binary AUC, or the macro one-vs-rest AUC for multi-class")
    classification_report: ClassificationReport
    confusion_matrix: list[list[int]] = Field(description="rows = true class, columns = predicted, in class_names order")
    roc: RocCurves

    @property
    def macro_f1(self) -> float:
        return self.classification_report.macro_avg.f1_score

    @property
    def weighted_f1(self) -> float:
        return self.classification_report.weighted_avg.f1_score


class Timings(_Model):
    load_seconds: float = Field(ge=0)
    train_seconds: float = Field(ge=0)
    evaluate_seconds: float = Field(ge=0)
    vectors_seconds: float = Field(default=0, ge=0, description="learning (or reading the cached) word vectors")

    @property
    def total_seconds(self) -> float:
        return self.load_seconds + self.vectors_seconds + self.train_seconds + self.evaluate_seconds


class BlasLibrary(_Model):
    """One BLAS library loaded in the process that trained, as threadpoolctl saw it."""

    library: str = Field(description="file name, e.g. libscipy_openblas64_-32a4b2a6.so")
    api: str = Field(description="openblas, mkl, blis, ...")
    version: str | None = None
    core_type: str | None = Field(default=None, description="the kernels it runs (OpenBLAS' architecture)")


class Arithmetic(_Model):
    """The machine's arithmetic: the CPU and the instruction sets the libraries were pinned to
    (report.train.numerics), read from the process that trained, not assumed."""

    cpu: str = Field(description="CPU model name")
    cpu_isa: str = Field(description="the widest vector instructions the CPU has: AVX-512, AVX2, ...")
    pins: dict[str, str | None] = Field(description="pin -> value in force (None: unset)")
    blas: list[BlasLibrary]
    at_baseline: bool = Field(description="every pin at the baseline, and every BLAS running its kernels")
    deviations: list[str] = Field(default_factory=list, description="why not at the baseline, one line each")


class Provenance(_Model):
    git_commit: str | None
    git_dirty: bool | None
    packages: dict[str, str]
    python: str
    platform: str
    seed: int
    data_checksums: dict[str, str] = Field(description="archive or folder name -> sha256")
    cpu_count: int
    gpu: str | None = Field(description="device name, or None when trained on the CPU")
    started_at: datetime
    finished_at: datetime
    arithmetic: Arithmetic | None = Field(default=None, description="None in results older than the pins")


class SeedRun(_Model):
    """The headline of one seed's run, when an experiment is trained with several seeds."""

    seed: int
    accuracy: float
    roc_auc: float
    macro_f1: float
    weighted_f1: float
    best_epoch: int = Field(ge=1)
    train_seconds: float = Field(ge=0)
    stages: Stages | None = Field(default=None, description="None in results older than the stage hashes")


class Candidate(_Model):
    """One setting tried while choosing the config, as bench/selection.py recorded it: validation only."""

    label: str = Field(description="what was tried, e.g. 'no word vectors'")
    changes: dict[str, Any] = Field(default_factory=dict, description="the fields set differently from the defaults of the time")
    config: dict[str, Any] = Field(description="the whole config it ran with, seed left out")
    seed: int
    best_epoch: int = Field(ge=1)
    epochs_run: int = Field(ge=1)
    val_accuracy: float = Field(ge=0, le=1)
    val_macro_f1: float | None = None
    val_loss: float
    seconds: float = Field(ge=0)
    val_true: str = Field(default="", description="the validation labels, one character per example")
    val_predicted: str = Field(default="", description="the predicted classes at the best epoch, one character each")
    arithmetic: dict[str, str | None] | None = Field(
        default=None, description="the pins it ran under (report.train.numerics); None: recorded before the pins")


class Results(_Model):
    schema_version: int = SCHEMA_VERSION
    experiment: str
    title: str
    description: str = Field(default="", description="one paragraph: what the experiment shows")
    key: str = Field(default="", description="cache key of config, code, data and versions")
    key_parts: dict[str, str] = Field(default_factory=dict, description="the key's parts, to say why it changed")
    config: dict[str, Any]
    data: DataSummary
    model: ModelSummary
    history: list[EpochRecord]
    best_epoch: int = Field(ge=1, description="1-based epoch whose weights were restored")
    stopped_early: bool
    test: TestMetrics
    timings: Timings
    provenance: Provenance
    stages: Stages | None = Field(default=None, description="None in results older than the stage hashes")
    seeds: list[SeedRun] = Field(
        default_factory=list,
        description="every seed trained (make-report train --seeds N, N > 1); the rest of this file is "
        "the run of median accuracy",
    )
    selection: list[Candidate] = Field(
        default_factory=list,
        description="the settings compared on validation before this config was chosen "
        "(experiments/selection/<experiment>.json, written by bench/selection.py)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Results":
        if self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {self.schema_version}, expected {SCHEMA_VERSION}")
        if not self.history:
            raise ValueError("history is empty")
        if not 1 <= self.best_epoch <= len(self.history):
            raise ValueError("best_epoch is outside the history")
        n = len(self.data.class_names)
        cm = self.test.confusion_matrix
        if len(cm) != n or any(len(row) != n for row in cm):
            raise ValueError(f"confusion matrix is not {n}x{n}")
        if sum(map(sum, cm)) != self.data.test_size:
            raise ValueError("confusion matrix does not add up to test_size")
        return self

    @property
    def seed_summary(self) -> dict[str, tuple[float, float]] | None:
        """metric -> (mean, sample standard deviation) over the seeds, or None for a single run."""
        if len(self.seeds) < 2:
            return None
        from statistics import mean, stdev

        return {
            metric: (mean(v := [getattr(s, metric) for s in self.seeds]), stdev(v))
            for metric in ("accuracy", "roc_auc", "macro_f1", "weighted_f1")
        }

    @property
    def best(self) -> EpochRecord:
        return self.history[self.best_epoch - 1]


class Predictions(BaseModel):
    """Everything needed to recompute a metric or redraw a figure without training."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    y_true: np.ndarray  # (n,) int class indices
    y_prob: np.ndarray  # (n, n_classes) float probabilities; binary tasks store both columns
    ids: np.ndarray  # (n,) str test-example ids (IMDB file id, Reuters NEWID)
    # the exported model (report.results.model_export.ModelExport), written as model.npz beside them
    model: Any = None

    @model_validator(mode="after")
    def _shapes(self) -> "Predictions":
        n = len(self.y_true)
        if self.y_prob.ndim != 2 or self.y_prob.shape[0] != n or len(self.ids) != n:
            raise ValueError("y_true, y_prob and ids disagree in length or y_prob is not 2-D")
        return self

    @property
    def y_pred(self) -> np.ndarray:
        return self.y_prob.argmax(axis=1)


def results_dir(results_root: Path, experiment: str) -> Path:
    return Path(results_root) / experiment


def save(folder: Path, results: Results, predictions: Predictions) -> None:
    """Write both files atomically; predictions first, so results.json never points at nothing."""
    folder = Path(folder)
    Results.model_validate(results.model_dump())  # re-validate what we are about to write
    with atomic.atomic_path(folder / PREDICTIONS_FILE) as tmp:
        np.savez_compressed(
            tmp,
            y_true=predictions.y_true.astype(np.int32),
            y_prob=predictions.y_prob.astype(np.float32),
            ids=predictions.ids.astype(str),
        )
    _save_model_export(folder, predictions.model)
    atomic.write_text(folder / RESULTS_FILE, results.model_dump_json(indent=1))


def _save_model_export(folder: Path, export: Any) -> None:
    """model.npz (report.results.model_export) when the run exported one; an older one is removed."""
    from report.results import model_export

    if export is not None:
        model_export.save(folder / model_export.MODEL_FILE, export)
    else:
        (folder / model_export.MODEL_FILE).unlink(missing_ok=True)


def load(folder: Path) -> Results:
    """Read and validate ``results.json``; a clear one-line error for anything wrong."""
    return read_validated(Path(folder) / RESULTS_FILE, Results, version=SCHEMA_VERSION)


def load_predictions(folder: Path) -> Predictions:
    path = Path(folder) / PREDICTIONS_FILE
    fix = f"run `make-report train {Path(folder).name}` to rebuild it"
    if not path.is_file():
        raise ResultsError(f"{path} is missing: {fix}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return Predictions(y_true=npz["y_true"], y_prob=npz["y_prob"], ids=npz["ids"])
    except (OSError, ValueError, KeyError) as exc:
        raise ResultsError(f"{path} is unreadable ({exc}): {fix}") from None

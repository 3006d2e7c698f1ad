"""How an experiment runs: load its dataset, split, fit, evaluate once on the test set, and
return the results contract.

An experiment module (see ``experiments/``) reads top to bottom, keras-io style:
its ``Config`` (a frozen dataclass that satisfies :class:`TextClassifierConfig`),
``quick_overrides()`` and ``build_model(config, n_classes)``, plus the names
``NAME``, ``TITLE``, ``DESCRIPTION`` and ``DATASET``. Everything else, the
plumbing, is here: :func:`run_experiment` takes the module itself.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Protocol

import numpy as np

from report.data import (
    TextDataset,
    TextSettings,
    load_imdb,
    load_reuters,
    stratified_subset,
)
from report.paths import BuildPaths
from report.results import provenance, stages
from report.results.experiment_results import (
    Candidate,
    DataSummary,
    LayerSummary,
    ModelSummary,
    Predictions,
    Results,
    Stages,
    Timings,
)
from report.train import metrics
from report.train.checkpoint import Checkpoints
from report.train.run_context import RunContext
from report.train.reuse import CompiledModels
from report.train.loop import (
    FitSettings,
    Split,
    fit,
    predict_proba,
    set_seed,
    validation_split,
)

LOADERS = {"imdb": load_imdb, "reuters": load_reuters}


class TextClassifierConfig(Protocol):
    """The fields :func:`run_experiment` reads from an experiment's ``Config``."""

    seed: int
    vocab_size: int
    maxlen: int
    keep: str  # "last" or "first": which tokens of a longer text stay
    batch_size: int
    epochs: int
    patience: int
    monitor: str  # "val_loss", "val_accuracy" or "val_macro_f1"
    val_fraction: float
    class_weight_power: float
    subset_train: int  # 0 = all
    subset_test: int  # 0 = all
    # The validation split's own seed, the same for every training seed: the word vectors are learned from
    # the training part of the split, so one split means they are learned once for all seeds (which then
    # differ in initial weights, dropout and batch order).
    split_seed: int
    # "none" (a random start) or how the embedding's starting word vectors are learned on unlabelled text
    # ("cbow" or "skipgram": report.train.wordvectors)
    word_vectors: str



# One compiled model kept between runs of the same experiment and config in a process: the seeds of
# `--seeds N` (report.train.reuse says why). One, because the next experiment's model has another shape.
_COMPILED = CompiledModels(keep=1)


def compiled_model(module: ModuleType, config: TextClassifierConfig, n_classes: int):
    """``module.build_model(config, n_classes)``, reusing the compiled steps of the previous run
    when only the seed differs."""
    key = (module.__name__, n_classes, repr(dataclasses.replace(config, seed=0)))
    return _COMPILED.take(key, module.build_model(config, n_classes))


def load_dataset(dataset: str, paths: BuildPaths, config: TextClassifierConfig, quiet: bool = False) -> TextDataset:
    """The tokenised dataset (``"imdb"`` or ``"reuters"``) at the config's vocabulary size and length."""
    return LOADERS[dataset](paths.data, paths.cache, TextSettings(config.vocab_size, config.maxlen, config.keep),
                             quiet=quiet)


def describe_model(model) -> ModelSummary:
    from report.train.layers import keras_class, takes_max_over_time  # imports Keras

    loss = model.loss if isinstance(model.loss, str) else type(model.loss).__name__
    layers = []
    for layer in model.layers:
        cfg = layer.get_config()
        details = []
        if "input_dim" in cfg:
            details.append(f"{cfg['input_dim']:,} words x {cfg['output_dim']} dims")
            if cfg.get("mask_zero"):
                details.append("masks padding")
        if "units" in cfg:
            details.append(f"{cfg['units']} units")
        if cfg.get("activation") and cfg["activation"] not in ("linear",) and "units" in cfg:
            details.append(f"{cfg['activation']}")
        if "rate" in cfg:
            details.append(f"rate {cfg['rate']}")
        for key in ("dropout", "recurrent_dropout"):
            if cfg.get(key):
                details.append(f"{key.replace('_', ' ')} {cfg[key]}")
        if takes_max_over_time(layer):
            details.append("each unit's maximum over the steps")
        layers.append(
            LayerSummary(
                name=layer.name,
                class_name=keras_class(layer).__name__,  # LSTM for our MaxOverTimeLSTM: the model it computes
                output_shape=str(layer.output.shape) if hasattr(layer, "output") else "",
                params=int(layer.count_params()),
                details=", ".join(details),
            )
        )
    opt = model.optimizer
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return ModelSummary(
        layers=layers,
        total_params=int(model.count_params()),
        trainable_params=trainable,
        optimizer=type(opt).__name__,
        learning_rate=float(np.asarray(opt.learning_rate)),
        loss=loss,
    )


def summarise_data(ds: TextDataset, split: Split, maxlen: int, vocab_size: int, keep: str = "last",
                   vector_texts: int = 0) -> DataSummary:
    names = list(ds.class_names)
    train_counts = np.bincount(ds.y_train, minlength=len(names))
    test_counts = np.bincount(ds.y_test, minlength=len(names))
    return DataSummary(
        dataset=ds.title,
        class_names=names,
        train_size=len(split.y_train),
        val_size=len(split.y_val),
        test_size=len(ds.y_test),
        train_counts={n: int(c) for n, c in zip(names, train_counts)},
        test_counts={n: int(c) for n, c in zip(names, test_counts)},
        vocab_size=vocab_size,
        maxlen=maxlen,
        truncated_fraction=float(np.mean(ds.lengths_test > maxlen)),
        median_length=float(np.median(ds.lengths_test)),
        keep=keep,
        vector_texts=vector_texts,
    )


def _word_vectors(name: str, ds: TextDataset, split: Split, config: TextClassifierConfig, ctx: RunContext) -> np.ndarray:
    """Word vectors from the training part of the split plus any unlabelled texts: never validation or test."""
    from report.train import wordvectors

    texts = _vector_source(ds, split)
    settings = wordvectors.WordVectorSettings.of(config.word_vectors, config.embedding_dim, config.split_seed)
    return wordvectors.cached(ctx.paths.cache, name, texts, config.vocab_size, settings, ctx.echo)


def _vector_source(ds: TextDataset, split: Split) -> np.ndarray:
    return split.x_train if ds.x_unlabelled is None else np.concatenate([split.x_train, ds.x_unlabelled])


def _vector_texts(ds: TextDataset, split: Split) -> int:
    return len(split.x_train) + (0 if ds.x_unlabelled is None else len(ds.x_unlabelled))


def selection_path(module: ModuleType) -> Path:
    """Where bench/selection.py keeps an experiment's record: ``experiments/selection/<NAME>.json``."""
    return Path(module.__file__).parent / "selection" / f"{module.NAME}.json"


def selection_record(module: ModuleType) -> list[Candidate]:
    """The settings compared on validation before the config was chosen (empty when there is no record)."""
    path = selection_path(module)
    if not path.is_file():
        return []
    try:
        return [Candidate.model_validate(row) for row in json.loads(path.read_text(encoding="utf-8"))]
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a selection record ({exc}); rewrite it with bench/selection.py") from None


def _embedding(model):
    """The model's (first) embedding layer, which word vectors start."""
    for layer in model.layers:
        if type(layer).__name__ == "Embedding":
            return layer
    raise ValueError(f"{model.name} has no Embedding layer to start from word vectors")


@dataclasses.dataclass(frozen=True)
class Fitted:
    """An experiment trained and chosen on validation, before the test set is looked at."""

    data: TextDataset
    split: Split
    model: object
    outcome: object  # report.train.loop.FitOutcome
    load_seconds: float
    vectors_seconds: float = 0.0
    tokens_hash: str = ""  # report.results.stages: what the model was fitted and tested on
    vectors_hash: str | None = None  # ... and the word vectors it started from (None: a random start)

    def stages(self, y_prob: np.ndarray) -> Stages:
        """The run's stage hashes, given its test probabilities."""
        return Stages(tokens=self.tokens_hash, vectors=self.vectors_hash, epoch1=self.outcome.history[0].weights,
                      predictions=stages.predictions_digest(y_prob))


def fit_experiment(module: ModuleType, config: TextClassifierConfig, ctx: RunContext) -> Fitted:
    """Load, split, start from word vectors when asked, fit with early stopping on validation. The test
    set is not touched: selection scripts (bench/selection.py) stop here."""
    name = module.NAME
    t0 = time.perf_counter()
    ds = load_dataset(module.DATASET, ctx.paths, config, ctx.quiet)
    if config.subset_train or config.subset_test:
        ds = stratified_subset(ds, config.subset_train or len(ds.y_train), config.subset_test or len(ds.y_test), config.seed)
    load_seconds = time.perf_counter() - t0
    ctx.echo(f"{name}: {len(ds.y_train):,} training and {len(ds.y_test):,} test examples ({load_seconds:.1f} s)")

    split = validation_split(ds, config.val_fraction, config.split_seed)
    t1 = time.perf_counter()
    vectors = _word_vectors(name, ds, split, config, ctx) if config.word_vectors != "none" else None
    vectors_seconds = time.perf_counter() - t1
    set_seed(config.seed)
    n_classes = len(ds.class_names)
    model = compiled_model(module, config, n_classes)
    if vectors is not None:
        _embedding(model).set_weights([vectors])
    settings = FitSettings(
        config.epochs, config.batch_size, config.patience, config.monitor, config.seed, config.class_weight_power,
        # optional in a Config: an experiment without a schedule keeps the rate its optimizer was built with
        schedule=getattr(config, "schedule", "constant"), learning_rate=getattr(config, "learning_rate", None),
    )
    checkpoints = Checkpoints(ctx.paths.checkpoints / name / f"seed-{config.seed}", ctx.key) if ctx.checkpoint else None
    model, outcome = fit(model, split, settings, ctx, name, n_classes, checkpoints)
    return Fitted(ds, split, model, outcome, load_seconds, vectors_seconds, tokens_digest(ds),
                  None if vectors is None else stages.digest(vectors))


def tokens_digest(ds: TextDataset) -> str:
    """The hash of the tokenised data a run used: train and test ids and labels, and the unlabelled texts."""
    arrays = [ds.x_train, ds.y_train, ds.x_test, ds.y_test]
    return stages.digest(*arrays, *([] if ds.x_unlabelled is None else [ds.x_unlabelled]))


def run_experiment(module: ModuleType, config: TextClassifierConfig, ctx: RunContext) -> tuple[Results, Predictions]:
    """Load, split, fit, evaluate once on the test set; return the results contract."""
    name = module.NAME
    started = datetime.now(timezone.utc)
    fitted = fit_experiment(module, config, ctx)
    ds, split, model, outcome, load_seconds = (fitted.data, fitted.split, fitted.model, fitted.outcome,
                                                fitted.load_seconds)

    t1 = time.perf_counter()
    y_prob = predict_proba(model, ds.x_test, batch_size=512)
    test = metrics.compute(ds.y_test, y_prob, ds.class_names)
    evaluate_seconds = time.perf_counter() - t1
    ctx.echo(f"{name}: test accuracy {test.accuracy:.4f}, ROC AUC {test.roc_auc:.4f}, macro F1 {test.macro_f1:.4f}")

    results = Results(
        experiment=name,
        title=module.TITLE,
        description=module.DESCRIPTION,
        key=ctx.key,
        config=dataclasses.asdict(config),
        data=summarise_data(ds, split, config.maxlen, config.vocab_size, config.keep,
                            _vector_texts(ds, split) if config.word_vectors != "none" else 0),
        model=describe_model(model),
        history=outcome.history,
        best_epoch=outcome.best_epoch,
        stopped_early=outcome.stopped_early,
        test=test,
        timings=Timings(load_seconds=load_seconds, train_seconds=outcome.seconds, evaluate_seconds=evaluate_seconds,
                        vectors_seconds=fitted.vectors_seconds),
        provenance=provenance.record(ctx.paths.project, config.seed, ds.checksums, started),
        stages=fitted.stages(y_prob),
        selection=selection_record(module),
    )
    from report.train.keras_export import (
        NotExportable,
        export_model,  # model.npz: the page's and the PDF's copy of the model
    )

    try:
        exported = export_model(name, model, config, ds, y_prob, ctx.echo)
    except NotExportable as exc:  # a model type the live page cannot run: the report shows it without one
        ctx.echo(f"{name}: no live model ({exc})")
        exported = None
    predictions = Predictions(y_true=np.asarray(ds.y_test), y_prob=y_prob, ids=np.asarray(ds.ids_test).astype(str),
                              model=exported)
    return results, predictions

"""Exercise 2.3: topics of Reuters newswires with an LSTM.

Embedding (started from word2vec vectors) -> SpatialDropout1D -> LSTM (every state) -> max over time ->
Dense(46, softmax), trained on the 8,982 training wires (a stratified fifth held out for validation) and
tested once on the 2,246 test wires.
"""

from __future__ import annotations

from dataclasses import dataclass

from report.settings import (
    Count,
    Flag,
    Fraction,
    Keep,
    Monitor,
    Positive,
    Power,
    Rate,
    Readout,
    Seed,
    Size,
    VocabSize,
    WordVectors,
)

NAME = "reuters_lstm"
DATASET = "reuters"  # which raw data it reads (report.train.experiment_runner loads it): part of its cache key
TITLE = "Reuters newswire topics with an LSTM"
DESCRIPTION = (
    "A single-layer LSTM reads the first 100 words of each newswire, starting from word vectors learned on "
    "unlabelled wires; the largest value each of its units reached over the wire goes to a softmax layer "
    "that spreads it over the 46 topics."
)


@dataclass(frozen=True)
class Config:
    seed: Seed = 42  # fixed so the published numbers can be rebuilt exactly
    split_seed: Seed = 42  # the validation split, the same for every seed (the word vectors depend on it)
    vocab_size: VocabSize = 10_000  # as Keras' copy of the dataset is usually loaded
    maxlen: Count = 100  # ~60% of wires fit whole; 200 tokens cost ~4x the time for about a point
    # of a longer wire, its start: the topic shows in the headline and first lines
    keep: Keep = "first"
    # 128 dimensions and 128 units: better on validation than 64 and 64 for ~1.6x the seconds per epoch
    # (every setting of this Config: experiments/selection/reuters_lstm.json, shown in the report)
    embedding_dim: Count = 128
    spatial_dropout: Rate = 0.2  # light: ~7,000 fitting wires leave little to spare
    units: Count = 128
    learning_rate: Positive = 2e-3  # Adam; a smaller LSTM tolerates a larger step
    clipnorm: Positive = 1.0  # caps the occasional exploding gradient
    # XLA-compiled steps on batches cut to six lengths: faster per epoch than no XLA with each batch at its
    # own length, once the ~30 s of compiling per process is paid (bench/bench_train.py, docs/speed.md)
    jit_compile: Flag = True
    # the "max" readout taken inside the recurrent loop: the same weights and arithmetic as Keras' layer
    # returning every state and a max over them, for fewer CPU seconds per step (report.train.layers)
    max_in_loop: Flag = True
    # each unit's maximum over all states rather than the last state (the assignment's plain form): every
    # step gets a short path to the output, and the rare topics gained most on validation
    readout: Readout = "max"
    batch_size: Count = 32
    epochs: Count = 40  # an upper bound: early stopping ends training
    # the validation curve has a plateau with a second, barely higher peak; 3 stops at the first
    patience: Count = 3
    # accuracy, not loss: the loss bottoms out early while accuracy, and the rare topics, keep improving
    monitor: Monitor = "val_accuracy"
    val_fraction: Fraction = 0.2  # ~1,800 training wires held out for validation; the test set is used once
    # inverse-frequency class weights to this power (0 none, 1 balanced), so the ~30 topics with under 50
    # training wires count. 0.5 over 0.3: validation macro F1 0.755 against 0.695 (three seeds each, under
    # the pinned arithmetic), at the same accuracy. Choosing the best epoch by validation macro F1 instead
    # scored 0.763, but that number is the maximum over the epochs of the metric it chose by, so optimistic
    # by an amount the record cannot measure, and it trains half as many epochs again
    class_weight_power: Power = 0.5
    # the embedding starts from word2vec vectors learned on the fitting wires plus the ~10,000 wires without
    # a kept topic (never validation or test): better on validation than a random start, and cheaper than
    # skip-gram for the same accuracy
    word_vectors: WordVectors = "cbow"
    subset_train: Size = 0  # 0 = all training wires; --quick sets a small stratified subset
    subset_test: Size = 0  # 0 = all test wires


def quick_overrides() -> dict[str, object]:
    """A smoke run in well under a minute: small subsets, short sequences, two epochs."""
    # no class weights: in two epochs they only pull a tiny model away from the frequent topics
    return {"subset_train": 1000, "subset_test": 400, "maxlen": 50, "epochs": 2, "embedding_dim": 16, "units": 8,
            "class_weight_power": 0.0}


def build_model(config: Config, n_classes: int):
    import keras
    from keras import layers

    from report.train.layers import recurrent
    from report.train.loop import compile_model

    model = keras.Sequential(
        [
            # any length: each batch is cut to its own longest wire (see report.train.batching)
            keras.Input(shape=(None,), dtype="int32"),
            # word ids -> dense vectors; id 0 is padding and is masked out of the recurrence
            layers.Embedding(config.vocab_size, config.embedding_dim, mask_zero=True),
            # regularise by dropping entire word vectors rather than single coordinates
            layers.SpatialDropout1D(config.spatial_dropout),
            # the gated recurrent layer: its last hidden state ("last"), or each unit's largest value over
            # the wire's steps ("max", taken inside the loop), so every step has a short path out
            *recurrent("LSTM", config.units, max_in_loop=config.max_in_loop, readout=config.readout),
            # one probability per topic
            layers.Dense(n_classes, activation="softmax"),
        ],
        name=NAME,
    )
    compile_model(
        model,
        jit_compile=config.jit_compile,
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate, clipnorm=config.clipnorm),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model

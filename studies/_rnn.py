"""What the TensorFlow studies share: one small recurrent classifier, built the same way for
SimpleRNN, LSTM and GRU so that only the recurrent cell differs. Imports TensorFlow lazily."""

from __future__ import annotations

from report.results.study import CELLS  # noqa: F401 (the studies import it from here)


def build_classifier(cell: str, *, vocab_size: int, embedding_dim: int, units: int, n_classes: int,
                     maxlen: int, learning_rate: float, clipnorm: float = 1.0, mask_zero: bool = False):
    """Embedding -> <cell>(units) -> Dense: one output unit (sigmoid) for two classes, softmax otherwise."""
    import keras
    from keras import layers

    binary = n_classes == 2
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen,), dtype="int32"),
            # word ids -> vectors; the studies pick windows without padding unless mask_zero says otherwise
            layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero),
            # the only part that differs between the compared models
            getattr(layers, cell)(units),
            layers.Dense(1 if binary else n_classes, activation="sigmoid" if binary else "softmax"),
        ],
        name=cell.lower(),
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm),
        loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model

"""Layers Keras lacks: a max over the time steps that honours the padding mask.

``keras.layers.GlobalMaxPooling1D`` ignores the mask, and a masked recurrent layer
returns zeros at padded steps, so an unmasked max over a front-padded sequence
would read max(0, the real maximum). :class:`MaskedMaxOverTime` takes the maximum
over the real steps only (0 for a text with none). Registered for Keras'
serialisation, so saved models load without extra arguments. Imports Keras: only
model-building code imports this module.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="make_report")
class MaskedMaxOverTime(keras.layers.Layer):
    """(batch, steps, units) with a (batch, steps) mask -> (batch, units): the maximum of each unit
    over the unmasked steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        lowest = ops.full_like(inputs, -3.0e38)
        pooled = ops.max(ops.where(keep, inputs, lowest), axis=1)
        return ops.where(ops.any(keep, axis=1), pooled, ops.zeros_like(pooled))

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per text: nothing left to mask

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

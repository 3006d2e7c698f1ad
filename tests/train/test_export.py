"""The export at training time (report.train.keras_export): a quick run on the small corpora writes model.npz
beside results.json, the NumPy pass matches Keras, the page's tokeniser gives the training ids."""

from __future__ import annotations

import numpy as np
import pytest

from report.results import experiment_results as results
from report.live import forward
from report.results import model_export
from tests.runner import train


pytestmark = pytest.mark.slow  # trains


def test_quick_training_exports_both_models(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, names=())
    for name in ("imdb_simplernn", "reuters_lstm"):
        folder = build / "results" / name
        export = model_export.load(folder)
        res, preds = results.load(folder), results.load_predictions(folder)
        assert export is not None and export.meta.experiment == name
        assert export.meta.parity.ok, export.meta.parity
        assert export.meta.tokeniser_matches
        assert export.meta.class_names == res.data.class_names and export.meta.maxlen == res.config["maxlen"]
        assert export.meta.quantised.trained_accuracy == res.test.accuracy
        # the sample texts, re-encoded, give Keras' predictions through the NumPy pass
        rows = [s.row for s in export.meta.samples]
        x = np.stack([forward.pad_ids(export.encode(s.text).ids, export.meta.maxlen) for s in export.meta.samples])
        assert np.abs(forward.probabilities(export.weights, x) - preds.y_prob[rows]).max() <= 1e-5

"""Seeds trained one after another in one process reuse the compiled model, and get exactly the
numbers of a fresh process trained with that seed alone."""

from __future__ import annotations

import json

import pytest

from report.results import experiment_results as results
from tests.runner import train


pytestmark = pytest.mark.slow  # trains


@pytest.mark.parametrize("name", ["imdb_simplernn", "reuters_lstm"])
def test_a_reused_model_trains_like_a_fresh_one(small_data, tmp_path, name):
    together = tmp_path / "together"
    train(small_data, together, "--seeds", "2", "--set", "epochs=3", names=(name,))
    runs = json.loads((together / "results" / name / "results.json").read_text())["seeds"]
    assert [r["seed"] for r in runs] == [42, 43]

    alone = tmp_path / "alone"
    train(small_data, alone, "--seed", "43", "--set", "epochs=3", names=(name,))
    single = results.load(alone / "results" / name)
    second = runs[1]
    assert second["accuracy"] == single.test.accuracy
    assert second["roc_auc"] == single.test.roc_auc
    assert second["macro_f1"] == single.test.macro_f1
    assert second["best_epoch"] == single.best_epoch

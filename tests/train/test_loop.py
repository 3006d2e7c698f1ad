"""Training end to end on small corpora: valid results, seeds, resuming a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from report.results import experiment_results as results
from tests.runner import metrics, run_cli, train


pytestmark = pytest.mark.slow  # every test trains


def test_train_quick_writes_valid_results_that_predictions_reproduce(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, names=())
    for name, n_classes in (("imdb_simplernn", 2), ("reuters_lstm", 3)):
        folder = build / "results" / name
        res = results.load(folder)  # validated against the schema
        raw = json.loads((folder / "results.json").read_text())
        assert raw["schema_version"] == results.SCHEMA_VERSION
        assert len(res.data.class_names) == n_classes
        assert res.config["epochs"] == 2 and len(res.history) <= 2
        assert all(0 <= e.val_macro_f1 <= 1 and 0 <= e.val_accuracy <= 1 for e in res.history)
        assert res.data.val_size > 0
        preds = results.load_predictions(folder)
        assert len(preds.y_true) == res.data.test_size
        recomputed = float(np.mean(preds.y_pred == preds.y_true))
        assert recomputed == pytest.approx(res.test.accuracy)
        cm = np.array(res.test.confusion_matrix)
        assert cm.trace() == round(res.test.accuracy * res.data.test_size)
        assert res.key and set(res.key_parts) == {"config", "code", "data", "versions"}
        assert res.provenance.seed == 42 and res.provenance.data_checksums
    assert not (build / "checkpoints" / "imdb_simplernn").exists()  # cleared once results are written


def test_same_seed_gives_identical_metrics_and_another_seed_does_not(small_data, tmp_path):
    train(small_data, tmp_path / "a", "--seed", "7", "--set", "epochs=3")
    train(small_data, tmp_path / "b", "--seed", "7", "--set", "epochs=3")
    train(small_data, tmp_path / "c", "--seed", "8", "--set", "epochs=3")
    assert metrics(tmp_path / "a") == metrics(tmp_path / "b")
    assert metrics(tmp_path / "a") != metrics(tmp_path / "c")


def _train_process(data: Path, build: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "report", "train", "imdb_simplernn", "--data-dir", str(data),
           "--build-dir", str(build), "--quick", "--quiet", "--set", "epochs=3", "--set", "patience=9"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_killed_run_resumes_from_its_last_epoch_and_matches_an_uninterrupted_one(small_data, tmp_path):
    whole = tmp_path / "whole"
    train(small_data, whole, "--set", "epochs=3", "--set", "patience=9")

    build = tmp_path / "killed"
    proc = _train_process(small_data, build)
    state = build / "checkpoints" / "imdb_simplernn" / "seed-42" / "state.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if state.exists() and json.loads(state.read_text())["epoch"] >= 1:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "training finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (build / "results" / "imdb_simplernn" / "results.json").exists()
    epoch_done = json.loads(state.read_text())["epoch"]
    assert 1 <= epoch_done < 3

    out = run_cli("train", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build),
                  "--quick", "--set", "epochs=3", "--set", "patience=9").output
    assert f"resuming after epoch {epoch_done}" in out
    assert metrics(build) == metrics(whole)


@pytest.mark.slow
@pytest.mark.realdata
def test_quick_smoke_run_on_the_real_datasets(real_data, tmp_path):
    build = tmp_path / "build"
    run_cli("train", "--data-dir", str(real_data), "--build-dir", str(build), "--quick", "--quiet")
    imdb = results.load(build / "results" / "imdb_simplernn")
    reuters = results.load(build / "results" / "reuters_lstm")
    assert imdb.data.class_names == ["neg", "pos"] and imdb.data.test_size == 500
    assert reuters.data.class_names[:5] == ["cocoa", "grain", "veg-oil", "earn", "acq"]
    assert len(reuters.data.class_names) == 46 and reuters.data.test_size == 400
    assert imdb.provenance.data_checksums == {
        "aclImdb_v1.tar.gz": "3c7d06d26560475e8a57d0901ee9561546adbf9c9530f1d1cc5345e410b9463a"
    }
    # even two epochs on 1,000 wires beat always answering the largest topic in the test subset
    assert reuters.test.accuracy > max(reuters.data.test_counts.values()) / reuters.data.test_size - 0.05


def test_a_corrupt_checkpoint_is_reported_and_training_starts_afresh(small_data, tmp_path):
    build = tmp_path / "build"
    folder = build / "checkpoints" / "imdb_simplernn" / "seed-42"
    folder.mkdir(parents=True)
    (folder / "state.json").write_text('{"key": ')  # cut short by a crash
    out = run_cli("train", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build), "--quick")
    assert "unreadable checkpoint (JSONDecodeError); starting afresh" in out.output
    assert results.load(build / "results" / "imdb_simplernn").history[0].epoch == 1

"""Training end to end on small corpora: the CLI, the results contract, seeds, caching, resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from report.results import experiment as results
from report.cli import cli

QUICK = ["--quick", "--quiet"]


def run_cli(*args: str, expect: int = 0):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def train(data: Path, build: Path, *extra: str, names=("imdb_simplernn",)):
    return run_cli("train", *names, "--data-dir", str(data), "--build-dir", str(build), *QUICK, *extra)


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


def _metrics(build: Path, name="imdb_simplernn") -> dict:
    raw = json.loads((build / "results" / name / "results.json").read_text())
    for epoch in raw["history"]:
        epoch.pop("seconds")
    return {"history": raw["history"], "test": raw["test"], "best": raw["best_epoch"]}


def test_same_seed_gives_identical_metrics_and_another_seed_does_not(small_data, tmp_path):
    train(small_data, tmp_path / "a", "--seed", "7", "--set", "epochs=3")
    train(small_data, tmp_path / "b", "--seed", "7", "--set", "epochs=3")
    train(small_data, tmp_path / "c", "--seed", "8", "--set", "epochs=3")
    assert _metrics(tmp_path / "a") == _metrics(tmp_path / "b")
    assert _metrics(tmp_path / "a") != _metrics(tmp_path / "c")


def test_fresh_results_are_not_retrained_until_the_config_changes(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build)
    path = build / "results" / "imdb_simplernn" / "results.json"
    first = path.stat().st_mtime_ns
    out = run_cli("train", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build), "--quick")
    assert "results are fresh" in out.output and path.stat().st_mtime_ns == first

    status = run_cli("status", "--data-dir", str(small_data), "--build-dir", str(build), "--quick").output
    assert re.search(r"imdb_simplernn\s+fresh", status) and re.search(r"reuters_lstm\s+missing", status)
    status = run_cli("status", "--data-dir", str(small_data), "--build-dir", str(build), "--quick",
                     "--set", "epochs=3").output
    assert re.search(r"imdb_simplernn\s+stale\s+config ", status)

    train(small_data, build, "--force")
    assert path.stat().st_mtime_ns != first


def test_bad_override_fails_before_any_training(small_data, tmp_path):
    out = run_cli("train", "--data-dir", str(small_data), "--build-dir", str(tmp_path), "--set", "epoch=3", expect=2)
    assert "no field epoch" in out.output and "epochs" in out.output
    assert not (tmp_path / "results").exists()


def test_list_names_every_experiment_with_its_title():
    out = run_cli("list").output
    assert "imdb_simplernn" in out and "IMDB sentiment with a SimpleRNN" in out
    assert "reuters_lstm" in out and "Reuters newswire topics with an LSTM" in out


def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), f"`make-report {name}` help lacks an example"


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
    assert _metrics(build) == _metrics(whole)


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


def test_render_refuses_stale_results_and_marks_them_with_allow_stale(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, names=("imdb_simplernn", "reuters_lstm"))  # quick: stale against the defaults
    base = ["render", "--no-pdf", "--quiet", "--data-dir", str(small_data), "--build-dir", str(build)]
    out = run_cli(*base, expect=1).output
    assert "stale results (imdb_simplernn: config changed; reuters_lstm: config changed)" in out
    assert "make-report train imdb_simplernn reuters_lstm" in out and "--allow-stale" in out
    assert not (build / "site" / "index.html").exists()

    run_cli(*base, "--allow-stale")
    html = (build / "site" / "index.html").read_text()
    assert "Stale results." in html and "imdb_simplernn (config changed)" in html
    assert html.count('class="stale-mark"') == 2


def test_results_stay_fresh_when_the_data_is_not_on_this_machine(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build)
    elsewhere = tmp_path / "no-data"
    elsewhere.mkdir()
    status = run_cli("status", "imdb_simplernn", "--data-dir", str(elsewhere), "--build-dir", str(build),
                     "--quick").output
    assert re.search(r"imdb_simplernn\s+fresh", status)


def test_several_seeds_report_the_median_run_and_the_spread(small_data, tmp_path):
    build = tmp_path / "build"
    train(small_data, build, "--seeds", "3", "--set", "epochs=3")
    train(small_data, build, names=("reuters_lstm",))  # the report needs both
    res = results.load(build / "results" / "imdb_simplernn")
    assert [s.seed for s in res.seeds] == [42, 43, 44]
    accuracies = sorted(s.accuracy for s in res.seeds)
    assert res.test.accuracy == accuracies[1]  # the run shown is the one of median accuracy
    mean, sd = res.seed_summary["accuracy"]
    assert mean == pytest.approx(sum(accuracies) / 3) and sd >= 0
    # a different number of seeds is a different build: the single-seed results are stale against it
    status = run_cli("status", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build),
                     "--quick", "--set", "epochs=3").output
    assert re.search(r"imdb_simplernn\s+stale\s+config", status)

    run_cli("render", "--no-pdf", "--quiet", "--allow-stale", "--data-dir", str(small_data), "--build-dir", str(build))
    html = (build / "site" / "index.html").read_text()
    assert "Trained with 3 seeds (42, 43, 44)" in html and f"seed {res.provenance.seed}, the run of median" in html


def test_a_corrupt_checkpoint_is_reported_and_training_starts_afresh(small_data, tmp_path):
    build = tmp_path / "build"
    folder = build / "checkpoints" / "imdb_simplernn" / "seed-42"
    folder.mkdir(parents=True)
    (folder / "state.json").write_text('{"key": ')  # cut short by a crash
    out = run_cli("train", "imdb_simplernn", "--data-dir", str(small_data), "--build-dir", str(build), "--quick")
    assert "unreadable checkpoint (JSONDecodeError); starting afresh" in out.output
    assert results.load(build / "results" / "imdb_simplernn").history[0].epoch == 1

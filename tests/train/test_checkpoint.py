"""Checkpoints on a tiny Keras model: save, resume (optimizer state included), prune, clear, and the
cases that start afresh (another key, an unreadable state). No training loop: ``test_loop.py`` and
``test_resume.py`` cover resuming a whole run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from report.results.experiment_results import EpochRecord
from report.train.checkpoint import STATE_FILE, Checkpoints, progress_from_json, progress_json
from report.train.early_stopping import Progress, Stopping

STOP = Stopping(max_epochs=10, patience=3)


def _model(seed: int = 0):
    """A tiny Keras model: every test that makes one is marked slow (it loads TensorFlow)."""
    keras = pytest.importorskip("keras")  # here, not at the top: collecting this file must not load TensorFlow
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy")
    return model


def _step(model) -> None:
    """One optimizer step, so that the optimizer has state (iterations, moments) to save."""
    x = np.arange(12, dtype="float32").reshape(4, 3) / 12
    model.fit(x, np.array([0, 1, 0, 1]), epochs=1, batch_size=4, verbose=0)


def _record(epoch: int, val: float) -> EpochRecord:
    return EpochRecord(epoch=epoch, loss=1.0 / epoch, accuracy=0.5, val_loss=1.0, val_accuracy=val,
                       val_macro_f1=val, seconds=0.1)


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "checkpoints" / "tiny" / "seed-42"


def test_loop_progress_round_trips_through_json():
    state = Progress().after(STOP, _record(1, 0.6), 0.6).after(STOP, _record(2, 0.5), 0.5)
    assert state.best_epoch == 1 and state.wait == 1 and len(state.history) == 2 and state.counting_since == 1
    assert progress_from_json(json.loads(json.dumps(progress_json(state)))) == state


@pytest.mark.slow
def test_resume_loads_the_saved_model_and_optimizer_into_a_fresh_model(folder):
    model = _model()
    _step(model)
    state = Progress().after(STOP, _record(1, 0.6), 0.6)
    ckpt = Checkpoints(folder, key="k1")
    ckpt.save(model, state, model.get_weights())
    raw = json.loads((folder / STATE_FILE).read_text())
    assert raw["key"] == "k1" and raw["epoch"] == 1

    fresh = _model(seed=1)
    assert not _same(fresh.get_weights(), model.get_weights())
    got = Checkpoints(folder, key="k1").resume(fresh)
    assert got == state
    assert _same(fresh.get_weights(), model.get_weights())
    assert int(fresh.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy()) == 1
    assert _same([v.numpy() for v in fresh.optimizer.variables], [v.numpy() for v in model.optimizer.variables])


@pytest.mark.slow
def test_save_keeps_only_the_last_epoch_and_the_best_weights(folder):
    model = _model()
    ckpt = Checkpoints(folder, key="k")
    state = Progress()
    best = None
    for epoch, val in ((1, 0.6), (2, 0.8), (3, 0.7), (4, 0.75)):
        _step(model)
        state = state.after(STOP, _record(epoch, val), val)
        if state.best_epoch == epoch:
            best = model.get_weights()
        ckpt.save(model, state, best)
        # the state, the last epoch's model and the best epoch's weights: nothing older
        stems = sorted(name.split(".")[0] for name in _files(folder))
        assert stems == sorted(["state", f"epoch-{epoch:03d}", f"best-{state.best_epoch:03d}"]), _files(folder)
    assert state.best_epoch == 2 and state.wait == 2
    # the best weights are epoch 2's, not the last epoch's, and reading them leaves the model as it was
    last = model.get_weights()
    assert _same(ckpt.best_weights(state), best)
    assert not _same(best, last) and _same(model.get_weights(), last)


@pytest.mark.slow
def test_a_checkpoint_from_another_key_is_cleared_and_training_starts_afresh(folder, capsys):
    model = _model()
    Checkpoints(folder, key="old").save(model, Progress().after(STOP, _record(1, 0.6), 0.6), model.get_weights())
    fresh = _model(seed=1)
    before = fresh.get_weights()
    assert Checkpoints(folder, key="new").resume(fresh) is None
    assert _same(fresh.get_weights(), before)
    assert "from another config, code or data; starting afresh" in capsys.readouterr().err
    assert not folder.exists()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated state", "missing model file", "state without history"])
def test_an_unreadable_checkpoint_is_reported_in_one_line_and_cleared(folder, capsys, damage):
    model = _model()
    Checkpoints(folder, key="k").save(model, Progress().after(STOP, _record(1, 0.6), 0.6), model.get_weights())
    state = folder / STATE_FILE
    if damage == "truncated state":
        state.write_text(state.read_text()[:20])
    elif damage == "missing model file":
        next(folder.glob("epoch-001.*")).unlink()
    else:
        state.write_text(json.dumps({"key": "k", "epoch": 1}))
    fresh = _model(seed=1)
    before = fresh.get_weights()
    assert Checkpoints(folder, key="k").resume(fresh) is None
    assert _same(fresh.get_weights(), before)  # nothing half-loaded
    assert int(fresh.optimizer.iterations.numpy()) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unreadable checkpoint" in err[0] and "starting afresh" in err[0]
    assert not folder.exists()


@pytest.mark.slow
def test_no_checkpoint_means_start_afresh_silently(folder, capsys):
    model = _model()
    assert Checkpoints(folder, key="k").resume(model) is None
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_clear_removes_the_folder_and_tolerates_its_absence(folder):
    model = _model()
    ckpt = Checkpoints(folder, key="k")
    ckpt.save(model, Progress().after(STOP, _record(1, 0.6), 0.6), model.get_weights())
    ckpt.clear()
    assert not folder.exists()
    ckpt.clear()  # nothing to clear: no error


@pytest.mark.slow
def test_prune_keeps_hidden_files(folder):
    """Temporary files of an atomic write in progress start with a dot and are never pruned."""
    model = _model()
    folder.mkdir(parents=True)
    (folder / ".state.json.tmp").write_text("in progress")
    (folder / "epoch-000.weights.h5").write_text("stale")
    Checkpoints(folder, key="k").save(model, Progress().after(STOP, _record(1, 0.6), 0.6), model.get_weights())
    assert ".state.json.tmp" in _files(folder) and "epoch-000.weights.h5" not in _files(folder)
    assert len(_files(folder)) == 4

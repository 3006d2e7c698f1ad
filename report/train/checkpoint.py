"""Per-epoch training checkpoints, so an interrupted run resumes where it stopped.

Layout of ``build/checkpoints/<experiment>/``:

- ``state.json``: the loop's state (history, best epoch, patience counter) and
  the experiment's key; written last, so it is the commit point of an epoch.
- ``epoch-NNN.weights.h5``: the model's and the optimizer's variables after epoch
  NNN. A resumed run builds the model afresh (so it is compiled exactly as an
  uninterrupted one, XLA included: a saved ``.keras`` model comes back without
  it) and loads these into it.
- ``best-NNN.npz``: the weights of the best epoch so far: the model's variables
  only. (A Keras weights file would also carry the optimizer's variables, and
  loading the best epoch's into a resumed run would rewind the optimizer to that
  epoch: the resumed run would then differ from an uninterrupted one whenever
  the best epoch is older than the last.)

Files are named by epoch and written atomically before ``state.json`` points
at them, so a kill at any moment leaves either the previous epoch's complete
checkpoint or the new one. A checkpoint whose key differs from the run's
(config, code, data or versions changed) or that cannot be read is ignored
with a one-line note, and training starts afresh.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import click
import numpy as np

from report import atomic
from report.results.experiment_results import EpochRecord
from report.train.early_stopping import Progress

STATE_FILE = "state.json"


def progress_json(progress: Progress) -> dict:
    """The loop's progress as JSON: the experiments' epoch records and the stopping counters."""
    return {
        "history": [r.model_dump() for r in progress.history],
        "best_epoch": progress.best_epoch,
        "best_value": progress.best_value,
        "wait": progress.wait,
        "counting_since": progress.counting_since,
    }


def progress_from_json(raw: dict) -> Progress:
    return Progress(
        history=tuple(EpochRecord.model_validate(r) for r in raw["history"]),
        best_epoch=int(raw["best_epoch"]),
        best_value=float(raw["best_value"]),
        wait=int(raw["wait"]),
        counting_since=raw["counting_since"],
    )


@dataclass(frozen=True)
class Checkpoints:
    folder: Path
    key: str  # the experiment's cache key: a checkpoint from another key is never resumed
    notes: list[str] = field(default_factory=list, compare=False)

    def _model_file(self, epoch: int) -> Path:
        return self.folder / f"epoch-{epoch:03d}.weights.h5"

    def _best_file(self, epoch: int) -> Path:
        return self.folder / f"best-{epoch:03d}.npz"

    def save(self, model, state: Progress, best_weights: list) -> None:
        epoch = len(state.history)
        with atomic.atomic_path(self._model_file(epoch), suffix=".weights.h5") as tmp:
            model.save_weights(tmp)
        best = self._best_file(state.best_epoch)
        if not best.exists() or state.best_epoch == epoch:
            with atomic.atomic_path(best, suffix=".npz") as tmp:
                np.savez(tmp, *best_weights)
        payload = {"key": self.key, "epoch": epoch, **progress_json(state)}
        atomic.write_text(self.folder / STATE_FILE, json.dumps(payload, indent=1))
        self._prune(keep={self._model_file(epoch).name, best.name, STATE_FILE})

    def _prune(self, keep: set[str]) -> None:
        for path in self.folder.iterdir():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    def resume(self, model) -> Progress | None:
        """The loop's state after the last completed epoch, with that epoch's model and optimizer
        variables loaded into ``model`` (built and compiled afresh); None to start afresh."""
        path = self.folder / STATE_FILE
        if not path.exists():
            return None
        model.optimizer.build(model.trainable_variables)  # so the optimizer's saved variables load too
        initial = (model.get_weights(), [v.numpy() for v in model.optimizer.variables])
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("key") != self.key:
                self._note(f"{self.folder}: checkpoint is from another config, code or data; starting afresh")
                self.clear()
                return None
            state = progress_from_json(raw)
            model.load_weights(self._model_file(raw["epoch"]))
            return state
        except Exception as exc:  # any unreadable checkpoint: report in one line and start afresh
            self._note(f"{path}: unreadable checkpoint ({type(exc).__name__}); starting afresh")
            model.set_weights(initial[0])  # undo a partial load
            for variable, value in zip(model.optimizer.variables, initial[1]):
                variable.assign(value)
            self.clear()
            return None

    def best_weights(self, state: Progress) -> list:
        """The best epoch's weights, in ``model.get_weights()`` order; the model is not touched."""
        with np.load(self._best_file(state.best_epoch)) as saved:
            return [saved[f"arr_{i}"] for i in range(len(saved.files))]

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _note(self, message: str) -> None:
        click.echo(message, err=True)

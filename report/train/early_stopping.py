"""Early stopping with the best epoch's weights restored: the one loop every run that trains epoch by epoch
goes through, the experiments' (:func:`report.train.loop.fit`) and the studies'.

A run gives one function that trains an epoch and returns what it records and the value it is judged by;
:func:`train_epochs` decides when to stop, keeps the best epoch's weights and puts them back at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Stopping:
    max_epochs: int
    patience: int  # epochs without a better value before stopping
    higher_is_better: bool = True
    # patience counts only once the value has reached this (None: from the first epoch); a run still below
    # it trains to max_epochs
    counting_from: float | None = None
    solved_at: float | None = None  # stop as soon as the best value reaches this (None: never)

    def better(self, value: float, best: float) -> bool:
        return value > best if self.higher_is_better else value < best


@dataclass(frozen=True)
class Progress:
    """Where a run stands after its completed epochs (a checkpoint stores it)."""

    history: tuple[Any, ...] = ()  # what each epoch recorded
    best_epoch: int = 0  # 0 = no epoch yet
    best_value: float = 0.0
    wait: int = 0  # epochs since the last improvement
    counting_since: int | None = None  # the first epoch whose value reached Stopping.counting_from

    def after(self, stopping: Stopping, record: Any, value: float) -> "Progress":
        """This progress with one more epoch, which recorded ``record`` and scored ``value``."""
        epoch = len(self.history) + 1
        counting = self.counting_since
        if counting is None and (stopping.counting_from is None or not stopping.better(stopping.counting_from, value)):
            counting = epoch
        if self.best_epoch == 0 or stopping.better(value, self.best_value):
            return replace(self, history=self.history + (record,), best_epoch=epoch, best_value=value, wait=0,
                           counting_since=counting)
        return replace(self, history=self.history + (record,), wait=self.wait + 1, counting_since=counting)

    def stop_reason(self, stopping: Stopping) -> str | None:
        """"solved", "patience", "cap", or None to train another epoch."""
        if stopping.solved_at is not None and self.best_epoch and not stopping.better(stopping.solved_at, self.best_value):
            return "solved"
        if self.counting_since is not None and self.wait >= stopping.patience:
            return "patience"
        if len(self.history) >= stopping.max_epochs:
            return "cap"
        return None


def train_epochs(model, stopping: Stopping, epoch: Callable[[int], tuple[Any, float]], *,
                 progress: Progress | None = None, best_weights: list | None = None,
                 after_epoch: Callable[[Progress, list], None] | None = None) -> tuple[Progress, str]:
    """Call ``epoch(n)`` for n = 1, 2, ... until ``stopping`` says stop, then restore the best epoch's weights.

    ``progress`` and ``best_weights``: where a resumed run stands; ``after_epoch(progress, best_weights)``
    runs after every epoch (a progress line, a checkpoint). Returns the final progress and why it stopped."""
    progress = progress or Progress()
    while (reason := progress.stop_reason(stopping)) is None:
        record, value = epoch(len(progress.history) + 1)
        progress = progress.after(stopping, record, value)
        if progress.best_epoch == len(progress.history):
            best_weights = model.get_weights()
        if after_epoch is not None:
            after_epoch(progress, best_weights)
    model.set_weights(best_weights)
    return progress, reason

"""Compiled models kept between runs of the same shape in one process, for every run that trains.

XLA compiles a model's steps once per input shape, which on 2 cores costs more than a short run
(~40-90 s for one experiment). A kept model is handed to the next run with the weights and the optimizer
state of a model just built with that run's seed, so its numbers are those of a fresh model (the
compiled-reuse tests check it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CompiledModels:
    """Models kept by key: at most ``keep`` of them (None: as many as there are keys)."""

    keep: int | None = None
    models: dict[Hashable, Any] = field(default_factory=dict)

    def take(self, key: Hashable, initial, compiled: Callable[[], Any] | None = None):
        """The model kept under ``key``, set to start where ``initial`` (a model just built with the run's
        seed) starts; when none is kept, ``compiled()`` (or ``initial`` itself) is kept from now on."""
        kept = self.models.get(key)
        if kept is None:
            if self.keep is not None and len(self.models) >= self.keep:
                self.models.clear()  # the kept ones are of other shapes: their memory is freed
            kept = compiled() if compiled is not None else initial
            self.models[key] = kept
        if kept is not initial:
            kept.set_weights(initial.get_weights())
            reset_optimizer(kept, initial)
        return kept


def reset_optimizer(model, initial) -> None:
    """``model``'s optimizer as it starts: a copy of ``initial``'s when ``initial`` is compiled, else zeroed
    (its caller then sets the learning rate)."""
    model.optimizer.build(model.trainable_variables)
    source = getattr(initial, "optimizer", None)
    if source is None:
        for variable in model.optimizer.variables:
            variable.assign(variable.numpy() * 0)
        return
    source.build(initial.trainable_variables)
    for mine, start in zip(model.optimizer.variables, source.variables, strict=True):
        mine.assign(start)

"""The one early-stopping loop: when it stops, and that it hands back the best epoch's weights."""

from __future__ import annotations

import pytest

from report.train.early_stopping import Progress, Stopping, train_epochs


class Weights:
    """A stand-in model whose weights are the epoch it last trained."""

    def __init__(self) -> None:
        self.epoch = 0

    def get_weights(self) -> list[int]:
        return [self.epoch]

    def set_weights(self, weights: list[int]) -> None:
        self.epoch = weights[0]


def _train(values, stopping):
    model = Weights()

    def epoch(n):
        model.epoch = n
        return f"epoch {n}", values[n - 1]

    progress, reason = train_epochs(model, stopping, epoch)
    return progress, reason, model.epoch


def test_patience_stops_after_that_many_epochs_without_a_better_value_and_restores_the_best():
    progress, reason, restored = _train([0.5, 0.7, 0.6, 0.65, 0.69, 0.9], Stopping(max_epochs=10, patience=3))
    assert reason == "patience" and len(progress.history) == 5 and progress.best_epoch == 2
    assert restored == 2 and progress.history[-1] == "epoch 5"


def test_a_loss_is_better_lower_and_the_cap_ends_a_run_that_keeps_improving():
    progress, reason, restored = _train([1.0, 0.8, 0.7, 0.6], Stopping(max_epochs=4, patience=2, higher_is_better=False))
    assert reason == "cap" and progress.best_epoch == 4 and restored == 4 and progress.wait == 0


def test_patience_counted_from_a_level_waits_out_a_plateau_and_a_solved_run_stops_at_once():
    plateau = [0.5] * 6 + [0.7, 0.8, 0.8, 0.8]
    stopping = Stopping(max_epochs=20, patience=2, counting_from=0.6, solved_at=1.0)
    progress, reason, restored = _train(plateau, stopping)
    assert progress.counting_since == 7 and reason == "patience" and len(progress.history) == 10 and restored == 8
    progress, reason, restored = _train([0.5, 1.0, 0.9], stopping)
    assert reason == "solved" and len(progress.history) == 2 and restored == 2


def test_a_run_resumed_from_its_progress_goes_on_where_it_stood():
    stopping = Stopping(max_epochs=5, patience=2)
    resumed = Progress().after(stopping, "epoch 1", 0.5).after(stopping, "epoch 2", 0.6)
    model = Weights()
    seen = []

    def epoch(n):
        seen.append(n)
        model.epoch = n
        return f"epoch {n}", [0.5, 0.6, 0.55, 0.58, 0.7][n - 1]

    progress, reason = train_epochs(model, stopping, epoch, progress=resumed, best_weights=[2])
    assert seen == [3, 4] and reason == "patience" and model.epoch == 2 and progress.best_value == pytest.approx(0.6)


def test_a_cosine_schedule_falls_from_the_rate_to_near_zero_and_constant_leaves_the_optimizer_alone():
    from report.train.loop import FitSettings, epoch_learning_rate

    cosine = FitSettings(epochs=10, batch_size=8, patience=3, monitor="val_accuracy", seed=1, schedule="cosine",
                         learning_rate=1e-3)
    rates = [epoch_learning_rate(cosine, e) for e in range(1, 11)]
    assert rates[0] == pytest.approx(1e-3) and rates[5] == pytest.approx(5e-4)  # halfway: half the rate
    assert all(a > b for a, b in zip(rates, rates[1:])) and 0 < rates[-1] < 3e-5
    constant = FitSettings(epochs=10, batch_size=8, patience=3, monitor="val_accuracy", seed=1, learning_rate=1e-3)
    assert epoch_learning_rate(constant, 4) is None
    with pytest.raises(ValueError, match="needs a learning rate"):
        epoch_learning_rate(FitSettings(10, 8, 3, "val_accuracy", 1, schedule="cosine"), 1)

"""The designs of the long-range and architectures studies, without TensorFlow: the task, early stopping that
waits out the initial plateau, and the windows the cells read."""

from __future__ import annotations

import numpy as np
import pytest

from studies import architectures, long_range


def test_signal_and_noise_come_from_one_vocabulary():
    x, y = long_range.make_task(4000, 50, 8, np.random.default_rng(0))
    assert x.shape == (4000, 50) and set(np.unique(y)) == {0, 1}
    words = set(range(long_range.FIRST_WORD, long_range.FIRST_WORD + 8))
    # the first word gives the label: the first half of the words is class 0, the second class 1
    assert np.all((x[:, 0] >= long_range.FIRST_WORD + 4) == (y == 1))
    # every position draws from the same words, the first included: the embedding cannot tell noise from signal
    assert set(np.unique(x[:, 0])) == words and set(np.unique(x[:, 1:])) == words
    # and the rest carries nothing about the label: each word as frequent in both classes
    for w in words:
        share0, share1 = np.mean(x[y == 0, 1:] == w), np.mean(x[y == 1, 1:] == w)
        assert abs(share0 - share1) < 0.01


def test_chance_length_is_the_first_length_below_the_level_or_not_trained():
    assert long_range.chance_length([10, 50, 100], [1.0, 0.55, 0.9]) == 50
    assert long_range.chance_length([10, 50], [0.9, 0.7]) is None
    assert long_range.chance_length([10, 50, 100], [0.9, 0.7, None]) == 100


class PlateauModel:
    """Stands in for a Keras model: its validation accuracy per epoch is scripted (it answers class 1 on a share
    of the sequences of class 1 and class 0 otherwise, as set before each evaluation)."""

    def __init__(self, accuracies: list[float]):
        self.accuracies, self.epoch, self.batches = list(accuracies), 0, 0
        self.weights = [np.zeros(1)]

    def train_on_batch(self, x, y):
        self.batches += 1

    def predict_on_batch(self, x):
        epoch = self.batches // self._updates
        acc = self.accuracies[min(epoch, len(self.accuracies)) - 1]
        y = (x[:, 0] - long_range.FIRST_WORD) >= 4
        right = np.arange(len(x)) < round(acc * len(x))
        return np.where(right, y, ~y).astype(float)

    def get_weights(self):
        return [np.array([self.batches // self._updates])]

    def set_weights(self, w):
        self.restored = int(w[0][0])


def _run(accuracies, **config):
    c = long_range.Config(updates_per_epoch=2, batch_size=4, n_val=100, n_test=100, **config)
    model = PlateauModel(accuracies)
    model._updates = c.updates_per_epoch
    val = long_range.make_task(100, 5, c.vocab_words, np.random.default_rng(1))
    return long_range.train_run(model, c, 5, 42, val, None), model


def test_patience_waits_out_the_plateau_at_chance():
    # 20 epochs at chance, then the climb: patience counted from the start would have stopped at epoch 5
    acc = [0.5] * 20 + [0.7, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    run, model = _run(acc, max_epochs=40, patience=4)
    assert run.left_chance == 21 and run.best_epoch == 23 and run.stop == "patience" and run.epochs == 27
    assert model.restored == 23  # the best epoch's weights are the ones scored


def test_a_cell_still_at_chance_stops_at_the_cap_and_a_solved_one_at_once():
    run, _ = _run([0.5] * 30, max_epochs=12, patience=2)
    assert run.stop == "cap" and run.epochs == 12 and run.left_chance is None
    run, _ = _run([0.5, 0.8, 1.0, 1.0], max_epochs=12, patience=2)
    assert run.stop == "solved" and run.epochs == 3 and run.accuracy == pytest.approx(1.0)


def test_window_keeps_the_first_or_last_words_without_padding_inside():
    x = np.array([[0, 0, 5, 6, 7], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0]])
    assert architectures.window(x, 2, "last").tolist() == [[6, 7], [4, 5], [0, 0]]
    assert architectures.window(x, 2, "first").tolist() == [[5, 6], [1, 2], [0, 0]]
    assert architectures.window(x, 4, "first").tolist() == [[0, 5, 6, 7], [1, 2, 3, 4], [0, 0, 0, 0]]

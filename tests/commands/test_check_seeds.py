"""With several seeds the prose states each headline as mean ± sd: the number checker derives both."""

from __future__ import annotations

from statistics import mean, stdev

from report.commands.check.derivable import derivable
from report.results.experiment_results import SeedRun
from tests.factories import make_results


def _with_seeds(accuracies):
    res, _ = make_results()
    seeds = [SeedRun(seed=42 + i, accuracy=a, roc_auc=0.9 + i / 100, macro_f1=a - 0.01, weighted_f1=a,
                     best_epoch=1, train_seconds=1.0) for i, a in enumerate(accuracies)]
    return res.model_copy(update={"seeds": seeds}).model_dump(mode="json")


def test_mean_and_sample_sd_of_the_seeds_are_derivable():
    accuracies = [0.8123, 0.8456, 0.8791]
    allowed = derivable(_with_seeds(accuracies)).general
    assert f"{mean(accuracies):.3f}" in allowed and f"{stdev(accuracies):.3f}" in allowed


def test_one_run_adds_no_spread():
    allowed = derivable(_with_seeds([0.8123])).general
    assert "0.812" in allowed  # the seed's own accuracy is in results.json
    assert f"{stdev([0.8123, 0.8456, 0.8791]):.3f}" not in allowed


def test_the_unlabelled_texts_behind_the_word_vectors_are_derivable():
    """"... the 7,185 fitting wires and 10,349 more that have no topic": the second count is the texts the
    vectors were learned from less the fitting examples, and only with word vectors."""
    res, _ = make_results("reuters_lstm")
    raw = res.model_dump(mode="json")
    extra = 10_349
    assert str(extra) not in derivable(raw).general
    raw["data"]["vector_texts"] = raw["data"]["train_size"] + extra
    assert str(extra) in derivable(raw).general

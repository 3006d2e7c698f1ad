"""Length-bucketed batches: every example once per epoch, a batch order fixed by (seed, epoch),
each batch cut to the smallest bucket that holds its longest example (or, with no buckets, to that
example's own length)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from report.train.batching import (
    bucket_lengths,
    epoch_batches,
    inference_batches,
    padded_steps,
    token_lengths,
)
from report.train.loop import batch_lengths


def test_token_lengths_read_a_front_padded_array():
    x = np.array([[0, 0, 5, 6], [1, 2, 3, 4], [0, 0, 0, 0]], dtype=np.int32)
    assert token_lengths(x).tolist() == [2, 4, 0]


def test_buckets_are_a_short_ladder_that_ends_at_maxlen():
    buckets = bucket_lengths(400)
    assert buckets[-1] == 400 and list(buckets) == sorted(set(buckets))
    assert len(buckets) <= 16  # XLA compiles once per shape: the list must stay short
    assert all(b % 8 == 0 for b in buckets[:-1])
    assert bucket_lengths(5) == (5,)


@pytest.fixture
def lengths():
    return np.random.default_rng(0).integers(0, 500, size=1_000)


def test_each_example_once_per_epoch_in_a_batch_that_holds_it(lengths):
    buckets = bucket_lengths(400)
    batches = epoch_batches(lengths, 64, seed=42, epoch=3, buckets=buckets)
    rows = np.concatenate([b.rows for b in batches])
    assert np.array_equal(np.sort(rows), np.arange(len(lengths)))
    for b in batches:
        assert b.length in buckets and b.length >= min(lengths[b.rows].max(), 400)
        smaller = [L for L in buckets if L < b.length]
        assert not smaller or smaller[-1] < min(lengths[b.rows].max(), 400)  # the smallest that fits
    assert padded_steps(batches) < 0.75 * len(lengths) * 400  # far less than padding all to maxlen


def test_batch_order_is_a_function_of_seed_and_epoch(lengths):
    buckets = bucket_lengths(400)

    def order(seed, epoch):
        return [b.rows.tolist() for b in epoch_batches(lengths, 64, seed, epoch, buckets)]

    assert order(42, 3) == order(42, 3)  # a resumed run sees the same batches
    assert order(42, 3) != order(42, 4) and order(42, 3) != order(43, 3)


def test_inference_batches_cover_every_row_once_without_mixing_buckets(lengths):
    buckets = bucket_lengths(400)
    batches = inference_batches(lengths, 100, buckets)
    rows = np.concatenate([b.rows for b in batches])
    assert np.array_equal(np.sort(rows), np.arange(len(lengths)))
    assert all(len(b.rows) <= 100 for b in batches)


def test_without_buckets_each_batch_is_cut_to_its_longest_example():
    lengths = np.random.default_rng(0).integers(0, 101, size=1_000)
    batches = epoch_batches(lengths, 32, seed=42, epoch=3, buckets=None)
    rows = np.concatenate([b.rows for b in batches])
    assert np.array_equal(np.sort(rows), np.arange(len(lengths)))
    assert [b.length for b in batches] == [max(1, lengths[b.rows].max()) for b in batches]
    # less padding than the six buckets XLA needs, with the same batches (the same rows together)
    bucketed = epoch_batches(lengths, 32, seed=42, epoch=3, buckets=bucket_lengths(100))
    assert [b.rows.tolist() for b in bucketed] == [b.rows.tolist() for b in batches]
    assert padded_steps(batches) < padded_steps(bucketed)


def test_a_batch_of_empty_examples_keeps_one_column():
    """``x[rows][:, -0:]`` would be the whole padded array, not an empty one."""
    assert [b.length for b in epoch_batches(np.zeros(5, dtype=int), 8, 1, 1, None)] == [1]
    assert [b.length for b in inference_batches(np.zeros(5, dtype=int), 8, None)] == [1]


def test_inference_batches_without_buckets_are_full_but_the_last(lengths):
    batches = inference_batches(lengths, 100, None)
    rows = np.concatenate([b.rows for b in batches])
    assert np.array_equal(rows, np.argsort(lengths, kind="stable"))  # sorted, so padding stays small
    assert [len(b.rows) for b in batches] == [100] * 10
    assert [b.length for b in batches] == [lengths[b.rows].max() for b in batches]


def test_batch_lengths_follow_the_models_compilation():
    """XLA compiles one executable per shape: a few buckets; without it, each batch its own length."""
    assert batch_lengths(SimpleNamespace(jit_compile=True), 100) == bucket_lengths(100)
    assert batch_lengths(SimpleNamespace(jit_compile=False), 100) is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="batch_size"):
        epoch_batches(np.array([1, 2]), 0, 1, 1, (8,))
    with pytest.raises(ValueError, match="lengths must be >= 0"):
        epoch_batches(np.array([-1]), 1, 1, 1, (8,))

"""Word vectors to start an embedding from: learned deterministically, lined up with the token ids, scaled
like a fresh embedding, cached, and never learned from validation or test text."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from report.data import TextDataset
from report.train import experiment_runner
from report.train import wordvectors as wv
from report.train.loop import Split

VOCAB = 30
SETTINGS = wv.WordVectorSettings(dim=8, epochs=20, window=2, seed=3)


def corpus(n: int = 300, seed: int = 0) -> np.ndarray:
    """Front-padded rows in which ids 2-5 occur only with each other and ids 6-9 only with each other;
    ids 20-29 never occur."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 12), dtype=np.int32)
    for row in range(n):
        group = 2 if row % 2 else 6
        length = rng.integers(5, 13)
        x[row, 12 - length:] = rng.integers(group, group + 4, size=length)
    return x


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_vectors_line_up_with_ids_and_are_reproducible():
    x = corpus()
    first, again = wv.learn(x, VOCAB, SETTINGS), wv.learn(x, VOCAB, SETTINGS)
    assert first.shape == (VOCAB, 8) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)  # one worker and our own hash: the same every time
    # words of the same group came out closer than words of different groups (row i is id i)
    same = np.mean([cosine(first[2], first[j]) for j in (3, 4, 5)])
    other = np.mean([cosine(first[2], first[j]) for j in (6, 7, 8, 9)])
    assert same > other + 0.3
    # seen words are scaled to the RMS of the settings; unseen ids (20-29) keep a small random start
    assert np.sqrt(np.mean(first[2:10] ** 2)) == pytest.approx(SETTINGS.scale, rel=1e-3)
    assert np.abs(first[20:]).max() <= 0.05 and np.abs(first[20:]).max() > 0


def test_another_seed_gives_other_vectors():
    x = corpus()
    other = wv.learn(x, VOCAB, wv.WordVectorSettings(dim=8, epochs=20, window=2, seed=4))
    assert not np.allclose(wv.learn(x, VOCAB, SETTINGS), other)


def test_cached_learns_once_per_text_and_settings(tmp_path, monkeypatch):
    calls = []
    real = wv.learn
    monkeypatch.setattr(wv, "learn", lambda *a: calls.append(1) or real(*a))
    x = corpus()
    a = wv.cached(tmp_path, "toy", x, VOCAB, SETTINGS)
    b = wv.cached(tmp_path, "toy", x, VOCAB, SETTINGS)
    np.testing.assert_array_equal(a, b)
    assert len(calls) == 1
    wv.cached(tmp_path, "toy", x[:-1], VOCAB, SETTINGS)  # other text: learned anew
    wv.cached(tmp_path, "toy", x, VOCAB, wv.WordVectorSettings(dim=8, epochs=19, window=2, seed=3))
    assert len(calls) == 3


def test_a_damaged_cache_file_is_learned_again(tmp_path):
    x = corpus()
    good = wv.cached(tmp_path, "toy", x, VOCAB, SETTINGS)
    (path,) = tmp_path.glob("toy-vectors-*.npy")
    path.write_bytes(b"not an array")
    said = []
    np.testing.assert_array_equal(wv.cached(tmp_path, "toy", x, VOCAB, SETTINGS, said.append), good)
    assert any("unreadable" in line for line in said)


def test_methods_and_unknown_method():
    assert wv.WordVectorSettings.of("skipgram", 16, 1).skipgram
    assert not wv.WordVectorSettings.of("cbow", 16, 1).skipgram
    with pytest.raises(ValueError, match="'cbow' or 'skipgram'"):
        wv.WordVectorSettings.of("glove", 16, 1)


def test_vectors_learn_from_the_training_part_and_unlabelled_text_only():
    """Validation rows (and the test set) must not reach word2vec."""
    rows = np.arange(1, 41, dtype=np.int32).reshape(10, 4)  # every row different
    split = Split(rows[:7], np.zeros(7), rows[7:], np.zeros(3))
    extra = np.full((2, 4), 99, dtype=np.int32)
    ds = SimpleNamespace(x_unlabelled=extra, x_test=np.full((3, 4), 77, dtype=np.int32))
    source = experiment_runner._vector_source(ds, split)
    assert {tuple(r) for r in source} == {tuple(r) for r in rows[:7]} | {(99,) * 4}
    assert len(source) == experiment_runner._vector_texts(ds, split) == 9
    assert not np.isin(77, source) and not any((source == r).all(1).any() for r in rows[7:])
    assert TextDataset.__dataclass_fields__["x_unlabelled"].default is None  # IMDB: the training part alone

"""stratified_subset: proportional, keeps every class it can, deterministic, texts follow."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from report.data import TextDataset, TextSettings, load_imdb, load_reuters, stratified_subset
from report.data.dataset import MemoryTexts
from tests.corpora import write_imdb, write_reuters


def synthetic(counts_train: list[int], counts_test: list[int]) -> TextDataset:
    def split(counts, prefix):
        y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)]).astype(np.int64)
        y = y[np.random.default_rng(0).permutation(len(y))]
        ids = np.array([f"{prefix}{i}" for i in range(len(y))])
        return y, ids, [f"text of {prefix}{i}" for i in range(len(y))]

    ytr, itr, ttr = split(counts_train, "tr")
    yte, ite, tte = split(counts_test, "te")
    x = lambda n: np.arange(n * 3, dtype=np.int32).reshape(n, 3)  # noqa: E731
    return TextDataset(
        name="t", title="T", class_names=tuple(f"c{k}" for k in range(len(counts_train))),
        x_train=x(len(ytr)), y_train=ytr, x_test=x(len(yte)), y_test=yte, ids_train=itr, ids_test=ite,
        lengths_train=np.full(len(ytr), 3), lengths_test=np.full(len(yte), 3), checksums={}, vocab=("<pad>", "<oov>"),
        ratings_train=np.arange(len(ytr)), ratings_test=np.arange(len(yte)),
        settings=TextSettings(vocab_size=3, maxlen=3), _texts=MemoryTexts(ttr, tte),
    )


def test_proportional_and_every_class_kept():
    ds = synthetic([500, 300, 150, 40, 8, 2], [100, 60, 30, 8, 2, 1])
    sub = stratified_subset(ds, n_train=100, n_test=20, seed=1)
    assert len(sub.y_train) == 100 and len(sub.y_test) == 20
    tr = Counter(sub.y_train.tolist())
    assert set(tr) == set(range(6)) and set(Counter(sub.y_test.tolist())) == set(range(6))
    assert tr[0] > tr[1] > tr[2] > tr[3] >= tr[4] >= tr[5] >= 1
    assert abs(tr[0] - 100 * 500 / 1000) <= 3


def test_rows_stay_aligned_and_in_original_order():
    ds = synthetic([50, 30], [20, 10])
    sub = stratified_subset(ds, 20, 8, seed=3)
    pos = [int(i[2:]) for i in sub.ids_train]
    assert pos == sorted(pos)
    for i, rid in enumerate(sub.ids_train):
        j = int(rid[2:])
        assert sub.y_train[i] == ds.y_train[j] and (sub.x_train[i] == ds.x_train[j]).all()
        assert sub.ratings_train[i] == ds.ratings_train[j]
    assert sub.texts_train() == [f"text of {r}" for r in sub.ids_train]
    assert sub.texts_test() == [f"text of {r}" for r in sub.ids_test]
    # a subset of a subset still finds its texts
    subsub = stratified_subset(sub, 5, 3, seed=0)
    assert subsub.texts_test() == [f"text of {r}" for r in subsub.ids_test]
    assert sub.vocab == ds.vocab and sub.class_names == ds.class_names


def test_deterministic_per_seed():
    ds = synthetic([50, 30, 20], [20, 10, 5])
    a, b, c = (stratified_subset(ds, 30, 10, seed=s) for s in (7, 7, 8))
    assert a.ids_train.tolist() == b.ids_train.tolist()
    assert a.ids_train.tolist() != c.ids_train.tolist()


def test_fewer_rows_than_classes_keeps_the_largest_and_large_n_keeps_all():
    ds = synthetic([5, 50, 20, 1], [2, 10, 5, 1])
    sub = stratified_subset(ds, 2, 3, seed=0)
    assert sorted(set(sub.y_train.tolist())) == [1, 2]
    full = stratified_subset(ds, 10_000, 10_000, seed=0)
    assert len(full.y_train) == 76 and len(full.y_test) == 18
    with pytest.raises(ValueError):
        stratified_subset(ds, -1, 3, seed=0)


def test_subset_of_loaded_datasets(tmp_path):
    write_imdb(tmp_path / "d")
    write_reuters(tmp_path / "d")
    s = TextSettings(vocab_size=30, maxlen=5)
    imdb = load_imdb(tmp_path / "d", tmp_path / "c", s, quiet=True, download=False)
    sub = stratified_subset(imdb, 2, 2, seed=0)
    assert sorted(sub.y_train.tolist()) == [0, 1] and sorted(sub.y_test.tolist()) == [0, 1]
    full_texts = dict(zip(imdb.ids_test, imdb.texts_test()))
    assert sub.texts_test() == [full_texts[i] for i in sub.ids_test]
    reuters = load_reuters(tmp_path / "d", tmp_path / "c", s, quiet=True, download=False, min_topic_count=3)
    rsub = stratified_subset(reuters, 3, 2, seed=0)
    assert len(set(rsub.y_train.tolist())) == 3 and rsub.ratings_test is None

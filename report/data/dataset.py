"""The dataset value handed to experiments, its settings, and ``stratified_subset``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class TextSettings:
    """Preprocessing shared by both datasets; part of every cache key."""

    # Ids 0 (padding) and 1 (out of vocabulary) count towards this: every id is
    # < vocab_size. 10,000 is the assignment's (and Keras' examples') choice: it
    # covers ~95% of IMDB's running words while keeping the embedding small.
    vocab_size: int = 10_000
    # Tokens kept per example (see ``keep``; shorter examples are front-padded).
    # 200 covers the whole of ~60% of IMDB reviews and ~90% of Reuters wires,
    # and keeps a SimpleRNN's back-propagation through time short enough to train.
    maxlen: int = 200
    # Which tokens of a longer text stay: "last" (a review's verdict is at its end) or "first"
    # (a newswire's topic is in its headline and first lines).
    keep: str = "last"

    def __post_init__(self) -> None:
        if self.keep not in ("last", "first"):
            raise ValueError(f"keep must be 'last' or 'first', got {self.keep!r}")
        if self.vocab_size < 3:
            raise ValueError(f"vocab_size must be >= 3 (2 reserved ids), got {self.vocab_size}")
        if self.maxlen < 1:
            raise ValueError(f"maxlen must be >= 1, got {self.maxlen}")


class TextStore(Protocol):
    """Somewhere the raw texts of a split can be fetched from (memory or the cache)."""

    def get(self, split: str) -> list[str]: ...


@dataclass
class MemoryTexts:
    """Texts already in memory (right after a cold load)."""

    train: list[str]
    test: list[str]

    def get(self, split: str) -> list[str]:
        return self.train if split == "train" else self.test


@dataclass(frozen=True, eq=False)
class TextDataset:
    """A tokenised, padded train/test split plus everything needed to explain it.

    ``x_*``: (n, maxlen) int32 token ids (0 padding, 1 out of vocabulary, 2.. words
    by training-set frequency; see ``report.data.text``). ``y_*``: (n,) int64
    class indices into ``class_names``. ``ids_*``: example ids (IMDB
    ``"train/pos/123_9"``, Reuters NEWID). ``lengths_*``: token counts before
    padding/truncation. ``checksums``: source file (or ``folder/``) -> sha256.
    Raw texts are fetched on demand with :meth:`texts_train` / :meth:`texts_test`.
    """

    name: str
    title: str
    class_names: tuple[str, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    ids_train: np.ndarray
    ids_test: np.ndarray
    lengths_train: np.ndarray
    lengths_test: np.ndarray
    checksums: dict[str, str]
    vocab: tuple[str, ...]
    ratings_train: np.ndarray | None = None  # IMDB star ratings (1-10); None for Reuters
    ratings_test: np.ndarray | None = None
    settings: TextSettings = TextSettings()
    # Texts outside both splits, without labels (Reuters: the wires with no kept topic), tokenised with the
    # same vocabulary: more text to learn word vectors from. None when the collection has none.
    x_unlabelled: np.ndarray | None = None
    _texts: TextStore | None = field(default=None, repr=False)
    _rows_train: np.ndarray | None = field(default=None, repr=False)  # set by stratified_subset
    _rows_test: np.ndarray | None = field(default=None, repr=False)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def texts_train(self) -> list[str]:
        """Raw text of each training example, in ``x_train`` order."""
        return self._texts_of("train", self._rows_train)

    def texts_test(self) -> list[str]:
        """Raw text of each test example, in ``x_test`` order (IMDB: ``<br />`` as newlines;
        Reuters: title, newline, body)."""
        return self._texts_of("test", self._rows_test)

    def _texts_of(self, split: str, rows: np.ndarray | None) -> list[str]:
        if self._texts is None:
            raise RuntimeError(f"{self.name}: raw texts were not kept for this dataset")
        full = self._texts.get(split)
        return list(full) if rows is None else [full[i] for i in rows]


def _pick(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of ``n`` examples drawn per class in proportion to class size,
    at least one of every class when ``n`` allows (the largest classes first when not)."""
    if n >= len(y):
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    order = np.lexsort((classes, -counts))  # largest classes first, ties by label
    quota = np.zeros(len(classes), dtype=np.int64)
    quota[order[: min(n, len(classes))]] = 1
    left = n - quota.sum()
    if left > 0:
        room = counts - quota
        share = room * left / room.sum()
        extra = np.minimum(np.floor(share).astype(np.int64), room)
        quota += extra
        left -= extra.sum()
        # largest remainders get the last few, never beyond a class's size
        for i in np.argsort(-(share - np.floor(share)), kind="stable"):
            if left == 0:
                break
            if quota[i] < counts[i]:
                quota[i] += 1
                left -= 1
    chosen = [rng.choice(np.flatnonzero(y == c), size=q, replace=False) for c, q in zip(classes, quota) if q]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def _compose(rows: np.ndarray | None, picked: np.ndarray) -> np.ndarray:
    return picked if rows is None else rows[picked]


def stratified_subset(ds: TextDataset, n_train: int, n_test: int, seed: int) -> TextDataset:
    """A smaller dataset for ``--quick`` runs: ``n_train`` / ``n_test`` examples drawn
    per class in proportion, keeping every class that can be kept (each class gets at
    least one example while ``n`` >= the number of classes). Original order is kept;
    vocabulary, class names and token ids are unchanged. Same seed, same subset.
    """
    if n_train < 0 or n_test < 0:
        raise ValueError("n_train and n_test must be >= 0")
    rng = np.random.default_rng(seed)
    tr = _pick(ds.y_train, n_train, rng)
    te = _pick(ds.y_test, n_test, rng)

    def take(a: np.ndarray | None, idx: np.ndarray) -> np.ndarray | None:
        return None if a is None else a[idx]

    return replace(
        ds,
        x_train=ds.x_train[tr], y_train=ds.y_train[tr], ids_train=ds.ids_train[tr],
        lengths_train=ds.lengths_train[tr], ratings_train=take(ds.ratings_train, tr),
        x_test=ds.x_test[te], y_test=ds.y_test[te], ids_test=ds.ids_test[te],
        lengths_test=ds.lengths_test[te], ratings_test=take(ds.ratings_test, te),
        _rows_train=_compose(ds._rows_train, tr), _rows_test=_compose(ds._rows_test, te),
    )

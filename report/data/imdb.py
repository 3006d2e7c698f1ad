"""IMDB Large Movie Review Dataset (Maas et al., 2011) from ``aclImdb_v1.tar.gz`` or ``aclImdb/``.

Layout: ``aclImdb/{train,test}/{pos,neg}/ID_RATING.txt``, one review per file,
UTF-8. Labels: ``neg`` = 0, ``pos`` = 1; RATING is the star rating (1-10).
Example ids are ``"<split>/<label>/<ID>_<RATING>"``.

Order: files are sorted (label folder, then numeric ID), then each split is
permuted with ``np.random.RandomState(shuffle_seed)`` (test: seed + 1), as
Keras' own ``imdb.load_data`` shuffles with seed 113. Unshuffled, the training
set would be all negatives then all positives, and Keras' ``validation_split``
(which takes the LAST examples, before any shuffling) would validate on
positives only. ``shuffle_seed=None`` keeps the sorted order.
"""

from __future__ import annotations

import re

import numpy as np

from report.data import text
from report.data.archive import Source
from report.data.dataset import MemoryTexts, TextDataset, TextSettings

NAME = "imdb"
TITLE = "IMDB Large Movie Review Dataset"
ARCHIVE = "aclImdb_v1.tar.gz"
FOLDER = "aclImdb"
CLASS_NAMES = ("neg", "pos")
SPLITS = ("train", "test")
PATTERNS = tuple(f"{s}/{c}/*.txt" for s in SPLITS for c in CLASS_NAMES)
FILE_RE = re.compile(r"^(\d+)_(\d+)\.txt$")
SHUFFLE_SEED = 113


def read_reviews(source: Source) -> dict[str, list[tuple[int, int, int, str]]]:
    """Per split, sorted ``(label, ID, rating, cleaned text)`` of every review. Raises DataError."""
    found: dict[tuple[str, str], list[tuple[int, int, str]]] = {(s, c): [] for s in SPLITS for c in CLASS_NAMES}
    for rel, data in source.read(PATTERNS):
        split, label, fname = rel.split("/")
        m = FILE_RE.match(fname)
        if not m:
            raise source.error("unexpected file name, expected ID_RATING.txt (e.g. 123_9.txt)", rel)
        found[(split, label)].append((int(m[1]), int(m[2]), text.clean(data.decode("utf-8", errors="replace"))))
    for (split, label), reviews in found.items():
        if not reviews:
            raise source.error(f"no reviews in {FOLDER}/{split}/{label}/, expected files named ID_RATING.txt there")
    return {
        split: [
            (CLASS_NAMES.index(label), rid, rating, body)
            for label in CLASS_NAMES
            for rid, rating, body in sorted(found[(split, label)], key=lambda r: (r[0], r[1]))
        ]
        for split in SPLITS
    }


def build(source: Source, settings: TextSettings, checksums: dict[str, str], shuffle_seed: int | None) -> TextDataset:
    """Parse, tokenise and pad the whole dataset (the cold path)."""
    reviews = read_reviews(source)
    parts = {}
    for i, split in enumerate(SPLITS):
        rows = reviews[split]
        if shuffle_seed is not None:
            perm = np.random.RandomState(shuffle_seed + i).permutation(len(rows))
            rows = [rows[j] for j in perm]
        parts[split] = rows
    tokens = {split: [text.tokenise(r[3]) for r in parts[split]] for split in SPLITS}
    vocab = text.build_vocab(tokens["train"], settings.vocab_size)
    out = {}
    for split in SPLITS:
        rows = parts[split]
        x, lengths = text.encode(tokens[split], vocab, settings.maxlen, settings.keep)
        out[split] = dict(
            x=x, lengths=lengths,
            y=np.array([r[0] for r in rows], dtype=np.int64),
            ids=np.array([f"{split}/{CLASS_NAMES[r[0]]}/{r[1]}_{r[2]}" for r in rows], dtype=str),
            ratings=np.array([r[2] for r in rows], dtype=np.int32),
        )
    return TextDataset(
        name=NAME, title=TITLE, class_names=CLASS_NAMES,
        x_train=out["train"]["x"], y_train=out["train"]["y"], x_test=out["test"]["x"], y_test=out["test"]["y"],
        ids_train=out["train"]["ids"], ids_test=out["test"]["ids"],
        lengths_train=out["train"]["lengths"], lengths_test=out["test"]["lengths"],
        checksums=checksums, vocab=vocab,
        ratings_train=out["train"]["ratings"], ratings_test=out["test"]["ratings"],
        settings=settings,
        _texts=MemoryTexts([r[3] for r in parts["train"]], [r[3] for r in parts["test"]]),
    )

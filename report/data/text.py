"""Cleaning, tokenising, vocabulary and padding: plain Python and numpy, no TensorFlow.

Conventions (the same for both datasets):

* ``clean``: HTML line breaks (``<br />``, ``<br>``, ``<br/>``) become newlines.
* ``tokenise``: lowercase, then every maximal run of letters or digits, with
  inner apostrophes kept (``don't``, ``o'neil``) — the regex ``TOKEN_RE``.
  Punctuation and markup characters are dropped. Unicode letters count as letters.
* Vocabulary: id 0 = padding, 1 = out of vocabulary, then words 2, 3, ... by
  descending frequency in the TRAINING texts only (ties: alphabetical), so the
  test set never influences the features. ``vocab_size`` counts the two
  reserved ids: every id is ``< vocab_size``.
* ``pad``/``encode``: shorter sequences get zeros in FRONT (Keras' ``padding='pre'``);
  longer ones keep their LAST ``maxlen`` tokens (``keep="last"``, Keras'
  ``truncating='pre'``: a review's verdict is at its end) or their FIRST ones
  (``keep="first"``, ``truncating='post'``: a newswire's topic is in its headline
  and first lines).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

PAD, OOV = 0, 1
PAD_TOKEN, OOV_TOKEN = "<pad>", "<oov>"
RESERVED = (PAD_TOKEN, OOV_TOKEN)

BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def clean(text: str) -> str:
    """Turn HTML line breaks into newlines (the raw text we keep and show)."""
    return BR_RE.sub("\n", text)


def tokenise(text: str) -> list[str]:
    """Lowercased words of a cleaned text (see ``TOKEN_RE``)."""
    return TOKEN_RE.findall(text.lower())


def build_vocab(train_tokens: Iterable[Sequence[str]], vocab_size: int) -> tuple[str, ...]:
    """``("<pad>", "<oov>", most frequent word, ...)``, at most ``vocab_size`` entries."""
    if vocab_size < 3:
        raise ValueError(f"vocab_size must be at least 3 (2 reserved ids + 1 word), got {vocab_size}")
    counts: Counter[str] = Counter()
    for tokens in train_tokens:
        counts.update(tokens)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return RESERVED + tuple(word for word, _ in ranked[: vocab_size - len(RESERVED)])


KEEP = ("last", "first")


def _kept(seq: Sequence, maxlen: int, keep: str) -> Sequence:
    if not maxlen:
        return []
    return seq[-maxlen:] if keep == "last" else seq[:maxlen]


def encode(docs: Sequence[Sequence[str]], vocab: Sequence[str], maxlen: int,
           keep: str = "last") -> tuple[np.ndarray, np.ndarray]:
    """Token lists -> ``(ids (n, maxlen) int32, lengths (n,) int32)``, front-padded; ``keep`` says which
    ``maxlen`` tokens of a longer list stay (``"last"`` or ``"first"``)."""
    index = {word: i for i, word in enumerate(vocab) if i >= len(RESERVED)}
    get = index.get
    x = np.zeros((len(docs), maxlen), dtype=np.int32)
    lengths = np.zeros(len(docs), dtype=np.int32)
    for row, tokens in enumerate(docs):
        lengths[row] = len(tokens)
        ids = [get(t, OOV) for t in _kept(tokens, maxlen, keep)]
        if ids:
            x[row, maxlen - len(ids) :] = ids
    return x, lengths


def pad(sequences: Sequence[Sequence[int]], maxlen: int, keep: str = "last") -> np.ndarray:
    """Integer sequences -> ``(n, maxlen)`` int32, zeros in front, keeping the last (or first) ``maxlen`` ids."""
    x = np.zeros((len(sequences), maxlen), dtype=np.int32)
    for row, seq in enumerate(sequences):
        seq = list(_kept(list(seq), maxlen, keep))
        if seq:
            x[row, maxlen - len(seq) :] = seq
    return x

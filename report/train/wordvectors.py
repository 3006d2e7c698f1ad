"""Word vectors learned from unlabelled text, to start an embedding layer from.

The idea is Maas et al. (2011), the paper that introduced the IMDB dataset: words that occur in similar
contexts get similar vectors before any label is seen, so a small labelled set need not teach the model what
each of 10,000 words means. We use gensim's word2vec (a well-kept implementation: writing our own would only
be slower) on the token ids the experiment already has, so the vectors line up with the embedding's rows.

The text it learns from is outside the validation and test sets: the training part of the split (and, for
Reuters, the wires without a kept topic). Learning is deterministic for a seed: one worker thread and a
hash of our own for gensim's per-word initial vectors (gensim's default is Python's ``hash``, which
changes between interpreter runs). The vectors are cached under ``build/cache/`` keyed by everything that
shapes them: the token ids, the settings and gensim's version.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from report import atomic
from report.data.text import PAD
from report.train import numerics


@dataclass(frozen=True)
class WordVectorSettings:
    dim: int  # the embedding's width: one vector per row
    # CBOW, not skip-gram: on Reuters both gave the same validation accuracy after fine-tuning, and CBOW
    # learns in about a third of the time (bench: see the README's speed table)
    skipgram: bool = False
    window: int = 5  # words either side that count as context
    epochs: int = 10  # passes over the text; ~20,000 wires or reviews is small, so more passes than gensim's 5
    negative: int = 5  # negative samples per positive pair (gensim's default)
    min_count: int = 1  # every word of the 10,000-word vocabulary gets a vector
    # Vectors are rescaled to this root-mean-square value per coordinate, the size of the embedding's own
    # random start (Keras: uniform in +-0.05, RMS 0.029), so the recurrent layer sees inputs of the size it
    # was initialised for
    scale: float = 0.05
    seed: int = 42

    @classmethod
    def of(cls, method: str, dim: int, seed: int) -> "WordVectorSettings":
        """The settings of a config's ``word_vectors`` ("cbow" or "skipgram"): skip-gram looks at every
        context word on its own and costs ~4x per pass, so it gets half of CBOW's passes."""
        if method == "skipgram":
            return cls(dim=dim, skipgram=True, epochs=5, seed=seed)
        if method == "cbow":
            return cls(dim=dim, seed=seed)
        raise ValueError(f"word vectors are 'cbow' or 'skipgram', not {method!r}")


def _hash(text: str) -> int:
    """gensim's per-word seed: stable across interpreter runs (Python's ``hash`` is not)."""
    return zlib.crc32(text.encode("utf-8"))


def sentences(x: np.ndarray) -> list[list[str]]:
    """Padded id rows -> lists of id strings, padding dropped (gensim wants tokens as strings)."""
    return [[str(i) for i in row[row != PAD]] for row in x]


def learn(x: np.ndarray, vocab_size: int, settings: WordVectorSettings) -> np.ndarray:
    """A (vocab_size, dim) float32 matrix: row i is word id i's vector; ids never seen (and padding) keep
    small random values, as Keras would have started them."""
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences(x), vector_size=settings.dim, window=settings.window, min_count=settings.min_count,
        sg=int(settings.skipgram), negative=settings.negative, epochs=settings.epochs, seed=settings.seed,
        workers=1, hashfxn=_hash,
    )
    rng = np.random.default_rng(settings.seed)
    matrix = rng.uniform(-0.05, 0.05, (vocab_size, settings.dim)).astype(np.float32)
    seen = [(int(word), index) for word, index in model.wv.key_to_index.items() if int(word) < vocab_size]
    if seen:
        rows, indices = zip(*seen)
        vectors = model.wv.vectors[list(indices)]
        rms = float(np.sqrt(np.mean(vectors**2)))
        matrix[list(rows)] = vectors * (settings.scale / max(rms, 1e-12))
    return matrix


def cache_key(x: np.ndarray, vocab_size: int, settings: WordVectorSettings) -> str:
    h = hashlib.sha256()
    # the BLAS kernels word2vec runs change the vectors (report.train.numerics): pinned, or what the
    # environment set instead
    blas = os.environ.get(numerics.OPENBLAS_ENV)
    h.update(json.dumps({"settings": asdict(settings), "vocab_size": vocab_size, "gensim": version("gensim"),
                         "blas": blas}, sort_keys=True).encode())
    h.update(str(x.shape).encode())
    h.update(np.ascontiguousarray(x, dtype=np.int32).tobytes())
    return h.hexdigest()[:24]


def cached(cache_dir: Path, name: str, x: np.ndarray, vocab_size: int, settings: WordVectorSettings,
           echo=lambda message: None) -> np.ndarray:
    """:func:`learn`, or its cached result: ``cache_dir/<name>-vectors-<key>.npy``."""
    path = Path(cache_dir) / f"{name}-vectors-{cache_key(x, vocab_size, settings)}.npy"
    if path.is_file():
        try:
            matrix = np.load(path, allow_pickle=False)
            if matrix.shape == (vocab_size, settings.dim) and matrix.dtype == np.float32:
                return matrix
        except (OSError, ValueError):
            pass
        echo(f"{path} is unreadable or of another shape: learning the word vectors again")
    echo(f"{name}: learning word vectors from {len(x):,} unlabelled texts (cached afterwards)")
    matrix = learn(x, vocab_size, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, matrix)
    return matrix

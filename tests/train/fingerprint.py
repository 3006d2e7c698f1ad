"""The arithmetic fingerprint of a tiny run: each experiment's model, at its published widths and with XLA on,
trained for one epoch on the tiny corpora, from word vectors, with every stage hashed
(report.results.stages: tokenised data, word vectors, weights after epoch 1, test predictions).

``tests/train/fingerprint.json`` holds the committed fingerprint and ``test_fingerprint.py`` compares it
exactly: a machine whose pinned arithmetic differs (another BLAS kernel, another oneDNN or XLA instruction
set) fails there, naming the first stage that moved. After a change that moves the numbers on purpose:

    python -m tests.train.fingerprint --write     # rewrite tests/train/fingerprint.json (commit it)
    python -m tests.train.fingerprint             # print this machine's fingerprint as JSON
"""

from __future__ import annotations

import report  # noqa: F401,I001  (first: pins the arithmetic before NumPy loads)

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

FINGERPRINT = Path(__file__).with_name("fingerprint.json")
EXPERIMENTS = ("imdb_simplernn", "reuters_lstm")


def tiny_config(module):
    """The published config at its widths (the kernels' vector lengths are what differ between instruction
    sets), shrunk everywhere else: the quick subsets and lengths, one epoch, a 1,000-word vocabulary, and
    word vectors for both (IMDB's published config starts without them)."""
    quick = {k: v for k, v in module.quick_overrides().items() if k not in ("embedding_dim", "units")}
    return dataclasses.replace(module.Config(), **{**quick, "epochs": 1, "vocab_size": 1000, "subset_train": 0,
                                                   "subset_test": 0, "word_vectors": "cbow"})


def write_corpora(data: Path) -> None:
    from tests.conftest import small_imdb_reviews, small_reuters_files
    from tests.corpora import write_imdb, write_reuters

    data.mkdir(parents=True, exist_ok=True)
    write_imdb(data, small_imdb_reviews(), archive=True)
    write_reuters(data, small_reuters_files())


def word2vec_digest() -> str:
    """The hash of word vectors learned with the published CBOW settings at 128 dimensions from a fixed
    random corpus. The tiny corpora are too small for this stage: gensim looks each score up in a table of
    1,000 sigmoid values, so a last-bit difference in a dot product shows only when it crosses a step of
    that table, which takes more text (1,000 texts of 40 words: three corpora of three, measured, all
    moved with OpenBLAS' SkylakeX kernels against Haswell's)."""
    import numpy as np

    from report.results import stages
    from report.train.wordvectors import WordVectorSettings, learn

    ids = np.random.default_rng(0).integers(1, 300, size=(1000, 40)).astype(np.int32)
    return stages.digest(learn(ids, 300, WordVectorSettings(dim=128)))


def compute(root: Path) -> dict[str, dict[str, str | None]]:
    """experiment -> stage -> hash, from a tiny run in ``root`` (a fresh folder), and the word vectors of
    :func:`word2vec_digest`."""
    from report import registry
    from report.paths import BuildPaths
    from report.train.run_context import RunContext
    from report.train.experiment_runner import run_experiment

    write_corpora(root / "data")
    (root / "report.toml").write_text("", encoding="utf-8")
    paths = BuildPaths(data=root / "data", project=root, build=root / "build")
    out = {"word2vec": {"vectors": word2vec_digest()}}
    for name in EXPERIMENTS:
        module = registry.load(name)
        results, _ = run_experiment(module, tiny_config(module), RunContext(paths, quiet=True, checkpoint=False))
        out[name] = results.stages.model_dump()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {FINGERPRINT.name} with this machine's")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fingerprint = compute(Path(tmp))
    text = json.dumps(fingerprint, indent=1, sort_keys=True) + "\n"
    if args.write:
        FINGERPRINT.write_text(text, encoding="utf-8")
        print(f"wrote {FINGERPRINT}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fixture model exports (model.npz) without TensorFlow: random weights over a small vocabulary, with sample
texts, written beside the results of tests/factories.py so the live page and the trace figures render."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from report.live import forward
from report.results import model_export
from report.results.experiment_results import Results
from report.train import keras_export

WORDS = ("the film movie plot actor scene story and it was a of great wonderful superb moving brilliant loved "
         "fine awful boring dull terrible bad waste worst don't o'neil café naïve wheat corn tonnes profit "
         "dividend shr net cocoa beans crop said in").split()
TRICKY = [
    "It's <br /><br />GREAT!!! don't... O'Neil's café — naïve_but 10/10",
    "<img src=x onerror=alert(1)> <script>alert(2)</script>",
    "ΟΔΟΣ ΣΟΦΟΣ Σ İstanbul STRASSE straße ǅemal ﬁne",
    "tabs\tand\u00a0nbsp\u2028line sep<BR/>x<br\t/>y<br  >z",
    "'quoted' words' 'tis rock'n'roll ''double'' a'b'c 3'4",
    "数字 ١٢٣ ⅻ ² ½ x²",
]


def random_weights(cell: str, readout: str, vocab: int, n_classes: int, emb: int = 16, units: int = 8,
                   seed: int = 0) -> forward.RNNWeights:
    rng = np.random.default_rng(seed)
    g = forward.GATES[cell]
    return forward.RNNWeights(
        cell=cell, readout=readout, output="sigmoid" if n_classes == 2 else "softmax",
        table=rng.normal(0, 0.6, (vocab, emb)).astype(np.float32),
        kernel=rng.normal(0, 0.5, (emb, g * units)).astype(np.float32),
        recurrent=rng.normal(0, 0.5, (units, g * units)).astype(np.float32),
        bias=rng.normal(0, 0.1, g * units).astype(np.float32),
        dense_kernel=rng.normal(0, 1.5, (units, 1 if n_classes == 2 else n_classes)).astype(np.float32),
        dense_bias=np.zeros(1 if n_classes == 2 else n_classes, np.float32),
    )


def sample_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    texts = list(TRICKY)
    while len(texts) < n:
        texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(35, 140))).capitalize() + ".")
    return texts[:n]


def make_export(res: Results, readout: str = "last", maxlen: int = 100, n_samples: int = 40,
                seed: int = 0) -> model_export.ModelExport:
    names = res.data.class_names
    binary = len(names) == 2
    vocab = ("<pad>", "<oov>") + tuple(WORDS)
    cell = "simple_rnn" if binary else "lstm"
    # the SimpleRNN's table folds (its width 8 <= 16); the LSTM's does not (32 > 16)
    w = random_weights(cell, readout, len(vocab), len(names), seed=seed)
    texts = sample_texts(n_samples, seed)
    index = {t: i for i, t in enumerate(vocab) if i >= 2}
    x = np.stack([forward.pad_ids(forward.encode_text(t, vocab, maxlen, "last", index).ids, maxlen) for t in texts])
    prob = forward.probabilities(w, x)
    labels = prob.argmax(1).copy()
    labels[1::3] = (labels[1::3] + 1) % len(names)  # some wrong ones
    samples = [model_export.Sample(row=i, id=f"{i}_1", label=int(labels[i]), text=t) for i, t in enumerate(texts)]
    meta = model_export.ExportMeta(
        experiment=res.experiment, cell=cell, readout=readout, output=w.output, maxlen=maxlen, keep="last",
        class_names=list(names), units=w.units, embedding_dim=w.table.shape[1], tokeniser_matches=True,
        parity=model_export.Parity(examples=len(texts), max_abs_diff=0.0),
        quantised=keras_export.score_quantised(w, x, labels, prob), samples=samples,
    )
    return model_export.ModelExport(meta, vocab, w)


def write_exports(results_root: Path, all_results: dict[str, Results], readout: str = "last") -> dict:
    out = {}
    for i, (name, res) in enumerate(all_results.items()):
        export = make_export(res, readout=readout, seed=i)
        model_export.save(Path(results_root) / name / model_export.MODEL_FILE, export)
        out[name] = export
    return out

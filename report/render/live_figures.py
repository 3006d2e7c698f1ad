"""The static trace figures (sections 1.4 and 2.3): how the answer forms word by word.

Drawn from the NumPy forward pass of the exported float32 model (report.live.forward)
on test texts kept in ``model.npz``, chosen by rules:

* IMDB: among the sample reviews the model reads whole with 40-150 words, one it gets
  right and one it gets wrong, each the one whose P(positive) swings over the widest range.
* Reuters: among the sample wires it reads whole with 30-120 words and gets right, the one
  of the rarest topic (fewest test wires).

Each caption is one sentence per text, built from the trace (no hand-written wording):
the word after which the answer no longer changes and the word that moved it most.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from report.render.figures import PALETTE, TEXT_WIDTH_IN, WrittenFigure, new_figure, save_figure, style
from report.render.live import TracedText, traced
from report.results.experiment_results import Results
from report.results.model_export import ModelExport

KIND = "trace"
REVIEW_WORDS = (40, 150)
WIRE_WORDS = (30, 120)
ANNOTATE = 3  # words labelled on each line: the largest moves


def _candidates(export: ModelExport, words: tuple[int, int]) -> list[TracedText]:
    lo, hi = words
    out = []
    for s in export.meta.samples:
        enc = export.encode(s.text)
        if lo <= len(enc.tokens) <= min(hi, export.meta.maxlen):
            out.append(traced(export, s))
    return out


def _swing(t: TracedText, c: int) -> float:
    return float(t.trace[1:, c].max() - t.trace[1:, c].min())


def settle_index(t: TracedText) -> int:
    """1-based index of the word after which the predicted class never changes again."""
    top = t.trace.argmax(axis=1)
    changed = np.flatnonzero(top[1:] != t.predicted)
    return int(changed[-1]) + 2 if len(changed) else 1


def biggest_move(t: TracedText, c: int) -> int:
    """1-based index of the word that moved P(class c) the most, in either direction."""
    return int(np.argmax(np.abs(np.diff(t.trace[:, c])))) + 1


def _word(t: TracedText, i: int) -> str:
    return t.encoded.tokens[t.encoded.start + i - 1]


def _quoted(t: TracedText, i: int) -> str:
    """The word in quotes for a caption; a number is named as such (a caption states only derivable numbers)."""
    w = _word(t, i)
    return "a number" if any(ch.isdigit() for ch in w) else f"\u201c{w}\u201d"


def choose_reviews(export: ModelExport) -> tuple[TracedText | None, TracedText | None]:
    cands = _candidates(export, REVIEW_WORDS)
    right = [t for t in cands if t.right]
    wrong = [t for t in cands if not t.right]
    pick = lambda ts: max(ts, key=lambda t: (_swing(t, 1), -len(t.encoded.ids)), default=None)  # noqa: E731
    return pick(right), pick(wrong)


def choose_wire(export: ModelExport, res: Results) -> TracedText | None:
    counts = res.data.test_counts
    names = export.meta.class_names
    right = [t for t in _candidates(export, WIRE_WORDS) if t.right]
    return min(right, key=lambda t: (counts.get(names[t.sample.label], 0), len(t.encoded.ids)), default=None)


def _draw(ax, t: TracedText, classes: list[int], names: list[str], title: str) -> None:
    x = np.arange(len(t.encoded.ids) + 1)
    binary = len(names) == 2
    for k, c in enumerate(classes):
        ax.plot(x, t.trace[:, c], color=PALETTE[k % len(PALETTE)], label=f"P({names[c]})",
                linewidth=1.8 if k == 0 else 1.2)
    c0 = classes[0]
    moves = np.abs(np.diff(t.trace[:, c0]))
    n = len(x) - 1
    for i in sorted(np.argsort(-moves)[:ANNOTATE] + 1):
        y = t.trace[i, c0]
        # labels near the ends lean inwards, so none is cut off
        ha = "left" if i < 0.12 * n else "right" if i > 0.88 * n else "center"
        ax.annotate(f"\u201c{_word(t, i)}\u201d", (i, y), xytext=(0, 9 if y < 0.8 else -15),
                    textcoords="offset points", ha=ha, fontsize=8, color="#333333")
        ax.plot([i], [y], "o", color=PALETTE[0], markersize=3)
    ax.axhline(0.5, color="#999999", linewidth=0.8, linestyle="--")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlim(0, len(x) - 1)
    ax.set_title(title, loc="left")
    if binary:
        ax.set_ylabel(f"P({ {'pos': 'positive', 'neg': 'negative'}.get(names[c0], names[c0]) })")
    else:
        ax.set_ylabel("probability")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _review_sentence(t: TracedText, which: str, names: list[str]) -> str:
    label = {"pos": "positive", "neg": "negative"}
    true = label.get(names[t.sample.label], names[t.sample.label])
    said = label.get(names[t.predicted], names[t.predicted])
    s, m = settle_index(t), biggest_move(t, 1)
    return (f"{which}, a {true} review it gets {'right' if t.right else 'wrong'}: its answer settles on {said} "
            f"at {_quoted(t, s)} and the word that moves P(positive) most is {_quoted(t, m)}")


def imdb_figure(export: ModelExport, res: Results, out_dir: Path) -> WrittenFigure | None:
    right, wrong = choose_reviews(export)
    shown = [(t, w) for t, w in ((right, "right"), (wrong, "wrong")) if t is not None]
    if not shown:
        return None
    names = export.meta.class_names
    with style():
        fig, axes = new_figure(TEXT_WIDTH_IN, 2.3 * len(shown), nrows=len(shown), ncols=1, squeeze=False)
        for ax, (t, w) in zip(axes[:, 0], shown):
            true = {"pos": "positive", "neg": "negative"}.get(names[t.sample.label], names[t.sample.label])
            _draw(ax, t, [1], names, f"A {true} test review the SimpleRNN gets {w}")
        axes[-1, 0].set_xlabel("words read")
        path = save_figure(fig, out_dir / f"{res.experiment}-{KIND}.svg")
    where = ["Above", "Below"] if len(shown) == 2 else ["Here"]
    sentences = [_review_sentence(t, wh, names) for (t, _), wh in zip(shown, where)]
    title = ("How the answer forms word by word: P(positive) after each word of two test reviews, as if the review "
             "ended there. " + ". ".join(sentences))
    alt = ("Line charts of the SimpleRNN's probability that a review is positive after each word. "
           + ". ".join(sentences) + ".")
    return WrittenFigure(res.experiment, KIND, path, alt, title)


def reuters_figure(export: ModelExport, res: Results, out_dir: Path) -> WrittenFigure | None:
    t = choose_wire(export, res)
    if t is None:
        return None
    names = export.meta.class_names
    final = list(np.argsort(-t.trace[-1])[:3])
    with style():
        fig, ax = new_figure(TEXT_WIDTH_IN, 2.6)
        _draw(ax, t, final, names, f"A test wire on {names[t.sample.label]}, which the LSTM gets right")
        ax.set_xlabel("words read")
        path = save_figure(fig, out_dir / f"{res.experiment}-{KIND}.svg")
    s, m = settle_index(t), biggest_move(t, t.predicted)
    early = names[int(t.trace[1:, :].argmax(axis=1)[0])] if len(t.encoded.ids) else names[t.predicted]
    sentence = (f"The LSTM settles on {names[t.predicted]} at {_quoted(t, s)} and holds it to the end; "
                f"the word that moves P({names[t.predicted]}) most is {_quoted(t, m)}"
                + (f", and after the first word it leaned to {early}" if early != names[t.predicted] else ""))
    title = (f"How the answer forms word by word: the three most likely topics after each word of a test wire on "
             f"{names[t.sample.label]}, the rarest topic among the sample wires it gets right. {sentence}")
    alt = f"Line chart of the LSTM's topic probabilities after each word of a wire. {sentence}."
    return WrittenFigure(res.experiment, KIND, path, alt, title)


def write_trace_figures(exports: Mapping[str, ModelExport], all_results: Mapping[str, Results],
                        out_dir: Path) -> list[WrittenFigure]:
    written = []
    for name, export in exports.items():
        res = all_results.get(name)
        if res is None:
            continue
        draw = imdb_figure if len(export.meta.class_names) == 2 else reuters_figure
        fig = draw(export, res, Path(out_dir))
        if fig is not None:
            written.append(fig)
    return written

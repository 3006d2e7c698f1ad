"""The "Try the models" page (build/site/live.html) and the PDF's word-by-word trace figures.

Reads each experiment's ``model.npz`` (:mod:`report.results.model_export`); experiments
trained before the export existed simply have no page entry and no trace figure.

What the site gets, all local files (no other host, works under a sub-path and from file://):

``live.html``
    the page: a text box, a model switch, example inputs, the prediction and the trace.
``js/live.js``
    the tokeniser and the forward pass in plain JavaScript (no dependencies), and the page's
    behaviour; ``window.makeReport.predict(name, text)`` (see the README).
``live/tokeniser.js``
    the tokeniser's two character classes, generated here from Python's own ``re`` so the
    browser splits words exactly as training did, whatever its Unicode version.
``live/<name>.js``
    one model: ``makeReportModels[name] = {meta, vocab, arrays, data}``, the quantised arrays
    base64-encoded. Loaded by a ``<script>`` element only when the page needs that model: a
    script, unlike ``fetch``, also loads from file://.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from report import atomic
from report.live import forward, quantise
from report.results import experiment_results as results
from report.results import model_export
from report.results.model_export import ModelExport

LIVE_PAGE = "live.html"
LIVE_TEMPLATE = "live.html"
ALIGN = 8  # every array starts at a multiple of 8 bytes in the decoded buffer (typed-array views)
EXAMPLE_CHARS = 2500  # an example text longer than this is not offered as a one-click example


def load_exports(results_root: Path, names: tuple[str, ...]) -> dict[str, ModelExport]:
    """The experiments that have a ``model.npz``, in report order."""
    found = {}
    for name in names:
        export = model_export.load(results.results_dir(results_root, name))
        if export is not None:
            found[name] = export
    return found


# --- the tokeniser's character classes, from Python's re ------------------------------------------------


def _all_code_points() -> str:
    return "".join(chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)


def _ranges(pattern: re.Pattern, everything: str) -> list[tuple[int, int]]:
    """The code points ``pattern`` (one character) matches, as inclusive ranges."""
    out: list[tuple[int, int]] = []
    for cp in sorted(ord(c) for c in pattern.findall(everything)):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _js_class(ranges: list[tuple[int, int]]) -> str:
    """A JavaScript character class body for a regex with the ``u`` flag."""
    esc = lambda cp: f"\\u{{{cp:x}}}"  # noqa: E731
    return "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges)


@functools.lru_cache(maxsize=1)
def tokeniser_classes() -> dict[str, object]:
    """Python's ``[^\\W_]`` (a word character of ``report.data.text.TOKEN_RE``) and ``\\s`` (in
    ``BR_RE``), and Python's lower-case of every code point that has one, for the browser to use instead of
    its own ``toLowerCase`` (whose Unicode version may differ)."""
    everything = _all_code_points()
    lower = {ch: ch.lower() for ch in everything if ch.lower() != ch}
    return {
        "word": _js_class(_ranges(re.compile(r"[^\W_]"), everything)),
        "space": _js_class(_ranges(re.compile(r"\s"), everything)),
        "lower": lower,  # Python's str.lower(), one code point at a time (js/live.js adds the final-sigma rule)
    }


# --- one model as a script ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveModel:
    """What the page shows about one model, beside its data file."""

    name: str
    title: str  # the experiment's TITLE
    cell: str  # "SimpleRNN" / "LSTM"
    item: str  # "review" / "wire"
    class_names: tuple[str, ...]
    file: str  # "live/<experiment>.js"
    file_bytes: int
    weight_bytes: int  # the quantised arrays
    trained_accuracy: float
    quantised_accuracy: float
    agreement: float
    test_size: int
    maxlen: int
    keep: str
    readout: str
    examples: tuple[dict, ...]  # {"label": ..., "text": ...}


def _pack(q: quantise.Quantised) -> tuple[dict, bytes]:
    manifest, chunks, offset = {}, [], 0
    for key, arr in q.arrays().items():
        arr = np.ascontiguousarray(arr)
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        manifest[key] = {"dtype": arr.dtype.name, "shape": list(arr.shape), "offset": offset}
        pad = (-len(raw)) % ALIGN
        chunks.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    return manifest, b"".join(chunks)


def model_script(name: str, export: ModelExport) -> tuple[str, int]:
    """The text of ``live/<name>.js`` and the byte size of its quantised arrays."""
    q = quantise.quantise(export.weights)
    manifest, blob = _pack(q)
    m = export.meta
    payload = {
        "meta": {
            "name": name, "cell": m.cell, "readout": m.readout, "output": m.output, "activation": m.activation,
            "recurrentActivation": m.recurrent_activation, "maxlen": m.maxlen, "keep": m.keep,
            "classNames": m.class_names, "units": m.units, "folded": q.kernel is None,
        },
        "vocab": list(export.vocab),
        "arrays": manifest,
    }
    head = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    text = (
        f"// {name}: the quantised model for live.html ({model_export.QUANTISATION}). Generated by make-report.\n"
        f"(window.makeReportModels = window.makeReportModels || {{}})[{json.dumps(name)}] = "
        f"Object.assign({head}, {{data: \"{base64.b64encode(blob).decode('ascii')}\"}});\n"
    )
    return text, q.nbytes


def _examples(export: ModelExport, res: results.Results) -> tuple[dict, ...]:
    """One click away: a test review from each class; a wire from the most frequent topic and one from
    the rarest topic the model gets right (the export keeps the shortest right example of each class)."""
    names = export.meta.class_names
    by_class: dict[int, list[model_export.Sample]] = {}
    for s in export.meta.samples:
        if len(s.text) <= EXAMPLE_CHARS:
            by_class.setdefault(s.label, []).append(s)
    # the shortest sample of a class is the one the export chose as right and short
    shortest = {c: min(v, key=lambda s: len(s.text)) for c, v in by_class.items()}
    if len(names) == 2:
        picks = [(c, f"A {names[c]} test review") for c in (1, 0) if c in shortest]
        picks = [(c, label.replace("A pos ", "A positive ").replace("A neg ", "A negative ")) for c, label in picks]
    else:
        counts = res.data.test_counts
        ranked = sorted((c for c in shortest), key=lambda c: (-counts.get(names[c], 0), c))
        picks = []
        if ranked:
            picks.append((ranked[0], f"A wire on {names[ranked[0]]} (the most frequent topic)"))
        if len(ranked) > 1:
            picks.append((ranked[-1], f"A wire on {names[ranked[-1]]} (a rare topic)"))
    return tuple({"label": label, "text": shortest[c].text, "class": names[c]} for c, label in picks)


def describe(name: str, export: ModelExport, res: results.Results, file: str, file_bytes: int,
             weight_bytes: int) -> LiveModel:
    q = export.meta.quantised
    binary = len(export.meta.class_names) == 2
    return LiveModel(
        name=name, title=res.title, cell="LSTM" if export.meta.cell == "lstm" else "SimpleRNN",
        item="review" if binary else "wire", class_names=tuple(export.meta.class_names), file=file,
        file_bytes=file_bytes, weight_bytes=weight_bytes, trained_accuracy=res.test.accuracy,
        quantised_accuracy=q.accuracy, agreement=q.agreement, test_size=q.examples, maxlen=export.meta.maxlen,
        keep=export.meta.keep, readout=export.meta.readout, examples=_examples(export, res),
    )


def write_live_site(env, exports: Mapping[str, ModelExport], all_results: Mapping[str, results.Results],
                    meta, templates: Path, site: Path, log: Callable[[Path], None], *,
                    pdf_href: str | None = None,
                    script: Callable[[str, ModelExport], tuple[str, int]] = model_script,
                    classes: Callable[[], dict] = tokeniser_classes) -> list[Path]:
    """live.html, js/live.js, css/live.css, live/tokeniser.js and live/<name>.js for each export.

    ``script`` and ``classes`` make a model's script and the tokeniser's classes (the build passes
    versions that reuse what earlier builds made, see report.render.output_cache). Files whose text is
    already there are not written again."""
    written: list[Path] = []

    def put(path: Path, text: str | bytes) -> None:
        atomic.write_if_changed(path, text)
        written.append(path)
        log(path)

    models = []
    for name, export in exports.items():
        text, weight_bytes = script(name, export)
        path = site / "live" / f"{name}.js"
        put(path, text)
        models.append(describe(name, export, all_results[name], f"live/{name}.js", len(text.encode()),
                               weight_bytes))
    tokeniser = classes()
    put(site / "live" / "tokeniser.js",
        "// The tokeniser's character classes, generated from Python's re by make-report (see js/live.js).\n"
        f"window.makeReportTokeniser = {json.dumps(tokeniser, ensure_ascii=True, separators=(',', ':'))};\n")
    for rel in ("js/live.js", "css/live.css"):
        put(site / rel, (templates / rel).read_bytes())
    config = {"models": [{"name": m.name, "title": m.title, "cell": m.cell, "item": m.item, "file": m.file,
                          "classNames": list(m.class_names), "examples": list(m.examples)} for m in models]}
    html = env.get_template(LIVE_TEMPLATE).render(meta=meta, medium="screen", models=models, config=config,
                                                  pdf_href=pdf_href)
    put(site / LIVE_PAGE, html)
    return written


def remove_live_site(site: Path) -> None:
    """No exports: no page (an older one would show models the report no longer describes)."""
    (site / LIVE_PAGE).unlink(missing_ok=True)
    shutil.rmtree(site / "live", ignore_errors=True)


# --- the PDF's trace figures: a few test texts, chosen by rules ----------------------------------------------


@dataclass(frozen=True)
class TracedText:
    sample: model_export.Sample
    encoded: forward.Encoded
    trace: np.ndarray  # (n + 1, C)
    predicted: int

    @property
    def right(self) -> bool:
        return self.predicted == self.sample.label


def traced(export: ModelExport, sample: model_export.Sample) -> TracedText:
    enc = export.encode(sample.text)
    tr = forward.trace(export.weights, enc.ids)
    return TracedText(sample, enc, tr, int(tr[-1].argmax()))

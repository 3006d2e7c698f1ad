"""Time the "Try the models" page in Chromium: score and trace a 400-word review, and the page's transfer size.

    .venv/bin/python bench/bench_live.py [--results build/results] [--runs 20]

Uses the real exports (model.npz) under --results when both experiments have one; otherwise models of the
real shapes with random weights (the time depends on the shapes, not on the values). Renders the site into
a temporary folder, serves it under a sub-path as GitHub Pages does, and prints:

* the time of ``makeReport.predict`` (tokenise, forward pass, trace) on a 400-word review and a 100-word
  wire, first call (model download and decoding included) and the median of --runs calls after it;
* the bytes the page transfers when opened (HTML, CSS, JS, tokeniser, the default model) and with both
  models, raw and gzip-compressed (GitHub Pages serves text compressed).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report.live import quantise  # noqa: E402
from report.outline import load_outline  # noqa: E402
from report.results import model_export  # noqa: E402

EXPERIMENTS = load_outline(ROOT / "report.toml").experiments  # the ones the report shows
SUBPATH = "my-repo"


def _fake_exports(results_root: Path) -> None:
    """Fixture results plus random models of the experiments' real shapes."""
    import dataclasses

    from tests.factories import write_both
    from tests.live_factories import make_export, random_weights

    all_results = write_both(results_root)
    shapes = {"imdb_simplernn": ("simple_rnn", 128, 32), "reuters_lstm": ("lstm", 64, 64)}
    for i, (name, res) in enumerate(all_results.items()):
        export = make_export(res, maxlen=400 if name == "imdb_simplernn" else 100, seed=i)
        cell, emb, units = shapes[name]
        w = random_weights(cell, "last", 10_000, len(res.data.class_names), emb=emb, units=units, seed=i)
        vocab = export.vocab + tuple(f"word{k}" for k in range(10_000 - len(export.vocab)))
        model_export.save(results_root / name / model_export.MODEL_FILE,
                          dataclasses.replace(export, weights=w, vocab=vocab))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "build" / "results")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from report.render import build
    from tests.conftest import render_meta, render_paths

    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    paths = render_paths(tmp / "project")
    real = all((args.results / n / model_export.MODEL_FILE).is_file() for n in EXPERIMENTS)
    if real:
        for n in EXPERIMENTS:
            shutil.copytree(args.results / n, paths.results / n)
    else:
        _fake_exports(paths.results)
    build(paths, quiet=True, meta=render_meta(), pdf=False, studies=False)
    site = paths.site
    print(f"models: {'real exports from ' + str(args.results) if real else 'random weights, real shapes'}")

    root = tmp / "pages"
    shutil.copytree(site, root / SUBPATH)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{SUBPATH}/live.html"

    words = ("the film was a great deal more moving than i expected and the acting never lets it down "
             "although the plot is thin").split()
    review = " ".join(words[i % len(words)] for i in range(400))
    wire = " ".join(("wheat corn tonnes said the department of agriculture in its report on exports "
                     "for the week").split()[i % 16] for i in range(100))

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(url, wait_until="networkidle")
        opened = [root / SUBPATH / u.split(f"/{SUBPATH}/", 1)[1] for u in fetched if f"/{SUBPATH}/" in u]
        print(f"\n{'input':<28}{'first call':>12}{'median':>10}{'min':>10}   (ms, {args.runs} runs)")
        for name, text, label in (("imdb_simplernn", review, "400-word review, SimpleRNN"),
                                  ("reuters_lstm", wire, "100-word wire, LSTM")):
            times = page.evaluate(
                """async ([n, t, runs]) => {
                    const t0 = performance.now(); await window.makeReport.predict(n, t);
                    const first = performance.now() - t0, out = [];
                    for (let i = 0; i < runs; i++) {
                        const s = performance.now(); const r = await window.makeReport.predict(n, t);
                        if (!r.trace.length) throw new Error('empty trace');
                        out.push(performance.now() - s);
                    }
                    return [first, out];
                }""",
                [name, text, args.runs],
            )
            first, rest = times
            print(f"{label:<28}{first:>12.1f}{statistics.median(rest):>10.1f}{min(rest):>10.1f}")
        browser.close()
    server.shutdown()
    site = root / SUBPATH

    def gz(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), compresslevel=6))

    def row(label: str, files: list[Path]) -> None:
        raw = sum(f.stat().st_size for f in files)
        print(f"{label:<40}{raw / 1e6:>10.2f}{sum(gz(f) for f in files) / 1e6:>10.2f}")

    base = [site / "live.html", site / "css" / "site.css", site / "css" / "live.css", site / "js" / "live.js",
            site / "live" / "tokeniser.js"]
    print(f"\n{'transfer':<40}{'raw MB':>10}{'gzip MB':>10}")
    row("page (HTML, CSS, JS, tokeniser)", base)
    for n in EXPERIMENTS:
        row(f"  + live/{n}.js", [site / "live" / f"{n}.js"])
    row("opened (page + default model)", base + [site / "live" / f"{EXPERIMENTS[0]}.js"])
    row("both models", base + [site / "live" / f"{n}.js" for n in EXPERIMENTS])
    print(f"(Chromium fetched {len(opened)} files, {sum(f.stat().st_size for f in opened) / 1e6:.2f} MB "
          f"uncompressed, when the page opened: {', '.join(f.name for f in opened)})")
    for n in EXPERIMENTS:
        q = quantise.quantise(model_export.load(paths.results / n).weights)
        print(f"quantised arrays of {n}: {q.nbytes / 1e6:.2f} MB")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

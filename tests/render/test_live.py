"""The "Try the models" page (report/render/live.py, templates/js/live.js) in Chromium, served under a sub-path
as GitHub Pages does, and from file://.

With fixture exports (tests/live_factories.py: random weights, tricky texts) the browser must reproduce the
Python tokeniser exactly and the NumPy forward pass of the quantised weights to float rounding. With the real
results (build/results, or $MAKE_REPORT_RESULTS) it must agree with Keras' own predictions.npz: the same class
for >= 99% of 200 test reviews and 200 test wires, and max |probability difference| within the bound derived
from the quantisation (see test_real_models_match_predictions).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from report.data import text as tok
from report.live import forward, quantise
from report.outline import load_outline
from report.results import experiment_results as results
from report.results import model_export
from tests import REPO_ROOT

EXPERIMENTS = load_outline(REPO_ROOT / "report.toml").experiments
SUBPATH = "/my-repo/"
INJECTION = "<img src=x onerror=alert(1)>"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site: Path, root: Path):
    shutil.copytree(site, root / SUBPATH.strip("/"))
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}"


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    """The fixture report with fixture model exports, rendered (HTML only): (paths, exports, output)."""
    from report.render import build
    from tests.conftest import render_meta, render_paths
    from tests.factories import write_both
    from tests.live_factories import write_exports

    paths = render_paths(tmp_path_factory.mktemp("live"))
    all_results = write_both(paths.results)
    exports = write_exports(paths.results, all_results, readout="max")
    output = build(paths, quiet=True, meta=render_meta(), pdf=False)
    return paths, exports, output


@pytest.fixture(scope="module")
def served(live_site, tmp_path_factory):
    paths, exports, _ = live_site
    server, url = _serve(paths.site, tmp_path_factory.mktemp("pages"))
    yield url, exports
    server.shutdown()
    server.server_close()


def _open(browser, url, width=1280, scheme="light"):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log = {"failed": [], "errors": [], "outside": [], "requests": [], "dialogs": []}
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and log["failed"].append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and log["errors"].append(m.text))
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    if url.startswith("http"):
        base = url.rsplit("/", 1)[0] + "/"
        page.on("request", lambda r: r.url.startswith(("http://", "https://")) and not r.url.startswith(base)
                and log["outside"].append(r.url))
    return context, page, log


# --- without a browser ---------------------------------------------------------------------------------------


def test_site_has_the_page_the_links_and_the_trace_figures(live_site):
    paths, exports, output = live_site
    site = paths.site
    for rel in ("live.html", "js/live.js", "css/live.css", "live/tokeniser.js", *(f"live/{n}.js" for n in EXPERIMENTS)):
        assert (site / rel).is_file(), rel
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="live.html"' in index  # from the contents
    for name in EXPERIMENTS:
        assert f'href="live.html#{name}"' in index  # from sections 1.4 and 2.3
        assert (site / "figures" / f"{name}-trace.svg").is_file()
    assert "live/" not in index.split("live.html")[0]  # the report itself loads no model
    page = (site / "live.html").read_text(encoding="utf-8")
    assert 'aria-live="polite"' in page and '<label class="live-label" for="live-text">' in page
    assert "Word by word" in index


def test_no_exports_no_page(tmp_path, render_seed):
    from report.render import build
    from tests.conftest import render_meta, render_paths
    from tests.factories import write_both

    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    (paths.site / "live").mkdir(parents=True)
    (paths.site / "live.html").write_text("old")
    build(paths, quiet=True, meta=render_meta(), pdf=False)
    assert not (paths.site / "live.html").exists() and not (paths.site / "live").exists()
    assert 'href="live.html' not in (paths.site / "index.html").read_text(encoding="utf-8")


def test_page_weights_decode_to_the_quantised_model(live_site):
    """The arrays in live/<name>.js are exactly quantise.quantise's."""
    import base64

    from report.render.live import model_script

    _, exports, _ = live_site
    for name, export in exports.items():
        text, nbytes = model_script(name, export)
        q = quantise.quantise(export.weights)
        head = json.loads(text.split("Object.assign(", 1)[1].rsplit(", {data:", 1)[0])
        blob = base64.b64decode(text.rsplit('data: "', 1)[1].split('"', 1)[0])
        for key, arr in q.arrays().items():
            spec = head["arrays"][key]
            got = np.frombuffer(blob, dtype=arr.dtype, count=arr.size, offset=spec["offset"]).reshape(arr.shape)
            assert np.array_equal(got, arr), key
        assert nbytes == q.nbytes


# --- in Chromium ---------------------------------------------------------------------------------------------


def _vectors(exports) -> list[str]:
    from tests.live_factories import TRICKY

    texts = list(TRICKY) + [s.text for e in exports.values() for s in e.meta.samples[:10]]
    texts.append(" ".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c <= 0xDFFF))
    return texts


@pytest.mark.browser
def test_tokeniser_reproduces_python_exactly(browser, served):
    url, exports = served
    context, page, log = _open(browser, url + "live.html")
    page.goto(url + "live.html", wait_until="networkidle")
    texts = _vectors(exports)
    got = page.evaluate("texts => texts.map(t => window.makeReport.tokenise(t))", texts)
    want = [tok.tokenise(tok.clean(t)) for t in texts]
    assert got == want
    # every code point, one at a time between spaces: classification and lower-casing
    everything = " ".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    same = page.evaluate("([t, n]) => { const r = window.makeReport.tokenise(t); return [r.length, r.join('\\u0001')]; }",
                         [everything, 0])
    want_all = tok.tokenise(tok.clean(everything))
    assert same[0] == len(want_all) and same[1] == "\u0001".join(want_all)
    assert log["errors"] == []
    context.close()


@pytest.mark.browser
def test_predict_matches_numpy_on_the_quantised_weights(browser, served):
    url, exports = served
    context, page, log = _open(browser, url + "live.html")
    page.goto(url + "live.html", wait_until="networkidle")
    for name, export in exports.items():
        weights = quantise.dequantise(quantise.quantise(export.weights))
        texts = [s.text for s in export.meta.samples]
        got = page.evaluate("async ([n, ts]) => { const out = []; for (const t of ts) out.push("
                            "await window.makeReport.predict(n, t)); return out; }", [name, texts])
        for text, r in zip(texts, got):
            enc = export.encode(text)
            tr = forward.trace(weights, enc.ids)
            assert [s["id"] for s in r["trace"]] == list(enc.ids)
            assert r["read"]["start"] == enc.start and r["tokens"] == list(enc.tokens)
            assert np.abs(np.array(r["probabilities"]) - tr[-1]).max() < 1e-6
            if enc.ids:
                steps = np.array([s["probabilities"] for s in r["trace"]])
                assert np.abs(steps - tr[1:]).max() < 1e-6
                top = int(tr[-1].argmax())
                assert np.allclose([s["delta"] for s in r["trace"]], np.diff(tr[:, top]), atol=1e-6)
    assert log["errors"] == [] and log["outside"] == [] and log["failed"] == []
    context.close()


@pytest.mark.browser
def test_typed_markup_stays_text(browser, served):
    url, _ = served
    context, page, log = _open(browser, url + "live.html")
    page.goto(url + "live.html", wait_until="networkidle")
    page.fill("#live-text", INJECTION + " a great film")
    page.click("button.live-run")
    page.wait_for_selector("#live-result:not([hidden]) .live-word")
    words = page.eval_on_selector_all("#live-words .live-word", "els => els.map(e => e.textContent)")
    assert words == tok.tokenise(INJECTION + " a great film")
    assert page.eval_on_selector_all("#live-result img, #live-words script", "els => els.length") == 0
    assert page.input_value("#live-text").startswith(INJECTION)
    page.wait_for_timeout(300)
    assert log["dialogs"] == [] and log["errors"] == []
    assert not any(r.endswith("/x") for r in log["requests"])
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "scheme"), [(390, "light"), (1280, "dark")])
def test_page_is_usable_by_keyboard_at_both_widths(browser, served, width, scheme, tmp_path_factory):
    url, exports = served
    context, page, log = _open(browser, url + "live.html", width, scheme)
    # the report itself loads no model; the page loads one only when opened
    page.goto(url, wait_until="networkidle")
    assert not any("/live/" in r for r in log["requests"])
    page.goto(url + "live.html", wait_until="networkidle")
    assert any(r.endswith("/live/imdb_simplernn.js") for r in log["requests"])
    assert not any(r.endswith("/live/reuters_lstm.js") for r in log["requests"])  # the other: when chosen
    # keyboard: an example button, then the Reuters radio
    page.focus("button.live-example:not([hidden])")
    page.keyboard.press("Enter")
    page.wait_for_selector("#live-result:not([hidden])")
    assert "test review" in page.text_content("#live-status") or page.text_content("#live-status").strip()
    page.focus('input[value="reuters_lstm"]')
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('#live-status').textContent.includes('LSTM')")
    page.focus("#live-text")
    page.keyboard.type("wheat corn tonnes said")
    page.keyboard.press("Tab")
    page.wait_for_function("document.querySelectorAll('#live-words .live-word').length >= 4")
    assert page.is_visible(".live-probs li")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shots = Path(os.environ.get("MAKE_REPORT_SCREENSHOTS", tmp_path_factory.mktemp("shots")))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"live-{width}-{scheme}.png"), full_page=True)
    assert log["errors"] == [] and log["outside"] == [] and log["failed"] == []
    context.close()


@pytest.mark.browser
def test_page_works_from_disk(browser, live_site):
    paths, exports, _ = live_site
    url = (paths.site / "live.html").as_uri()
    context, page, log = _open(browser, url)
    page.goto(url)
    r = page.evaluate("window.makeReport.predict('reuters_lstm', 'wheat corn tonnes')")
    assert len(r["probabilities"]) == len(exports["reuters_lstm"].meta.class_names)
    assert log["errors"] == []
    context.close()


# --- the real models -------------------------------------------------------------------------------------------

REAL_RESULTS = Path(os.environ.get("MAKE_REPORT_RESULTS") or REPO_ROOT / "build" / "results")
BROWSER_EPS = 1e-5  # JavaScript's float64 against the float32 NumPy pass of the same quantised weights


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    missing = [n for n in EXPERIMENTS if not (REAL_RESULTS / n / model_export.MODEL_FILE).is_file()]
    if missing:
        pytest.skip(f"no real model export in {REAL_RESULTS} for {', '.join(missing)}: run `make-report train`")
    from report.render import build
    from report.render.output_cache import CACHE_DIR
    from tests.conftest import render_meta, render_paths

    # the figures drawn for these results by the build they come from, when it kept its render cache
    drawn = REAL_RESULTS.parent / "cache" / CACHE_DIR
    paths = render_paths(tmp_path_factory.mktemp("real"), drawn if drawn.is_dir() else None)
    for name in EXPERIMENTS:
        shutil.copytree(REAL_RESULTS / name, paths.results / name)
    build(paths, quiet=True, meta=render_meta(), pdf=False, studies=False)
    server, url = _serve(paths.site, tmp_path_factory.mktemp("real-pages"))
    yield url, paths
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.realdata
def test_real_models_match_predictions(browser, real_site):
    """200 test reviews and 200 test wires: the page against Keras (predictions.npz).

    The bound: |p_page - p_keras| <= |p_page - p_quantised| + |p_quantised - p_keras|. The second term's
    maximum over the whole test set was measured in Python at training time (model.npz:
    quantised.max_abs_diff); the first is float rounding (BROWSER_EPS).
    """
    url, paths = real_site
    context, page, log = _open(browser, url + "live.html")
    page.goto(url + "live.html", wait_until="networkidle")
    for name in EXPERIMENTS:
        export = model_export.load(paths.results / name)
        preds = results.load_predictions(paths.results / name)
        assert export.meta.parity.ok and export.meta.tokeniser_matches
        samples = [s for s in export.meta.samples][:200]
        assert len(samples) >= min(200, len(preds.y_true))
        got = page.evaluate("async ([n, ts]) => { const out = []; for (const t of ts) out.push("
                            "(await window.makeReport.predict(n, t)).probabilities); return out; }",
                            [name, [s.text for s in samples]])
        got = np.array(got)
        # the page computes what the NumPy pass of the quantised weights computes, to float rounding
        quantised = quantise.dequantise(quantise.quantise(export.weights))
        x = np.stack([forward.pad_ids(export.encode(s.text).ids, export.meta.maxlen) for s in samples])
        assert np.abs(got - forward.probabilities(quantised, x)).max() <= BROWSER_EPS
        want = preds.y_prob[[s.row for s in samples]]
        assert [str(preds.ids[s.row]) for s in samples] == [s.id for s in samples]
        same = float(np.mean(got.argmax(1) == want.argmax(1)))
        diff = float(np.abs(got - want).max())
        bound = export.meta.quantised.max_abs_diff + BROWSER_EPS
        print(f"{name}: same class {same:.1%}, max |diff| {diff:.2e} (bound {bound:.2e})")
        assert same >= 0.99
        assert diff <= bound
    assert log["errors"] == [] and log["outside"] == []
    context.close()

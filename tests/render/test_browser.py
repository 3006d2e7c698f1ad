"""The site in a real browser, served under a sub-path as GitHub Pages does (https://user.github.io/<repo>/)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SUBPATH = "/my-repo/"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def served(rendered, tmp_path_factory):
    """build/site copied under <root>/my-repo/ and served from 127.0.0.1 on a free port."""
    import shutil

    paths, output, _ = rendered
    root = tmp_path_factory.mktemp("pages")
    shutil.copytree(paths.site, root / SUBPATH.strip("/"))
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}", output
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize(("width", "scheme"), [(390, "light"), (1280, "dark")])
def test_page_loads_cleanly(served, browser, width, scheme):
    url, output = served
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    failed, errors, outside = [], [], []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("http://", "https://")) and not r.url.startswith(url)
            and outside.append(r.url))
    page.goto(url, wait_until="networkidle")

    assert failed == [] and errors == [] and outside == []
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => ({src: e.currentSrc, ok: e.complete && e.naturalWidth > 0, alt: e.alt}))"
    )
    assert len([i for i in images if "/figures/" in i["src"]]) == len(output.figures)
    assert all(i["ok"] for i in images), [i["src"][:80] for i in images if not i["ok"]]
    assert all(i["alt"].strip() for i in images)
    # nothing wider than the screen: wide tables scroll inside their own box
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    # the PDF link works from the sub-path
    pdf = page.eval_on_selector("a.pdf-link", "a => a.href")
    assert pdf == url + "report.pdf"
    assert context.request.get(pdf).status == 200
    context.close()


def test_dark_mode_keeps_figures_on_a_light_card(served, browser):
    url, _ = served
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    card = page.evaluate("getComputedStyle(document.querySelector('.figure-card')).backgroundColor")
    assert body != "rgb(255, 255, 255)"
    assert card == "rgb(255, 255, 255)"
    context.close()

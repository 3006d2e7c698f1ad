"""The site in a real browser, served under a sub-path as GitHub Pages does (https://user.github.io/<repo>/).

``browser`` is the session's Chromium from tests/conftest.py."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

SUBPATH = "/my-repo/"

pytestmark = pytest.mark.browser  # the `browser` fixture (tests/conftest.py) skips when Chromium is missing


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
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{SUBPATH}", output
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("width", "scheme"), [(390, "light"), (1280, "dark")])
def test_page_loads_cleanly(browser, served, width, scheme):
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


def test_dark_mode_keeps_figures_on_a_light_card(browser, served):
    url, _ = served
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(url)  # "load": the stylesheets and figures are in (only test_page_loads_cleanly waits for quiet)
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    card = page.evaluate("getComputedStyle(document.querySelector('.figure-card')).backgroundColor")
    assert body != "rgb(255, 255, 255)"
    assert card == "rgb(255, 255, 255)"
    context.close()


# --- layout at the four widths (issue 15): the text at a readable measure, contents beside it when there is room ---

WIDTHS = (390, 768, 1280, 1920)
SIDE_TOC_FROM = 1024  # 64rem in site.css: the contents move beside the text from here


def _open(browser, url, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)  # "load": the stylesheets, figures and scripts are in
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_layout_fits_the_screen(served, browser, width, scheme):
    url, _ = served
    context, page = _open(browser, url, width, scheme)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

    # every table is whole on the screen, or inside a box that scrolls sideways to show the rest (phones)
    tables = page.eval_on_selector_all("table", """els => els.map(t => {
        const box = t.closest('.table-scroll'), r = t.getBoundingClientRect();
        const scrolls = box && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
        return {cls: t.className, fits: t.scrollWidth <= t.clientWidth
                  && (!box || box.scrollWidth <= box.clientWidth) && r.left >= 0 && r.right <= innerWidth + 0.5,
                scrolls: !!scrolls};
    })""")
    assert tables and all(t["fits"] or t["scrolls"] for t in tables), tables
    if width >= 1280:  # room enough: no table needs its scroll box (Table 1 was clipped at 1280)
        assert all(t["fits"] for t in tables), [t["cls"] for t in tables if not t["fits"]]

    # the text column keeps a readable measure: 60-80 characters a line of body text
    chars = page.evaluate("""() => {
        const p = [...document.querySelectorAll('main .answer p')].find(p => p.textContent.length > 400);
        const range = document.createRange(); range.selectNodeContents(p);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        return p.textContent.length / lines;
    }""")
    if width >= 768:
        assert 55 <= chars <= 85, chars

    toc = page.evaluate("""() => {
        const n = document.querySelector('nav.toc').getBoundingClientRect(), m = document.querySelector('main').getBoundingClientRect();
        return {position: getComputedStyle(document.querySelector('nav.toc')).position, beside: n.left >= m.right,
                above: n.bottom <= m.top + 1, visible: n.width > 0 && n.height > 0};
    }""")
    if width >= SIDE_TOC_FROM:
        assert toc == {"position": "sticky", "beside": True, "above": False, "visible": True}
    else:  # phones and tablets: the contents box at the top, as before
        assert toc["position"] == "static" and toc["above"] and not toc["beside"]
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 1920])
def test_side_contents_follow_the_reader(served, browser, width, scheme):
    url, _ = served
    context, page = _open(browser, url, width, scheme)
    current = "document.querySelector('nav.toc a[aria-current]')?.getAttribute('href')"
    assert page.evaluate(current) == "#ex1"
    toc_box = "document.querySelector('nav.toc').getBoundingClientRect().top"
    for target in ("ex1-q4", "ex2-q3"):  # jump past several sections, as a reader scrolling fast
        page.evaluate(f"window.scrollTo(0, document.getElementById('{target}').getBoundingClientRect().top + scrollY - 20)")
        page.wait_for_function(f"{current} === '#{target}'", timeout=3000)
        assert page.evaluate(toc_box) >= 0  # the contents stay in view (sticky)
    # the current entry stands out from the others, in both schemes
    styles = page.evaluate("""() => [...document.querySelectorAll('nav.toc .toc-level-3 a')].map(a => {
        const s = getComputedStyle(a); return [a.hasAttribute('aria-current'), s.color, s.borderLeftColor];
    })""")
    marked = {(c, b) for cur, c, b in styles if cur}
    others = {(c, b) for cur, c, b in styles if not cur}
    assert len(marked) == 1 and not marked & others
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(255, 255, 255)" if scheme == "light" else "rgb(21, 23, 26)")
    # keyboard focus is visible on the contents' links
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('nav.toc')"):
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    context.close()


@pytest.mark.parametrize("width", [768, 1280])
def test_figures_share_one_type_scale(served, browser, width):
    """Every figure is drawn at one width with one set of font sizes and shown at one width, so its labels
    render at one size (about the body's): no figure drawn small and blown up."""
    from report.render.figures import FONT_PT

    url, _ = served
    context, page = _open(browser, url, width, "light")
    figures = page.eval_on_selector_all("figure.figure img", """els => els.map(i => ({
        src: i.currentSrc, natural: i.naturalWidth,
        scale: Math.min(i.clientWidth / i.naturalWidth, i.clientHeight / i.naturalHeight)}))""")
    body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert figures
    naturals = [f["natural"] for f in figures]
    assert max(naturals) - min(naturals) <= 0.03 * max(naturals), figures  # a colour bar may poke out a little
    label_px = [FONT_PT * 4 / 3 * f["scale"] for f in figures]
    assert max(label_px) - min(label_px) <= 0.05 * max(label_px), figures
    assert 0.85 * body <= min(label_px) and max(label_px) <= 1.1 * body, (label_px, body)
    context.close()

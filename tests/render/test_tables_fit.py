"""Tables that fit (issue 23): on a laptop or a wide screen, light or dark, no table of the report scrolls sideways
inside its box; on a phone a wide table may scroll inside its own box, never the page. Rendered from the fixtures
with every study and a selection record, so every kind of table the report has is measured (at 1280 px the
architectures study's accuracy-by-length table once needed 1,066 px in a 944 px box).

``browser`` is the session's Chromium from tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.render.test_sentences import _build

pytestmark = pytest.mark.browser

TABLES_JS = """() => [...document.querySelectorAll('main table')].map(t => {
    const box = t.closest('.table-scroll'), r = t.getBoundingClientRect();
    const caption = t.closest('figure')?.querySelector('figcaption')?.innerText || t.className;
    return {caption: caption.slice(0, 70), scrolls_inside: !!box && box.scrollWidth > box.clientWidth,
            may_scroll: !!box && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
            within_page: r.left >= 0 && r.right <= innerWidth + 0.5 || !!box};
})"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory, render_seed):
    paths = _build(tmp_path_factory.mktemp("tables"), "network_worse", "opposite", seed=render_seed)
    return (paths.site / "index.html").as_uri()


def _tables(browser, url: str, width: int, scheme: str) -> tuple[list[dict], int]:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    tables = page.evaluate(TABLES_JS)
    page_overflow = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
    context.close()
    return tables, page_overflow


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 1920])
def test_no_table_scrolls_sideways_on_a_laptop_or_wider(browser, page_url, width, scheme):
    tables, page_overflow = _tables(browser, page_url, width, scheme)
    assert len(tables) >= 12, "the fixture report should have its experiments', studies' and appendices' tables"
    assert [t["caption"] for t in tables if t["scrolls_inside"]] == []
    assert page_overflow <= 0


def test_on_a_phone_a_wide_table_scrolls_inside_its_own_box(browser, page_url):
    tables, page_overflow = _tables(browser, page_url, 390, "light")
    wide = [t for t in tables if t["scrolls_inside"]]
    assert wide, "at 390 px some table (the baselines', the selection record) is wider than the screen"
    assert all(t["may_scroll"] for t in wide), [t["caption"] for t in wide if not t["may_scroll"]]
    assert page_overflow <= 0

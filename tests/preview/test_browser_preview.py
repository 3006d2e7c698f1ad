"""`make-report preview` in Chromium: an edited answer appears without reloading by hand, a broken
template shows the overlay with its file and line, and fixing it brings the page back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from tests import REPO_ROOT
from tests.conftest import render_paths
from tests.factories import write_both

pytestmark = pytest.mark.browser

START_SECONDS = 300  # the first render; a loaded 2-core machine is slow at that
CHANGE_MS = 60_000  # generous: the page changes within a second on an idle machine (bench/bench_preview.py)


@pytest.fixture
def preview(tmp_path, render_seed):
    """The fixture project served by `make-report preview` in a subprocess: (paths, url)."""
    paths = render_paths(tmp_path / "project", render_seed)
    write_both(paths.results)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "report", "preview", "--project", str(paths.project), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    url, lines, deadline = None, [], time.monotonic() + START_SECONDS
    while url is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if found := re.search(r"at (http://127\.0\.0\.1:\d+/)", line):
            url = found.group(1)
    if url is None:
        process.kill()
        pytest.fail("make-report preview did not start:\n" + "".join(lines))
    yield paths, url
    process.terminate()
    process.wait(timeout=30)


def test_edits_reach_the_open_page_and_errors_show_over_it(preview, browser):
    paths, url = preview
    page = browser.new_context().new_page()
    page.goto(url)
    page.wait_for_selector("#make-report-preview-problem", state="detached")
    assert "Stale results" in page.inner_text(".stale-banner")  # fixture results do not match the code

    answer = paths.templates / "answers" / "ex1_q1.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nA sentence written while the page was open.\n",
                      encoding="utf-8")
    page.get_by_text("A sentence written while the page was open.").wait_for(timeout=CHANGE_MS)

    template = paths.templates / "report.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good + "\n{% if %}\n", encoding="utf-8")
    overlay = page.locator("#make-report-preview-problem")
    overlay.wait_for(timeout=CHANGE_MS)
    assert re.fullmatch(r"templates/report\.html:\d+", overlay.locator(".where").inner_text())
    assert "template syntax error" in overlay.locator(".message").inner_text()

    template.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=CHANGE_MS)
    assert page.get_by_text("A sentence written while the page was open.").is_visible()

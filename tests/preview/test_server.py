"""The preview server serves build/site/ and nothing else, adds its script to pages only, and takes no commands."""

from __future__ import annotations

import http.client
import os

import pytest

from report.paths import BuildPaths
from report.preview.builder import Builder, State
from report.preview.channel import ReloadChannel
from report.preview.server import SCRIPT, make_server, serve_in_thread

PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body><p>The report.</p></body></html>"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A project whose site holds a page, a figure and two symbolic links leading out of it; one server for
    the module's tests, which only read (each stop waits for the server's next poll)."""
    tmp_path = tmp_path_factory.mktemp("served")
    (tmp_path / "report.toml").write_text('[report]\nauthor = "Ada"\n', encoding="utf-8")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "key.txt").write_text("not for the browser", encoding="utf-8")
    paths = BuildPaths(data=tmp_path / "data", project=tmp_path)
    (paths.site / "figures").mkdir(parents=True)
    (paths.site / "index.html").write_text(PAGE, encoding="utf-8")
    (paths.site / "figures" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    os.symlink(tmp_path / "report.toml", paths.site / "linked.toml")
    os.symlink(outside, paths.site / "linked-folder")
    builder = Builder(paths)
    builder.state = State(3, None, 0.0)  # as after three builds; nothing is rendered here
    channel = ReloadChannel()
    channel.publish(builder.state)
    server = make_server("127.0.0.1", 0, paths.site, builder, channel)
    serve_in_thread(server)
    yield paths, server
    channel.close()
    server.shutdown()
    server.server_close()


def _get(server, path: str, method: str = "GET", timeout: float = 10) -> tuple[int, bytes]:
    """The request line exactly as given: http.client does not normalise the path."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=timeout)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.mark.parametrize("path", [
    "/../report.toml",
    "/figures/../../report.toml",
    "/%2e%2e/report.toml",
    "/%2E%2E%2Freport.toml",
    "/figures/%2e%2e/%2e%2e/report.toml",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/..%5creport.toml",
    "/linked.toml",
    "/linked-folder/key.txt",
    "/figures/",
    "/figures",
    "/missing.html",
])
def test_nothing_outside_the_site_and_no_folder_listing_is_served(served, path):
    _, server = served
    status, body = _get(server, path)
    assert status == 404
    assert b"Ada" not in body and b"not for the browser" not in body and b"a.svg" not in body


def test_pages_get_the_reload_script_and_the_file_on_disk_does_not(served):
    paths, server = served
    status, body = _get(server, "/")
    assert status == 200
    assert f'<script src="{SCRIPT}" data-version="3"></script></body>'.encode() in body
    assert (paths.site / "index.html").read_text(encoding="utf-8") == PAGE
    status, svg = _get(server, "/figures/a.svg")
    assert status == 200 and SCRIPT.encode() not in svg


def test_the_reload_script_is_served(served):
    _, server = served
    status, body = _get(server, SCRIPT)
    assert status == 200 and b"EventSource" in body


def test_the_reload_channel_tells_the_state_and_accepts_no_commands(served):
    _, server = served
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    conn.request("GET", "/__preview__/events")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.fp.readline() == b"event: state\n"
    assert response.fp.readline().startswith(b'data: {"version": 3, "problem": null')
    conn.close()
    for method in ("POST", "PUT", "DELETE"):
        assert _get(server, "/__preview__/events", method)[0] == 501


def test_only_another_address_than_this_machine_warns():
    from report.preview import PreviewOptions, host_warning

    assert PreviewOptions().host == "127.0.0.1"
    assert host_warning(PreviewOptions().host) is None and host_warning("::1") is None
    assert "anyone who can reach this machine" in host_warning("0.0.0.0")


def test_the_pdf_is_made_when_its_link_is_followed_and_not_again_while_nothing_changed(tmp_path, render_seed):
    from tests.conftest import ONE_SECTION, render_paths
    from tests.factories import write_both

    (tmp_path / "report.toml").write_text('[report]\nauthor = "Ada Student"\n' + ONE_SECTION, encoding="utf-8")
    paths = render_paths(tmp_path, render_seed)
    write_both(paths.results)
    builder = Builder(paths)
    assert builder.build().problem is None
    assert not paths.pdf.exists()  # a change renders the HTML only
    channel = ReloadChannel()
    server = make_server("127.0.0.1", 0, paths.site, builder, channel)
    serve_in_thread(server)
    try:
        status, body = _get(server, "/report.pdf", timeout=600)  # WeasyPrint takes seconds; a busy machine more
        assert status == 200 and body.startswith(b"%PDF")
        made = paths.pdf.stat().st_mtime_ns
        assert _get(server, "/report.pdf") == (200, body)
        assert paths.pdf.stat().st_mtime_ns == made
    finally:
        channel.close()
        server.shutdown()
        server.server_close()

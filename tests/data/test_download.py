"""Downloading a missing archive, against a tiny http.server on 127.0.0.1 (never the real URLs)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from report.data import DataError, TextSettings, load_imdb, load_reuters
from report.data import download as dl
from tests.corpora import write_imdb, write_reuters

SMALL = TextSettings(vocab_size=20, maxlen=7)


@pytest.fixture(autouse=True)
def never_the_real_urls(monkeypatch):
    """Even a test that forgets to set a URL cannot reach the internet."""
    for name in dl.URLS:
        monkeypatch.setitem(dl.URLS, name, "http://127.0.0.1:9/unreachable.tar.gz")
    for var in dl.URL_ENV.values():
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server(tmp_path):
    """Serves /<file> from a folder of tiny archives, plus /missing (404), /truncated
    (announces the full length, sends half), /notgzip and /nolength (no Content-Length)."""
    files = tmp_path / "served"
    files.mkdir()
    write_imdb(files, archive=True)
    write_reuters(files, archive=True)
    imdb_bytes = (files / "aclImdb_v1.tar.gz").read_bytes()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            hits.append(self.path)
            name = self.path.lstrip("/")
            if name == "truncated":
                self.send_response(200)
                self.send_header("Content-Length", str(len(imdb_bytes)))
                self.end_headers()
                self.wfile.write(imdb_bytes[: len(imdb_bytes) // 2])
                self.close_connection = True
                return
            if name == "notgzip":
                body = b"<html>a captive portal page, not an archive</html>" * 20
            elif name == "nolength":
                self.send_response(200)
                self.end_headers()
                self.wfile.write(imdb_bytes)
                self.close_connection = True
                return
            elif (files / name).is_file():
                body = (files / name).read_bytes()
            else:
                self.send_error(404, "Not Found")
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_missing_imdb_is_downloaded_then_loaded(server, tmp_path, monkeypatch):
    base, hits = server
    monkeypatch.setenv("MAKE_REPORT_IMDB_URL", f"{base}/aclImdb_v1.tar.gz")
    data = tmp_path / "data"
    ds = load_imdb(data, tmp_path / "cache", SMALL, quiet=True)
    assert leftovers(data) == ["aclImdb_v1.tar.gz"]  # landed, no temporary file beside it
    assert (data / "aclImdb_v1.tar.gz").read_bytes() == (tmp_path / "served" / "aclImdb_v1.tar.gz").read_bytes()
    assert len(ds.y_train) == 6 and hits == ["/aclImdb_v1.tar.gz"]
    load_imdb(data, tmp_path / "cache", SMALL, quiet=True)  # present now: no second download
    assert hits == ["/aclImdb_v1.tar.gz"]


def test_reuters_url_from_the_module_dict_with_progress_bar(server, tmp_path, monkeypatch, capsys):
    base, _ = server
    monkeypatch.setitem(dl.URLS, "reuters", f"{base}/reuters21578.tar.gz")
    ds = load_reuters(tmp_path / "data", tmp_path / "cache", SMALL, quiet=False, min_topic_count=3)
    assert ds.class_names == ("cocoa", "grain", "earn")
    assert leftovers(tmp_path / "data") == ["reuters21578.tar.gz"]
    assert "Downloading reuters21578.tar.gz" in capsys.readouterr().err


def test_download_without_content_length(server, tmp_path, monkeypatch, capsys):
    base, _ = server
    monkeypatch.setenv("MAKE_REPORT_IMDB_URL", f"{base}/nolength")
    assert len(load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=False).y_test) == 4
    assert "Downloading aclImdb_v1.tar.gz" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["missing", "truncated", "notgzip"])
def test_failed_download_leaves_no_file(server, tmp_path, monkeypatch, path):
    base, _ = server
    url = f"{base}/{path}"
    monkeypatch.setenv("MAKE_REPORT_IMDB_URL", url)
    data = tmp_path / "data"
    with pytest.raises(DataError) as err:
        load_imdb(data, tmp_path / "cache", SMALL, quiet=True)
    msg = err.value.message
    assert f"download aclImdb_v1.tar.gz from {url} and put it in {data}" in msg and "\n" not in msg
    assert leftovers(data) == []
    if path == "missing":
        assert "404" in msg


def test_offline_gives_the_manual_fix(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/reuters21578.tar.gz"
    monkeypatch.setenv("MAKE_REPORT_REUTERS_URL", url)
    with pytest.raises(DataError) as err:
        load_reuters(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True)
    assert f"download reuters21578.tar.gz from {url} and put it in {tmp_path / 'data'}" in err.value.message
    assert leftovers(tmp_path / "data") == []


def test_no_download_when_disabled(server, tmp_path, monkeypatch):
    base, hits = server
    monkeypatch.setenv("MAKE_REPORT_IMDB_URL", f"{base}/aclImdb_v1.tar.gz")
    with pytest.raises(DataError, match="neither aclImdb_v1.tar.gz nor aclImdb/"):
        load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False)
    assert hits == []


def test_existing_folder_is_used_instead_of_downloading(server, tmp_path, monkeypatch):
    base, hits = server
    monkeypatch.setenv("MAKE_REPORT_IMDB_URL", f"{base}/aclImdb_v1.tar.gz")
    write_imdb(tmp_path / "data")
    load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True)
    assert hits == []


def test_real_urls_are_the_official_ones():
    # checked against the module source, not the network
    import importlib

    fresh = importlib.reload(dl)
    assert fresh.URLS == {
        "imdb": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "reuters": "https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.tar.gz",
    }

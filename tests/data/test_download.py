"""Downloading a missing archive, against a tiny http.server on 127.0.0.1 (never the real URLs)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from report.data import DataError, TextSettings, load_imdb, load_reuters, sha256_file
from report.data import download as dl
from tests.corpora import write_imdb, write_reuters

SMALL = TextSettings(vocab_size=20, maxlen=7)


@pytest.fixture(autouse=True)
def never_the_real_urls(monkeypatch):
    """Even a test that forgets to set a URL cannot reach the internet. The tiny archives
    served here are not the official ones, so no pins unless a test sets one (``pin``)."""
    unreachable = {
        name: dataclasses.replace(o, url="http://127.0.0.1:9/unreachable.tar.gz", sha256=None)
        for name, o in dl.OFFICIAL.items()
    }
    monkeypatch.setattr(dl, "OFFICIAL", unreachable)
    for var in dl.URL_ENV.values():
        monkeypatch.delenv(var, raising=False)


def pin(monkeypatch, name: str, sha256: str | None = None, url: str | None = None) -> None:
    """Set dataset ``name``'s entry of the official table (its pinned sha256, and URL if given)."""
    entry = dl.OFFICIAL[name]
    monkeypatch.setitem(dl.OFFICIAL, name, dataclasses.replace(entry, sha256=sha256, url=url or entry.url))


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
    # a stop waits for the next poll: a twentieth of a second, not the standard library's half, per test
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
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
    pin(monkeypatch, "reuters", url=f"{base}/reuters21578.tar.gz")
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


# --- the pinned sha256 of the official archives ---------------------------------------------------------------


def test_download_matching_its_pin_is_kept(server, tmp_path, monkeypatch):
    base, hits = server
    served = tmp_path / "served" / "aclImdb_v1.tar.gz"
    pin(monkeypatch, "imdb", sha256_file(served).upper(), url=f"{base}/aclImdb_v1.tar.gz")  # case does not matter
    data = tmp_path / "data"
    ds = load_imdb(data, tmp_path / "cache", SMALL, quiet=True)
    assert leftovers(data) == ["aclImdb_v1.tar.gz"] and hits == ["/aclImdb_v1.tar.gz"]
    assert ds.checksums == {"aclImdb_v1.tar.gz": sha256_file(served)}


@pytest.mark.parametrize("via", ["table", "env"])
def test_download_not_matching_its_pin_is_deleted(server, tmp_path, monkeypatch, via):
    base, hits = server
    url = f"{base}/reuters21578.tar.gz"
    expected = hashlib.sha256(b"the official archive").hexdigest()
    got = sha256_file(tmp_path / "served" / "reuters21578.tar.gz")
    if via == "table":
        pin(monkeypatch, "reuters", expected, url=url)
    else:  # a mirror set by the environment must serve the official bytes too
        pin(monkeypatch, "reuters", expected)
        monkeypatch.setenv("MAKE_REPORT_REUTERS_URL", url)
    data = tmp_path / "data"
    with pytest.raises(DataError) as err:
        load_reuters(data, tmp_path / "cache", SMALL, quiet=True, min_topic_count=3)
    msg = err.value.message
    assert "\n" not in msg  # one line
    assert f"expected sha256 {expected}" in msg and f"got {got}" in msg
    assert "by hand" in msg and f"put it in {data}" in msg
    assert hits == ["/reuters21578.tar.gz"]
    assert leftovers(data) == []  # neither the archive nor a temporary file
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.npz"))


def test_archive_put_in_the_data_folder_is_not_checked_against_the_pin(server, tmp_path, monkeypatch):
    base, hits = server
    pin(monkeypatch, "imdb", hashlib.sha256(b"the official archive").hexdigest(), url=f"{base}/aclImdb_v1.tar.gz")
    archive = write_imdb(tmp_path / "data", archive=True)  # a repacked copy
    ds = load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True)
    assert hits == [] and len(ds.y_train) == 6
    assert ds.checksums == {"aclImdb_v1.tar.gz": sha256_file(archive)}  # provenance: what was read


def test_the_official_table():
    # checked against the module source, not the network
    import importlib

    from report.data import imdb, reuters

    fresh = importlib.reload(dl)
    assert {name: o.url for name, o in fresh.OFFICIAL.items()} == {
        "imdb": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "reuters": "https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.tar.gz",
    }
    assert fresh.OFFICIAL["imdb"].archive == imdb.ARCHIVE and fresh.OFFICIAL["reuters"].archive == reuters.ARCHIVE
    assert fresh.OFFICIAL["imdb"].sha256 == "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
    for o in fresh.OFFICIAL.values():
        assert o.url.endswith("/" + o.archive)
        assert o.sha256 is None or re.fullmatch("[0-9a-f]{64}", o.sha256)

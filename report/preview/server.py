"""The preview's HTTP server: the files of build/site/, the reload script, the reload channel and the PDF.

The standard library's ``ThreadingHTTPServer`` is enough: one reader on one machine, a handful of
routes, and a thread per connection so each open page's event stream can stay open while files are
served. An ASGI framework and server (Starlette and Uvicorn, say) would bring two dependencies and
an event loop for that. ``SimpleHTTPRequestHandler`` is not used: it lists folders and follows
symbolic links out of the folder it serves, which this handler must not do.

Only files under ``build/site/`` are served: a path with a ``..`` segment (plain or %-encoded), a
backslash or a NUL byte, or one that resolves (symbolic links followed) outside the folder, gets
404; so does a folder without an ``index.html`` (no listings). HTML responses get one ``<script>``
element before ``</body>``; the files on disk are never changed, so the site published is the
site that was built.
"""

from __future__ import annotations

import mimetypes
import re
import socket
import threading
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from report.preview.builder import PDF_HREF, Builder
from report.preview.channel import ReloadChannel

PREFIX = "/__preview__/"  # the server's own routes; never a file of the site
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "reload.js"
_BODY_END = re.compile(rb"</body\s*>", re.I)
# Served when the first build failed and there is no page yet: the overlay needs a page to sit on.
EMPTY_PAGE = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>make-report preview</title>"
              b"</head><body><p>No page yet: the first render failed.</p></body></html>")


def site_file(site: Path, url: str) -> Path | None:
    """The file under ``site`` that ``url`` names, or None (404) for anything else."""
    path = unquote(urlsplit(url).path)
    if "\0" in path or "\\" in path:
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None
    root = site.resolve()
    target = root.joinpath(*parts).resolve()  # follows symbolic links: one leading out fails the next test
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def inject(html: bytes, version: int) -> bytes:
    """The page with the reload script added before ``</body>`` (at the end when there is none)."""
    tag = f'<script src="{SCRIPT}" data-version="{version}"></script>'.encode()
    match = None
    for match in _BODY_END.finditer(html):
        pass
    if match is None:
        return html + tag
    return html[: match.start()] + tag + html[match.start():]


class PreviewHandler(BaseHTTPRequestHandler):
    server_version = "make-report-preview"
    protocol_version = "HTTP/1.1"  # keep-alive: a page's figures and stylesheets come over one connection

    def __init__(self, *args, site: Path, builder: Builder, channel: ReloadChannel, **kwargs) -> None:
        self.site = site
        self.builder = builder
        self.channel = channel
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the standard library's name
        pass  # a line per figure request would bury the rebuild lines

    def do_HEAD(self) -> None:  # noqa: N802 - the standard library's naming
        self._get(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._get(head=False)

    def _get(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS:
            self._events()
        elif path == SCRIPT:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", _reload_script(), head)
        elif path == "/" + PDF_HREF:
            self._pdf(head)
        else:
            self._file(head)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a reload must show the files as they are now
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, head: bool) -> None:
        self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404: not a file of the site\n", head)

    def _file(self, head: bool) -> None:
        version = self.builder.state.version  # read before the file: a build in between costs one more reload
        target = site_file(self.site, self.path)
        path = urlsplit(self.path).path
        if target is None:
            if path in ("/", "/index.html") and not (self.site / "index.html").exists():
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", inject(EMPTY_PAGE, version), head)
            else:
                self._not_found(head)
            return
        try:
            body = target.read_bytes()
        except OSError:
            self._not_found(head)
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            body = inject(body, version)
        if content_type.startswith("text/") or content_type in ("image/svg+xml", "application/javascript"):
            content_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, content_type, body, head)

    def _pdf(self, head: bool) -> None:
        """The PDF on demand: made when the page's link is followed and the site changed since the last one."""
        made = self.builder.pdf_file()
        if isinstance(made, Path):
            self._send(HTTPStatus.OK, "application/pdf", made.read_bytes(), head)
        else:
            message = f"The PDF could not be made: {made.where + ': ' if made.where else ''}{made.message}\n"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", message.encode(), head)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")  # the stream ends only with the page or the server
        self.end_headers()
        self.close_connection = True

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        try:
            self.channel.stream(write)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded


def _reload_script() -> bytes:
    return resources.files("report.preview").joinpath("reload.js").read_bytes()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never keep the process alive


class PreviewServer6(PreviewServer):
    address_family = socket.AF_INET6


def make_server(host: str, port: int, site: Path, builder: Builder, channel: ReloadChannel) -> PreviewServer:
    handler = partial(PreviewHandler, site=site, builder=builder, channel=channel)
    return (PreviewServer6 if ":" in host else PreviewServer)((host, port), handler)


POLL_SECONDS = 0.1  # how long stopping the server may wait for its loop to look up (the standard library's: 0.5)


def serve_in_thread(server: PreviewServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                              name="preview-server", daemon=True)
    thread.start()
    return thread

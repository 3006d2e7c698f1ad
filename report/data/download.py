"""Fetch a missing archive from its official URL into the data folder.

The file is streamed into a hidden temporary file beside the target, its
length and gzip integrity are checked, and only then is it renamed into place:
an interrupted, truncated or failed download never leaves a file that looks
like the archive. URLs come from ``URLS``, overridable per dataset with the
environment variables in ``URL_ENV`` (tests serve a tiny archive from
``http.server`` on 127.0.0.1 this way).
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import click

from report.data.errors import DataError

URLS = {
    "imdb": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    "reuters": "https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.tar.gz",
}
URL_ENV = {"imdb": "MAKE_REPORT_IMDB_URL", "reuters": "MAKE_REPORT_REUTERS_URL"}
TIMEOUT = 30  # seconds without data before giving up
CHUNK = 1 << 16


def url_for(name: str) -> str:
    """The URL to fetch dataset ``name`` from: $MAKE_REPORT_<NAME>_URL, else the official one."""
    return os.environ.get(URL_ENV[name]) or URLS[name]


def manual_fix(name: str, filename: str, data_dir: Path) -> str:
    """The sentence telling the user how to get the file by hand."""
    return f"download {filename} from {url_for(name)} and put it in {data_dir}"


def download(name: str, filename: str, data_dir: Path, *, quiet: bool = False) -> Path:
    """Download dataset ``name`` to ``data_dir/filename`` and return that path. Raises DataError."""
    url = url_for(name)
    target = data_dir / filename
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=data_dir)
    except OSError as exc:
        raise DataError(f"cannot write to {data_dir} ({exc.strerror or exc}); {manual_fix(name, filename, data_dir)}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(url, out, filename, quiet)
        _check_gzip(tmp)
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError, EOFError, zlib.error, ValueError) as exc:
        raise DataError(f"could not download {url} ({_describe(exc)}); {manual_fix(name, filename, data_dir)}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def _fetch(url: str, out, filename: str, quiet: bool) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "make-report"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        got = 0
        with click.progressbar(  # an empty iterable stands in for an unknown length
            iterable=None if total is not None else iter(()),
            length=total, label=f"Downloading {filename}", file=sys.stderr, hidden=quiet,
        ) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                got += len(chunk)
                bar.update(len(chunk))
        if total is not None and got != total:
            raise EOFError(f"got {got} of {total} bytes")


def _check_gzip(path: Path) -> None:
    """Read the whole gzip stream: a truncated or damaged download raises here."""
    with gzip.open(path, "rb") as fh:
        while fh.read(1 << 20):
            pass


__all__ = ["URLS", "URL_ENV", "download", "url_for", "manual_fix"]

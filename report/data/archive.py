"""Read a dataset uniformly from its ``.tar.gz`` archive or from an extracted folder.

A :class:`Source` is either the official archive (e.g. ``aclImdb_v1.tar.gz``)
or the folder it extracts to (``aclImdb/``). Callers ask for the files that
match some glob patterns, relative to the dataset's top folder
(``train/pos/*.txt``), and get ``(relative path, bytes)`` pairs. The archive is
streamed once, never extracted to disk; a top folder inside the archive is
optional (the official Reuters archive has none), and so is a leading ``./``.
"""

from __future__ import annotations

import os
import tarfile
import zlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Iterator

from report.data.checksum import cached_sha256_file, cached_sha256_tree
from report.data.errors import DataError

# What a damaged .tar.gz raises while being read (gzip.BadGzipFile is an OSError).
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


@dataclass(frozen=True)
class Source:
    """Where a dataset's files come from.

    ``path`` is the archive file or the extracted folder; ``root`` the top
    folder name inside the archive (``"aclImdb"``); ``fix`` a sentence telling
    the user how to get a good copy, appended to error messages.
    """

    path: Path
    root: str
    fix: str = ""

    @property
    def is_archive(self) -> bool:
        return self.path.is_file()

    @property
    def label(self) -> str:
        """Key in ``TextDataset.checksums``: the archive's file name, or ``folder/``."""
        return self.path.name if self.is_archive else self.path.name + "/"

    def error(self, what: str, member: str | None = None) -> DataError:
        """A DataError naming this source (and a member inside it), with the fix."""
        name = f"{self.path}" + (f" ({self.root}/{member})" if member else "")
        return DataError(f"{name}: {what}" + (f"; {self.fix}" if self.fix else ""))

    def checksum(self, cache_dir: Path, patterns: tuple[str, ...]) -> str:
        """SHA-256 of the archive, or of the matching files of the folder (remembered in a sidecar)."""
        try:
            if self.is_archive:
                return cached_sha256_file(self.path, cache_dir)
            return cached_sha256_tree(self.path, self._list_folder(patterns), cache_dir)
        except OSError as exc:
            raise self.error(f"cannot read ({exc.strerror or exc})") from None

    def read(self, patterns: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
        """Yield ``(path relative to the top folder, contents)`` of every file matching a pattern.

        Folder files come in sorted order; archive files in archive order.
        """
        if self.is_archive:
            yield from self._read_archive(patterns)
        else:
            for rel, _, _ in self._list_folder(patterns):
                try:
                    yield rel, (self.path / rel).read_bytes()
                except OSError as exc:
                    raise self.error(f"cannot read ({exc.strerror or exc})", rel) from None

    def _list_folder(self, patterns: tuple[str, ...]) -> list[tuple[str, int, int]]:
        """Sorted ``(relative path, size, mtime_ns)`` of the matching files of the folder.

        Only the last component of a pattern may hold wildcards (``train/pos/*.txt``):
        one ``scandir`` per folder, one ``stat`` per file, fast enough for a cached load.
        """
        found: dict[str, tuple[str, int, int]] = {}
        for pattern in patterns:
            folder, _, name_glob = pattern.rpartition("/")
            try:
                with os.scandir(self.path / folder) as it:
                    for entry in it:
                        if fnmatchcase(entry.name, name_glob) and entry.is_file():
                            rel = f"{folder}/{entry.name}" if folder else entry.name
                            st = entry.stat()
                            found[rel] = (rel, st.st_size, st.st_mtime_ns)
            except (FileNotFoundError, NotADirectoryError):
                continue  # the caller reports what is missing
        return sorted(found.values())

    def _read_archive(self, patterns: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
        prefix = self.root + "/"
        try:
            with tarfile.open(self.path, mode="r|gz") as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    name = member.name.removeprefix("./")
                    rel = name.removeprefix(prefix)
                    if any(fnmatchcase(rel, p) for p in patterns):
                        fh = tar.extractfile(member)
                        data = fh.read() if fh is not None else b""
                        if len(data) != member.size:
                            raise EOFError(f"{name} is cut short")
                        yield rel, data
        except DataError:
            raise
        except ARCHIVE_ERRORS as exc:
            raise self.error(f"corrupt or truncated archive ({type(exc).__name__}: {exc}), expected a complete .tar.gz") from None


def find_source(data_dir: Path, archive_name: str, folder_name: str, fix: str) -> Source | None:
    """The archive if it is in ``data_dir``, else the extracted folder, else None."""
    archive = data_dir / archive_name
    if archive.is_file():
        return Source(archive, folder_name, fix)
    folder = data_dir / folder_name
    if folder.is_dir():
        return Source(folder, folder_name, fix)
    return None

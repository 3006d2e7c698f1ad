"""SHA-256 of archives and folders, remembered in small sidecar files.

Hashing an 80 MB archive takes longer than a whole cached load may, so each
checksum is stored in ``<cache_dir>/checksums/<hash of path>.json`` together
with the file's size and ``mtime_ns`` (for a folder: a fingerprint of the
listing of the files we read). While those still match, the stored checksum is
reused; any change to the file makes us hash it again. Sidecars are written
atomically, and an unreadable one is simply recomputed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable

from report import atomic

CHUNK = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes (for provenance and cache keys)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_tree(root: Path, relpaths: Iterable[str]) -> str:
    """Hex SHA-256 of a set of files under ``root``: their relative paths and contents.

    Files are taken in sorted order, so the result does not depend on listing order.
    """
    h = hashlib.sha256()
    for rel in sorted(relpaths):
        h.update(rel.encode("utf-8") + b"\0")
        h.update(sha256_file(root / rel).encode("ascii") + b"\n")
    return h.hexdigest()


def tree_fingerprint(listing: Iterable[tuple[str, int, int]]) -> str:
    """Cheap identity of a set of files from ``(relative path, size, mtime_ns)`` (no reading)."""
    lines = "".join(f"{rel}\0{size}\0{mtime}\n" for rel, size, mtime in sorted(listing))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _sidecar(cache_dir: Path, path: Path) -> Path:
    key = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir / "checksums" / f"{key}.json"


def _remembered(sidecar: Path, stamp: dict) -> str | None:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp:
        return None
    digest = data.get("sha256")
    if isinstance(digest, str) and len(digest) == 64:
        return digest
    return None


def _remember(sidecar: Path, path: Path, stamp: dict, digest: str) -> None:
    try:
        atomic.write_text(sidecar, json.dumps({"path": str(path.resolve()), "stamp": stamp, "sha256": digest}))
    except OSError:
        pass  # a read-only cache only costs us a re-hash next time


def cached_sha256_file(path: Path, cache_dir: Path) -> str:
    """``sha256_file(path)``, reusing the sidecar while size and mtime_ns are unchanged."""
    st = path.stat()
    stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    sidecar = _sidecar(cache_dir, path)
    digest = _remembered(sidecar, stamp)
    if digest is None:
        digest = sha256_file(path)
        _remember(sidecar, path, stamp, digest)
    return digest


def cached_sha256_tree(root: Path, listing: list[tuple[str, int, int]], cache_dir: Path) -> str:
    """``sha256_tree`` of the listed files, reusing the sidecar while the listing's
    fingerprint (paths, sizes, mtime_ns) is unchanged."""
    stamp = {"fingerprint": tree_fingerprint(listing)}
    sidecar = _sidecar(cache_dir, root)
    digest = _remembered(sidecar, stamp)
    if digest is None:
        digest = sha256_tree(root, [rel for rel, _, _ in listing])
        _remember(sidecar, root, stamp, digest)
    return digest

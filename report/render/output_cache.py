"""Reuse what a render made before when its inputs did not change: figures, live-model files, equations.

Drawing the figures, quantising the live models and typesetting the equations take most of a
render, yet an edit to a theory answer changes none of their inputs. Each of them is stored under
``build/cache/render/`` by a key: the SHA-256 of its inputs' *contents* (the results files it reads,
the TeX of an equation) and of the rendering code (every module of ``report.render``,
``report.results`` and ``report.live``, and the versions of the packages that draw). Contents, not modification times:
a copied build folder, a ``git checkout`` that restores a file, or a results file rewritten with the
same bytes all hit; any change of a byte misses. A miss makes the output as before and stores it.

Entries are plain files, so a damaged or half-written one (the cache is written through
:mod:`report.atomic`) is simply made again: deleting ``build/cache/render/`` is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from report import atomic
from report.render.mathsvg import MathSVG, render_tex
from report.render.written import WrittenFigure

CACHE_DIR = "render"  # under build/cache/
# The code whose output is cached (the live models are quantised by report.live): a changed module of
# these packages misses every entry.
CODE_PACKAGES = ("report.render", "report.results", "report.live", "report.stats")
# The packages that draw (matplotlib) or compute (numpy) what is cached.
DRAWING_PACKAGES = ("matplotlib", "numpy")
MANIFEST = "manifest.json"
T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """The rendering code and the drawing packages' versions, read once per process."""
    from report.pipeline.keys import package_files
    from report.results.provenance import package_versions

    h = hashlib.sha256(json.dumps([sys.version, package_versions(DRAWING_PACKAGES)]).encode())
    for package in CODE_PACKAGES:
        for label, path in package_files(package):
            h.update(label.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def files_digest(paths: Iterable[Path], read: Callable[[Path], bytes] | None = None) -> str:
    """The bytes of each file, and of every file under each folder, with their names; an absent path counts
    as such. ``read(path)`` gives a file's SHA-256 (default: read and hash it)."""
    read = read or (lambda path: hashlib.sha256(path.read_bytes()).digest())
    h = hashlib.sha256()
    for root in paths:
        root = Path(root)
        h.update(root.name.encode() + b"\0")
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root] if root.is_file() else []
        for path in files:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(read(path))
    return h.hexdigest()


class RenderCache:
    """Content-keyed entries under one folder (``build/cache/render``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._memory: dict[tuple[str, str], object] = {}  # values read or made in this process
        self._latest: dict[str, tuple[str, object]] = {}  # kind -> (key, value) of the last call of latest()
        self._hashes: dict[Path, tuple[int, int, bytes]] = {}  # path -> (size, mtime_ns, SHA-256)

    def digest(self, paths: Iterable[Path]) -> str:
        """:func:`files_digest`, hashing again only the files whose size or modification time changed since
        this process last read them: the preview asks after every edit, and the results (megabytes) seldom
        change. The key is still their content's hash."""
        return files_digest(paths, self._hash)

    def _hash(self, path: Path) -> bytes:
        st = path.stat()
        known = self._hashes.get(path)
        if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).digest()
        self._hashes[path] = (st.st_size, st.st_mtime_ns, digest)
        return digest

    def key(self, *parts: object) -> str:
        """A key from JSON-able parts and the rendering code."""
        text = json.dumps([code_digest(), *parts], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def value(self, kind: str, key: str, make: Callable[[], object]) -> object:
        """The JSON value stored under ``kind``/``key``, else ``make()``'s, stored."""
        if (kind, key) in self._memory:
            return self._memory[kind, key]
        path = self.root / kind / f"{key}.json"
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            value = make()
            atomic.write_text(path, json.dumps(value))
        self._memory[kind, key] = value
        return value

    def latest(self, kind: str, key: str, make: Callable[[], T]) -> T:
        """``make()``, or what it gave last time in this process when ``key`` is the same (nothing on disk):
        the preview server loads the results once, not on every edit of an answer."""
        last = self._latest.get(kind)
        if last is not None and last[0] == key:
            return last[1]
        value = make()
        self._latest[kind] = (key, value)
        return value

    def tex(self, tex: str) -> MathSVG:
        """:func:`~report.render.mathsvg.render_tex`, each equation drawn once for every build."""
        tex = tex.strip()
        return MathSVG(**self.value("math", self.key("math", tex), lambda: asdict(render_tex(tex))))

    def figures(self, kind: str, key: str, out_dir: Path,
                draw: Callable[[], Sequence[WrittenFigure]]) -> list[WrittenFigure]:
        """Figures drawn into ``out_dir`` by ``draw()``, or the same files copied from the entry of ``key``.

        One entry per ``kind`` is kept: the figures of the results before the last change are seldom
        wanted again, and each entry is a full set of SVGs.
        """
        out_dir = Path(out_dir)
        entry = self.root / f"{kind}-{key}"
        restored = self._restore(entry, out_dir)
        if restored is not None:
            return restored
        written = list(draw())
        self._store(kind, entry, written)
        return written

    def _restore(self, entry: Path, out_dir: Path) -> list[WrittenFigure] | None:
        try:
            manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
            figures = [WrittenFigure(**{**item, "path": out_dir / item["path"]}) for item in manifest]
            sources = [entry / item["path"] for item in manifest]
            blobs = [source.read_bytes() for source in sources]
        except (OSError, ValueError, TypeError, KeyError):
            return None  # no entry, or a damaged one: draw again
        for figure, blob in zip(figures, blobs):
            if not (figure.path.is_file() and figure.path.read_bytes() == blob):
                atomic.write_bytes(figure.path, blob)
        return figures

    def _store(self, kind: str, entry: Path, written: Sequence[WrittenFigure]) -> None:
        for old in self.root.glob(f"{kind}-*"):
            shutil.rmtree(old, ignore_errors=True)
        staging = entry.with_name(entry.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        manifest = []
        for figure in written:
            shutil.copyfile(figure.path, staging / figure.path.name)
            manifest.append({**asdict(figure), "path": figure.path.name})
        (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        staging.rename(entry)  # the manifest appears with its files, never before them

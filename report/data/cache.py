"""On-disk cache of tokenised datasets.

One entry = two uncompressed ``.npz`` files in ``cache_dir``:

* ``<name>-<key>.npz``: the arrays plus a JSON ``meta`` (format version, key,
  names, checksums, vocabulary). Loaded eagerly.
* ``<name>-<key>.texts.npz``: the raw texts of each split as one UTF-8 blob +
  byte offsets (never a fixed-width unicode array: IMDB reviews reach 13k
  characters). Loaded only when ``texts_train()``/``texts_test()`` is called.

The key hashes the cache format version, the dataset name, the source checksums,
the ``TextSettings`` and the recipe parameters, so any change to one of them
misses the cache. Both files are written atomically (texts first, arrays last),
so an interrupted run leaves the old entry or none, never half of one. A file
that cannot be read back completely (zip CRC, shapes, key) is reported in one
line on stderr and rebuilt from the source.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import click
import numpy as np

from report import atomic
from report.data.dataset import TextDataset, TextSettings

# Bump when preprocessing changes what a cache entry holds. 2: Reuters SGML read as UTF-8 when valid, C1 controls
# dropped. 3: Reuters keeps its unlabelled wires (x_unlabelled).
CACHE_FORMAT = 3
SPLITS = ("train", "test")
# What reading a damaged .npz can raise.
READ_ERRORS = (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile, UnicodeDecodeError)


def cache_key(name: str, checksums: dict[str, str], settings: TextSettings, params: dict) -> str:
    """Hex SHA-256 identifying one preprocessing of one source."""
    blob = json.dumps(
        {"format": CACHE_FORMAT, "name": name, "checksums": checksums, "settings": asdict(settings), "params": params},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def entry_paths(cache_dir: Path, name: str, key: str) -> tuple[Path, Path]:
    """``(arrays file, texts file)`` of one cache entry."""
    stem = f"{name}-{key[:24]}"
    return cache_dir / f"{stem}.npz", cache_dir / f"{stem}.texts.npz"


def warn(message: str) -> None:
    """One line on stderr, even in quiet mode (it explains a slower run)."""
    click.echo(" ".join(message.split()), err=True)


def _pack(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _unpack(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    raw = blob.tobytes()
    if offsets.ndim != 1 or len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(raw) or np.any(np.diff(offsets) < 0):
        raise ValueError("text offsets do not match the text blob")
    bounds = offsets.tolist()
    return [raw[a:b].decode("utf-8") for a, b in zip(bounds[:-1], bounds[1:])]


def save(ds: TextDataset, cache_dir: Path, key: str) -> None:
    """Write one entry atomically. A failure to write is reported, not raised: the data is still good."""
    arrays_path, texts_path = entry_paths(cache_dir, ds.name, key)
    try:
        texts = {}
        for split in SPLITS:
            blob, offsets = _pack(ds.texts_train() if split == "train" else ds.texts_test())
            texts[f"blob_{split}"], texts[f"offsets_{split}"] = blob, offsets
        with atomic.atomic_path(texts_path) as tmp:
            np.savez(tmp, key=np.array(key), **texts)
        meta = {
            "format": CACHE_FORMAT, "key": key, "name": ds.name, "title": ds.title,
            "class_names": list(ds.class_names), "checksums": ds.checksums, "vocab": list(ds.vocab),
            "settings": asdict(ds.settings),
        }
        arrays = {
            f"{field}_{split}": getattr(ds, f"{field}_{split}")
            for split in SPLITS
            for field in ("x", "y", "ids", "lengths", "ratings")
            if getattr(ds, f"{field}_{split}") is not None
        }
        if ds.x_unlabelled is not None:
            arrays["x_unlabelled"] = ds.x_unlabelled
        with atomic.atomic_path(arrays_path) as tmp:
            np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
    except OSError as exc:
        warn(f"could not write the {ds.name} cache in {cache_dir} ({exc}); the next run will preprocess again")


def _check(meta: dict, arrays: dict, key: str, settings: TextSettings) -> None:
    if meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
        raise ValueError("written by another version or for another key")
    for split in SPLITS:
        x = arrays[f"x_{split}"]
        n = len(arrays[f"y_{split}"])
        if x.ndim != 2 or x.shape != (n, settings.maxlen) or x.dtype != np.int32:
            raise ValueError(f"x_{split} has shape {x.shape}")
        for field in ("ids", "lengths", "ratings"):
            a = arrays.get(f"{field}_{split}")
            if a is not None and a.shape != (n,):
                raise ValueError(f"{field}_{split} has shape {a.shape}")
    extra = arrays.get("x_unlabelled")
    if extra is not None and (extra.ndim != 2 or extra.shape[1] != settings.maxlen or extra.dtype != np.int32):
        raise ValueError(f"x_unlabelled has shape {extra.shape}")


def load(
    cache_dir: Path, name: str, key: str, settings: TextSettings, rebuild: Callable[[], TextDataset]
) -> TextDataset | None:
    """The cached dataset, or None when there is no (usable) entry.

    ``rebuild`` is called later if the lazily read texts file turns out damaged.
    """
    arrays_path, texts_path = entry_paths(cache_dir, name, key)
    if not arrays_path.is_file():
        return None
    try:
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}  # reads every member: zip CRCs checked
        meta = json.loads(str(arrays.pop("meta")))
        _check(meta, arrays, key, settings)
        return TextDataset(
            name=meta["name"], title=meta["title"], class_names=tuple(meta["class_names"]),
            x_train=arrays["x_train"], y_train=arrays["y_train"],
            x_test=arrays["x_test"], y_test=arrays["y_test"],
            ids_train=arrays["ids_train"], ids_test=arrays["ids_test"],
            lengths_train=arrays["lengths_train"], lengths_test=arrays["lengths_test"],
            checksums=dict(meta["checksums"]), vocab=tuple(meta["vocab"]),
            ratings_train=arrays.get("ratings_train"), ratings_test=arrays.get("ratings_test"),
            settings=settings, _texts=CachedTexts(texts_path, key, rebuild), x_unlabelled=arrays.get("x_unlabelled"),
        )
    except READ_ERRORS as exc:
        warn(f"cache file {arrays_path} is corrupt or stale ({type(exc).__name__}: {exc}); rebuilding it")
        return None


class CachedTexts:
    """Raw texts read from the cache on first use; rebuilt from the source if that file is damaged."""

    def __init__(self, path: Path, key: str, rebuild: Callable[[], TextDataset]) -> None:
        self.path, self.key, self.rebuild = path, key, rebuild
        self._texts: dict[str, list[str]] | None = None

    def get(self, split: str) -> list[str]:
        if self._texts is None:
            self._texts = self._read()
        return self._texts[split]

    def _read(self) -> dict[str, list[str]]:
        try:
            with np.load(self.path, allow_pickle=False) as npz:
                if str(npz["key"]) != self.key:
                    raise ValueError("belongs to another cache entry")
                return {s: _unpack(npz[f"blob_{s}"], npz[f"offsets_{s}"]) for s in SPLITS}
        except READ_ERRORS as exc:
            warn(f"cache file {self.path} is missing or corrupt ({type(exc).__name__}: {exc}); rebuilding it")
        fresh = self.rebuild()
        return {"train": fresh.texts_train(), "test": fresh.texts_test()}

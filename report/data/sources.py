"""Checksums of a dataset's source files without loading it: part of an experiment's cache key."""

from __future__ import annotations

from pathlib import Path

from report.data import imdb, reuters
from report.data.archive import find_source

_SOURCES = {
    imdb.NAME: (imdb.ARCHIVE, imdb.FOLDER, imdb.PATTERNS),
    reuters.NAME: (reuters.ARCHIVE, reuters.FOLDER, reuters.PATTERNS),
}


def source_checksums(dataset: str, data_dir: Path, cache_dir: Path) -> dict[str, str]:
    """``{archive or folder/: sha256}`` as ``TextDataset.checksums`` will hold it after loading.

    A dataset that is not there yet maps to ``"absent"``: training will download it,
    and the key changes once it is there.
    """
    archive, folder, patterns = _SOURCES[dataset]
    source = find_source(Path(data_dir), archive, folder, fix="")
    if source is None:
        return {archive: "absent"}
    return {source.label: source.checksum(Path(cache_dir), patterns)}

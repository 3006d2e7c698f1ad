"""``load_imdb`` / ``load_reuters``: find or download the source, then load from cache or build."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from report.data import cache, imdb, reuters
from report.data import download as dl
from report.data.archive import Source, find_source
from report.data.dataset import TextDataset, TextSettings
from report.data.errors import DataError


def _source(name: str, archive: str, folder: str, data_dir: Path, quiet: bool, download: bool) -> Source:
    data_dir = Path(data_dir)
    fix = dl.manual_fix(name, archive, data_dir)
    found = find_source(data_dir, archive, folder, fix)
    if found is not None:
        return found
    if not download:
        raise DataError(f"neither {archive} nor {folder}/ is in {data_dir}; {fix}")
    if not quiet:
        click.echo(f"{archive} is not in {data_dir}: downloading it from {dl.url_for(name)}", err=True)
    return Source(dl.download(name, archive, data_dir, quiet=quiet), folder, fix)


def _load(
    name: str,
    source: Source,
    patterns: tuple[str, ...],
    cache_dir: Path,
    settings: TextSettings,
    params: dict,
    build: Callable[[Source, TextSettings, dict[str, str]], TextDataset],
    quiet: bool,
) -> TextDataset:
    cache_dir = Path(cache_dir)
    checksums = {source.label: source.checksum(cache_dir, patterns)}
    key = cache.cache_key(name, checksums, settings, params)

    def rebuild() -> TextDataset:
        if not quiet:
            click.echo(f"{name}: preprocessing {source.path} (cached afterwards)", err=True)
        ds = build(source, settings, checksums)
        cache.save(ds, cache_dir, key)
        return ds

    return cache.load(cache_dir, name, key, settings, rebuild) or rebuild()


def load_imdb(
    data_dir: Path,
    cache_dir: Path,
    settings: TextSettings = TextSettings(),
    *,
    quiet: bool = False,
    download: bool = True,
    shuffle_seed: int | None = imdb.SHUFFLE_SEED,
) -> TextDataset:
    """IMDB reviews from ``data_dir/aclImdb_v1.tar.gz`` or ``data_dir/aclImdb/`` (downloaded if
    neither is there and ``download``), tokenised per ``settings``, cached in ``cache_dir``.

    25,000 train / 25,000 test reviews, classes ("neg", "pos"). Raises DataError.
    """
    source = _source(imdb.NAME, imdb.ARCHIVE, imdb.FOLDER, data_dir, quiet, download)
    return _load(
        imdb.NAME, source, imdb.PATTERNS, cache_dir, settings, {"shuffle_seed": shuffle_seed},
        lambda src, s, c: imdb.build(src, s, c, shuffle_seed), quiet,
    )


def load_reuters(
    data_dir: Path,
    cache_dir: Path,
    settings: TextSettings = TextSettings(),
    *,
    quiet: bool = False,
    download: bool = True,
    min_topic_count: int = reuters.MIN_TOPIC_COUNT,
) -> TextDataset:
    """Reuters newswires from ``data_dir/reuters21578.tar.gz`` or ``data_dir/reuters21578/``
    (downloaded if neither is there and ``download``), by the Keras recipe (see
    ``report.data.reuters``), tokenised per ``settings``, cached in ``cache_dir``.

    8,982 train / 2,246 test wires, 46 topics. Raises DataError.
    """
    source = _source(reuters.NAME, reuters.ARCHIVE, reuters.FOLDER, data_dir, quiet, download)
    params = {"min_topic_count": min_topic_count, "seed": reuters.SEED, "test_split": reuters.TEST_SPLIT}
    return _load(
        reuters.NAME, source, reuters.PATTERNS, cache_dir, settings, params,
        lambda src, s, c: reuters.build(src, s, c, min_topic_count), quiet,
    )

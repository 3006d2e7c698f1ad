"""The tokenised-array cache: hits, keys, checksum sidecars, corruption and interrupted writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from report.data import TextSettings, load_imdb, load_reuters, sha256_file
from report.data import archive as archive_mod
from report.data import cache as cache_mod
from report.data import checksum as checksum_mod
from report.data import imdb as imdb_mod
from tests.corpora import TINY_IMDB, write_imdb, write_reuters

SMALL = TextSettings(vocab_size=20, maxlen=7)
FIELDS = ("x_train", "y_train", "x_test", "y_test", "ids_train", "ids_test",
          "lengths_train", "lengths_test", "ratings_train", "ratings_test")


def assert_same(a, b):
    for f in FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        assert (x is None) == (y is None), f
        if x is not None:
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype, f
    assert a.vocab == b.vocab and a.class_names == b.class_names and a.checksums == b.checksums
    assert a.texts_train() == b.texts_train() and a.texts_test() == b.texts_test()


@pytest.fixture
def data(tmp_path):
    write_imdb(tmp_path / "data", archive=True)
    return tmp_path / "data"


def entries(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in cache_dir.glob("imdb-*"))


def forbid_reading(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the archive was read although the cache is valid")

    monkeypatch.setattr(archive_mod.Source, "read", fail)
    monkeypatch.setattr(checksum_mod, "sha256_file", fail)
    monkeypatch.setattr(imdb_mod, "build", fail)


def test_cache_hit_is_equal_and_reads_neither_archive_nor_its_bytes(data, tmp_path, monkeypatch):
    cold = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert len(entries(tmp_path / "cache")) == 2  # arrays + texts
    forbid_reading(monkeypatch)
    warm = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert_same(cold, warm)


def test_checksum_is_the_archive_sha256(data, tmp_path):
    ds = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert ds.checksums == {"aclImdb_v1.tar.gz": sha256_file(data / "aclImdb_v1.tar.gz")}


def test_folder_cache_hit_without_reading(tmp_path, monkeypatch):
    write_imdb(tmp_path / "data")
    cold = load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False)
    forbid_reading(monkeypatch)
    assert_same(cold, load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False))


def test_editing_a_review_in_the_folder_misses_the_cache(tmp_path):
    folder = write_imdb(tmp_path / "data")
    a = load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False)
    review = folder / "train" / "pos" / "0_9.txt"
    review.write_text("Entirely different words now, quite different.")
    b = load_imdb(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False)
    assert a.checksums != b.checksums and "different" in b.vocab
    assert len(entries(tmp_path / "cache")) == 4


def test_replacing_the_archive_misses_the_cache(data, tmp_path):
    a = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    (data / "aclImdb_v1.tar.gz").unlink()
    reviews = dict(TINY_IMDB)
    reviews[("train", "pos")] = reviews[("train", "pos")] + [(3, 9, "Marvellous marvellous marvellous.")]
    write_imdb(data, reviews, archive=True)
    b = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert a.checksums != b.checksums and len(b.y_train) == 7 and "marvellous" in b.vocab


def test_cache_key_changes_with_settings_and_recipe(data, tmp_path):
    cache = tmp_path / "cache"
    a = load_imdb(data, cache, SMALL, quiet=True, download=False)
    b = load_imdb(data, cache, TextSettings(vocab_size=20, maxlen=3), quiet=True, download=False)
    c = load_imdb(data, cache, TextSettings(vocab_size=5, maxlen=7), quiet=True, download=False)
    d = load_imdb(data, cache, SMALL, quiet=True, download=False, shuffle_seed=None)
    assert len(entries(cache)) == 8
    assert a.x_train.shape[1] == 7 and b.x_train.shape[1] == 3 and c.x_train.max() < 5
    assert sorted(a.ids_train) == sorted(d.ids_train)
    key = cache_mod.cache_key("imdb", a.checksums, SMALL, {"shuffle_seed": 113})
    assert key != cache_mod.cache_key("imdb", a.checksums, SMALL, {"shuffle_seed": 1})
    assert key != cache_mod.cache_key("imdb", {"x": "0" * 64}, SMALL, {"shuffle_seed": 113})


def test_reuters_cache_key_includes_min_topic_count(tmp_path, monkeypatch):
    write_reuters(tmp_path / "data", archive=True)
    a = load_reuters(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=3)
    b = load_reuters(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=1)
    assert len(a.class_names) == 3 and len(b.class_names) == 4
    monkeypatch.setattr(archive_mod.Source, "read", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
    c = load_reuters(tmp_path / "data", tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=3)
    assert_same(a, c)
    assert c.ratings_test is None


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupt_arrays_file_is_reported_and_rebuilt(data, tmp_path, capsys, damage):
    cache = tmp_path / "cache"
    cold = load_imdb(data, cache, SMALL, quiet=True, download=False)
    arrays = next(p for p in cache.glob("imdb-*.npz") if not p.name.endswith(".texts.npz"))
    raw = bytearray(arrays.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        start = raw.index(b"x_train.npy") + 200  # inside the x_train data
        raw[start : start + 8] = bytes(b ^ 0xFF for b in raw[start : start + 8])
    elif damage == "garbage":
        raw = bytearray(b"\x00garbage" * 50)
    else:
        raw = bytearray()
    arrays.write_bytes(bytes(raw))
    capsys.readouterr()
    warm = load_imdb(data, cache, SMALL, quiet=True, download=False)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and arrays.name in err and "rebuilding" in err
    assert_same(cold, warm)
    again = load_imdb(data, cache, SMALL, quiet=True, download=False)  # the rebuilt file is good
    assert capsys.readouterr().err == ""
    assert_same(cold, again)


def test_corrupt_texts_file_is_rebuilt_lazily(data, tmp_path, capsys):
    cache = tmp_path / "cache"
    cold = load_imdb(data, cache, SMALL, quiet=True, download=False)
    texts = next(cache.glob("imdb-*.texts.npz"))
    texts.write_bytes(texts.read_bytes()[:100])
    warm = load_imdb(data, cache, SMALL, quiet=True, download=False)
    assert capsys.readouterr().err == ""  # texts are not read until asked for
    assert warm.texts_test() == cold.texts_test() and warm.texts_train() == cold.texts_train()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and texts.name in err
    assert load_imdb(data, cache, SMALL, quiet=True, download=False).texts_test() == cold.texts_test()
    assert capsys.readouterr().err == ""


def test_missing_texts_file_is_rebuilt_lazily(data, tmp_path, capsys):
    cache = tmp_path / "cache"
    cold = load_imdb(data, cache, SMALL, quiet=True, download=False)
    next(cache.glob("imdb-*.texts.npz")).unlink()
    warm = load_imdb(data, cache, SMALL, quiet=True, download=False)
    assert warm.texts_test() == cold.texts_test()
    assert "rebuilding" in capsys.readouterr().err


def test_interrupted_cache_write_leaves_nothing_behind(data, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    real_savez = np.savez
    calls = []

    def savez_then_die(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:  # the texts file is done; die while writing the arrays file
            Path(path).write_bytes(b"PK\x03\x04 half written")
            raise KeyboardInterrupt
        real_savez(path, *args, **kwargs)

    monkeypatch.setattr(cache_mod.np, "savez", savez_then_die)
    with pytest.raises(KeyboardInterrupt):
        load_imdb(data, cache, SMALL, quiet=True, download=False)
    assert not any(p.name.startswith(".") for p in cache.iterdir())  # no temporary files left
    assert not [p for p in cache.glob("imdb-*.npz") if not p.name.endswith(".texts.npz")]
    monkeypatch.setattr(cache_mod.np, "savez", real_savez)
    ds = load_imdb(data, cache, SMALL, quiet=True, download=False)
    assert len(ds.y_train) == 6 and len(entries(cache)) == 2


def test_unwritable_cache_still_returns_data(data, tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_mod.np, "savez", refuse)
    ds = load_imdb(data, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert len(ds.y_test) == 4 and "could not write" in capsys.readouterr().err
    assert not entries(tmp_path / "cache")


def test_checksum_sidecar_is_reused_until_the_file_changes(tmp_path, monkeypatch):
    f = tmp_path / "a.bin"
    f.write_bytes(b"hello")
    cache = tmp_path / "cache"
    first = checksum_mod.cached_sha256_file(f, cache)
    assert first == sha256_file(f)
    calls = []
    real = checksum_mod.sha256_file
    monkeypatch.setattr(checksum_mod, "sha256_file", lambda p: calls.append(p) or real(p))
    assert checksum_mod.cached_sha256_file(f, cache) == first and calls == []
    f.write_bytes(b"hello, world")
    assert checksum_mod.cached_sha256_file(f, cache) == real(f) != first and len(calls) == 1
    sidecar = next((cache / "checksums").iterdir())
    sidecar.write_text("{not json")  # a damaged sidecar only costs a re-hash
    assert checksum_mod.cached_sha256_file(f, cache) == real(f) and len(calls) == 2


# --- real data ------------------------------------------------------------------------------------------------



@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("loader", [load_imdb, load_reuters])
def test_real_cached_load_reads_neither_archive_nor_its_bytes(tmp_path, real_data, loader, monkeypatch):
    """The cached load skips the slow part (reading, parsing, hashing the archive); its time is
    measured by bench/bench_data.py, never asserted in a test on a noisy machine."""
    data = real_data
    cold = loader(data, tmp_path / "cache", TextSettings(), quiet=True, download=False)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached load read the archive")

    monkeypatch.setattr(archive_mod.Source, "read", must_not_run)
    monkeypatch.setattr(checksum_mod, "sha256_file", must_not_run)
    warm = loader(data, tmp_path / "cache", TextSettings(), quiet=True, download=False)
    np.testing.assert_array_equal(cold.x_train, warm.x_train)
    np.testing.assert_array_equal(cold.ids_test, warm.ids_test)
    assert warm.texts_test()[:50] == cold.texts_test()[:50]


@pytest.mark.parametrize("archive", [True, False])
def test_source_checksums_match_the_loaded_dataset(tmp_path, archive):
    """``source_checksums`` (an experiment's cache key) must agree with ``TextDataset.checksums``."""
    from report.data import source_checksums

    assert source_checksums("imdb", tmp_path / "d", tmp_path / "c") == {"aclImdb_v1.tar.gz": "absent"}
    write_imdb(tmp_path / "d", archive=archive)
    write_reuters(tmp_path / "d", archive=archive)
    ds = load_imdb(tmp_path / "d", tmp_path / "c", SMALL, quiet=True, download=False)
    assert source_checksums("imdb", tmp_path / "d", tmp_path / "c") == ds.checksums
    rs = load_reuters(tmp_path / "d", tmp_path / "c", SMALL, quiet=True, download=False, min_topic_count=3)
    assert source_checksums("reuters", tmp_path / "d", tmp_path / "c") == rs.checksums

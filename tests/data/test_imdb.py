"""IMDB loading, tokenising and padding on tiny corpora; counts on the real archive."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from report.data import DataError, TextSettings, load_imdb, text
from tests.corpora import TINY_IMDB, write_imdb

SMALL = TextSettings(vocab_size=12, maxlen=6)



# --- text utilities -------------------------------------------------------------------------------------------


def test_clean_turns_html_breaks_into_newlines():
    assert text.clean("a<br />b<br/>c<BR>d") == "a\nb\nc\nd"


def test_tokenise_lowercases_and_keeps_inner_apostrophes():
    assert text.tokenise("Don't STOP!<b>me</b> now... 10/10 & rock'n'roll_x") == [
        "don't", "stop", "b", "me", "b", "now", "10", "10", "rock'n'roll", "x"
    ]


def test_vocab_counts_reserved_ids_and_ranks_by_frequency_then_alphabet():
    vocab = text.build_vocab([["b", "a", "c", "c"], ["b", "c", "d"]], vocab_size=4)
    assert vocab == ("<pad>", "<oov>", "c", "b")  # c:3, b:2, then a/d tie (cut off)


def test_encode_pads_and_truncates_at_the_front():
    vocab = ("<pad>", "<oov>", "a", "b", "c")
    x, lengths = text.encode([["a", "b"], ["a", "b", "c", "zzz", "a"], []], vocab, maxlen=3)
    assert x.dtype == np.int32
    assert x.tolist() == [[0, 2, 3], [4, 1, 2], [0, 0, 0]]  # keeps the LAST tokens; unknown -> 1
    assert lengths.tolist() == [2, 5, 0]


def test_pad_matches_keras_pre_pre():
    assert text.pad([[1, 2, 3, 4], [5]], maxlen=3).tolist() == [[2, 3, 4], [0, 0, 5]]


def test_keep_first_keeps_the_start_of_a_long_text_and_still_pads_in_front():
    vocab = ("<pad>", "<oov>", "a", "b", "c")
    x, lengths = text.encode([["a", "b"], ["a", "b", "c", "zzz", "a"]], vocab, maxlen=3, keep="first")
    assert x.tolist() == [[0, 2, 3], [2, 3, 4]]  # the headline end of a wire stays
    assert lengths.tolist() == [2, 5]
    assert text.pad([[1, 2, 3, 4], [5]], maxlen=3, keep="first").tolist() == [[1, 2, 3], [0, 0, 5]]


def test_settings_refuse_an_unknown_side():
    from report.data import TextSettings

    with pytest.raises(ValueError, match="keep must be 'last' or 'first'"):
        TextSettings(keep="middle")


# --- loading --------------------------------------------------------------------------------------------------


@pytest.fixture(params=["folder", "archive"])
def tiny(request, tmp_path):
    write_imdb(tmp_path / "data", archive=request.param == "archive")
    return tmp_path / "data"


def decode(ds, row) -> list[str]:
    return [ds.vocab[i] for i in row if i != 0]


def test_load_tiny_imdb_labels_ids_ratings_texts(tiny, tmp_path):
    ds = load_imdb(tiny, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert ds.name == "imdb" and ds.title == "IMDB Large Movie Review Dataset"
    assert ds.class_names == ("neg", "pos")
    assert ds.x_train.shape == (6, 6) and ds.x_test.shape == (4, 6) and ds.x_train.dtype == np.int32
    for split, n in (("train", 6), ("test", 4)):
        ids, y, ratings = getattr(ds, f"ids_{split}"), getattr(ds, f"y_{split}"), getattr(ds, f"ratings_{split}")
        texts = getattr(ds, f"texts_{split}")()
        assert len(ids) == len(y) == len(ratings) == len(texts) == n
        expected = {f"{s}/{c}/{i}_{r}": (c, r, t) for (s, c), rows in TINY_IMDB.items() if s == split for i, r, t in rows}
        assert set(ids) == set(expected)
        for rid, label, rating, raw in zip(ids, y, ratings, texts):
            cls, stars, original = expected[rid]
            assert ds.class_names[label] == cls and rating == stars
            assert "<br" not in raw and raw == text.clean(original)  # <br /> -> newline, rest untouched
            assert ("<br />" in original) == ("\n" in raw)
        lengths = getattr(ds, f"lengths_{split}")
        assert lengths.tolist() == [len(text.tokenise(t)) for t in texts]
    assert ds.checksums and all(len(v) == 64 for v in ds.checksums.values())


def test_vocabulary_comes_from_training_texts_only(tiny, tmp_path):
    ds = load_imdb(tiny, tmp_path / "cache", TextSettings(vocab_size=1000, maxlen=50), quiet=True, download=False)
    assert ds.vocab[:2] == ("<pad>", "<oov>")
    assert ds.vocab[2] == "great"  # most frequent training word
    train_words = {w for t in ds.texts_train() for w in text.tokenise(t)}
    assert set(ds.vocab[2:]) == train_words
    for word in ("zebra", "unicorn", "xylophone", "terrible"):  # test-only words
        assert word not in ds.vocab
    # round trip: non-padding ids decode to the review's tokens, test-only words as <oov>
    for row, raw in zip(ds.x_test, ds.texts_test()):
        assert decode(ds, row) == [w if w in ds.vocab else "<oov>" for w in text.tokenise(raw)]
    assert ds.x_train.max() < 1000 and ds.x_test.max() < 1000


def test_ids_below_vocab_size_and_front_truncation(tiny, tmp_path):
    ds = load_imdb(tiny, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert len(ds.vocab) == SMALL.vocab_size and ds.x_train.max() < SMALL.vocab_size
    index = {w: i for i, w in enumerate(ds.vocab)}
    for row, raw, n in zip(ds.x_train, ds.texts_train(), ds.lengths_train):
        tokens = text.tokenise(raw)
        want = [index.get(w, 1) for w in tokens[-SMALL.maxlen:]]
        assert row.tolist() == [0] * (SMALL.maxlen - len(want)) + want
        assert n == len(tokens)


def test_folder_and_archive_give_the_same_arrays(tmp_path):
    write_imdb(tmp_path / "a", archive=False)
    write_imdb(tmp_path / "b", archive=True)
    a = load_imdb(tmp_path / "a", tmp_path / "ca", SMALL, quiet=True, download=False)
    b = load_imdb(tmp_path / "b", tmp_path / "cb", SMALL, quiet=True, download=False)
    for f in ("x_train", "y_train", "x_test", "y_test", "ids_train", "ids_test", "ratings_test", "lengths_test"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert a.vocab == b.vocab and a.texts_test() == b.texts_test()
    assert list(a.checksums) == ["aclImdb/"] and list(b.checksums) == ["aclImdb_v1.tar.gz"]


def test_order_is_deterministic_and_sorted_without_shuffle(tiny, tmp_path):
    a = load_imdb(tiny, tmp_path / "c1", SMALL, quiet=True, download=False)
    b = load_imdb(tiny, tmp_path / "c2", SMALL, quiet=True, download=False)
    np.testing.assert_array_equal(a.ids_train, b.ids_train)
    s = load_imdb(tiny, tmp_path / "c3", SMALL, quiet=True, download=False, shuffle_seed=None)
    assert s.ids_train.tolist() == ["train/neg/0_1", "train/neg/1_2", "train/neg/2_3",
                                    "train/pos/0_9", "train/pos/1_10", "train/pos/2_8"]
    assert sorted(a.ids_train) == sorted(s.ids_train)


# --- bad input ------------------------------------------------------------------------------------------------


def test_missing_data_names_the_file_and_where_to_put_it(tmp_path):
    with pytest.raises(DataError) as err:
        load_imdb(tmp_path / "empty", tmp_path / "cache", SMALL, quiet=True, download=False)
    msg = err.value.message
    assert "aclImdb_v1.tar.gz" in msg and str(tmp_path / "empty") in msg and "https://" in msg and "\n" not in msg


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_corrupt_archive(tmp_path, damage):
    archive = write_imdb(tmp_path, archive=True)
    data = archive.read_bytes()
    archive.write_bytes({"truncated": data[: len(data) // 2], "garbage": b"not a tarball" * 100, "empty": b""}[damage])
    with pytest.raises(DataError) as err:
        load_imdb(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert "aclImdb_v1.tar.gz" in err.value.message and "\n" not in err.value.message
    assert not list((tmp_path / "cache").glob("imdb-*"))  # no cache entry written


@pytest.mark.parametrize("archive", [False, True])
def test_wrong_layout(tmp_path, archive):
    reviews = {k: v for k, v in TINY_IMDB.items() if k != ("train", "pos")}
    write_imdb(tmp_path, reviews, archive=archive)
    with pytest.raises(DataError) as err:
        load_imdb(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert "aclImdb/train/pos" in err.value.message and "aclImdb" in err.value.message


def test_empty_class_folder(tmp_path):
    folder = write_imdb(tmp_path)
    for f in (folder / "test" / "neg").iterdir():
        f.unlink()
    with pytest.raises(DataError, match="aclImdb/test/neg"):
        load_imdb(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


def test_unexpected_file_name(tmp_path):
    folder = write_imdb(tmp_path)
    (folder / "train" / "pos" / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="notes.txt.*ID_RATING"):
        load_imdb(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


def test_wrong_top_folder_in_archive(tmp_path):
    folder = write_imdb(tmp_path / "x")
    shutil.move(folder, tmp_path / "x" / "aclImdb_v2")
    from tests.corpora import pack

    pack(tmp_path / "x" / "aclImdb_v2", tmp_path / "aclImdb_v1.tar.gz")
    with pytest.raises(DataError, match="aclImdb_v1.tar.gz.*aclImdb/train/neg"):
        load_imdb(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


# --- real data ------------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.slow
def test_real_imdb_counts(tmp_path, real_data):
    data = real_data
    ds = load_imdb(data, tmp_path / "cache", TextSettings(), quiet=True, download=False)
    assert ds.x_train.shape == (25_000, 200) and ds.x_test.shape == (25_000, 200)
    assert np.bincount(ds.y_train).tolist() == [12_500, 12_500]
    assert np.bincount(ds.y_test).tolist() == [12_500, 12_500]
    assert len(ds.vocab) == 10_000 and ds.x_train.max() == 9_999
    pos = ds.y_test == 1
    assert ds.ratings_test[pos].min() >= 7 and ds.ratings_test[~pos].max() <= 4
    assert len(set(ds.ids_train)) == 25_000 and ds.ids_test[0].startswith("test/")
    assert all("<br" not in t for t in ds.texts_test()[:2000])
    assert ds.checksums == {"aclImdb_v1.tar.gz": "3c7d06d26560475e8a57d0901ee9561546adbf9c9530f1d1cc5345e410b9463a"}

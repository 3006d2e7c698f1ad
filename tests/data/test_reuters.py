"""Reuters-21578 recipe on tiny SGML; counts on the real archive."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from report.data import DataError, TextSettings, load_reuters, text
from report.data import cache, reuters
from report.data.reuters import Wire, apply_recipe, decode_sgml, parse_sgml
from tests.corpora import PROBE_WORDS, probe_reuters_files, sgml_doc, tiny_reuters_files, write_reuters

SMALL = TextSettings(vocab_size=50, maxlen=8)



def test_parse_sgml_first_topic_entities_and_own_title_body():
    sgml = (
        '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
        + sgml_doc(7, ["grain", "wheat"], "U.S. &lt;GRAIN&gt; SALES", "Sales rose caf\xe9 &amp; more.")
        + sgml_doc(8, [], "NO TOPIC", "ignored body")
        + sgml_doc(9, ["earn"], "TITLE ONLY", None)  # body-less: must not borrow the next wire's body
        + sgml_doc(10, ["acq"], "NEXT", "next body")
    )
    wires = parse_sgml(sgml, "reut2-000.sgm")
    assert [w.newid for w in wires] == ["7", "8", "9", "10"]
    assert wires[0].topics == ("grain", "wheat") and wires[1].topics == ()
    assert wires[0].text == "U.S. <GRAIN> SALES\nSales rose caf\xe9 & more.\n Reuter"
    assert "\x03" not in wires[0].text
    assert wires[2].text == "TITLE ONLY"


def test_parse_unproc_wire_uses_whole_text():
    doc = '<REUTERS TOPICS="YES" NEWID="5"><TOPICS><D>earn</D></TOPICS><TEXT TYPE="UNPROC">&#2;\nRAW &amp; TEXT\n&#3;</TEXT></REUTERS>'
    assert parse_sgml(doc)[0].text == "RAW & TEXT"


def wire(i: int, topic: str | None) -> Wire:
    return Wire(str(i), (topic,) if topic else (), f"text {i}", "f")


def test_recipe_min_count_first_appearance_and_split():
    topics = ["b", None, "a", "b", "c", "a", "b", "a", "c", "b", "d", "a", "b"] * 2
    wires = [wire(i, t) for i, t in enumerate(topics)]
    split = apply_recipe(wires, min_topic_count=5)
    # counts: b 10, a 8, c 4, d 2 -> keep b, a; numbered by first appearance
    assert split.class_names == ("b", "a")
    kept = [w for w in wires if w.topics and w.topics[0] in ("a", "b")]
    assert len(split.train) + len(split.test) == len(kept) == 18
    assert len(split.train) == int(18 * 0.8) == 14
    idx = np.arange(18)
    np.random.RandomState(113).shuffle(idx)
    assert [w.newid for w, _ in split.train + split.test] == [kept[i].newid for i in idx]
    for w, y in split.train + split.test:
        assert split.class_names[y] == w.topics[0]


def test_recipe_labels_multi_topic_wires_by_first_topic():
    wires = [Wire("1", ("x", "y"), "", "f"), Wire("2", ("y",), "", "f"), Wire("3", ("y", "x"), "", "f")]
    split = apply_recipe(wires, min_topic_count=1, test_split=0.0)
    assert split.class_names == ("x", "y")
    assert sorted((w.newid, y) for w, y in split.train) == [("1", 0), ("2", 1), ("3", 1)]


def test_recipe_errors():
    with pytest.raises(ValueError, match="no document has a topic"):
        apply_recipe([wire(1, None)])
    with pytest.raises(ValueError, match="at least 15"):
        apply_recipe([wire(1, "a"), wire(2, "b")])


@pytest.mark.parametrize("layout", ["folder", "archive", "archive-no-top-folder"])
def test_load_tiny_reuters(tmp_path, layout):
    write_reuters(tmp_path, archive=layout != "folder", top=layout != "archive-no-top-folder")
    ds = load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=3)
    assert ds.name == "reuters" and ds.title == "Reuters-21578"
    assert ds.class_names == ("cocoa", "grain", "earn")  # gold (2 wires) dropped; first-appearance order
    assert len(ds.y_train) == 16 and len(ds.y_test) == 4  # 20 wires, 80/20
    assert ds.ratings_test is None and ds.ratings_train is None
    all_y = np.concatenate([ds.y_train, ds.y_test])
    assert Counter(all_y.tolist()) == {0: 5, 1: 5, 2: 10}
    # ids are NEWIDs, texts the wire's own title + body
    wires = {w.newid: w for name, sgml in tiny_reuters_files().items() for w in parse_sgml(sgml, name)}
    for ids, y, texts in ((ds.ids_train, ds.y_train, ds.texts_train()), (ds.ids_test, ds.y_test, ds.texts_test())):
        for newid, label, raw in zip(ids, y, texts):
            assert wires[newid].topics[0] == ds.class_names[label] and wires[newid].text == raw
    assert "3" in set(ds.ids_train) | set(ds.ids_test)  # the (grain, wheat) wire, labelled grain
    assert "caf\xe9" in " ".join(ds.texts_train() + ds.texts_test())  # latin-1 decoded
    # vocabulary from the training wires only; front padding
    train_words = {w for t in ds.texts_train() for w in text.tokenise(t)}
    assert set(ds.vocab[2:]) <= train_words
    assert ds.x_train.shape == (16, 8) and ds.x_train.max() < 50
    short = int(np.argmin(ds.lengths_train))
    assert ds.lengths_train[short] < 8 and ds.x_train[short, 0] == 0


def test_min_topic_count_default_is_15(tmp_path):
    write_reuters(tmp_path)  # no tiny topic reaches 15 wires
    with pytest.raises(DataError, match="reut2-\\*.sgm.*at least 15"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


# --- encodings: UTF-8 or latin-1 per file, never C1 control characters ---------------------------------------

C1 = re.compile("[\x80-\x9f]")


def test_decode_sgml_prefers_utf8_and_falls_back_to_latin1():
    text = "<TITLE>Soci\xe9t\xe9 G\xe9n\xe9rale Z\xfcrich</TITLE>"
    assert decode_sgml(text.encode("utf-8")) == text
    assert decode_sgml(text.encode("latin-1")) == text  # not valid UTF-8 -> latin-1
    assert decode_sgml(b"plain ascii") == "plain ascii"


def test_c1_and_c0_controls_dropped_whitespace_kept():
    doc = sgml_doc(1, ["a\x85"], "TITLE\x96 ONE\x9f", "col1\tcol2\x80\nline\x1b two")
    wire = parse_sgml(doc)[0]
    assert wire.topics == ("a",)
    assert wire.text == "TITLE ONE\ncol1\tcol2\nline two\n Reuter"


def probe_texts(ds) -> list[str]:
    return ds.texts_train() + ds.texts_test()


def assert_probe_decoded(texts: list[str]) -> None:
    joined = "\n".join(texts)
    assert not C1.search(joined), sorted({hex(ord(c)) for c in C1.findall(joined)})
    assert "\xc3" not in joined  # no mojibake ("Ã©" is UTF-8 read as latin-1)
    for word in PROBE_WORDS + (PROBE_WORDS[0].upper(),):
        assert word in joined
    assert all(t.startswith(PROBE_WORDS[0].upper()) for t in texts)


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_probe_corpus_decoded_right(tmp_path, encoding):
    write_reuters(tmp_path, probe_reuters_files(), archive=True, encoding=encoding)
    ds = load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=1)
    assert_probe_decoded(probe_texts(ds))
    # exactly the texts written (parsed from the str, before any encoding)
    expected = {w.newid: w.text for w in parse_sgml(probe_reuters_files()["reut2-000.sgm"])}
    assert dict(zip(list(ds.ids_train) + list(ds.ids_test), probe_texts(ds))) == expected
    again = load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=1)
    assert probe_texts(again) == probe_texts(ds)  # the same from the cache


def test_each_file_decoded_on_its_own(tmp_path):
    utf8 = probe_reuters_files()["reut2-000.sgm"]
    files = {"reut2-000.sgm": utf8, "reut2-001.sgm": utf8.replace('NEWID="', 'NEWID="1')}
    write_reuters(tmp_path, files, encoding={"reut2-000.sgm": "utf-8", "reut2-001.sgm": "latin-1"})
    wires = reuters.read_wires(reuters.Source(tmp_path / "reuters21578", "reuters21578"))
    assert len(wires) == 12
    assert_probe_decoded([w.text for w in wires])


def test_cache_of_the_old_decoding_is_not_reused(tmp_path, monkeypatch):
    """Entries written before the decoding fix (cache format 1) hold mojibake: they must be rebuilt."""
    write_reuters(tmp_path, probe_reuters_files(), encoding="utf-8")

    def load():
        return load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=1)

    with monkeypatch.context() as old:
        old.setattr(cache, "CACHE_FORMAT", 1)
        old.setattr(reuters, "decode_sgml", lambda data: data.decode("latin-1"))
        old.setattr(reuters, "CONTROL_RE", re.compile(r"[\x00-\x08\x0b-\x1f\x7f]"))
        assert C1.search("".join(probe_texts(load())))  # what the old code cached
    assert cache.CACHE_FORMAT != 1
    assert_probe_decoded(probe_texts(load()))


# --- bad input ------------------------------------------------------------------------------------------------


def test_missing(tmp_path):
    with pytest.raises(DataError) as err:
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)
    assert "reuters21578.tar.gz" in err.value.message and str(tmp_path) in err.value.message


def test_sgml_with_no_topics_at_all(tmp_path):
    write_reuters(tmp_path, {"reut2-000.sgm": sgml_doc(1, [], "A", "b") + sgml_doc(2, [], "C", "d")})
    with pytest.raises(DataError, match="reut2-000.sgm.*no document has a topic"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


def test_sgml_with_no_usable_topics(tmp_path):
    write_reuters(tmp_path, {"reut2-000.sgm": sgml_doc(1, ["a"], "A", "b") + sgml_doc(2, ["b"], "C", "d")})
    with pytest.raises(DataError, match="reut2-000.sgm.*at least 2"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=2)


def test_sgml_without_documents(tmp_path):
    write_reuters(tmp_path, {"reut2-000.sgm": sgml_doc(1, ["a"], "A", "b"), "reut2-001.sgm": "<html>nothing</html>"})
    with pytest.raises(DataError, match="reut2-001.sgm.*no <REUTERS> documents"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=1)


def test_no_sgml_files(tmp_path):
    write_reuters(tmp_path, {})
    with pytest.raises(DataError, match="reuters21578.*no reut2-\\*.sgm files"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False)


def test_truncated_archive(tmp_path):
    archive = write_reuters(tmp_path, archive=True)
    archive.write_bytes(archive.read_bytes()[:300])
    with pytest.raises(DataError, match="reuters21578.tar.gz.*corrupt or truncated"):
        load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=3)


# --- real data ------------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.slow
def test_real_reuters_counts(tmp_path, real_data):
    data = real_data
    ds = load_reuters(data, tmp_path / "cache", TextSettings(), quiet=True, download=False)
    assert len(ds.y_train) + len(ds.y_test) == 11_228
    assert (len(ds.y_train), len(ds.y_test)) == (8_982, 2_246)
    assert len(ds.class_names) == 46 and set(np.unique(ds.y_train)) == set(range(46))
    assert ds.class_names[:5] == ("cocoa", "grain", "veg-oil", "earn", "acq")
    test_counts = Counter(ds.class_names[y] for y in ds.y_test)
    assert test_counts["earn"] == 813 and test_counts["acq"] == 474
    assert len(set(ds.ids_train) | set(ds.ids_test)) == 11_228
    assert ds.x_train.shape == (8_982, 200) and ds.x_train.max() < 10_000
    assert all(t.strip() for t in ds.texts_test())
    assert ds.checksums == {"reuters21578.tar.gz": "cf21797f6e5fffdf5551131d45d5f9bfd69e4593999ebbc5992ad27a4f2d5972"}


def test_wires_without_a_kept_topic_are_unlabelled_text_and_survive_the_cache(tmp_path):
    """The 5 wires with no topic and the 2 'gold' wires (a topic below the minimum) are neither training
    nor test data, but their words are kept (as ids of the training vocabulary) for the word vectors."""
    write_reuters(tmp_path)
    for _ in ("cold", "cached"):
        ds = load_reuters(tmp_path, tmp_path / "cache", SMALL, quiet=True, download=False, min_topic_count=3)
        assert ds.x_unlabelled is not None and ds.x_unlabelled.shape == (7, 8)
        # "NO TOPIC / unlabelled wire": words only the topic-less wires use are out of the training vocabulary
        assert "unlabelled" not in ds.vocab and (ds.x_unlabelled == text.OOV).sum() >= 5 * 4
        gold = ds.vocab.index("prices")  # "gold prices ...": a word the labelled wires share
        assert (ds.x_unlabelled == gold).sum() == 2

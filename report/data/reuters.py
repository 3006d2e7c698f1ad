"""Reuters-21578 (Distribution 1.0) as the Keras "Reuters newswire topics" dataset.

Recipe (from the README of the shared data folder; checked against the real files):

1. Walk the ``<REUTERS>`` documents of ``reut2-000.sgm`` ... ``reut2-021.sgm``
   in file order; keep those with a non-empty ``<TOPICS>`` and label each with
   its FIRST ``<D>`` topic (11,367 wires).
2. Keep the topics with at least ``min_topic_count`` (15) such wires (46 topics,
   11,228 wires), numbered in order of first appearance (cocoa=0, grain=1,
   veg-oil=2, earn=3, acq=4, ...).
3. Shuffle with ``np.random.RandomState(113)`` and hold out the last 20% as the
   test set (8,982 train / 2,246 test).

Each SGML file is decoded as UTF-8 when it is valid UTF-8, else as latin-1
(the official files are ASCII plus one latin-1 byte; a copy re-encoded as
UTF-8 and read as latin-1 would turn accented letters into mojibake containing
C1 control characters).
The SGML is not well-formed XML, so documents are cut out with regular
expressions and entities decoded with ``html.unescape``. A wire's text is its
own ``<TITLE>``, a newline and its ``<BODY>`` (either may be missing; a wire
with neither, ``TYPE="UNPROC"``, uses its whole ``<TEXT>`` without tags).
Control characters -- C0 (``&#3;`` end-of-text marks etc.), DEL and C1
(U+0080-U+009F) -- are dropped; tabs and newlines are kept. The example id is
the NEWID attribute.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from report.data import text
from report.data.archive import Source
from report.data.dataset import MemoryTexts, TextDataset, TextSettings

NAME = "reuters"
TITLE = "Reuters-21578"
ARCHIVE = "reuters21578.tar.gz"
FOLDER = "reuters21578"
PATTERNS = ("reut2-*.sgm",)
MIN_TOPIC_COUNT = 15
SEED = 113
TEST_SPLIT = 0.2

DOC_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL | re.IGNORECASE)
NEWID_RE = re.compile(r'\bNEWID\s*=\s*"(\d+)"', re.IGNORECASE)
TOPICS_RE = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.DOTALL | re.IGNORECASE)
D_RE = re.compile(r"<D>(.*?)</D>", re.DOTALL | re.IGNORECASE)
TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.DOTALL | re.IGNORECASE)
BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL | re.IGNORECASE)
TEXT_RE = re.compile(r"<TEXT\b[^>]*>(.*?)</TEXT>", re.DOTALL | re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]+>")
# C0 controls except tab and newline, DEL, and the C1 controls U+0080-U+009F.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Wire:
    """One ``<REUTERS>`` document: its NEWID, topics in document order and text."""

    newid: str
    topics: tuple[str, ...]
    text: str
    file: str


def decode_sgml(data: bytes) -> str:
    """One SGML file's text: UTF-8 if the bytes are valid UTF-8, else latin-1 (which never fails)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _decode(fragment: str) -> str:
    return CONTROL_RE.sub("", html.unescape(fragment)).strip()


def parse_sgml(data: str, file: str = "") -> list[Wire]:
    """Every ``<REUTERS>`` document of one SGML file, in order (may be empty)."""
    wires = []
    for m in DOC_RE.finditer(data):
        attrs, inner = m.group(1), m.group(2)
        newid = NEWID_RE.search(attrs)
        topics_el = TOPICS_RE.search(inner)
        topics = tuple(t for t in (_decode(d) for d in D_RE.findall(topics_el.group(1))) if t) if topics_el else ()
        title, body = TITLE_RE.search(inner), BODY_RE.search(inner)
        if title or body:
            content = "\n".join(_decode(p.group(1)) for p in (title, body) if p)
        else:
            whole = TEXT_RE.search(inner)
            content = _decode(TAG_RE.sub(" ", whole.group(1))) if whole else ""
        wires.append(Wire(newid.group(1) if newid else "", topics, content, file))
    return wires


def read_wires(source: Source) -> list[Wire]:
    """All documents of all ``reut2-*.sgm`` files, in file-name order. Raises DataError."""
    files = sorted(source.read(PATTERNS))
    if not files:
        raise source.error("no reut2-*.sgm files, expected reut2-000.sgm ... reut2-021.sgm")
    wires = []
    for rel, data in files:
        found = parse_sgml(decode_sgml(data), rel)
        if not found:
            raise source.error("no <REUTERS> documents in this file, expected Reuters-21578 SGML", rel)
        missing = next((w for w in found if not w.newid), None)
        if missing is not None:
            raise source.error('a <REUTERS> document has no NEWID="..." attribute', rel)
        wires.extend(found)
    return wires


@dataclass(frozen=True)
class Split:
    """The recipe's outcome: topic names, the train/test wires with labels, and the wires left out
    (no topic, or one with too few wires), which may still serve as unlabelled text."""

    class_names: tuple[str, ...]
    train: list[tuple[Wire, int]]
    test: list[tuple[Wire, int]]
    unlabelled: list[Wire] = ()


def apply_recipe(
    wires: list[Wire], min_topic_count: int = MIN_TOPIC_COUNT, seed: int = SEED, test_split: float = TEST_SPLIT
) -> Split:
    """Steps 1-3 of the recipe. Raises ValueError when no wire is labelled or no topic is frequent enough."""
    labelled = [(w, w.topics[0]) for w in wires if w.topics]
    if not labelled:
        raise ValueError("no document has a topic, expected <TOPICS><D>topic</D></TOPICS> in some <REUTERS> documents")
    counts = Counter(topic for _, topic in labelled)
    kept = [(w, t) for w, t in labelled if counts[t] >= min_topic_count]
    if not kept:
        raise ValueError(
            f"no topic has at least {min_topic_count} documents (most: {counts.most_common(1)[0][1]}), "
            "expected the full Reuters-21578 collection"
        )
    class_names = tuple(dict.fromkeys(t for _, t in kept))
    label = {t: i for i, t in enumerate(class_names)}
    indices = np.arange(len(kept))
    np.random.RandomState(seed).shuffle(indices)  # exactly what keras.datasets.reuters did
    cut = int(len(kept) * (1 - test_split))
    rows = [(kept[i][0], label[kept[i][1]]) for i in indices]
    kept_ids = {id(w) for w, _ in kept}
    left_out = [w for w in wires if id(w) not in kept_ids and w.text]
    return Split(class_names, rows[:cut], rows[cut:], left_out)


def build(source: Source, settings: TextSettings, checksums: dict[str, str], min_topic_count: int) -> TextDataset:
    """Parse, select, tokenise and pad (the cold path)."""
    wires = read_wires(source)
    try:
        split = apply_recipe(wires, min_topic_count)
    except ValueError as exc:
        names = sorted({w.file for w in wires})
        member = names[0] if len(names) == 1 else "reut2-*.sgm"
        raise source.error(str(exc), member) from None
    parts = {"train": split.train, "test": split.test}
    tokens = {s: [text.tokenise(w.text) for w, _ in rows] for s, rows in parts.items()}
    vocab = text.build_vocab(tokens["train"], settings.vocab_size)
    enc = {s: text.encode(tokens[s], vocab, settings.maxlen, settings.keep) for s in parts}
    unlabelled = text.encode([text.tokenise(w.text) for w in split.unlabelled], vocab, settings.maxlen, settings.keep)[0]
    return TextDataset(
        name=NAME, title=TITLE, class_names=split.class_names,
        x_train=enc["train"][0], y_train=np.array([y for _, y in split.train], dtype=np.int64),
        x_test=enc["test"][0], y_test=np.array([y for _, y in split.test], dtype=np.int64),
        ids_train=np.array([w.newid for w, _ in split.train], dtype=str),
        ids_test=np.array([w.newid for w, _ in split.test], dtype=str),
        lengths_train=enc["train"][1], lengths_test=enc["test"][1],
        checksums=checksums, vocab=vocab, ratings_train=None, ratings_test=None, settings=settings,
        _texts=MemoryTexts([w.text for w, _ in split.train], [w.text for w, _ in split.test]),
        x_unlabelled=unlabelled,
    )

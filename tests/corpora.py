"""Tiny corpora in the official layouts, for tests (ours and the experiments').

``write_imdb`` / ``write_reuters`` create ``aclImdb/`` or ``reuters21578/`` in a
folder, and with ``archive=True`` pack it as the official ``.tar.gz`` instead.
Nothing here runs at import time.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

# (split, label) -> [(ID, rating, text)]; <br /> and markup characters on purpose.
TINY_IMDB: dict[tuple[str, str], list[tuple[int, int, str]]] = {
    ("train", "pos"): [
        (0, 9, "A great film.<br /><br />Great acting & a great story!"),
        (1, 10, "Loved it, truly great. Don't miss it."),
        (2, 8, "Good fun <br />for everyone, great cast."),
    ],
    ("train", "neg"): [
        (0, 1, "Awful film. Boring, boring, boring.<br />Skip it."),
        (1, 2, "Bad acting; a bad <b>plot</b>. Bad!"),
        (2, 3, "Dull and boring, not good."),
    ],
    ("test", "pos"): [
        (0, 7, "Great great movie.<br />Zebra unicorn."),
        (1, 10, "Wonderful and great."),
    ],
    ("test", "neg"): [
        (0, 4, "Boring film, bad bad bad."),
        (1, 1, "Terrible xylophone nonsense."),
    ],
}


def pack(folder: Path, target: Path, *, top: bool = True) -> Path:
    """``folder`` as a .tar.gz at ``target`` (inside a top folder of the same name unless ``top=False``)."""
    with tarfile.open(target, "w:gz") as tar:
        if top:
            tar.add(folder, arcname=folder.name)
        else:
            for p in sorted(folder.iterdir()):
                tar.add(p, arcname=p.name)
    return target


def write_imdb(
    where: Path, reviews: dict[tuple[str, str], list[tuple[int, int, str]]] | None = None, *, archive: bool = False
) -> Path:
    """Write ``where/aclImdb/`` (or ``where/aclImdb_v1.tar.gz``); returns the path written."""
    folder = Path(where) / "aclImdb"
    for (split, label), rows in (TINY_IMDB if reviews is None else reviews).items():
        d = folder / split / label
        d.mkdir(parents=True, exist_ok=True)
        for rid, rating, text in rows:
            (d / f"{rid}_{rating}.txt").write_text(text, encoding="utf-8")
    (folder / "README").write_text("tiny test copy\n")
    if not archive:
        return folder
    target = pack(folder, Path(where) / "aclImdb_v1.tar.gz")
    shutil.rmtree(folder)
    return target


def sgml_doc(newid: int | str, topics: list[str], title: str | None = "", body: str | None = "") -> str:
    """One ``<REUTERS>`` document as in reut2-*.sgm (``None`` leaves TITLE or BODY out)."""
    ds = "".join(f"<D>{t}</D>" for t in topics)
    parts = []
    if title is not None:
        parts.append(f"<TITLE>{title}</TITLE>")
    parts.append("<DATELINE>    LONDON, March 1 - </DATELINE>")
    if body is not None:
        parts.append(f"<BODY>{body}\n Reuter\n&#3;</BODY>")
    return (
        f'<REUTERS TOPICS="{"YES" if topics else "NO"}" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" '
        f'OLDID="{5000 + int(newid)}" NEWID="{newid}">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
        f"<TOPICS>{ds}</TOPICS>\n<PLACES><D>usa</D></PLACES>\n<PEOPLE></PEOPLE>\n"
        f"<TEXT>&#2;\n{''.join(parts)}</TEXT>\n</REUTERS>\n"
    )


def tiny_reuters_files() -> dict[str, str]:
    """Two SGML files with 22 labelled wires -- cocoa 5, grain 5, earn 10, gold 2, in that
    order of first appearance -- plus 5 unlabelled ones. Wire 2 is topics (grain, wheat),
    the last is a title-only cocoa wire; texts have entities and a latin-1 character."""
    docs0, docs1 = [], []
    newid = 1
    plan = ["cocoa", "grain", "earn"] * 4 + ["gold"] + ["earn"] * 6 + ["grain", "gold"]
    for i, topic in enumerate(plan):
        topics = [topic] if topic != "grain" or i != 1 else ["grain", "wheat"]
        (docs0 if i < 12 else docs1).append(
            sgml_doc(newid, topics, f"{topic.upper()} NEWS {i} &lt;ABC&gt;", f"{topic} prices caf\xe9 &amp; more {i}")
        )
        newid += 1
        if i % 5 == 0:
            (docs0 if i < 12 else docs1).append(sgml_doc(newid, [], "NO TOPIC", "unlabelled wire"))
            newid += 1
    docs1.append(sgml_doc(newid, ["cocoa"], "COCOA TITLE ONLY", None))
    head = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
    return {"reut2-000.sgm": head + "".join(docs0), "reut2-001.sgm": head + "".join(docs1)}


# Accented names that a UTF-8 file read as latin-1 turns into mojibake with C1 controls
# (e.g. "é" = C3 A9 -> "Ã©"; "ü" = C3 BC; "Ö" = C3 96 -> "Ã" + U+0096).
PROBE_WORDS = ("Soci\xe9t\xe9 G\xe9n\xe9rale", "caf\xe9", "Z\xfcrich", "\xd6sterreich")


def probe_reuters_files(per_topic: int = 3) -> dict[str, str]:
    """One SGML file whose wires carry ``PROBE_WORDS`` in titles and bodies (all
    latin-1-encodable, so the same text can be written as UTF-8 or latin-1): topics
    bank and trade, ``per_topic`` wires each, alternating."""
    docs = []
    for i in range(2 * per_topic):
        topic = ("bank", "trade")[i % 2]
        docs.append(sgml_doc(
            i + 1, [topic], f"{PROBE_WORDS[0].upper()} {topic.upper()} {i}",
            f"{PROBE_WORDS[0]} opened a {PROBE_WORDS[1]} in {PROBE_WORDS[2]} and {PROBE_WORDS[3]} {i}",
        ))
    return {"reut2-000.sgm": '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(docs)}


def write_reuters(
    where: Path, files: dict[str, str] | None = None, *, archive: bool = False, top: bool = True,
    encoding: str | dict[str, str] = "latin-1",
) -> Path:
    """Write ``where/reuters21578/`` (or ``where/reuters21578.tar.gz``, without a top
    folder if ``top=False``, like the official archive); returns the path written.
    ``encoding`` is that of every SGML file, or ``{file name: encoding}`` (latin-1 if absent)."""
    folder = Path(where) / "reuters21578"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (tiny_reuters_files() if files is None else files).items():
        enc = encoding if isinstance(encoding, str) else encoding.get(name, "latin-1")
        (folder / name).write_bytes(text.encode(enc))
    (folder / "README.txt").write_text("tiny test copy\n")
    if not archive:
        return folder
    target = pack(folder, Path(where) / "reuters21578.tar.gz", top=top)
    shutil.rmtree(folder)
    return target

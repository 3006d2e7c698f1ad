"""Reading what a build wrote, once, for every checker: the HTML tree and its text, the PDF's text and
bookmarks, and an experiment's results.json."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from report.paths import BuildPaths

SEPARATE_TAGS = {"td", "th", "tr", "br", "p", "div", "li", "dt", "dd", "caption", "figcaption", "section",
                 "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "ul", "ol", "figure"}
SKIP_CLASSES = {"xref", "label", "secnum"}  # "Figure 3", "Table 2", "1.4": identifiers, not measurements


def parse_html(path: Path):
    import tinyhtml5  # WeasyPrint's own HTML parser: always installed with it

    return tinyhtml5.parse(path.read_text(encoding="utf-8"))


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def iter_elements(root) -> Iterator:
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def text_of(el, skip_classes: set[str] = SKIP_CLASSES) -> str:
    """The element's text without identifiers (cross-references, labels, section numbers)."""
    parts: list[str] = []

    def walk(e) -> None:
        classes = set((e.get("class") or "").split())
        if not (classes & skip_classes):
            if e.text:
                parts.append(e.text)
            for child in e:
                if isinstance(child.tag, str):
                    spaced = local(child.tag) in SEPARATE_TAGS  # table cells must not run together
                    parts.append(" " if spaced else "")
                    walk(child)
                    parts.append(" " if spaced else "")
                if child.tail:
                    parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def headings(root) -> list[tuple[int, str, object]]:
    return [(int(local(el.tag)[1]), text_of(el, set()), el) for el in iter_elements(root)
            if re.fullmatch(r"h[1-6]", local(el.tag))]


def pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages)


def pdf_body_text(text: str) -> str:
    """The PDF's text without table-of-contents lines (dot leaders), whitespace collapsed."""
    body = [line for line in text.splitlines() if not re.search(r"(\.\s?){4,}\s*\d+\s*$", line)]
    return " ".join(" ".join(body).replace("\u00ad", "").split())


def pdf_outline_titles(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    out: list[str] = []

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, list):
                walk(node)
            else:
                out.append(" ".join(str(node.title).split()))

    walk(PdfReader(str(pdf)).outline)
    return out


def page_title(root) -> str | None:
    """The page's <title>, as the PDF's title must read."""
    return next((text_of(el, set()) for el in iter_elements(root) if local(el.tag) == "title"), None)


def load_raw_results(paths: BuildPaths, name: str) -> dict | None:
    path = paths.results / name / "results.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None

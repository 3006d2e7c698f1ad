"""Is the report's metadata filled in? Warnings, not failures: the author still "Student Name" (the
placeholder of the shipped report.toml) or missing, and no course on the title page. (A PDF without an
author fails "PDF title and author" already, so it is not warned about twice.)

Read from what the build wrote, as every check: the author from the PDF's metadata and the page's
``<meta name="author">``, the course from the title page (``<p class="course">``). A report rendered
before report.toml was filled in warns until it is rendered again.
"""

from __future__ import annotations

from pathlib import Path

from report.commands.check.artefacts import iter_elements, local, text_of
from report.commands.check.checklist import Item, warning
from report.render.meta import PLACEHOLDER_AUTHOR

TITLE = "report metadata filled in"


def html_metadata(root) -> tuple[str, str]:
    """(author, course) as the page states them; '' where it states none."""
    author = course = ""
    for el in iter_elements(root):
        tag = local(el.tag)
        if tag == "meta" and el.get("name") == "author" and not author:
            author = (el.get("content") or "").strip()
        elif tag == "p" and "course" in (el.get("class") or "").split() and not course:
            course = text_of(el).strip()
    return author, course


def pdf_author(pdf: Path) -> str:
    from pypdf import PdfReader

    meta = PdfReader(str(pdf)).metadata or {}
    return (meta.get("/Author") or "").strip()


def check_metadata(root, pdf: Path | None) -> Item:
    author, course = html_metadata(root)
    authors = {"the page": author}
    if pdf is not None and pdf.is_file():
        authors["the PDF"] = pdf_author(pdf)
    warnings = []
    for where, name in authors.items():
        if not name:
            if where == "the PDF":
                continue  # a failure of check_pdf_metadata
            warnings.append(f"{where} names no author: set [report] author in report.toml and render again")
        elif name.casefold() == PLACEHOLDER_AUTHOR.casefold():
            warnings.append(f"{where} names the placeholder author {name!r}: set [report] author in report.toml "
                            f"and render again")
    if not course:
        warnings.append("no course on the title page: set [report] course in report.toml and render again")
    shown = author or authors.get("the PDF", "")
    detail = ", ".join(x for x in (repr(shown) if shown else "", repr(course) if course else "") if x)
    return warning(TITLE, warnings, detail)

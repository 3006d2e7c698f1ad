"""The PDF as handed in: every font embedded (``pdffonts``), a title (the page's) and an author in its
metadata, and the site's copy of the PDF byte for byte the built PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from report.commands.check.checklist import Item, item
from report.paths import BuildPaths


def check_pdf_fonts(pdf: Path) -> Item:
    if not shutil.which("pdffonts"):
        return item("fonts embedded in the PDF", ["pdffonts not found: install poppler-utils (make setup)"])
    proc = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True)
    if proc.returncode != 0:
        return item("fonts embedded in the PDF", [f"pdffonts failed: {proc.stderr.strip()}"])
    lines = proc.stdout.splitlines()
    header = lines[0]
    emb_col = header.index("emb")
    fonts = [line for line in lines[2:] if line.strip()]
    problems = [f"{line[:emb_col].split()[0]} is not embedded" for line in fonts
                if line[emb_col:emb_col + 3].strip() != "yes"]
    if not fonts:
        problems.append("the PDF has no fonts (no text?)")
    return item("fonts embedded in the PDF", problems, f"{len(fonts)} fonts")


def check_pdf_metadata(pdf: Path, expected_title: str | None) -> Item:
    from pypdf import PdfReader

    meta = PdfReader(str(pdf)).metadata or {}
    title, author = (meta.get("/Title") or "").strip(), (meta.get("/Author") or "").strip()
    problems = []
    if not title:
        problems.append("no title (set [report] title in report.toml)")
    elif expected_title and title != expected_title:
        problems.append(f"title {title!r} differs from the page's {expected_title!r}")
    if not author:
        problems.append("no author (set [report] author in report.toml)")
    return item("PDF title and author", problems, f"{title!r} by {author!r}" if title and author else "")


def check_pdf_copy(paths: BuildPaths) -> Item:
    copy = paths.site / "report.pdf"
    if not copy.exists():
        return item("the site's PDF is the built PDF", [f"{copy} is missing: run `make-report render`"])
    same = copy.read_bytes() == paths.pdf.read_bytes()
    return item("the site's PDF is the built PDF", [] if same else [f"{copy} differs from {paths.pdf}: run `make-report render`"])
